"""The audit server: OpenEnv app, environment (split by concern), access guard and eval suite.

`trialscope.audit.server:app` (openenv.yaml, `uvicorn`) is built on first access from the
`TRIALSCOPE_AUDIT_*` variables, so importing this package has no side effects.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "app":
        from trialscope.audit.server.app import build_app

        return build_app()
    if name in ("build_app", "ServerSettings", "AuditEnvironment"):
        from trialscope.audit.server import app as app_module

        return getattr(app_module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
