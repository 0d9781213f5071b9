"""The audit server's settings: flags override `TRIALSCOPE_AUDIT_*` variables; never echoed."""

from __future__ import annotations

import ipaddress
import logging
import secrets
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from trialscope.audit.agents import AGENT_NAMES, is_llm_agent
from trialscope.audit.models import Mode
from trialscope.audit.server.eval_suite import EvalLedger, EvalSuite
from trialscope.audit.server.guard import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_MESSAGE_BYTES,
    LOOPBACK_NAMES,
    AccessPolicy,
)

DASHBOARD_AGENTS = tuple(name for name in AGENT_NAMES if name in ("heuristic", "naive", "react"))
logger = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ServerSettings(BaseSettings):
    """Server configuration (see docs/audit_server.md for each variable)."""

    model_config = SettingsConfigDict(env_prefix="TRIALSCOPE_AUDIT_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    token: SecretStr | None = None
    """One bearer token, or several separated by commas (one per submitter)."""
    max_envs: int = Field(default=128, ge=1, le=4096)
    max_sessions_per_client: int = Field(default=64, ge=1, le=4096)
    idle_timeout_s: float = Field(default=300.0, gt=0)
    mode: Mode = "eval"
    eval_secret: SecretStr | None = None
    eval_episodes: int = Field(default=50, ge=1, le=100_000)
    eval_batch: int = Field(default=10, ge=1)
    eval_ledger: Path | None = None
    allowed_origins: str = ""
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024)
    max_message_bytes: int = Field(default=DEFAULT_MAX_MESSAGE_BYTES, ge=1024)
    dashboard_agents: str = "heuristic"
    dashboard_model: str | None = None

    @field_validator("dashboard_agents")
    @classmethod
    def _known_agents(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = sorted(set(names) - set(DASHBOARD_AGENTS))
        if not names or unknown:
            raise ValueError(
                f"dashboard_agents must list agents from {', '.join(DASHBOARD_AGENTS)}; "
                f"got {value!r}"
            )
        return ",".join(names)

    @model_validator(mode="after")
    def _consistent(self) -> ServerSettings:
        llm_agents = [name for name in self.agent_list() if is_llm_agent(name)]
        if llm_agents and not self.dashboard_model:
            raise ValueError(
                f"dashboard agents {', '.join(llm_agents)} need TRIALSCOPE_AUDIT_DASHBOARD_MODEL "
                "(e.g. local/smollm2)"
            )
        if not is_loopback(self.host) and not self.tokens():
            raise ValueError(
                f"listening on {self.host} (beyond this machine) needs a token: set "
                "TRIALSCOPE_AUDIT_TOKEN (one per submitter, comma-separated)"
            )
        if self.eval_secret is not None and len(self.eval_secret.get_secret_value()) < 16:
            raise ValueError("TRIALSCOPE_AUDIT_EVAL_SECRET must be at least 16 characters long")
        if self.eval_batch > self.eval_episodes:
            raise ValueError("eval_batch cannot exceed eval_episodes")
        return self

    def tokens(self) -> tuple[str, ...]:
        """The configured bearer tokens."""
        if self.token is None:
            return ()
        return tuple(t.strip() for t in self.token.get_secret_value().split(",") if t.strip())

    def agent_list(self) -> list[str]:
        """The agents a dashboard visitor may pick, in the configured order."""
        return self.dashboard_agents.split(",")

    def access_policy(self) -> AccessPolicy:
        """The access rules these settings describe."""
        hosts = LOOPBACK_NAMES | {self.host} if is_loopback(self.host) else None
        return AccessPolicy(
            tokens=self.tokens(),
            max_body_bytes=self.max_body_bytes,
            max_message_bytes=self.max_message_bytes,
            allowed_hosts=hosts,
            allowed_origins=frozenset(
                o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()
            ),
            max_sessions_per_client=self.max_sessions_per_client,
            idle_timeout_s=self.idle_timeout_s,
        )

    def eval_ledger_of_server(self) -> EvalLedger | None:
        """The eval suite and its ledger (eval mode), from the secret or a fresh one."""
        if self.mode != "eval":
            return None
        if self.eval_secret is None:
            logger.warning(
                "no TRIALSCOPE_AUDIT_EVAL_SECRET: this process drew its own eval suite, so its "
                "scores compare only with runs against this same process"
            )
            secret = secrets.token_bytes(32)
        else:
            secret = self.eval_secret.get_secret_value().encode()
        suite = EvalSuite(secret, self.eval_episodes, self.eval_batch)
        return EvalLedger(suite, self.eval_ledger)
