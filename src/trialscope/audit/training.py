"""The audit environment as a TRL `environment_factory` class, plus a WebSocket client.

TRL's `GRPOTrainer(environment_factory=...)` creates one instance per rollout, calls
`reset(**row)` with the dataset row's columns, and exposes every other public method as a
tool, building each tool's schema from its type hints and its `Args:` docstring. The tool
methods are made from the tool models in `trialscope.audit.tools` (signature, types and `Args:`
from each model's fields); each returns a short text (the observation's text and
its compact JSON result, always under 8 KB). `reward` holds the episode's reward so far: in
`train` mode the dense rewards add up to the episode score, so a reward function can return
`env.reward` for every environment.

    from trialscope.audit.training import audit_env_factory
    GRPOTrainer(..., environment_factory=audit_env_factory(task="medium"))

With `base_url` (one URL or several replicas) the wrappers drive running `trialscope audit
serve` processes over `/ws` instead of an in-process environment, each wrapper on the replica
with the fewest open sessions. The server's mode is its own
setting, so train against a server started with `trialscope audit serve --mode train`; a wrapper
whose mode differs from the server's is refused at `reset` with an error saying so.
"""

from __future__ import annotations

import functools
import inspect
import operator
import types
from collections.abc import Callable, Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from trialscope.audit.client import AuditClient, ServerPool, render_observation
from trialscope.audit.models import AuditAction, AuditObservation, Mode
from trialscope.audit.server.environment import AuditEnvironment
from trialscope.audit.tools import TOOLS, ToolCall, tool_description


class AuditToolEnv:
    """One audit episode whose public methods are the tools (TRL `environment_factory`)."""

    task: str = "easy"
    mode: Mode = "train"
    servers: ServerPool | None = None
    token: str | None = None

    def __init__(self) -> None:
        self.reward = 0.0
        self.done = False
        self.last_observation: AuditObservation | None = None
        self._local: AuditEnvironment | None = None
        self._remote: Any = None
        self.server_url: str | None = None
        if self.servers is None:
            self._local = AuditEnvironment(mode=self.mode)
        else:
            self.server_url = self.servers.acquire()
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
            self._remote = AuditClient(base_url=self.server_url, headers=headers).sync()

    def reset(self, **kwargs: Any) -> str:
        """Start the episode named by the row's `task` and `seed` columns; returns the briefing."""
        task = str(kwargs.get("task") or self.task)
        seed = kwargs.get("seed")
        seed = None if seed is None else int(seed)
        if self._local is not None:
            observation = self._local.reset(seed=seed, task=task)
        else:
            # Sending our mode makes the server refuse a mismatch instead of silently giving
            # eval-mode rewards (0 until the end) to a trainer that expects dense ones.
            data = {"task": task, "mode": self.mode} | ({} if seed is None else {"seed": seed})
            observation = self._remote.reset(**data).observation
        self.reward = 0.0
        self.done = False
        self.last_observation = observation
        return render_observation(observation)

    def _close(self) -> None:
        """Close the server connection, if any (private: every public method is a tool)."""
        if self._remote is not None:
            self._remote.close()
            self._remote = None
            if self.servers is not None and self.server_url is not None:
                self.servers.release(self.server_url)

    def _act(self, **arguments: Any) -> str:
        if self.done:
            raise ValueError("The episode is over: the report is in or the step budget is spent.")
        action = AuditAction(**{k: v for k, v in arguments.items() if v is not None})
        if self._local is not None:
            observation = self._local.step(action)
        else:
            observation = self._remote.step(action).observation
        self.last_observation = observation
        if observation.reward is not None:
            # train mode: dense rewards telescope to the score; eval mode: the score at the end.
            self.reward = (
                self.reward + observation.reward if self.mode == "train" else observation.reward
            )
        self.done = observation.done
        return render_observation(observation)


def _plain_type(annotation: Any) -> Any:
    """The annotation with pydantic models replaced by `dict[str, Any]` (what TRL can schema)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return dict[str, Any]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list:
        return list[_plain_type(args[0])]  # type: ignore[misc]
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, (_plain_type(a) for a in args))
    return annotation


def _tool_method(name: str, model: type[ToolCall]) -> Callable[..., str]:
    """A wrapper method for one tool, its signature and `Args:` docstring from the tool's model."""
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {}
    lines = []
    for field, info in model.model_fields.items():
        annotation = _plain_type(info.annotation)
        if info.is_required():
            default: Any = inspect.Parameter.empty
        elif info.default_factory is not None:
            annotation, default = annotation | None, None
        else:
            default = info.default
        parameters.append(
            inspect.Parameter(
                field,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=default,
                annotation=annotation,
            )
        )
        annotations[field] = annotation
        lines.append(f"    {field}: {info.description or field}")
    annotations["return"] = str

    def call_tool(self: AuditToolEnv, *args: Any, **kwargs: Any) -> str:
        bound = signature.bind(self, *args, **kwargs)
        arguments = {k: v for k, v in bound.arguments.items() if k != "self"}
        return self._act(tool=name, **arguments)

    signature = inspect.Signature(parameters, return_annotation=str)
    call_tool.__signature__ = signature  # type: ignore[attr-defined]
    call_tool.__annotations__ = annotations
    call_tool.__name__ = name
    call_tool.__qualname__ = f"AuditToolEnv.{name}"
    call_tool.__doc__ = (
        f"{tool_description(model)}\n\nArgs:\n"
        + "\n".join(lines)
        + "\n\nReturns:\n    The observation: a short text, then the tool's result as compact JSON."
    )
    return call_tool


for _name, _model in TOOLS.items():
    setattr(AuditToolEnv, _name, _tool_method(_name, _model))


def audit_env_factory(
    task: str = "easy",
    mode: Mode = "train",
    base_url: str | Sequence[str] | None = None,
    token: str | None = None,
) -> type[AuditToolEnv]:
    """An `AuditToolEnv` class bound to a default task, mode and (optionally) server URLs.

    With several URLs (replicas of one server) each new wrapper opens its session on the
    server with the fewest open sessions of this class.
    """
    if mode not in ("eval", "train"):
        raise ValueError(f"mode must be 'eval' or 'train', not {mode!r}")
    urls = [base_url] if isinstance(base_url, str) else list(base_url or [])
    servers = ServerPool(urls) if urls else None
    attributes = {"task": task, "mode": mode, "servers": servers, "token": token}
    return type("AuditToolEnv", (AuditToolEnv,), attributes)
