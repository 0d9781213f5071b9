(function () {
  "use strict";
  var PAGE = 50;
  var root = document.documentElement;

  var toggle = document.getElementById("theme-toggle");
  var saved = null;
  try { saved = window.localStorage.getItem("trialscope-theme"); } catch (e) { saved = null; }
  if (saved) { root.setAttribute("data-theme", saved); }
  toggle.addEventListener("click", function () {
    var dark = root.getAttribute("data-theme") === "dark" ||
      (!root.getAttribute("data-theme") && window.matchMedia("(prefers-color-scheme: dark)").matches);
    var next = dark ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try { window.localStorage.setItem("trialscope-theme", next); } catch (e) { /* file:// may forbid storage */ }
  });

  var showPaper = document.getElementById("show-paper");
  if (showPaper) {
    showPaper.addEventListener("change", function () {
      document.getElementById("paper-rows").hidden = !showPaper.checked;
    });
  }

  var section = document.getElementById("samples");
  if (!section) { return; }
  var el = {
    task: document.getElementById("sb-task"),
    model: document.getElementById("sb-model"),
    filter: document.getElementById("sb-filter"),
    search: document.getElementById("sb-search"),
    count: document.getElementById("sb-count"),
    page: document.getElementById("sb-page"),
    prev: document.getElementById("sb-prev"),
    next: document.getElementById("sb-next"),
    body: document.querySelector("#sb-table tbody")
  };
  var data = null;
  var state = { key: null, task: 0, model: -1, filter: "all", query: "", page: 0, matches: [] };

  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }

  function load() {
    if (data) { return; }
    data = JSON.parse(document.getElementById("sample-data").textContent);
    data.tasks.forEach(function (t, i) {
      el.task.appendChild(new Option(t.label + " (" + t.rows.length + ")", String(i)));
    });
    fillModels();
    [el.task, el.model, el.filter].forEach(function (s) { s.addEventListener("change", onChange); });
    var timer = null;
    el.search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(onChange, 150);
    });
    el.prev.addEventListener("click", function () { state.page -= 1; render(); });
    el.next.addEventListener("click", function () { state.page += 1; render(); });
    applyFilters();
  }

  function fillModels() {
    el.model.textContent = "";
    el.model.appendChild(new Option("all models", "-1"));
    var task = data.tasks[state.task];
    if (!task) { return; }
    task.models.forEach(function (m, i) { el.model.appendChild(new Option(m, String(i))); });
  }

  function onChange(event) {
    if (event && event.target === el.task) {
      state.task = Number(el.task.value);
      fillModels();
    }
    applyFilters();
  }

  function keep(row, task) {
    var score = row[2], status = row[3];
    if (state.model >= 0 && row[1] !== state.model) { return false; }
    if (state.filter === "failures" && status === "ok" && score !== null && score >= 1) { return false; }
    if (state.filter === "parse_error" && status !== "parse_error") { return false; }
    if (state.filter === "error" && status !== "error") { return false; }
    if (state.query) {
      var q = state.query;
      var hay = (row[0] + "\n" + (row[4] || "") + "\n" + (row[5] || "") + "\n" +
        (task.prompts[row[0]] || "")).toLowerCase();
      if (hay.indexOf(q) < 0) { return false; }
    }
    return true;
  }

  function applyFilters() {
    var key = [el.task.value, el.model.value, el.filter.value, el.search.value.trim().toLowerCase()].join("\u0000");
    // A late debounced search event with nothing changed must not reset the page.
    if (key === state.key) { return; }
    state.key = key;
    state.task = Number(el.task.value || 0);
    state.model = Number(el.model.value || -1);
    state.filter = el.filter.value;
    state.query = el.search.value.trim().toLowerCase();
    state.page = 0;
    var task = data.tasks[state.task];
    state.matches = task ? task.rows.filter(function (r) { return keep(r, task); }) : [];
    render();
  }

  function pre(title, text, full) {
    var box = node("div", full ? "full" : "");
    box.appendChild(node("h4", "", title));
    box.appendChild(node("pre", "", text === "" || text === null || text === undefined ? "—" : text));
    return box;
  }

  function detailRow(row, task) {
    var tr = node("tr", "detail");
    var td = node("td");
    td.colSpan = 6;
    var grid = node("div", "detail-grid");
    if (row[6]) {
      grid.appendChild(pre("Chat messages sent (exact)", row[6], true));
    } else {
      grid.appendChild(pre("Record (no chat messages recorded)", task.prompts[row[0]], true));
    }
    grid.appendChild(pre("Raw answer", row[4]));
    grid.appendChild(pre("Parsed answer", row[5]));
    grid.appendChild(pre("Gold answer", task.golds[row[0]]));
    grid.appendChild(pre("Score · status", (row[2] === null ? "unscored" : row[2]) + " · " + row[3]));
    td.appendChild(grid);
    tr.appendChild(td);
    return tr;
  }

  function render() {
    var task = data.tasks[state.task];
    var total = state.matches.length;
    var pages = Math.max(1, Math.ceil(total / PAGE));
    state.page = Math.min(Math.max(state.page, 0), pages - 1);
    el.count.textContent = total.toLocaleString() + " matching of " +
      (task ? task.rows.length.toLocaleString() : 0);
    el.page.textContent = "page " + (state.page + 1) + " of " + pages;
    el.prev.disabled = state.page === 0;
    el.next.disabled = state.page >= pages - 1;
    el.body.textContent = "";
    var slice = state.matches.slice(state.page * PAGE, (state.page + 1) * PAGE);
    slice.forEach(function (row) {
      var tr = node("tr", "row");
      tr.setAttribute("data-status", row[3]);
      tr.appendChild(node("td", "left", row[0]));
      tr.appendChild(node("td", "left", task.models[row[1]]));
      var score = row[2];
      var cls = score === null ? "" : (score >= 1 ? "score-1" : (score <= 0 ? "score-0" : ""));
      tr.appendChild(node("td", cls, score === null ? "—" : score.toFixed(2)));
      var st = node("td", "left");
      st.appendChild(node("span", "status " + row[3], row[3].replace("_", " ")));
      tr.appendChild(st);
      tr.appendChild(node("td", row[5] ? "left clip" : "left clip none", row[5] || "—"));
      tr.appendChild(node("td", "left clip", task.golds[row[0]] || ""));
      tr.addEventListener("click", function () {
        var open = tr.nextSibling && tr.nextSibling.className === "detail";
        if (open) { tr.parentNode.removeChild(tr.nextSibling); }
        else { tr.parentNode.insertBefore(detailRow(row, task), tr.nextSibling); }
      });
      el.body.appendChild(tr);
    });
  }

  // Parsing tens of thousands of samples waits until someone looks at the browser.
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { observer.disconnect(); load(); }
    }, { rootMargin: "400px" });
    observer.observe(section);
  } else {
    load();
  }
  document.querySelectorAll('a[href="#samples"]').forEach(function (a) { a.addEventListener("click", load); });
})();
