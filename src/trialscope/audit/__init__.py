"""The clinical audit environment: generator, rules, OpenEnv environment, server, client, agents.

The public API, imported lazily (the environment and client pull in openenv):

    from trialscope.audit import AuditEnvironment, AuditAction, AuditClient, make_agent
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trialscope.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from trialscope.audit.agents import AGENT_NAMES, AuditAgent, HeuristicAgent, make_agent
    from trialscope.audit.client import AuditClient
    from trialscope.audit.episode_result import EpisodeResult
    from trialscope.audit.generator import Episode, generate_episode
    from trialscope.audit.models import AuditAction, AuditObservation, AuditState, Mode
    from trialscope.audit.rules import PATIENT_RULES, TRIAL_RULES, ErrorType
    from trialscope.audit.runner import run_audit, run_episode
    from trialscope.audit.server.environment import AuditEnvironment
    from trialscope.audit.training import AuditToolEnv, audit_env_factory

_SOURCES = {
    "AGENT_NAMES": "trialscope.audit.agents",
    "AuditAgent": "trialscope.audit.agents",
    "HeuristicAgent": "trialscope.audit.agents",
    "make_agent": "trialscope.audit.agents",
    "AuditClient": "trialscope.audit.client",
    "EpisodeResult": "trialscope.audit.episode_result",
    "Episode": "trialscope.audit.generator",
    "generate_episode": "trialscope.audit.generator",
    "AuditAction": "trialscope.audit.models",
    "AuditObservation": "trialscope.audit.models",
    "AuditState": "trialscope.audit.models",
    "Mode": "trialscope.audit.models",
    "PATIENT_RULES": "trialscope.audit.rules",
    "TRIAL_RULES": "trialscope.audit.rules",
    "ErrorType": "trialscope.audit.rules",
    "run_audit": "trialscope.audit.runner",
    "run_episode": "trialscope.audit.runner",
    "AuditEnvironment": "trialscope.audit.server.environment",
    "AuditToolEnv": "trialscope.audit.training",
    "audit_env_factory": "trialscope.audit.training",
}
__all__ = [
    "AGENT_NAMES",
    "PATIENT_RULES",
    "TRIAL_RULES",
    "AuditAction",
    "AuditAgent",
    "AuditClient",
    "AuditEnvironment",
    "AuditObservation",
    "AuditState",
    "AuditToolEnv",
    "Episode",
    "EpisodeResult",
    "ErrorType",
    "HeuristicAgent",
    "Mode",
    "audit_env_factory",
    "generate_episode",
    "make_agent",
    "run_audit",
    "run_episode",
]

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
