"""The episode's trial protocol: sampled rules, stated in natural language and as parameters."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from trialscope.audit.error_types import ErrorType

if TYPE_CHECKING:
    from trialscope.audit.difficulty import Difficulty

AGE_RANGES: tuple[tuple[int, int], ...] = (
    (35, 75),
    (40, 80),
    (45, 85),
    (30, 70),
    (25, 65),
    (18, 70),
)
STANDARD_WINDOWS: tuple[int, ...] = (14, 21, 28)
STAGE_IV_EXTENSIONS: tuple[int, ...] = (7, 10, 14)
COMORBIDITY_THRESHOLDS: tuple[int, ...] = (3, 4)
ETHNICITY_DOMINANCE: tuple[float, ...] = (0.68, 0.70, 0.72)
MALE_SHARE: tuple[float, ...] = (0.56, 0.60, 0.63)
MORTALITY_GAP: tuple[float, ...] = (0.12, 0.15, 0.18)


@dataclass(frozen=True)
class Protocol:
    """The rules one episode's records are judged by."""

    title: str
    task: str
    age_min: int
    age_max: int
    window_days: int
    stage_iv_extension_days: int
    comorbidity_threshold: int | None = None
    high_risk_sites: tuple[str, ...] = ()
    ethnicity_dominance_threshold: float | None = None
    male_share_threshold: float | None = None
    mortality_gap_threshold: float | None = None
    error_types: tuple[str, ...] = field(default_factory=tuple)

    def parameters(self) -> dict[str, Any]:
        """The protocol as plain JSON-ready values."""
        values = asdict(self)
        values["high_risk_sites"] = list(self.high_risk_sites)
        values["error_types"] = list(self.error_types)
        return values

    def describe(self) -> str:
        """The protocol excerpt an auditor reads."""
        lines = [
            f"Protocol {self.title} (oncology, Phase III, {self.task} audit).",
            f"Eligibility: age must be recorded and between {self.age_min} and {self.age_max} "
            "years inclusive; anything else is an invalid_age error.",
        ]
        if "temporal_inconsistency" in self.error_types:
            lines.append(
                "Dates: a death_date before treatment_start is a temporal_inconsistency error."
            )
        if "protocol_window_violation" in self.error_types:
            extended = self.window_days + self.stage_iv_extension_days
            lines.append(
                f"Treatment window: treatment_start must be at most {self.window_days} days after "
                f"enrollment_date; Stage IV patients may start up to {extended} days after "
                "enrollment. A later start is a protocol_window_violation."
            )
        if self.comorbidity_threshold is not None:
            lines.append(
                f"Comorbidity override: the Stage IV extension does not apply when "
                f"comorbidity_index > {self.comorbidity_threshold}; such patients keep the "
                f"standard {self.window_days}-day window."
            )
        if ErrorType.SELECTION_BIAS in self.error_types:
            lines.append(
                f"High-risk sites: {', '.join(self.high_risk_sites)}. Selection bias "
                "(flag once, error_type selection_bias, no patient_id) is present only when all "
                "hold in the control arm: one ethnicity above "
                f"{self.ethnicity_dominance_threshold:.0%}"
                f" of patients, male share above {self.male_share_threshold:.0%}, and a "
                "stage-adjusted mortality gap (control minus treatment, standardised to the "
                f"trial's stage mix) above {self.mortality_gap_threshold:.2f}. A raw mortality gap "
                "that disappears within stage strata is confounding, not bias."
            )
        return "\n".join(lines)


def sample_protocol(difficulty: Difficulty, rng: np.random.Generator, sites: list[str]) -> Protocol:
    """Draw one episode's protocol for the given task."""
    age_min, age_max = AGE_RANGES[int(rng.integers(len(AGE_RANGES)))]
    window = int(rng.choice(STANDARD_WINDOWS))
    extension = int(rng.choice(STAGE_IV_EXTENSIONS))
    hard = ErrorType.SELECTION_BIAS in difficulty.error_types  # the equity audit
    threshold = int(rng.choice(COMORBIDITY_THRESHOLDS)) if hard else None
    high_risk = (
        tuple(sorted(str(s) for s in rng.choice(sites, size=2, replace=False))) if hard else ()
    )
    eth = float(rng.choice(ETHNICITY_DOMINANCE)) if hard else None
    male = float(rng.choice(MALE_SHARE)) if hard else None
    gap = float(rng.choice(MORTALITY_GAP)) if hard else None
    digest = (
        hashlib.sha256(
            f"{difficulty.name}{age_min}{age_max}{window}{extension}{threshold}{high_risk}"
            f"{rng.integers(1 << 30)}".encode()
        )
        .hexdigest()[:6]
        .upper()
    )
    return Protocol(
        title=f"ONCO-AX-{difficulty.name[0].upper()}-{digest}",
        task=difficulty.name,
        age_min=age_min,
        age_max=age_max,
        window_days=window,
        stage_iv_extension_days=extension,
        comorbidity_threshold=threshold,
        high_risk_sites=high_risk,
        ethnicity_dominance_threshold=eth,
        male_share_threshold=male,
        mortality_gap_threshold=gap,
        error_types=difficulty.error_types,
    )
