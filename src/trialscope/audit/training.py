"""The audit environment as a TRL `environment_factory` class, plus a WebSocket client.

TRL's `GRPOTrainer(environment_factory=...)` creates one instance per rollout, calls
`reset(**row)` with the dataset row's columns, and exposes every other public method as a
tool, building each tool's schema from its type hints and its `Args:` docstring. The methods
below are the environment's six tools; each returns a short text (the observation's text and
its compact JSON result, always under 8 KB). `reward` holds the episode's reward so far: in
`train` mode the dense rewards add up to the episode score, so a reward function can return
`env.reward` for every environment.

    from trialscope.audit.training import audit_env_factory
    GRPOTrainer(..., environment_factory=audit_env_factory(task="medium"))

With `base_url` the wrappers drive a running `trialscope audit serve` over `/ws` instead of an
in-process environment (many replicas can serve many rollouts). The server's mode is its own
setting, so train against a server started with `trialscope audit serve --mode train`; a wrapper
whose mode differs from the server's is refused at `reset` with an error saying so.
"""

from __future__ import annotations

from typing import Any

from trialscope.audit.client import AuditClient, render_observation
from trialscope.audit.models import AuditAction, AuditObservation, Mode
from trialscope.audit.server.environment import AuditEnvironment


class AuditToolEnv:
    """One audit episode whose public methods are the tools (TRL `environment_factory`)."""

    task: str = "easy"
    mode: Mode = "train"
    base_url: str | None = None
    token: str | None = None

    def __init__(self) -> None:
        self.reward = 0.0
        self.done = False
        self.last_observation: AuditObservation | None = None
        self._local: AuditEnvironment | None = None
        self._remote: Any = None
        if self.base_url is None:
            self._local = AuditEnvironment(mode=self.mode)
        else:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
            self._remote = AuditClient(base_url=self.base_url, headers=headers).sync()

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

    def query_records(
        self,
        filters: list[dict[str, Any]] | None = None,
        fields: list[str] | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> str:
        """
        Page through the patient records that match all filters.

        Args:
            filters: Conditions combined with AND, each an object with "field", "op" (one of
                ==, !=, <, <=, >, >=, in, is_null, not_null) and "value", for example
                [{"field": "age", "op": ">", "value": 75}]. Derived fields delay_days and
                death_after_start_days can be used too.
            fields: Fields to return besides patient_id, for example ["age", "stage"].
            page: Page number, starting at 1.
            page_size: Rows per page, from 1 to 50.

        Returns:
            How many records match, and the rows of the requested page.
        """
        return self._act(
            tool="query_records", filters=filters, fields=fields, page=page, page_size=page_size
        )

    def investigate_pattern(self, variable: str) -> str:
        """
        Summarise one variable over all patients: range, quantiles, missing values, top values.

        Args:
            variable: The record field to summarise, for example "age" or "death_date".

        Returns:
            The summary. Investigating the task's key variables unlocks flagging.
        """
        return self._act(tool="investigate_pattern", variable=variable)

    def compute_distribution(self, variable: str, stratify_by: str | None = None) -> str:
        """
        Distribution of a variable in each treatment arm, optionally within strata.

        Args:
            variable: The field to tabulate, for example "ethnicity", "gender" or "outcome"
                (for outcome the mortality rate is reported).
            stratify_by: Optional field to stratify by, for example "stage" or "treatment_site".

        Returns:
            The distribution per arm (and per stratum).
        """
        return self._act(tool="compute_distribution", variable=variable, stratify_by=stratify_by)

    def flag_error(
        self,
        error_type: str,
        patient_id: str | None = None,
        reason: str | None = None,
        confidence: float = 0.5,
    ) -> str:
        """
        Flag one patient's record as breaking a protocol rule (each patient once).

        Args:
            error_type: One of invalid_age, temporal_inconsistency, protocol_window_violation,
                or selection_bias (for the whole trial, without a patient_id).
            patient_id: The patient's id, for example "P0042".
            reason: Which rule the record breaks and the values that show it.
            confidence: How sure you are, from 0 to 1; a confident wrong flag costs more.

        Returns:
            Whether the flag was recorded.
        """
        return self._act(
            tool="flag_error",
            error_type=error_type,
            patient_id=patient_id,
            reason=reason,
            confidence=confidence,
        )

    def propose_fix(self, patient_id: str, proposed_value: str) -> str:
        """
        Propose a corrected value for a flagged patient's erroneous field.

        Args:
            patient_id: The flagged patient's id.
            proposed_value: The value the field should hold.

        Returns:
            Whether the fix was recorded.
        """
        return self._act(tool="propose_fix", patient_id=patient_id, proposed_value=proposed_value)

    def submit_report(self, report: str) -> str:
        """
        Submit the final audit report; this ends the episode.

        Args:
            report: The findings: each patient id with its error type and the rule it breaks,
                and for bias the stage-stratified evidence and your conclusion.

        Returns:
            Confirmation that the episode is finished.
        """
        return self._act(tool="submit_report", report=report)


def audit_env_factory(
    task: str = "easy",
    mode: Mode = "train",
    base_url: str | None = None,
    token: str | None = None,
) -> type[AuditToolEnv]:
    """An `AuditToolEnv` class bound to a default task, mode and (optionally) a server URL."""
    if mode not in ("eval", "train"):
        raise ValueError(f"mode must be 'eval' or 'train', not {mode!r}")
    attributes = {"task": task, "mode": mode, "base_url": base_url, "token": token}
    return type("AuditToolEnv", (AuditToolEnv,), attributes)
