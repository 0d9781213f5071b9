"""Audit agents: `heuristic` (rules via tools), `naive` (one LLM call), `react` (LLM tool loop)."""

from __future__ import annotations

from trialscope.audit.agents.base import AuditAgent
from trialscope.audit.agents.blind import BiasOnlyFlagger, PairBruteForcer, RandomFlagger
from trialscope.audit.agents.heuristic import HeuristicAgent

LLM_AGENTS: tuple[str, ...] = ("naive", "react")
"""Agents that call a language model (they need a `provider/model`)."""
AGENT_NAMES: tuple[str, ...] = ("heuristic", *LLM_AGENTS, "random", "brute-force", "bias-only")
"""Every agent by name; `random`, `brute-force` and `bias-only` are blind baselines."""


def is_llm_agent(name: str) -> bool:
    """Whether the named agent calls a language model."""
    return name in LLM_AGENTS


def make_agent(name: str, model: str | None = None) -> AuditAgent:
    """Build an agent by name; the LLM agents need a model name (`provider/model`)."""
    if name == "heuristic":
        return HeuristicAgent()
    if name == "random":
        return RandomFlagger()
    if name == "brute-force":
        return PairBruteForcer()
    if name == "bias-only":
        return BiasOnlyFlagger()
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
    "LLM_AGENTS",
    "AuditAgent",
    "BiasOnlyFlagger",
    "HeuristicAgent",
    "PairBruteForcer",
    "RandomFlagger",
    "is_llm_agent",
    "make_agent",
]
