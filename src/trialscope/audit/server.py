"""The audit server: the OpenEnv app (episodes over `/ws`), tool listing and the dashboard.

`build_app(settings)` returns the ASGI app wrapped in `AccessGuard`. `uvicorn
trialscope.audit.server:app` also works: `app` is built on first access from the
`TRIALSCOPE_AUDIT_*` environment variables, so importing this module has no side effects.
"""

from __future__ import annotations

import functools
import json
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any, Literal

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from openenv.core.env_server import create_app
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from trialscope.audit.dashboard.session import DashboardOptions, serve_dashboard_socket
from trialscope.audit.environment import AuditEnvironment
from trialscope.audit.models import AuditAction, AuditObservation, AuditState
from trialscope.audit.security import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_MESSAGE_BYTES,
    AccessGuard,
    AccessPolicy,
)
from trialscope.audit.tools import TOOL_SPECS

ENV_NAME = "trialscope_audit"
AGENT_NAMES = ("heuristic", "naive", "react")
STATIC_FILES = {"app.js": "text/javascript", "style.css": "text/css"}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class ServerSettings(BaseSettings):
    """Server configuration: flags override `TRIALSCOPE_AUDIT_*` variables; never echoed."""

    model_config = SettingsConfigDict(env_prefix="TRIALSCOPE_AUDIT_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    token: SecretStr | None = None
    max_envs: int = Field(default=32, ge=1, le=4096)
    mode: Literal["eval", "train"] = "eval"
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024)
    max_message_bytes: int = Field(default=DEFAULT_MAX_MESSAGE_BYTES, ge=1024)
    dashboard_agents: str = "heuristic"
    dashboard_model: str | None = None

    @field_validator("dashboard_agents")
    @classmethod
    def _known_agents(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = sorted(set(names) - set(AGENT_NAMES))
        if not names or unknown:
            raise ValueError(
                f"dashboard_agents must list agents from {', '.join(AGENT_NAMES)}; got {value!r}"
            )
        return ",".join(names)

    @model_validator(mode="after")
    def _llm_agents_need_a_model(self) -> ServerSettings:
        llm_agents = [name for name in self.agent_list() if name != "heuristic"]
        if llm_agents and not self.dashboard_model:
            raise ValueError(
                f"dashboard agents {', '.join(llm_agents)} need TRIALSCOPE_AUDIT_DASHBOARD_MODEL "
                "(e.g. local/smollm2)"
            )
        return self

    def agent_list(self) -> list[str]:
        """The agents a dashboard visitor may pick, in the configured order."""
        return self.dashboard_agents.split(",")

    def access_policy(self) -> AccessPolicy:
        """The access rules these settings describe."""
        return AccessPolicy(
            token=self.token.get_secret_value() if self.token else None,
            max_body_bytes=self.max_body_bytes,
            max_message_bytes=self.max_message_bytes,
        )


def tool_listing() -> list[dict[str, Any]]:
    """The environment's tools in MCP `tools/list` shape (name, description, inputSchema)."""
    return [
        {
            "name": spec["name"],
            "description": spec["description"],
            "inputSchema": spec["parameters"],
        }
        for spec in TOOL_SPECS
    ]


def build_fastapi_app(settings: ServerSettings) -> FastAPI:
    """The FastAPI app without the access guard (tests of routing use it directly)."""
    factory = functools.partial(AuditEnvironment, mode=settings.mode)
    app = create_app(
        factory,
        AuditAction,
        AuditObservation,
        env_name=ENV_NAME,
        max_concurrent_envs=settings.max_envs,
        state_cls=AuditState,
    )
    app.title = "trialscope clinical audit environment"
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
    _add_dashboard_routes(app, options)
    return app


def build_app(settings: ServerSettings | None = None) -> AccessGuard:
    """The complete ASGI app: OpenEnv routes, tools, dashboard, behind the access guard."""
    settings = settings or ServerSettings()
    return AccessGuard(build_fastapi_app(settings), settings.access_policy())


def _add_tool_routes(app: FastAPI) -> None:
    async def list_tools() -> dict[str, Any]:
        return {"tools": tool_listing()}

    async def mcp(request: Request) -> Response:
        body = await request.body()
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and payload.get("method") == "tools/list":
            return JSONResponse(
                {"jsonrpc": "2.0", "id": payload.get("id"), "result": {"tools": tool_listing()}}
            )
        if isinstance(payload, dict) and payload.get("method") == "tools/call":
            return JSONResponse(
                {
                    "jsonrpc": "2.0",
                    "id": payload.get("id"),
                    "error": {
                        "code": -32601,
                        "message": "tools/call needs an episode: open the /ws WebSocket, send "
                        '{"type": "reset"} and then {"type": "step", "data": {"tool": <name>, '
                        "...arguments}}",
                    },
                }
            )
        return await _openenv_mcp(app)(request)

    app.add_api_route("/tools", list_tools, methods=["GET"], tags=["Schema"])
    app.add_api_route("/mcp", mcp, methods=["POST"], tags=["Schema"], include_in_schema=False)
    # Our /mcp must answer tools/list before openenv's, which knows no tools for this action model.
    ours = app.router.routes.pop()
    app.router.routes.insert(0, ours)


def _openenv_mcp(app: FastAPI) -> Any:
    for route in app.router.routes[1:]:
        if (
            isinstance(route, APIRoute)
            and route.path == "/mcp"
            and "POST" in (route.methods or set())
        ):
            return route.get_route_handler()
    raise RuntimeError("openenv did not register POST /mcp")


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


def __getattr__(name: str) -> Any:
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
