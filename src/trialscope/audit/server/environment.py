"""The OpenEnv environment: one tool call per step over a generated episode, in one of two modes.

The concerns live beside it: `briefing` (the reset observation), `dispatch` (tool handlers),
`phase_gate`, `progress` (what was done and the score components), `rewards` (shaping) and
`observations`. With an `EvalLedger` (an eval server) the episodes come from the server's
secret suite: the client names only the task, sees no seed, and gets no score until its batch
is complete.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from openenv.core.env_server import Environment
from openenv.core.env_server.types import EnvironmentMetadata
from pydantic import ValidationError

from trialscope.audit.difficulty import difficulty_of
from trialscope.audit.episode_result import EpisodeResult
from trialscope.audit.generator import Episode, draw_seed, generate_episode
from trialscope.audit.models import (
    MODES,
    ActionErrorCode,
    AuditAction,
    AuditObservation,
    AuditState,
    Mode,
)
from trialscope.audit.queries import RecordTable
from trialscope.audit.scoring import calibration_summary, episode_score
from trialscope.audit.server.briefing import briefing
from trialscope.audit.server.dispatch import EpisodeContext, FlagLocked, dispatch
from trialscope.audit.server.eval_suite import EVAL_SEED_FLOOR, LOCAL_SUBMITTER, EvalLedger
from trialscope.audit.server.observations import observation, refusal
from trialscope.audit.server.phase_gate import flagging_open
from trialscope.audit.server.progress import components
from trialscope.audit.server.rewards import step_reward
from trialscope.errors import AuditActionError

SUBMITTER_KEY = "submitter"
"""The reset keyword the server's guard sets to the caller's identity (never the client)."""


class AuditEnvironment(Environment[AuditAction, AuditObservation, AuditState]):
    """Audit one generated trial against its protocol, one tool call per step."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, mode: Mode = "eval", ledger: EvalLedger | None = None) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be 'eval' or 'train', not {mode!r}")
        if ledger is not None and mode != "eval":
            raise ValueError("an eval suite ledger needs eval mode")
        self.mode: Mode = mode
        self._ledger = ledger
        self._ctx: EpisodeContext | None = None
        self._suite_slot: tuple[str, str, int] | None = None
        self._state = AuditState(mode=mode)

    # ----- OpenEnv API -------------------------------------------------------------------------
    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task: str = "easy",
        **kwargs: Any,
    ) -> AuditObservation:
        """Start an episode of `task`; locally with the given seed (drawn if none), on an eval
        server the next episode of its secret suite."""
        mode = kwargs.get("mode")
        if mode is not None and mode != self.mode:
            # The mode belongs to whoever built the environment (the server's setting): a client
            # that could switch an eval server to train would read the labels off the feedback.
            raise AuditActionError(
                f"this environment runs in {self.mode} mode and a reset cannot change it "
                f"(asked for mode={mode!r}); use a server started with --mode {mode} "
                f"(TRIALSCOPE_AUDIT_MODE={mode})"
                if mode in MODES
                else f"mode must be 'eval' or 'train', not {mode!r}"
            )
        difficulty = difficulty_of(str(task))
        if self._ledger is not None:
            if seed is not None:
                raise AuditActionError(
                    "this server runs the eval suite: the server chooses each episode, so a "
                    "reset takes a task but no seed (use a train server or a local environment "
                    "for chosen seeds)"
                )
            self._close_suite_episode()
            submitter = str(kwargs.get(SUBMITTER_KEY) or LOCAL_SUBMITTER)
            index = self._ledger.start(submitter, difficulty.name)
            self._suite_slot = (submitter, difficulty.name, index)
            seed_used, shown_seed = self._ledger.suite.seed(difficulty.name, index), None
            episode_id = secrets.token_urlsafe(12)
        else:
            if seed is not None and not 0 <= int(seed) < EVAL_SEED_FLOOR:
                raise AuditActionError(f"seed must be from 0 to {EVAL_SEED_FLOOR - 1}; got {seed}")
            seed_used = draw_seed() if seed is None else int(seed)
            shown_seed = seed_used
            episode_id = episode_id or uuid.uuid4().hex
        episode = generate_episode(difficulty.name, seed_used)
        table = RecordTable(episode.columns)
        self._ctx = EpisodeContext(episode, difficulty, table)
        self._state = AuditState(
            episode_id=episode_id,
            task=difficulty.name,
            seed=shown_seed,
            mode=self.mode,
            step_budget=difficulty.step_budget,
            score_so_far=0.0 if self.mode == "train" else None,
        )
        text, result = briefing(episode, difficulty, table, shown_seed)
        return observation(self._state, text, result, reward=0.0 if self.mode == "train" else None)

    def step(
        self, action: AuditAction | dict[str, Any], timeout_s: float | None = None, **kwargs: Any
    ) -> AuditObservation:
        """Run one tool call; anything that is not a valid call is refused and spends no step."""
        state = self._state
        if self._ctx is None:
            return refusal(state, "no episode: call reset first", ActionErrorCode.NO_EPISODE)
        if state.done:
            return refusal(
                state,
                "the episode is finished; further actions are refused (call reset)",
                ActionErrorCode.FINISHED,
            )
        if isinstance(action, dict):
            try:
                action = AuditAction.model_validate(action)
            except ValidationError as exc:
                return refusal(
                    state, f"invalid action: {_short_errors(exc)}", ActionErrorCode.INVALID_ACTION
                )
        if not isinstance(action, AuditAction):
            return refusal(
                state,
                'not an audit tool call; send {"tool": ..., ...}',
                ActionErrorCode.INVALID_ACTION,
            )
        key = json.dumps(
            {
                "tool": action.tool,
                **action.call.model_dump(mode="json", exclude={"reason", "confidence"}),
            },
            sort_keys=True,
            default=str,
        )
        error: str | None = None
        code: ActionErrorCode | None = None
        try:
            text, result, useful = dispatch(self._ctx, action.call, key)
        except AuditActionError as exc:
            text, result, useful, error = "", None, False, str(exc)
            code = (
                ActionErrorCode.LOCKED
                if isinstance(exc, FlagLocked)
                else ActionErrorCode.QUERY_ERROR
            )
        return self._after_step(action, text, result, error, code, useful)

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

    def close(self) -> None:
        """End the session; an unfinished eval suite episode counts as played, as it stands."""
        self._close_suite_episode()

    # ----- results -----------------------------------------------------------------------------
    def episode_result(self) -> EpisodeResult:
        """The graded result; only available once the episode is done."""
        if self._ctx is None or not self._state.done:
            raise RuntimeError("episode_result() needs a finished episode")
        ctx, labels = self._ctx, self._ctx.episode.labels
        parts = self._components(final=True)
        flagged = {f.target for f in ctx.progress.flags if f.correct}
        pairs = [(f.confidence, f.correct) for f in ctx.progress.flags]
        return EpisodeResult(
            episode_id=self._state.episode_id or "",
            task=ctx.episode.task,
            seed=ctx.episode.seed,
            mode=self.mode,
            score=episode_score(parts),
            components=parts,
            steps=self._state.step_count,
            step_budget=self._state.step_budget,
            finished_by=ctx.progress.finished_by,
            n_errors=len(labels),
            flags=[
                {
                    "patient_id": f.target,
                    "error_type": f.error_type,
                    "confidence": f.confidence,
                    "correct": f.correct,
                    "truth": labels.get(f.target),
                }
                for f in ctx.progress.flags
            ],
            missed=sorted(t for t in labels if t not in flagged),
            calibration=[[c, float(ok)] for c, ok in pairs],
            calibration_summary=calibration_summary(pairs),
            report_parts=dict(ctx.progress.report_grade.parts) if ctx.progress.report_grade else {},
            dense_reward_total=round(ctx.progress.reward_total, 6)
            if self.mode == "train"
            else None,
        )

    @property
    def episode(self) -> Episode | None:
        """The current episode (ground truth included): for graders and tests, never for agents."""
        return self._ctx.episode if self._ctx else None

    # ----- internals ---------------------------------------------------------------------------
    def _components(self, final: bool) -> dict[str, float]:
        assert self._ctx is not None
        ctx = self._ctx
        return components(ctx.progress, ctx.episode, ctx.difficulty, self._state.step_count, final)

    def _close_suite_episode(self) -> None:
        if self._suite_slot is None or self._ctx is None or self._ledger is None:
            return
        submitter, task, index = self._suite_slot
        self._suite_slot = None
        if not self._ctx.progress.finished_by:
            self._ctx.progress.finished_by = "abandoned"
        self._ledger.finish(submitter, task, index, episode_score(self._components(final=True)))

    def _after_step(
        self,
        action: AuditAction,
        text: str,
        result: dict[str, Any] | None,
        error: str | None,
        code: ActionErrorCode | None,
        useful: bool,
    ) -> AuditObservation:
        assert self._ctx is not None
        ctx, state = self._ctx, self._state
        progress = ctx.progress
        state.step_count += 1
        progress.useful_steps += int(useful and error is None)
        if progress.finished_by == "report":
            state.done = True
        elif state.step_count >= state.step_budget:
            state.done = True
            progress.finished_by = "budget"
        state.phase = (
            "finished"
            if state.done
            else ("flagging" if flagging_open(progress, ctx.difficulty) else "investigation")
        )
        state.investigated = list(progress.investigated)
        state.distributions = list(progress.distributions)
        state.flags = [
            {"patient_id": f.target, "error_type": f.error_type, "confidence": f.confidence}
            | ({"correct": f.correct} if self.mode == "train" else {})
            for f in progress.flags
        ]
        potential = episode_score(self._components(final=state.done))
        withheld = self._suite_slot is not None
        reward = step_reward(self.mode, progress, potential, state.done, withheld)
        if self.mode == "train":
            state.score_so_far = potential
        feedback = None
        if self.mode == "train" and action.tool == "flag_error" and error is None:
            feedback = "correct" if progress.flags[-1].correct else "incorrect"
        if error is not None:
            text = f"Error: {error}"
        if state.done:
            text = f"{text} Episode finished ({progress.finished_by}).".strip()
            if withheld:
                text += (
                    " Its score is withheld until its batch of the eval suite is complete "
                    "(GET /eval/results)."
                )
                self._close_suite_episode()
        return observation(state, text, result, error, code, reward, feedback)


def _short_errors(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:4]]
    return "; ".join(parts)
