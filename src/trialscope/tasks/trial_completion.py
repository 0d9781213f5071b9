"""Trial completion assessment: will the trial complete or terminate, and if not, why.

Metrics (every sample in every denominator; an unanswered sample counts as the wrong class):
- `outcome_prediction.{accuracy,precision,recall,f1,specificity}`: the original's, positive =
  complete;
- `balanced_accuracy_outcome`: mean recall of complete and terminate (the paper's);
- `balanced_accuracy_termination_reason`: mean recall over six classes (complete and the five
  termination categories) across all samples; a terminate prediction without a category, or no
  answer, is a wrong class;
- `termination_type.accuracy`: the original's, only over samples where both truth and prediction
  are terminate (left out when there are none; `termination_type.num_evaluated` says how many).
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from trialscope.tasks.answer_parsing import (
    extract_json_object,
    field_of,
    parse_confidence,
    parse_outcome,
    termination_reason_from_value,
)
from trialscope.tasks.base import AnswerKind, Parsed, Request, Sample, SampleResult, Task
from trialscope.tasks.completion_record import (
    ARMS_CONTEXT,
    CRITERIA_CONTEXT,
    TERMINATION_CATEGORIES,
    CompletionRecord,
)
from trialscope.tasks.prompting import chat_request, evaluations_of

SYSTEM_PROMPT = (
    "You are an expert in clinical trials. Your task is to predict whether a given clinical "
    "trial will successfully complete or terminate early, based on the information provided.\n\n"
    "Analyze the trial information carefully, considering:\n"
    "- Study population and eligibility criteria\n"
    "- Intervention details and complexity\n"
    "- Study design and duration\n"
    "- Sample size and recruitment targets\n"
    "- Any other factors that might influence trial completion\n\n"
    'Predict "complete" or "terminate". If you predict the trial will terminate, also give the '
    "likely reason for termination, one of: "
    + ", ".join(f'"{category}"' for category in TERMINATION_CATEGORIES)
    + ".\n\nYour response must be a JSON object:\n"
    "{\n"
    '  "outcome": "complete" or "terminate",\n'
    '  "confidence": <integer 0-100>,\n'
    '  "termination_reason": "<one of the reasons above>" or null if outcome is complete,\n'
    '  "explanation": "<brief explanation of your prediction>"\n'
    "}"
)

USER_TEMPLATE = "# Trial: {nct_id}\n## Title\n{title}\n\n# Study Design\n{design}{context}"
"""The user message: trial id and title, design fields, then eligibility criteria and arms."""

NO_ANSWER = "(none)"
NO_REASON = "terminate (no reason given)"


def _value_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def trial_description(record: CompletionRecord) -> str:
    """The trial as the model sees it (design fields, criteria with `~` as line breaks, arms)."""
    inputs = record.inputs
    design = "\n".join(
        f"- {key.replace('_', ' ').title()}: {_value_text(value)}"
        for key, value in inputs.items()
        if key != "title" and value not in (None, "")
    )
    sections: list[str] = []
    for item in record.context:
        if item.get("type") == CRITERIA_CONTEXT:
            lines = ["# Eligibility Criteria"]
            if item.get("gender"):
                lines.append(f"Gender: {item['gender']}")
            if item.get("minimum_age") or item.get("maximum_age"):
                lines.append(
                    f"Age: {item.get('minimum_age') or 'N/A'} to {item.get('maximum_age') or 'N/A'}"
                )
            if item.get("healthy_volunteers") not in (None, ""):
                lines.append(f"Healthy volunteers: {item['healthy_volunteers']}")
            lines.append(str(item.get("criteria") or "").replace("~", "\n"))
            sections.append("\n".join(lines))
        elif item.get("type") == ARMS_CONTEXT:
            arms = ["# Study Arms"]
            for arm in item.get("arms") or []:
                if isinstance(arm, dict):
                    arms.append(
                        f"## {arm.get('title', '')} ({arm.get('group_type', '')})\n"
                        f"{arm.get('description', '')}"
                    )
            sections.append("\n".join(arms))
    context = "".join(f"\n\n{section}" for section in sections)
    return USER_TEMPLATE.format(
        nct_id=record.metadata.get("study_nctid", "unknown"),
        title=inputs.get("title", ""),
        design=design,
        context=context,
    )


def true_reason(record: CompletionRecord) -> str | None:
    """The labelled termination category (normalised): None for completed trials, and for a
    terminated trial whose label is none of the task's categories (e.g. a registry's "other")."""
    if record.labels.outcome != "terminate":
        return None
    return termination_reason_from_value(record.labels.terminate_type)


class TrialCompletionTask(Task):
    """Predict completion vs termination and the termination reason."""

    name = "trial_completion"
    label = "Trial completion"
    short_label = "complete"
    paper_figures: ClassVar[dict[str, dict[str, float]]] = {
        "Balanced accuracy (outcome)": {
            "Llama-8B": 54.0,
            "Llama-70B": 52.6,
            "GPT-4o-mini": 51.3,
            "GPT-4o": 59.3,
            "o3-mini": 51.0,
        },
        "Balanced accuracy (reason)": {
            "Llama-8B": 15.7,
            "Llama-70B": 17.9,
            "GPT-4o-mini": 16.8,
            "GPT-4o": 19.5,
            "o3-mini": 17.0,
        },
    }
    answer_kind = AnswerKind.OUTCOME
    calibrated = True
    folder_names = ("trial_completion", "trial_completion_assessment")
    record_model = CompletionRecord
    headline_metrics: ClassVar[tuple[str, ...]] = (
        "balanced_accuracy_outcome",
        "balanced_accuracy_termination_reason",
    )
    default_system_prompt = SYSTEM_PROMPT

    def sample_id(self, record: Any, index: int) -> str:
        nct_id = (
            record.metadata.get("study_nctid") if isinstance(record, CompletionRecord) else None
        )
        return str(nct_id or index)

    def prompt_templates(self) -> list[str]:
        return [self.default_system_prompt, USER_TEMPLATE]

    def requests(self, sample: Sample, system_prompt: str | None) -> list[Request]:
        record = cast(CompletionRecord, sample.record)
        return [
            chat_request(system_prompt or self.default_system_prompt, trial_description(record))
        ]

    def parse(self, sample: Sample, responses: list[str]) -> Parsed:
        text = responses[0] if responses else ""
        obj = extract_json_object(text) or {}
        outcome = parse_outcome(text)
        reason = termination_reason_from_value(
            field_of(obj, "termination_reason", "terminate_type", "reason")
        ) or termination_reason_from_value(field_of(obj, "outcome"))
        explanation = field_of(obj, "explanation", "rationale", "reasoning")
        prediction = {
            "outcome": outcome,
            "confidence": parse_confidence(field_of(obj, "confidence", "probability")),
            "termination_reason": reason if outcome == "terminate" else None,
            "explanation": explanation if isinstance(explanation, str) else "",
        }
        if outcome is None:
            return Parsed(prediction, error='no "complete" or "terminate" outcome in the answer')
        return Parsed(prediction)

    def score(self, sample: Sample, parsed: Parsed) -> dict[str, Any]:
        record = cast(CompletionRecord, sample.record)
        prediction = parsed.prediction if isinstance(parsed.prediction, dict) else {}
        outcome = prediction.get("outcome")
        reason = prediction.get("termination_reason")
        confidence = prediction.get("confidence")
        truth = record.labels.outcome
        correct = outcome == truth
        gold_reason = true_reason(record)
        # A terminated trial without one of the categories cannot be asked for its reason: it
        # counts for the outcome, and is left out of the reason metrics (counted beside them).
        reason_labelled = truth == "complete" or gold_reason is not None
        both_terminate = truth == "terminate" and outcome == "terminate" and reason_labelled
        return {
            "score": 1.0 if correct else 0.0,
            # the mean over gold outcomes of the mean score in each is balanced_accuracy_outcome
            "stratum": truth,
            "nct_id": record.metadata.get("study_nctid", ""),
            "true_outcome": truth,
            "pred_outcome": outcome,
            "true_terminate_type": gold_reason,
            "reason_labelled": reason_labelled,
            "true_terminate_desc": record.labels.terminate_reason_desc,
            "pred_terminate_type": reason,
            "confidence": confidence,
            "correct_outcome": correct,
            "correct_terminate_type": (reason == gold_reason) if both_terminate else None,
            "calibration": [[confidence, 1 if correct else 0]] if confidence is not None else [],
        }

    def aggregate(self, results: list[SampleResult], seed: int = 0) -> dict[str, Any]:
        # numpy (through metrics) loads on first use, not before a run's first request.
        from trialscope.tasks import metrics as m

        evaluations = evaluations_of(self, results)
        known = [e for e in evaluations if e is not None]
        n = len(results)
        correct = [float(bool(e and e.get("correct_outcome"))) for e in evaluations]
        # an unanswered sample is wrong: it counts as the class opposite to the truth
        y_true = [1 if e["true_outcome"] == "complete" else 0 for e in known]
        y_pred = [
            (1 if e["pred_outcome"] == "complete" else 0) if e.get("pred_outcome") else 1 - t
            for e, t in zip(known, y_true, strict=True)
        ]
        outcome_true = ["complete" if t else "terminate" for t in y_true]
        outcome_pred = ["complete" if p else "terminate" for p in y_pred]
        with_reason = [e for e in known if e.get("reason_labelled", True)]
        reason_true = [e.get("true_terminate_type") or "complete" for e in with_reason]
        reason_pred = [_predicted_reason_class(e) for e in with_reason]
        conditional = [e for e in known if e.get("correct_terminate_type") is not None]

        binary = m.binary_metrics(y_true, y_pred)
        metrics: dict[str, Any] = {f"outcome_prediction.{k}": v for k, v in binary.items()}
        # the original's accuracy is over every sample, unscorable ones as wrong
        metrics["outcome_prediction.accuracy"] = sum(correct) / n if n else 0.0
        metrics["balanced_accuracy_outcome"] = m.balanced_accuracy(outcome_true, outcome_pred)
        metrics["balanced_accuracy_termination_reason"] = m.balanced_accuracy(
            reason_true, reason_pred
        )
        if conditional:
            metrics["termination_type.accuracy"] = sum(
                1 for e in conditional if e["correct_terminate_type"]
            ) / len(conditional)
        metrics["termination_type.num_evaluated"] = len(conditional)
        metrics["termination_type.num_unlabelled"] = len(known) - len(with_reason)
        metrics["num_unanswered"] = sum(1 for e in evaluations if not (e and e.get("pred_outcome")))
        metrics.update(m.status_counts(results))

        outcome_rows = m.confusion_rows(y_true, y_pred, 2)
        codes_true, codes_pred, n_labels = m.encode(reason_true, reason_pred)
        reason_rows = m.confusion_rows(codes_true, codes_pred, n_labels)
        intervals = {
            "balanced_accuracy_outcome": m.balanced_accuracy_interval(outcome_rows, seed),
            "balanced_accuracy_termination_reason": m.balanced_accuracy_interval(reason_rows, seed),
            "outcome_prediction.accuracy": m.mean_interval(correct, seed),
            "outcome_prediction.f1": m.bootstrap_interval(outcome_rows, m.f1_from_confusion, seed),
        }
        return m.summary(metrics, intervals, self.headline_metrics)


def _predicted_reason_class(evaluation: dict[str, Any]) -> str:
    """The six-way class of a prediction: complete, a reason, terminate without one, or none."""
    outcome = evaluation.get("pred_outcome")
    if outcome == "complete":
        return "complete"
    if outcome == "terminate":
        return str(evaluation.get("pred_terminate_type") or NO_REASON)
    return NO_ANSWER
