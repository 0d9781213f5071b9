"""Small synthetic train/test sets in the spec's record layout, with a learnable signal per task."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from trialscope.baselines.answer_text import TERMINATION_REASONS
from trialscope.tasks.base import Sample

N_TOPICS = 12
TOPIC_WORDS = 14
SYLLABLES = ("ka", "lo", "mi", "ne", "pu", "ra", "si", "to", "vu", "ze", "bor", "dan", "fel")
COMMON = (
    "randomised",
    "controlled",
    "trials",
    "participants",
    "adults",
    "children",
    "outcome",
    "treatment",
    "placebo",
    "compared",
    "review",
    "assess",
    "effects",
    "intervention",
    "studies",
    "included",
    "patients",
)


class RawRecord(BaseModel):
    """Stands in for a task's record model: keeps every field of the raw JSON."""

    model_config = ConfigDict(extra="allow")


def make_sample(sample_id: str, raw: dict[str, Any]) -> Sample:
    """A Sample whose record holds the raw dict."""
    return Sample(sample_id=sample_id, record=RawRecord(**raw), raw=raw)


def topic_vocabulary(seed: int = 7) -> list[list[str]]:
    """N_TOPICS disjoint lists of made-up medical-sounding words."""
    rng = np.random.default_rng(seed)
    seen: set[str] = set()
    topics: list[list[str]] = []
    for _ in range(N_TOPICS):
        words: list[str] = []
        while len(words) < TOPIC_WORDS:
            word = "".join(rng.choice(SYLLABLES, size=3)) + "ine"
            if word not in seen:
                seen.add(word)
                words.append(word)
        topics.append(words)
    return topics


def _text(rng: np.random.Generator, topic: list[str], n_topic: int, n_common: int) -> str:
    words = list(rng.choice(topic, size=n_topic)) + list(rng.choice(COMMON, size=n_common))
    rng.shuffle(words)
    return " ".join(str(word) for word in words)


def search_and_screening(
    n_reviews: int, seed: int, vocabulary: list[list[str]]
) -> tuple[list[Sample], list[Sample], list[dict[str, str]]]:
    """Search samples, screening samples and the candidate-study corpus they share."""
    rng = np.random.default_rng(seed)
    search, screening, corpus = [], [], []
    for review in range(n_reviews):
        topic_index = int(rng.integers(N_TOPICS))
        topic = vocabulary[topic_index]
        other = vocabulary[(topic_index + 1 + int(rng.integers(N_TOPICS - 1))) % N_TOPICS]
        inputs = {
            "background": _text(rng, topic, 4, 12),
            "objectives": _text(rng, topic, 5, 6),
            "selection criteria": _text(rng, topic, 5, 8),
        }
        context, labels = [], []
        for study in range(8):
            included = study < 3
            words = topic if included else (other if study % 2 else vocabulary[rng.integers(12)])
            pmid = f"{seed}{review:03d}{study:02d}"
            title = _text(rng, words, 3 if included else 1, 4)
            mixed = _text(rng, topic, 1, 6) if not included else ""
            abstract = _text(rng, words, 6 if included else 4, 20) + " " + mixed
            context.append({"PMID": pmid, "title": title, "abstract": abstract})
            labels.append({"PMID": pmid, "label": "included" if included else "excluded"})
        order = rng.permutation(len(context))
        context = [context[i] for i in order]
        corpus.extend(context)
        relevant = [item["PMID"] for item in labels if item["label"] == "included"]
        search_raw = {
            "inputs": inputs,
            "labels": relevant,
            "metadata": {"review_pmid": str(review)},
        }
        screening_raw = {
            "inputs": inputs,
            "context": context,
            "labels": labels,
            "metadata": {"PMID": f"r{seed}{review}"},
        }
        search.append(make_sample(f"search-{seed}-{review}", search_raw))
        screening.append(make_sample(f"screen-{seed}-{review}", screening_raw))
    return search, screening, corpus


def completion(n_trials: int, seed: int) -> list[Sample]:
    """Trials whose phase, masking and wording signal completion and the termination reason."""
    rng = np.random.default_rng(seed)
    reason_words = {
        "enrollment issues": "slow accrual recruitment difficult",
        "feasibility": "logistics funding complex sites",
        "lack of efficacy": "futility interim endpoint",
        "regulatory/approval": "sponsor approval agency",
        "safety issues": "toxicity adverse hepatotoxicity",
    }
    samples = []
    for index in range(n_trials):
        terminated = rng.random() < 0.35
        reason = str(rng.choice(TERMINATION_REASONS)) if terminated else None
        risky = rng.random() < (0.75 if terminated else 0.2)
        words = reason_words[reason] if reason and rng.random() < 0.8 else "standard care"
        raw: dict[str, Any] = {
            "metadata": {"study_nctid": f"NCT{seed:02d}{index:06d}"},
            "inputs": {
                "title": f"Study of {words} in {rng.choice(COMMON)} patients",
                "allocation": "randomized" if not risky else "non-randomized",
                "intervention_model": "parallel" if rng.random() < 0.7 else "single group",
                "observational_model": "",
                "primary_purpose": "treatment",
                "time_perspective": "",
                "masking": "none" if risky else "double",
                "phase": "phase 1" if risky else "phase 3",
                "number_of_arms": int(rng.integers(1, 4)),
            },
            "context": [
                {
                    "type": "eligibility_criteria",
                    "criteria": f"adults~{words}~consent",
                    "gender": "all",
                    "minimum_age": "18 Years",
                    "maximum_age": "N/A",
                    "healthy_volunteers": "no",
                },
                {
                    "type": "arm_design",
                    "arms": [
                        {"title": "Arm A", "group_type": "experimental", "description": words}
                    ],
                },
            ],
            "labels": {
                "outcome": "terminate" if terminated else "complete",
                "terminate_type": reason,
                "terminate_reason_desc": words,
            },
        }
        samples.append(make_sample(f"NCT{seed:02d}{index:06d}", raw))
    return samples


def multiple_choice(n_questions: int, seed: int, vocabulary: list[list[str]]) -> list[Sample]:
    """Questions describing a trial; the right option shares its topic words."""
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(n_questions):
        topics = rng.choice(N_TOPICS, size=4, replace=False)
        correct = int(rng.choice(4, p=[0.4, 0.2, 0.2, 0.2]))
        question = "Which arms belong to this trial? " + _text(rng, vocabulary[topics[0]], 6, 8)
        texts = [_text(rng, vocabulary[t], 4, 6) for t in topics[1:]]
        texts.insert(correct, _text(rng, vocabulary[topics[0]], 4, 6))
        options = {chr(ord("A") + i): text for i, text in enumerate(texts)}
        raw: dict[str, Any] = {
            "id": f"q{seed}-{index}",
            "question": question,
            "options": options,
            "answer": chr(ord("A") + correct),
        }
        samples.append(make_sample(str(raw["id"]), raw))
    return samples


def sample_size(n_questions: int, seed: int, vocabulary: list[list[str]]) -> list[Sample]:
    """Trial descriptions whose topic sets the enrolment (within a few percent)."""
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(n_questions):
        topic = int(rng.integers(N_TOPICS))
        size = round(40 * 1.5**topic * float(rng.uniform(0.95, 1.05)))
        raw: dict[str, Any] = {
            "id": f"s{seed}-{index}",
            "question": _text(rng, vocabulary[topic], 8, 10),
            "answer": size,
            "answer_type": "total",
            "trial_id": f"NCT{index:08d}",
            "pmid": str(index),
            "explanation": "",
        }
        samples.append(make_sample(str(raw["id"]), raw))
    return samples
