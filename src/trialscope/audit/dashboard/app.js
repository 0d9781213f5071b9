// The audit dashboard: one WebSocket per tab, one episode at a time, steps replayed at the chosen pace.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { socket: null, queue: [], timer: null, steps: 0, running: false, flags: new Map() };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

function setConnection(text, kind) {
  const pill = $("connection");
  pill.textContent = text;
  pill.className = "pill " + (kind === "good" ? "pill-good" : kind === "bad" ? "pill-bad" : "pill-muted");
}

function setRunning(running) {
  state.running = running;
  $("run").disabled = running || !state.socket || state.socket.readyState !== WebSocket.OPEN;
  $("stop").disabled = !running;
  for (const id of ["agent", "task", "seed"]) $(id).disabled = running;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(scheme + "//" + location.host + "/dashboard/ws");
  state.socket = socket;
  socket.addEventListener("open", () => {
    setConnection("connected", "good");
    setRunning(false);
  });
  socket.addEventListener("close", () => {
    setConnection("disconnected", "bad");
    setStatus("The connection closed. Reload the page to start again.", true);
    state.socket = null;
    setRunning(false);
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (err) {
      setStatus("The server sent a message the page could not read.", true);
      return;
    }
    enqueue(message);
  });
}

function enqueue(message) {
  if (message.type === "hello" || message.type === "error") {
    handle(message);
    return;
  }
  state.queue.push(message);
  pump();
}

function pump() {
  if (state.timer !== null) return;
  const next = state.queue.shift();
  if (!next) return;
  handle(next);
  const delay = next.type === "step" ? Number($("speed").value) : 0;
  state.timer = setTimeout(() => {
    state.timer = null;
    pump();
  }, delay);
}

function handle(message) {
  switch (message.type) {
    case "hello": return onHello(message);
    case "started": return onStarted(message);
    case "step": return onStep(message);
    case "finished": return onFinished(message);
    case "stopped":
      setStatus("Stopped after " + state.steps + " steps.");
      return setRunning(false);
    case "error":
      setStatus(message.message || "The server reported an error.", true);
      return setRunning(false);
    default:
      return undefined;
  }
}

function onHello(message) {
  const agent = $("agent");
  agent.replaceChildren();
  for (const name of message.agents || []) {
    const option = el("option", null, name);
    option.value = name;
    agent.append(option);
  }
  if (message.default_agent) agent.value = message.default_agent;
}

function resetView() {
  state.steps = 0;
  state.flags.clear();
  $("timeline").replaceChildren();
  $("flags").replaceChildren();
  $("components").replaceChildren();
  $("missed").textContent = "";
  $("step-count").textContent = "0 steps";
  $("score").textContent = "–";
  $("score-ring").style.setProperty("--value", 0);
  $("flag-note").textContent = "Correctness is revealed when the episode ends.";
  $("empty").hidden = true;
}

function onStarted(message) {
  $("protocol").textContent = message.briefing || "";
  $("protocol-box").hidden = !message.briefing;
  setStatus("Running " + message.agent + " on " + message.task + " (seed " + message.seed +
    ", budget " + message.budget + " steps)…");
}

function formatArgs(args) {
  const parts = [];
  for (const [key, value] of Object.entries(args || {})) {
    if (value === null || value === undefined || value === "") continue;
    let shown = typeof value === "string" ? value : JSON.stringify(value);
    if (shown.length > 90) shown = shown.slice(0, 87) + "…";
    parts.push(key + "=" + shown);
  }
  return parts.join("  ");
}

function onStep(message) {
  state.steps = message.n;
  $("step-count").textContent = message.n + (message.n === 1 ? " step" : " steps");
  const item = el("li", "step tool-" + (message.tool || "unknown"));
  if (message.error) item.classList.add("has-error");
  item.dataset.step = String(message.n);
  const head = el("div", "step-head");
  head.append(el("span", "step-no", "#" + message.n), el("span", "tool", message.tool || "?"),
    el("span", "args", formatArgs(message.args)));
  if (typeof message.reward === "number" && (message.reward !== 0 || message.done)) {
    const sign = message.reward > 0 ? "pos" : message.reward < 0 ? "neg" : "";
    head.append(el("span", "reward " + sign, (message.reward >= 0 ? "+" : "") + message.reward.toFixed(3)));
  }
  item.append(head);
  if (message.error) {
    item.append(el("p", "step-error", message.error));
  } else if (message.text) {
    item.append(el("p", "step-text", message.text));
  }
  if (message.feedback) item.append(el("p", "step-feedback", "feedback: " + message.feedback));
  if (message.result) item.append(renderResult(message.result));
  $("timeline").append(item);
  item.scrollIntoView({ block: "nearest" });
  if (message.tool === "flag_error" && !message.error && message.args && message.args.error_type) {
    addFlag(message.args);
  }
}

function formatValue(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, "");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function percent(value) {
  return (100 * Number(value)).toFixed(1) + "%";
}

function rowsTable(rows) {
  const table = el("table", "rows");
  const columns = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const head = el("tr");
  for (const column of columns) head.append(el("th", null, column));
  table.append(head);
  for (const row of rows.slice(0, 12)) {
    const line = el("tr");
    for (const column of columns) line.append(el("td", null, formatValue(row[column])));
    table.append(line);
  }
  return table;
}

function armSummary(arm) {
  if (!arm) return "—";
  const parts = ["n=" + arm.n];
  if (typeof arm.mortality === "number") parts.push("mortality " + percent(arm.mortality));
  else if (arm.shares) {
    const top = Object.entries(arm.shares).sort((a, b) => b[1] - a[1]).slice(0, 3);
    parts.push(top.map(([name, share]) => name + " " + percent(share)).join(", "));
  }
  return parts.join(" · ");
}

function distributionTable(result) {
  const table = el("table", "rows");
  const head = el("tr");
  head.append(el("th", null, result.stratify_by || ""), el("th", null, "control"), el("th", null, "treatment"));
  table.append(head);
  const groups = [["overall", result.overall], ...Object.entries(result.strata || {})];
  for (const [name, arms] of groups) {
    const line = el("tr");
    line.append(el("td", null, name), el("td", null, armSummary(arms.control)),
      el("td", null, armSummary(arms.treatment)));
    table.append(line);
  }
  return table;
}

function chips(result) {
  const list = el("div", "chips");
  for (const [key, value] of Object.entries(result)) {
    if (key === "variable" || key === "rows") continue;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        if (typeof innerValue !== "object") list.append(el("span", "chip", inner + " " + formatValue(innerValue)));
      }
    } else {
      list.append(el("span", "chip", key + " " + formatValue(value)));
    }
  }
  return list;
}

function renderResult(result) {
  const box = el("div", "result");
  if (Array.isArray(result.rows)) {
    box.append(el("p", "result-note", result.total_matches + " matching · page " + result.page + " of " +
      result.pages + (result.rows.length > 12 ? " · first 12 of " + result.rows.length + " rows shown" : "")));
    if (result.rows.length) box.append(rowsTable(result.rows));
  } else if (result.overall) {
    box.append(distributionTable(result));
  } else {
    box.append(chips(result));
  }
  if (result.note) box.append(el("p", "result-note", result.note));
  const raw = el("details", "raw");
  raw.append(el("summary", null, "JSON"), el("pre", null, JSON.stringify(result, null, 1)));
  box.append(raw);
  return box;
}

function flagKey(flag) {
  const target = flag.error_type === "selection_bias" ? "TRIAL" : String(flag.patient_id || "").trim().toUpperCase();
  return target + "|" + (flag.error_type || "");
}

function addFlag(args) {
  const row = el("tr");
  row.append(el("td", null, flagKey(args).split("|")[0]), el("td", null, args.error_type || ""),
    el("td", null, typeof args.confidence === "number" ? args.confidence.toFixed(2) : ""),
    el("td", "verdict-pending", "…"));
  state.flags.set(flagKey(args), row);
  $("flags").append(row);
}

function onFinished(message) {
  const score = Number(message.score || 0);
  $("score").textContent = score.toFixed(2);
  $("score-ring").style.setProperty("--value", Math.max(0, Math.min(1, score)));
  const list = $("components");
  list.replaceChildren();
  for (const [name, value] of Object.entries(message.components || {})) {
    const item = el("li", "component");
    const bar = el("div", "bar");
    const fill = el("span");
    fill.style.width = (Math.max(0, Math.min(1, Number(value))) * 100).toFixed(1) + "%";
    bar.append(fill);
    item.append(el("span", null, name), bar, el("span", "num", Number(value).toFixed(2)));
    list.append(item);
  }
  let right = 0;
  let wrong = 0;
  for (const flag of message.flags || []) {
    const key = flagKey(flag);
    let row = state.flags.get(key);
    if (!row) {
      addFlag(flag);
      row = state.flags.get(key);
    }
    const cell = row.lastChild;
    cell.textContent = flag.correct ? "✓ right" : "✗ wrong";
    cell.className = flag.correct ? "verdict-right" : "verdict-wrong";
    if (flag.correct) right += 1; else wrong += 1;
  }
  $("flag-note").textContent = right + " right, " + wrong + " wrong.";
  if (typeof message.missed === "number") {
    $("missed").textContent = message.missed + " labelled errors were not flagged.";
  }
  setStatus("Finished in " + message.steps + " steps: score " + score.toFixed(3) + " (seed " + message.seed + ").");
  setRunning(false);
}

$("run-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!state.socket || state.running) return;
  const seed = Number.parseInt($("seed").value, 10);
  if (!Number.isInteger(seed) || seed < 0) {
    setStatus("The seed must be a whole number of 0 or more.", true);
    return;
  }
  resetView();
  setRunning(true);
  setStatus("Starting…");
  state.socket.send(JSON.stringify({ type: "run", agent: $("agent").value, task: $("task").value, seed }));
});

$("stop").addEventListener("click", () => {
  if (state.socket && state.running) state.socket.send(JSON.stringify({ type: "stop" }));
});

connect();
