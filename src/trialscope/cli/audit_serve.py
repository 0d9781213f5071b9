"""CLI: `trialscope audit serve`, the audit environment server with its dashboard."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer

SERVE_HELP = (
    "Serve the clinical audit environment: OpenEnv episodes over /ws, /schema, /tools, "
    "/health, /eval/results and the dashboard at /. Binds 127.0.0.1 unless told otherwise; "
    "beyond loopback a token is required. Eval mode plays the server's secret suite "
    "(TRIALSCOPE_AUDIT_EVAL_SECRET; docs/audit_eval.md)."
)


def serve_settings(
    host: str | None,
    port: int | None,
    token: str | None,
    max_envs: int | None,
    mode: str | None = None,
) -> Any:
    """Server settings from the environment with the given flags laid over them."""
    from trialscope.audit.server.app import ServerSettings

    overrides: dict[str, Any] = {
        key: value
        for key, value in {
            "host": host,
            "port": port,
            "token": token,
            "max_envs": max_envs,
            "mode": mode,
        }.items()
        if value is not None
    }
    return ServerSettings(**overrides)


def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Address to bind (default 127.0.0.1, or TRIALSCOPE_AUDIT_HOST)."),
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (default 8000, or TRIALSCOPE_AUDIT_PORT).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="Bearer token(s), comma-separated, one per submitter, required on every route "
            "but /health (or TRIALSCOPE_AUDIT_TOKEN; prefer the variable, flags show in `ps`).",
            show_default=False,
        ),
    ] = None,
    max_envs: Annotated[
        int | None,
        typer.Option(
            "--max-envs",
            help="Concurrent episode sessions (default 128, or TRIALSCOPE_AUDIT_MAX_ENVS).",
        ),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            help="eval (the secret eval suite, scores withheld per batch; default, or "
            "TRIALSCOPE_AUDIT_MODE) or train (chosen seeds, feedback and dense rewards, for RL). "
            "Fixed for the server: clients cannot switch it.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the clinical audit environment and its dashboard."""
    import uvicorn
    from pydantic import ValidationError

    from trialscope.audit.server.app import build_app

    try:
        settings = serve_settings(host, port, token, max_envs, mode)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise typer.BadParameter(problems) from None
    logging.getLogger(__name__).info(
        "serving on http://%s:%s in %s mode (token %s)",
        settings.host,
        settings.port,
        settings.mode,
        "required" if settings.token else "not required",
    )
    uvicorn.run(
        build_app(settings),
        host=settings.host,
        port=settings.port,
        ws_max_size=max(4 * settings.max_message_bytes, 1024 * 1024),
        server_header=False,
        log_level="info",
    )


def register(app: typer.Typer) -> None:
    """Add `serve` to the `audit` command group."""
    app.command("serve", help=SERVE_HELP)(serve)
