"""The audit server: the OpenEnv routes (episodes over `/ws`), tools, eval results, the dashboard.

`build_app(settings)` returns the ASGI app wrapped in `AccessGuard`. The FastAPI app is ours:
our routes (`/mcp`, `/tools`, `/eval/results`, the dashboard) are registered first, then
openenv's `HTTPEnvServer.register_routes` adds its own. An eval server registers them in
openenv's production mode (no stateless HTTP `/reset` or `/step`: episodes only over `/ws`).
"""

from __future__ import annotations

import functools
import json
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse, Response
from openenv.core.env_server import ConcurrencyConfig
from openenv.core.env_server.http_server import HTTPEnvServer

from trialscope.audit.dashboard.session import DashboardOptions, serve_dashboard_socket
from trialscope.audit.difficulty import TASK_NAMES
from trialscope.audit.models import AuditAction, AuditObservation, AuditState
from trialscope.audit.server.environment import AuditEnvironment
from trialscope.audit.server.eval_suite import LOCAL_SUBMITTER, EvalLedger
from trialscope.audit.server.guard import SUBMITTER_SCOPE_KEY, AccessGuard
from trialscope.audit.server.settings import ServerSettings
from trialscope.audit.tools import TOOLS, tool_description, tool_schema

ENV_NAME = "trialscope_audit"
STATIC_FILES = {"app.js": "text/javascript", "style.css": "text/css"}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SESSIONS_ON_WS = (
    'episodes live on the /ws WebSocket: send {"type": "reset", "data": {"task": "hard"}}, then '
    '{"type": "step", "data": {"tool": <name>, ...arguments}}'
)


def tool_listing() -> list[dict[str, Any]]:
    """The environment's tools in MCP `tools/list` shape (name, description, inputSchema)."""
    return [
        {"name": name, "description": tool_description(model), "inputSchema": tool_schema(model)}
        for name, model in TOOLS.items()
    ]


def build_fastapi_app(settings: ServerSettings) -> FastAPI:
    """The FastAPI app without the access guard."""
    ledger = settings.eval_ledger_of_server()
    factory = functools.partial(AuditEnvironment, mode=settings.mode, ledger=ledger)
    app = FastAPI(
        title="trialscope clinical audit environment",
        version="0.1.0",
        description="OpenEnv clinical audit environment: episodes over the /ws WebSocket.",
    )
    executor = ThreadPoolExecutor(max_workers=settings.max_envs, thread_name_prefix="dashboard")
    options = DashboardOptions(
        agents=settings.agent_list(),
        model=settings.dashboard_model,
        mode=settings.mode,
        executor=executor,
        max_episodes=settings.max_envs,
    )
    app.router.on_shutdown.append(lambda: executor.shutdown(wait=False, cancel_futures=True))
    _add_tool_routes(app)
    _add_eval_routes(app, ledger)
    _add_dashboard_routes(app, options)
    server = HTTPEnvServer(
        factory,
        AuditAction,
        AuditObservation,
        # Idle WebSockets are closed by the guard; this reaps sessions without a socket.
        concurrency_config=ConcurrencyConfig(
            max_concurrent_envs=settings.max_envs, session_timeout=settings.idle_timeout_s
        ),
        env_name=ENV_NAME,
        state_cls=AuditState,
    )
    server.register_routes(app, mode="production" if ledger is not None else "simulation")
    return app


def build_app(settings: ServerSettings | None = None) -> AccessGuard:
    """The complete ASGI app: OpenEnv routes, tools, dashboard, behind the access guard."""
    settings = settings or ServerSettings()
    return AccessGuard(build_fastapi_app(settings), settings.access_policy())


def _add_tool_routes(app: FastAPI) -> None:
    async def list_tools() -> dict[str, Any]:
        return {"tools": tool_listing()}

    async def mcp(request: Request) -> Response:
        """JSON-RPC 2.0: `tools/list` here; calls and sessions only over `/ws`."""
        try:
            payload = json.loads(await request.body())
        except (ValueError, RecursionError):
            return _rpc_error(None, -32700, "parse error: send a JSON-RPC 2.0 object")
        if not isinstance(payload, dict):
            return _rpc_error(None, -32600, "invalid request: send a JSON-RPC 2.0 object")
        request_id = payload.get("id") if isinstance(payload.get("id"), str | int) else None
        method = payload.get("method")
        if method == "tools/list":
            return JSONResponse(
                {"jsonrpc": "2.0", "id": request_id, "result": {"tools": tool_listing()}}
            )
        if method == "tools/call" or (isinstance(method, str) and method.startswith("openenv/")):
            # No HTTP sessions: they would outlive their callers and hold capacity.
            return _rpc_error(
                request_id, -32601, f"{method} is not served over HTTP; {SESSIONS_ON_WS}"
            )
        return _rpc_error(
            request_id, -32601, f"unknown method {str(method)[:60]!r}; use tools/list"
        )

    app.add_api_route("/tools", list_tools, methods=["GET"], tags=["Schema"])
    app.add_api_route("/mcp", mcp, methods=["POST"], tags=["Schema"])


def _rpc_error(request_id: Any, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
    )


def _add_eval_routes(app: FastAPI, ledger: EvalLedger | None) -> None:
    async def results(request: Request) -> JSONResponse:
        """The caller's eval suite results: batch means, and episode scores once complete."""
        if ledger is None:
            return JSONResponse(
                {"detail": "this server runs in train mode: there is no eval suite"},
                status_code=404,
            )
        submitter = str(request.scope.get(SUBMITTER_SCOPE_KEY, LOCAL_SUBMITTER))
        return JSONResponse(ledger.results(submitter, TASK_NAMES))

    app.add_api_route("/eval/results", results, methods=["GET"], tags=["Environment Info"])


def _add_dashboard_routes(app: FastAPI, options: DashboardOptions) -> None:
    page = resources.files("trialscope.audit.dashboard").joinpath("index.html").read_text()
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"}

    async def index() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)

    async def asset(name: str) -> Response:
        if name not in STATIC_FILES:
            return JSONResponse({"detail": f"no dashboard file {name!r}"}, status_code=404)
        text = resources.files("trialscope.audit.dashboard").joinpath(name).read_text()
        return Response(text, media_type=STATIC_FILES[name], headers=headers)

    app.add_api_route("/", index, methods=["GET"], include_in_schema=False)
    app.add_api_route("/dashboard/{name}", asset, methods=["GET"], include_in_schema=False)

    async def dashboard_socket(websocket: WebSocket) -> None:
        await serve_dashboard_socket(websocket, options)

    app.add_api_websocket_route("/dashboard/ws", dashboard_socket)
