"""Read one per-sample result, new or original layout, into what the report shows."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

# Per-sample correctness keys the original TrialPanorama scripts wrote, in order of preference.
_SCORE_KEYS: tuple[str, ...] = (
    "correct",
    "is_correct",
    "accuracy",
    "correct_outcome",
    "micro_accuracy",
)
_NESTED_SCORE_KEYS: tuple[str, ...] = ("recall@100", "avg_recall@100", "recall@500")
_GOLD_KEYS: tuple[str, ...] = (
    "gold",
    "true_answer",
    "true_outcome",
    "true_label",
    "relevant_ids",
    "labels",
    "answer",
)
_PARSED_KEYS: tuple[str, ...] = ("pred_answer", "pred_outcome", "pred_label")
# Record fields that hold the answer: shown as the gold answer, never as part of the prompt.
_ANSWER_KEYS: frozenset[str] = frozenset({"labels", "answer", "answer_type", "explanation"})


@dataclass
class SampleRecord:
    """One sample as the report shows it; `score` is None only when nothing could be derived."""

    sample_id: str
    score: float | None
    status: str
    prompt: str
    raw_answer: str
    parsed_answer: str
    gold: str
    calibration: list[tuple[float, float]] = field(default_factory=list)
    latency_s: float | None = None
    weight: float = 1.0
    """The sample's weight in the headline mean (`evaluation.weight`, default 1)."""
    stratum: str | None = None
    """The sample's stratum (`evaluation.stratum`); None when it has none."""
    messages: str = ""
    """The exact chat messages sent (`messages`, one list per request), as text; "" if none."""


class SampleFieldError(ValueError):
    """A per-sample field that does not hold what the formats describe."""


def as_text(value: Any) -> str:
    """Text for display: strings as they are, anything else as indented JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and math.isfinite(float(value)):
        return min(1.0, max(0.0, float(value)))
    return None


def derive_score(evaluation: dict[str, Any]) -> float | None:
    """The per-sample headline score in [0, 1]: `score`, else the original's correctness fields."""
    for key in ("score", *_SCORE_KEYS):
        if key in evaluation:
            value = evaluation[key]
            # The original wrote correct_outcome=None when no outcome could be read: that is wrong.
            return 0.0 if value is None else _number(value)
    nested = evaluation.get("metrics")
    if isinstance(nested, dict):
        for key in _NESTED_SCORE_KEYS:
            if key in nested:
                return _number(nested[key])
    if "error" in evaluation:
        return 0.0
    return None


def derive_weight(evaluation: dict[str, Any]) -> float:
    """`evaluation.weight`: a finite non-negative number, 1 when absent."""
    value = evaluation.get("weight")
    if value is None:
        return 1.0
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(float(value))
        or value < 0
    ):
        raise SampleFieldError(f"evaluation.weight must be a finite number >= 0, found {value!r}")
    return float(value)


def derive_stratum(evaluation: dict[str, Any]) -> str | None:
    """`evaluation.stratum` as text (numbers and booleans as JSON), None when absent."""
    value = evaluation.get("stratum")
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | bool):
        return json.dumps(value)
    raise SampleFieldError(
        f"evaluation.stratum must be a string or number, found {type(value).__name__}"
    )


def derive_calibration(evaluation: dict[str, Any]) -> list[tuple[float, float]]:
    """`[confidence, correct]` pairs: the `calibration` field, else the original's fields."""
    pairs: list[tuple[float, float]] = []
    given = evaluation.get("calibration")
    if isinstance(given, list):
        for pair in given:
            if isinstance(pair, list | tuple) and len(pair) == 2:
                conf, correct = _number(pair[0]), _number(pair[1])
                if conf is not None and correct is not None:
                    pairs.append((conf, correct))
        return pairs
    if "confidence" in evaluation and evaluation.get("correct_outcome") is not None:
        conf = _number(evaluation["confidence"])
        correct = _number(evaluation["correct_outcome"])
        if conf is not None and correct is not None:
            pairs.append((conf, correct))
    studies = evaluation.get("evaluations")
    if isinstance(studies, list):
        for study in studies:
            if isinstance(study, dict) and study.get("is_correct") is not None:
                conf, correct = _number(study.get("confidence")), _number(study["is_correct"])
                if conf is not None and correct is not None:
                    pairs.append((conf, correct))
    return pairs


def derive_status(result: dict[str, Any], evaluation: dict[str, Any]) -> str:
    """`ok`, `parse_error` or `error`: as recorded, else inferred from the original's fields."""
    status = result.get("status")
    if isinstance(status, str) and status:
        return status
    if "error" in evaluation or result.get("error"):
        return "error"
    if any(key in evaluation and evaluation[key] is None for key in _PARSED_KEYS):
        return "parse_error"
    return "ok"


def prompt_text(value: Any) -> str:
    """The prompt a person reads: chat messages, a question with options, or the record itself."""
    if isinstance(value, dict):
        messages = value.get("messages")
        if isinstance(messages, list):
            return "\n\n".join(
                f"[{m.get('role', '?')}]\n{as_text(m.get('content'))}"
                for m in messages
                if isinstance(m, dict)
            )
        if isinstance(value.get("prompt"), str):
            return str(value["prompt"])
        options = value.get("options")
        if isinstance(value.get("question"), str) and isinstance(options, dict):
            lines = [str(value["question"]), *(f"{k}. {v}" for k, v in options.items())]
            return "\n".join(lines)
        if isinstance(value.get("question"), str):
            return str(value["question"])
        return as_text({k: v for k, v in value.items() if k not in _ANSWER_KEYS})
    return as_text(value)


def messages_text(value: Any) -> str:
    """`messages` (a list of chat requests, each a list of role/content messages) as text."""
    if not isinstance(value, list) or not value:
        return ""
    requests = [r for r in value if isinstance(r, list)]
    blocks = [prompt_text({"messages": request}) for request in requests]
    return "\n\n--- next request ---\n\n".join(blocks)


def _gold(result: dict[str, Any], evaluation: dict[str, Any]) -> str:
    for key in _GOLD_KEYS:
        if key in evaluation and evaluation[key] not in (None, ""):
            return as_text(evaluation[key])
    studies = evaluation.get("evaluations")
    if isinstance(studies, list) and studies:
        return as_text({s.get("PMID"): s.get("true_label") for s in studies if isinstance(s, dict)})
    record = result.get("input")
    if isinstance(record, dict):
        for key in ("answer", "labels"):
            if key in record:
                return as_text(record[key])
    return ""


def _parsed(result: dict[str, Any], evaluation: dict[str, Any]) -> str:
    if "raw_responses" in result:
        return as_text(result.get("prediction"))
    for key in _PARSED_KEYS:
        if key in evaluation:
            return as_text(evaluation[key])
    return as_text(result.get("prediction"))


def _raw(result: dict[str, Any]) -> str:
    responses = result.get("raw_responses")
    if isinstance(responses, list):
        return "\n\n--- next request ---\n\n".join(as_text(r) for r in responses)
    return as_text(result.get("prediction"))


def _sample_id(result: dict[str, Any], index: int) -> str:
    sample_id = result.get("sample_id")
    if sample_id not in (None, ""):
        return str(sample_id)
    record = result.get("sample")
    if isinstance(record, dict):
        metadata = record.get("metadata")
        if isinstance(metadata, dict) and metadata.get("review_pmid"):
            return str(metadata["review_pmid"])
        if record.get("id"):
            return str(record["id"])
    return str(index)


def read_sample(result: dict[str, Any], index: int) -> SampleRecord:
    """Turn one `results[]` entry or `samples.jsonl` line into a SampleRecord."""
    evaluation = result.get("evaluation")
    if not isinstance(evaluation, dict):
        evaluation = {}
    status = derive_status(result, evaluation)
    score = derive_score(evaluation)
    if score is None and status != "ok":
        score = 0.0
    latency = result.get("latency_s")
    sample_id = _sample_id(result, index)
    try:
        weight, stratum = derive_weight(evaluation), derive_stratum(evaluation)
    except SampleFieldError as exc:
        raise SampleFieldError(f"result {index} (sample_id {sample_id!r}): {exc}") from exc
    prompt_source = result.get("input")
    if prompt_source is None and isinstance(result.get("sample"), dict):
        prompt_source = result["sample"]
    return SampleRecord(
        sample_id=sample_id,
        score=score,
        status=status,
        prompt=prompt_text(prompt_source),
        raw_answer=_raw(result),
        parsed_answer=_parsed(result, evaluation),
        gold=_gold(result, evaluation),
        calibration=derive_calibration(evaluation),
        latency_s=float(latency) if isinstance(latency, int | float) else None,
        weight=weight,
        stratum=stratum,
        messages=messages_text(result.get("messages")),
    )
