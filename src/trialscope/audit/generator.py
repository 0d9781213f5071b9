"""Procedural episodes: patients, protocol, injected errors and traps, labelled by the rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from trialscope.audit.column_values import choices, iso_dates, patient_ids, pick
from trialscope.audit.difficulty import TASK_NAMES, Difficulty, difficulty_of
from trialscope.audit.error_types import ErrorType
from trialscope.audit.protocol import Protocol, sample_protocol
from trialscope.audit.rules import (
    BIAS_TARGET,
    bias_evidence_of_columns,
    label_columns,
    records_of,
)

SITES: tuple[tuple[str, str, bool], ...] = (
    ("Boston General", "USA", False),
    ("Houston Cancer Center", "USA", False),
    ("Appalachia Rural Clinic", "USA", True),
    ("Toronto Oncology", "Canada", False),
    ("Manitoba Northern Health", "Canada", True),
    ("London Royal", "UK", False),
    ("Edinburgh Western", "UK", False),
    ("Berlin Charite", "Germany", False),
    ("Munich University", "Germany", False),
    ("Lyon Cancer Institute", "France", False),
    ("Madrid La Paz", "Spain", False),
    ("Milan Oncology", "Italy", False),
    ("Sydney Royal", "Australia", False),
    ("Outback Regional", "Australia", True),
    ("Sao Paulo Hospital", "Brazil", False),
)
SITE_NAMES = [s[0] for s in SITES]
MEDICATIONS = ("none", "metformin", "lisinopril", "atorvastatin", "levothyroxine", "omeprazole")
ETHNICITIES = ("White", "Black", "Hispanic", "Asian", "Native American", "Pacific Islander")
BASE_ETHNICITY_WEIGHTS = (0.46, 0.18, 0.16, 0.12, 0.05, 0.03)
SKEWED_ETHNICITY_WEIGHTS = (0.84, 0.06, 0.04, 0.03, 0.02, 0.01)
STAGE_NAMES = ("I", "II", "III", "IV")
STAGE_WEIGHTS = (0.24, 0.28, 0.28, 0.20)
STAGE_MORTALITY = (0.04, 0.08, 0.16, 0.32)
HIGH_RISK_EXTRA_MORTALITY = 0.16
TREATMENT_MORTALITY_FACTOR = 0.92
BIAS_EXTRA_CONTROL_MORTALITY = 0.28
RESPONSES = ("Complete response", "Partial response", "Stable disease", "Progressive disease")
TRIAL_START = np.datetime64("2022-01-03")
INVALID_AGE_OFFSETS = ("min-1", "min-2", "min-5", "-1", "max+1", "max+2", "max+5", "999", "missing")

# Inclusive count ranges per task; the hard budget (75 steps) still fits every error plus workflow.
ERROR_COUNTS: dict[str, dict[str, tuple[int, int]]] = {
    "easy": {"invalid_age": (6, 10)},
    "medium": {
        "invalid_age": (5, 8),
        "temporal_inconsistency": (6, 9),
        "protocol_window_violation": (7, 10),
    },
    "hard": {
        "invalid_age": (6, 9),
        "temporal_inconsistency": (7, 10),
        "protocol_window_violation": (8, 11),
        "comorbidity_override": (8, 12),
    },
}
TRAP_COUNTS: dict[str, dict[str, tuple[int, int]]] = {
    "easy": {"boundary_age": (10, 14)},
    "medium": {
        "boundary_age": (4, 6),
        "death_soon_after_start": (5, 7),
        "near_window_boundary": (8, 10),
        "valid_stage_iv_exception": (5, 7),
    },
    "hard": {
        "boundary_age": (5, 7),
        "death_soon_after_start": (5, 7),
        "near_window_boundary": (8, 10),
        "valid_stage_iv_exception": (6, 8),
        "high_comorbidity_within_window": (4, 6),
    },
}


@dataclass(frozen=True)
class Trap:
    """A valid record (or trial-level pattern) built to look wrong."""

    kind: str
    patient_id: str | None = None


@dataclass
class Episode:
    """One generated audit episode; `labels` (the ground truth) come from the rule functions.

    The records are held column-wise (`columns`, what the environment's tools read); `records`
    gives them one dict per patient, built on first use.
    """

    task: str
    seed: int
    protocol: Protocol
    columns: dict[str, list[Any]]
    labels: dict[str, str]
    injected: dict[str, str]
    traps: list[Trap] = field(default_factory=list)
    bias_mode: str | None = None
    override_patients: tuple[str, ...] = ()

    @cached_property
    def records(self) -> list[dict[str, Any]]:
        """The patient records, one dict each, fields in a fixed order."""
        return records_of(self.columns)

    def profile(self) -> dict[str, Any]:
        """Counts that describe the episode (patients, errors by type, traps by kind, bias mode)."""
        audits_bias = ErrorType.SELECTION_BIAS in self.protocol.error_types
        evidence = bias_evidence_of_columns(self.columns) if audits_bias else None
        return {
            "task": self.task,
            "seed": self.seed,
            "protocol": self.protocol.title,
            "patients": len(self.columns["patient_id"]),
            "errors": len(self.labels),
            "errors_by_type": dict(sorted(Counter(self.labels.values()).items())),
            "comorbidity_overrides": len(self.override_patients),
            "traps": len(self.traps),
            "traps_by_kind": dict(sorted(Counter(t.kind for t in self.traps).items())),
            "bias_mode": self.bias_mode,
            "raw_mortality_gap": round(evidence.raw_mortality_gap, 4) if evidence else None,
            "stage_adjusted_mortality_gap": (
                round(evidence.stage_adjusted_mortality_gap, 4) if evidence else None
            ),
        }


class _Builder:
    """Column arrays for one episode, mutated by injections, then turned into records."""

    def __init__(
        self, difficulty: Difficulty, protocol: Protocol, rng: np.random.Generator
    ) -> None:
        self.d, self.p, self.rng = difficulty, protocol, rng
        n = self.n = difficulty.n_patients
        self.free = np.ones(n, dtype=bool)
        self.injected: dict[str, str] = {}
        self.traps: list[Trap] = []
        self.overrides: list[str] = []
        self.group = np.where(rng.permutation(n) < n // 2, "control", "treatment").astype(object)
        self.is_control = self.group == "control"
        self.age: list[int | None] = []
        self.stage = rng.choice(len(STAGE_NAMES), size=n, p=STAGE_WEIGHTS)
        self.site = rng.integers(len(SITES), size=n)
        self.comorbidity = np.clip(rng.poisson(1.8, size=n), 0, 8)

    def demographics(self, bias_mode: str | None) -> None:
        rng, n = self.rng, self.n
        hard = ErrorType.SELECTION_BIAS in self.d.error_types  # the equity audit
        control_w = SKEWED_ETHNICITY_WEIGHTS if bias_mode == "true_bias" else BASE_ETHNICITY_WEIGHTS
        treatment_w = SKEWED_ETHNICITY_WEIGHTS if hard else BASE_ETHNICITY_WEIGHTS
        eth_c = rng.choice(len(ETHNICITIES), size=n, p=control_w)
        eth_t = rng.choice(len(ETHNICITIES), size=n, p=treatment_w)
        self.ethnicity = np.where(self.is_control, eth_c, eth_t)
        male_c = 0.78 if bias_mode == "true_bias" else 0.5
        male_t = 0.66 if hard else 0.5
        draw = rng.random(n)
        self.male = np.where(self.is_control, draw < male_c, draw < male_t)
        if hard:
            self.traps.append(Trap("treatment_arm_skew"))

    def confound(self) -> None:
        """Simpson's paradox: move most minority control patients to Stage IV at high-risk sites."""
        minority = np.flatnonzero(self.is_control & (self.ethnicity != 0))
        moved = minority[self.rng.random(minority.size) < 0.8]
        self.stage[moved] = 3
        risky = [SITE_NAMES.index(s) for s in self.p.high_risk_sites]
        self.site[moved] = self.rng.choice(risky, size=moved.size)
        self.traps.append(Trap("confounder_cohort"))

    def clinical(self, bias_mode: str | None) -> None:
        rng, n, p = self.rng, self.n, self.p
        ages = np.rint(rng.normal(58, 11, size=n)).astype(int)
        outside = (ages < p.age_min) | (ages > p.age_max)
        ages[outside] = rng.integers(p.age_min + 1, p.age_max, size=int(outside.sum()))
        self.age = [int(a) for a in ages]
        risk = np.asarray(STAGE_MORTALITY)[self.stage]
        if self.p.high_risk_sites:
            risky = np.isin(self.site, [SITE_NAMES.index(s) for s in p.high_risk_sites])
            risk = risk + HIGH_RISK_EXTRA_MORTALITY * (risky & (self.stage == 3))
        risk = np.where(self.is_control, risk, risk * TREATMENT_MORTALITY_FACTOR)
        if bias_mode == "true_bias":
            risk = np.where(self.is_control, risk + BIAS_EXTRA_CONTROL_MORTALITY, risk)
        self.deceased = rng.random(n) < np.clip(risk, 0, 0.95)
        self.enrolled = rng.integers(0, 730, size=n)
        self.delay = rng.integers(1, p.window_days - 1, size=n)
        self.death_offset = rng.integers(20, 900, size=n)

    def allowed(self, i: int) -> int:
        p = self.p
        if self.stage[i] != 3:
            return p.window_days
        if p.comorbidity_threshold is not None and self.comorbidity[i] > p.comorbidity_threshold:
            return p.window_days
        return p.window_days + p.stage_iv_extension_days

    def take(self, count: int, mask: np.ndarray | None = None) -> list[int]:
        """Reserve `count` distinct free patients (matching `mask` when given)."""
        candidates = np.flatnonzero(self.free if mask is None else self.free & mask)
        if candidates.size < count:
            candidates = np.flatnonzero(self.free)
        chosen = self.rng.choice(candidates, size=count, replace=False)
        self.free[chosen] = False
        return [int(i) for i in chosen]

    def count(self, low_high: tuple[int, int]) -> int:
        return int(self.rng.integers(low_high[0], low_high[1] + 1))

    def pid(self, i: int) -> str:
        return f"P{i + 1:04d}"

    def low_comorbidity(self, i: int) -> None:
        if self.p.comorbidity_threshold is not None:
            self.comorbidity[i] = self.rng.integers(0, self.p.comorbidity_threshold + 1)

    def inject_errors(self) -> None:
        rng, p = self.rng, self.p
        counts = ERROR_COUNTS[self.d.name]
        for i in self.take(self.count(counts["invalid_age"])):
            kind = INVALID_AGE_OFFSETS[int(rng.integers(len(INVALID_AGE_OFFSETS)))]
            self.age[i] = _invalid_age(kind, p)
            self.injected[self.pid(i)] = "invalid_age"
        if "temporal_inconsistency" in counts:
            # Any patient (not only those the mortality model killed, which would tie the error
            # to stage and site); half die between enrollment and treatment start, half before
            # enrollment, so "died before enrollment" is no shortcut for the rule.
            for i in self.take(self.count(counts["temporal_inconsistency"])):
                self.deceased[i] = True
                if rng.random() < 0.5:
                    self.delay[i] = max(int(self.delay[i]), 3)
                    self.death_offset[i] = -int(rng.integers(1, self.delay[i]))
                else:
                    self.death_offset[i] = -int(self.delay[i]) - int(rng.integers(1, 241))
                self.injected[self.pid(i)] = "temporal_inconsistency"
        if "protocol_window_violation" in counts:
            for i in self.take(self.count(counts["protocol_window_violation"])):
                self.delay[i] = self.allowed(i) + int(rng.integers(2, 19))
                self.injected[self.pid(i)] = "protocol_window_violation"
        if "comorbidity_override" in counts and p.comorbidity_threshold is not None:
            for i in self.take(self.count(counts["comorbidity_override"]), self.stage == 3):
                self.stage[i] = 3
                self.comorbidity[i] = p.comorbidity_threshold + int(rng.integers(1, 4))
                self.delay[i] = p.window_days + int(rng.integers(1, p.stage_iv_extension_days + 1))
                self.injected[self.pid(i)] = "protocol_window_violation"
                self.overrides.append(self.pid(i))

    def inject_traps(self) -> None:
        rng, p = self.rng, self.p
        counts = TRAP_COUNTS[self.d.name]
        for i in self.take(self.count(counts["boundary_age"])):
            self.age[i] = p.age_min if rng.random() < 0.5 else p.age_max
            self.traps.append(Trap("boundary_age", self.pid(i)))
        if "death_soon_after_start" in counts:
            for i in self.take(self.count(counts["death_soon_after_start"]), self.deceased):
                self.deceased[i] = True
                self.death_offset[i] = int(rng.integers(1, 4))
                self.traps.append(Trap("death_soon_after_start", self.pid(i)))
        if "near_window_boundary" in counts:
            total = self.count(counts["near_window_boundary"])
            stage_iv = self.take(total // 2 + 1, self.stage == 3)
            for i in stage_iv + self.take(total - len(stage_iv), self.stage != 3):
                if i in stage_iv:
                    self.stage[i] = 3
                    self.low_comorbidity(i)
                self.delay[i] = self.allowed(i) - int(rng.integers(0, 2))
                self.traps.append(Trap("near_window_boundary", self.pid(i)))
        if "valid_stage_iv_exception" in counts:
            for i in self.take(self.count(counts["valid_stage_iv_exception"]), self.stage == 3):
                self.stage[i] = 3
                self.low_comorbidity(i)
                self.delay[i] = p.window_days + int(rng.integers(1, p.stage_iv_extension_days + 1))
                self.traps.append(Trap("valid_stage_iv_exception", self.pid(i)))
        if "high_comorbidity_within_window" in counts and p.comorbidity_threshold is not None:
            for i in self.take(
                self.count(counts["high_comorbidity_within_window"]), self.stage == 3
            ):
                self.stage[i] = 3
                self.comorbidity[i] = p.comorbidity_threshold + int(rng.integers(1, 4))
                self.delay[i] = p.window_days - int(rng.integers(0, 2))
                self.traps.append(Trap("high_comorbidity_within_window", self.pid(i)))

    def columns(self) -> dict[str, list[Any]]:
        """The records column-wise (one list per field, in record field order)."""
        rng, n = self.rng, self.n
        enrolled = TRIAL_START + self.enrolled
        start = enrolled + self.delay
        death = iso_dates(start + self.death_offset, TRIAL_START)
        death[~self.deceased] = None
        outcome = choices(RESPONSES)[rng.integers(len(RESPONSES), size=n)]
        outcome[self.deceased] = "Deceased"
        return {
            "patient_id": list(patient_ids(n)),
            "age": list(self.age),
            "gender": choices(("Female", "Male"))[self.male.astype(np.intp)].tolist(),
            "ethnicity": choices(ETHNICITIES)[self.ethnicity].tolist(),
            "group": choices(("treatment", "control"))[self.is_control.astype(np.intp)].tolist(),
            "enrollment_date": iso_dates(enrolled, TRIAL_START).tolist(),
            "treatment_start": iso_dates(start, TRIAL_START).tolist(),
            "death_date": death.tolist(),
            "outcome": outcome.tolist(),
            "treatment_site": choices(tuple(s[0] for s in SITES))[self.site].tolist(),
            "country": choices(tuple(s[1] for s in SITES))[self.site].tolist(),
            "stage": choices(STAGE_NAMES)[self.stage].tolist(),
            "trial_phase": ["Phase III"] * n,
            "drug": choices(("ONC-417", "Placebo"))[self.is_control.astype(np.intp)].tolist(),
            "comorbidity_index": self.comorbidity.tolist(),
            **_noise_columns(rng, n),
        }


@lru_cache(maxsize=1)
def _medication_lists() -> np.ndarray:
    """Each pair of drawn medications (index a * 6 + b) as the record lists it."""
    pairs = [
        "; ".join(sorted({a, b} - {"none"})) or "none" for a in MEDICATIONS for b in MEDICATIONS
    ]
    return np.asarray(pairs, dtype=object)


def _invalid_age(kind: str, protocol: Protocol) -> int | None:
    if kind == "missing":
        return None
    if kind in ("-1", "999"):
        return int(kind)
    base = protocol.age_min if kind.startswith("min") else protocol.age_max
    return base + int(kind[3:])


def _noise_columns(rng: np.random.Generator, n: int) -> dict[str, list[Any]]:
    """Eleven realistic EHR fields that no rule uses."""
    med_idx = rng.integers(len(MEDICATIONS), size=(n, 2))
    return {
        "ecog_performance_status": rng.integers(0, 3, size=n).tolist(),
        "prior_chemo_cycles": rng.integers(0, 7, size=n).tolist(),
        # Physiological ranges: LDH (U/L) right-skewed around 220, BMI within 16-45.
        "baseline_ldh": np.round(
            np.clip(rng.lognormal(np.log(220), 0.3, size=n), 90, 1200), 1
        ).tolist(),
        "bmi": np.round(np.clip(rng.normal(26.5, 4.5, size=n), 16.0, 45.0), 1).tolist(),
        "insurance_type": pick(rng, ("private", "public", "uninsured"), n),
        "smoking_status": pick(rng, ("never", "former", "current"), n),
        "blood_pressure_sys": rng.integers(100, 165, size=n).tolist(),
        "blood_pressure_dia": rng.integers(60, 100, size=n).tolist(),
        "primary_tumor_site": pick(rng, ("lung", "breast", "colon", "pancreas"), n),
        "histology_type": pick(rng, ("adenocarcinoma", "squamous", "small cell"), n),
        "concomitant_medications": _medication_lists()[
            med_idx[:, 0] * len(MEDICATIONS) + med_idx[:, 1]
        ].tolist(),
    }


def generate_episode(task: str, seed: int) -> Episode:
    """Build the episode for (task, seed); the same pair always gives the same episode."""
    difficulty = difficulty_of(task)
    rng = np.random.default_rng([int(seed), TASK_NAMES.index(difficulty.name)])
    protocol = sample_protocol(difficulty, rng, SITE_NAMES)
    builder = _Builder(difficulty, protocol, rng)
    bias_mode: str | None = None
    if ErrorType.SELECTION_BIAS in difficulty.error_types:
        bias_mode = "true_bias" if rng.random() < 0.58 else "confounded_no_bias"
    builder.demographics(bias_mode)
    if bias_mode == "confounded_no_bias":
        builder.confound()
    builder.clinical(bias_mode)
    builder.inject_errors()
    builder.inject_traps()
    if bias_mode == "true_bias":
        builder.injected[BIAS_TARGET] = ErrorType.SELECTION_BIAS
    columns = builder.columns()
    return Episode(
        task=difficulty.name,
        seed=int(seed),
        protocol=protocol,
        columns=columns,
        labels=label_columns(columns, protocol),
        injected=dict(builder.injected),
        traps=builder.traps,
        bias_mode=bias_mode,
        override_patients=tuple(builder.overrides),
    )


def draw_seed() -> int:
    """A fresh seed for a run that was given none (it is recorded with the results)."""
    return int(np.random.default_rng().integers(0, 2**31 - 1))
