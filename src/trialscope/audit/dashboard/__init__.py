"""The audit dashboard: a static page (index.html, app.js, style.css) and its WebSocket session."""
