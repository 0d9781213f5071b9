"""The OpenEnv environment: query tools, phase gate, step budget, locked flags, two modes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from openenv.core.env_server import Environment
from openenv.core.env_server.types import EnvironmentMetadata
from pydantic import ValidationError

from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS, ERROR_TYPES, Difficulty, difficulty_of
from trialscope.audit.episode_result import EpisodeResult
from trialscope.audit.generator import Episode, draw_seed, generate_episode
from trialscope.audit.models import AuditAction, AuditObservation, AuditState
from trialscope.audit.observation_size import (
    MAX_OBSERVATION_BYTES,
    dumps_result,
    fit_observation,
    observation_bytes,
)
from trialscope.audit.queries import DERIVED_FIELDS, QueryError, RecordTable
from trialscope.audit.report_rubric import ReportGrade, grade_report
from trialscope.audit.rules import BIAS_TARGET, bias_evidence
from trialscope.audit.scoring import (
    FlagOutcome,
    calibration_summary,
    episode_score,
    recall,
    weighted_precision,
)
from trialscope.audit.tools import TOOL_NAMES

Mode = Literal["eval", "train"]
__all__ = [
    "MAX_OBSERVATION_BYTES",
    "AuditEnvironment",
    "EpisodeResult",
    "Mode",
    "dumps_result",
    "observation_bytes",
]


@dataclass
class _Progress:
    """What the agent has done in the current episode."""

    investigated: list[str] = field(default_factory=list)
    distributions: list[str] = field(default_factory=list)
    flags: list[FlagOutcome] = field(default_factory=list)
    fixes: dict[str, str] = field(default_factory=dict)
    seen_actions: set[str] = field(default_factory=set)
    useful_steps: int = 0
    blocked_flags: int = 0
    report: str | None = None
    report_grade: ReportGrade | None = None
    finished_by: str = ""
    potential: float = 0.0
    reward_total: float = 0.0


class AuditEnvironment(Environment[AuditAction, AuditObservation, AuditState]):
    """Audit one generated trial against its protocol, one tool call per step."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, mode: Mode = "eval") -> None:
        super().__init__()
        if mode not in ("eval", "train"):
            raise ValueError(f"mode must be 'eval' or 'train', not {mode!r}")
        self.mode: Mode = mode
        self._episode: Episode | None = None
        self._difficulty: Difficulty | None = None
        self._table: RecordTable | None = None
        self._ids: set[str] = set()
        self._progress = _Progress()
        self._state = AuditState(mode=mode)

    # ----- OpenEnv API -------------------------------------------------------------------------
    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task: str = "easy",
        **kwargs: Any,
    ) -> AuditObservation:
        """Start an episode of `task` (a seed is drawn if none); a `mode` must be the env's own."""
        mode = kwargs.get("mode")
        if mode is not None and mode != self.mode:
            # The mode belongs to whoever built the environment (the server's setting): a client
            # that could switch an eval server to train would read the labels off the feedback.
            raise ValueError(
                f"this environment runs in {self.mode} mode and a reset cannot change it "
                f"(asked for mode={mode!r}); use a server started with --mode {mode} "
                f"(TRIALSCOPE_AUDIT_MODE={mode})"
                if mode in ("eval", "train")
                else f"mode must be 'eval' or 'train', not {mode!r}"
            )
        difficulty = difficulty_of(task)
        seed = draw_seed() if seed is None else int(seed)
        self._episode = generate_episode(difficulty.name, seed)
        self._difficulty = difficulty
        self._table = RecordTable(self._episode.records)
        self._ids = {r["patient_id"] for r in self._episode.records}
        self._progress = _Progress()
        self._state = AuditState(
            episode_id=episode_id or uuid.uuid4().hex,
            task=difficulty.name,
            seed=seed,
            mode=self.mode,
            step_budget=difficulty.step_budget,
            score_so_far=0.0 if self.mode == "train" else None,
        )
        protocol = self._episode.protocol
        text = (
            f"{difficulty.title} ({difficulty.name}): audit {difficulty.n_patients} patient "
            "records "
            f"against the protocol below in at most {difficulty.step_budget} tool calls.\n"
            f"{protocol.describe()}\n"
            f"Investigate {', '.join(difficulty.key_variables)} before flagging"
            + (
                f"; compute distributions of {', '.join(BIAS_DISTRIBUTIONS)} before a bias flag"
                if "selection_bias" in difficulty.error_types
                else ""
            )
            + f". Tools: {', '.join(TOOL_NAMES)}. End with submit_report."
        )
        result = {
            "protocol": protocol.parameters(),
            "fields": [f for f in self._table.fields if f not in DERIVED_FIELDS],
            "derived_fields": list(DERIVED_FIELDS),
            "key_variables": list(difficulty.key_variables),
            "error_types": list(difficulty.error_types),
            "n_patients": difficulty.n_patients,
            "step_budget": difficulty.step_budget,
            "seed": seed,
        }
        return self._observation(text, result, None, reward=0.0 if self.mode == "train" else None)

    def step(
        self, action: AuditAction | dict[str, Any], timeout_s: float | None = None, **kwargs: Any
    ) -> AuditObservation:
        """Run one tool call; after the episode ends every action is refused and changes nothing."""
        if self._episode is None:
            return self._refusal("no episode: call reset first")
        if self._state.done:
            return self._refusal(
                "the episode is finished; further actions are refused (call reset)"
            )
        if isinstance(action, dict):
            try:
                parsed = AuditAction.model_validate(action)
            except ValidationError as exc:
                return self._after_step(None, None, f"invalid action: {_short_errors(exc)}", False)
        else:
            parsed = action
        try:
            text, result, useful = self._dispatch(parsed)
            error = None
        except QueryError as exc:
            text, result, useful, error = "", None, False, str(exc)
        return self._after_step(text, result, error, useful, parsed)

    @property
    def state(self) -> AuditState:
        """The episode state (no correctness information in eval mode)."""
        return self._state

    def get_metadata(self) -> EnvironmentMetadata:
        """Name and description shown by `/metadata`."""
        return EnvironmentMetadata(
            name="trialscope-audit",
            description="Audit procedurally generated oncology trial records against a protocol.",
            version="0.1.0",
        )

    # ----- results -----------------------------------------------------------------------------
    def episode_result(self) -> EpisodeResult:
        """The graded result; only available once the episode is done."""
        if self._episode is None or not self._state.done:
            raise RuntimeError("episode_result() needs a finished episode")
        progress, labels = self._progress, self._episode.labels
        components = self._components(final=True)
        flagged = {f.target for f in progress.flags if f.correct}
        pairs = [(f.confidence, f.correct) for f in progress.flags]
        return EpisodeResult(
            episode_id=self._state.episode_id or "",
            task=self._episode.task,
            seed=self._episode.seed,
            mode=self.mode,
            score=episode_score(components),
            components=components,
            steps=self._state.step_count,
            step_budget=self._state.step_budget,
            finished_by=progress.finished_by,
            n_errors=len(labels),
            flags=[
                {
                    "patient_id": f.target,
                    "error_type": f.error_type,
                    "confidence": f.confidence,
                    "correct": f.correct,
                    "truth": labels.get(f.target),
                }
                for f in progress.flags
            ],
            missed=sorted(t for t in labels if t not in flagged),
            calibration=[[c, float(ok)] for c, ok in pairs],
            calibration_summary=calibration_summary(pairs),
            report_parts=dict(progress.report_grade.parts) if progress.report_grade else {},
            dense_reward_total=round(progress.reward_total, 6) if self.mode == "train" else None,
        )

    @property
    def episode(self) -> Episode | None:
        """The current episode (ground truth included): for graders and tests, never for agents."""
        return self._episode

    # ----- tools -------------------------------------------------------------------------------
    def _dispatch(self, action: AuditAction) -> tuple[str, dict[str, Any] | None, bool]:
        assert self._table is not None
        key = action.model_dump_json(exclude={"metadata", "reason", "confidence"})
        repeated = key in self._progress.seen_actions
        self._progress.seen_actions.add(key)
        if action.tool == "query_records":
            result = self._table.query(
                action.filters or [], action.fields, action.page, action.page_size
            )
            text = (
                f"{result['total_matches']} records match; page {result['page']}/{result['pages']}."
            )
            return text, result, not repeated
        if action.tool == "investigate_pattern":
            result = self._table.investigate(action.variable)
            name = result["variable"]
            if name not in self._progress.investigated:
                self._progress.investigated.append(name)
            return f"Summary of {name}.", result, not repeated
        if action.tool == "compute_distribution":
            result = self._table.distribution(action.variable, action.stratify_by)
            label = result["variable"] + (
                f" by {result['stratify_by']}" if "stratify_by" in result else ""
            )
            for name in (result["variable"], label):
                if name not in self._progress.distributions:
                    self._progress.distributions.append(name)
            return f"Distribution of {label} by treatment arm.", result, not repeated
        if action.tool == "flag_error":
            return self._flag(action)
        if action.tool == "propose_fix":
            return self._fix(action)
        return self._submit(action.report or "")

    def _flag(self, action: AuditAction) -> tuple[str, dict[str, Any] | None, bool]:
        assert self._difficulty is not None and self._episode is not None
        etype = action.error_type or ""
        if etype not in ERROR_TYPES:
            raise QueryError(
                f"unknown error_type {etype!r}; expected one of {', '.join(ERROR_TYPES)}"
            )
        if etype not in self._difficulty.error_types:
            raise QueryError(
                f"error_type {etype!r} is not audited in the {self._difficulty.name} task; "
                f"expected one of {', '.join(self._difficulty.error_types)}"
            )
        if etype == "selection_bias":
            target = BIAS_TARGET
            missing = [v for v in BIAS_DISTRIBUTIONS if v not in self._progress.distributions]
        else:
            target = (action.patient_id or "").strip().upper()
            if target not in self._ids:
                raise QueryError(f"unknown patient_id {action.patient_id!r}; ids look like P0001")
            missing = []
        missing = [
            v for v in self._difficulty.key_variables if v not in self._progress.investigated
        ] + missing
        if missing:
            self._progress.blocked_flags += 1
            raise QueryError(f"flagging is locked: first investigate/compute {', '.join(missing)}")
        if any(f.target == target for f in self._progress.flags):
            raise QueryError(f"{target} is already flagged; each patient can be flagged once")
        correct = self._episode.labels.get(target) == etype
        self._progress.flags.append(FlagOutcome(target, etype, float(action.confidence), correct))
        who = "the trial" if target == BIAS_TARGET else target
        return f"Flag recorded: {who} {etype} (confidence {action.confidence:.2f}).", None, True

    def _fix(self, action: AuditAction) -> tuple[str, dict[str, Any] | None, bool]:
        target = (action.patient_id or "").strip().upper()
        flag = next((f for f in self._progress.flags if f.target == target), None)
        if flag is None:
            raise QueryError(
                f"propose_fix needs a flagged patient; {action.patient_id!r} is not flagged"
            )
        if not action.proposed_value:
            raise QueryError("propose_fix needs proposed_value")
        useful = target not in self._progress.fixes and flag.correct
        self._progress.fixes[target] = action.proposed_value
        return f"Fix proposed for {target}.", None, useful

    def _submit(self, report: str) -> tuple[str, dict[str, Any] | None, bool]:
        assert self._episode is not None
        episode = self._episode
        evidence = bias_evidence(episode.records) if episode.task == "hard" else None
        self._progress.report = report
        self._progress.report_grade = grade_report(
            report, episode.labels, episode.protocol, evidence
        )
        self._progress.finished_by = "report"
        self._state.done = True
        return "Report submitted; the episode is finished.", None, bool(report.strip())

    # ----- scoring and observations ------------------------------------------------------------
    def _components(self, final: bool) -> dict[str, float]:
        assert self._episode is not None and self._difficulty is not None
        progress, difficulty = self._progress, self._difficulty
        checks = [
            all(v in progress.investigated for v in difficulty.key_variables),
            progress.blocked_flags == 0,
            progress.finished_by == "report",
        ]
        if "selection_bias" in difficulty.error_types:
            checks.append(all(v in progress.distributions for v in BIAS_DISTRIBUTIONS))
            checks.append("outcome by stage" in progress.distributions)
        steps = max(self._state.step_count, 1)
        report = progress.report_grade.score if (final and progress.report_grade) else 0.0
        return {
            "recall": round(recall(progress.flags, len(self._episode.labels)), 6),
            "precision": round(weighted_precision(progress.flags), 6),
            "workflow": round(sum(checks) / len(checks), 6),
            "efficiency": round(progress.useful_steps / steps, 6),
            "report": round(report, 6),
        }

    def _after_step(
        self,
        text: str | None,
        result: dict[str, Any] | None,
        error: str | None,
        useful: bool,
        action: AuditAction | None = None,
    ) -> AuditObservation:
        progress, state = self._progress, self._state
        state.step_count += 1
        progress.useful_steps += int(useful and error is None)
        if not state.done and state.step_count >= state.step_budget:
            state.done = True
            progress.finished_by = "budget"
        phase_open = all(
            v in progress.investigated
            for v in (self._difficulty.key_variables if self._difficulty else ())
        )
        state.phase = "finished" if state.done else ("flagging" if phase_open else "investigation")
        state.investigated = list(progress.investigated)
        state.distributions = list(progress.distributions)
        state.flags = [
            {"patient_id": f.target, "error_type": f.error_type, "confidence": f.confidence}
            | ({"correct": f.correct} if self.mode == "train" else {})
            for f in progress.flags
        ]
        potential = episode_score(self._components(final=state.done))
        reward: float | None
        if self.mode == "train":
            # Potential-based: the rewards of an episode telescope to its final score.
            reward = potential - progress.potential
            progress.potential = potential
            progress.reward_total += reward
            state.score_so_far = potential
        else:
            reward = potential if state.done else 0.0
        feedback = None
        if (
            self.mode == "train"
            and action is not None
            and action.tool == "flag_error"
            and error is None
        ):
            feedback = "correct" if progress.flags[-1].correct else "incorrect"
        if error is not None:
            text = f"Error: {error}"
        if state.done:
            text = f"{text or ''} Episode finished ({progress.finished_by}).".strip()
        return self._observation(text or "", result, error, reward=reward, feedback=feedback)

    def _observation(
        self,
        text: str,
        result: dict[str, Any] | None,
        error: str | None,
        reward: float | None,
        feedback: str | None = None,
    ) -> AuditObservation:
        state = self._state
        obs = AuditObservation(
            text=text,
            result=result,
            error=error,
            task=state.task,
            phase=_phase(state.phase),
            steps_remaining=max(state.step_budget - state.step_count, 0),
            feedback=feedback,
            done=state.done,
            reward=reward,
        )
        return fit_observation(obs)

    def _refusal(self, message: str) -> AuditObservation:
        obs = AuditObservation(
            text=f"Error: {message}",
            error=message,
            task=self._state.task,
            phase="finished" if self._state.done else "investigation",
            steps_remaining=max(self._state.step_budget - self._state.step_count, 0),
            done=self._state.done,
            reward=0.0,
        )
        return fit_observation(obs)


def _phase(value: str) -> Literal["investigation", "flagging", "finished"]:
    if value == "flagging":
        return "flagging"
    return "finished" if value == "finished" else "investigation"


def _short_errors(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:4]]
    return "; ".join(parts)
