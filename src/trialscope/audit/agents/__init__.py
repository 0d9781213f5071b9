"""Audit agents: `heuristic` (rules via tools), `naive` (one LLM call), `react` (LLM tool loop)."""

from __future__ import annotations

from trialscope.audit.agents.base import AuditAgent
from trialscope.audit.agents.blind import PairBruteForcer, RandomFlagger
from trialscope.audit.agents.heuristic import HeuristicAgent

AGENT_NAMES: tuple[str, ...] = ("heuristic", "naive", "react", "random", "brute-force")
"""`random` and `brute-force` are blind baselines (they never read a record)."""


def make_agent(name: str, model: str | None = None) -> AuditAgent:
    """Build an agent by name; the LLM agents need a model name (`provider/model`)."""
    if name == "heuristic":
        return HeuristicAgent()
    if name == "random":
        return RandomFlagger()
    if name == "brute-force":
        return PairBruteForcer()
    if name not in AGENT_NAMES:
        raise ValueError(f"unknown agent {name!r}; expected one of {', '.join(AGENT_NAMES)}")
    if not model:
        raise ValueError(f"the {name} agent needs a model, e.g. --model local/smollm2")
    from trialscope.audit.agents.llm_model import load_chat_model

    chat_model = load_chat_model(model)
    if name == "naive":
        from trialscope.audit.agents.naive import NaiveAgent

        return NaiveAgent(chat_model)
    from trialscope.audit.agents.react import ReactAgent

    return ReactAgent(chat_model)


__all__ = [
    "AGENT_NAMES",
    "AuditAgent",
    "HeuristicAgent",
    "PairBruteForcer",
    "RandomFlagger",
    "make_agent",
]
