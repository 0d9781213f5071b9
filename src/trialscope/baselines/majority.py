"""`baseline/majority`: the floor. Always the most frequent answer seen in train."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from trialscope.baselines.answer_text import (
    ScreeningDecision,
    choice_answer,
    completion_answer,
    sample_size_answer,
    screening_answer,
    search_answer,
)
from trialscope.baselines.per_task import PerTaskBaseline, TaskAnswerer, require_train
from trialscope.baselines.record_text import (
    choice_label,
    choice_options,
    completion_label,
    review_sections,
    sample_size_label,
    screening_labels,
)
from trialscope.baselines.screening_batches import request_batches
from trialscope.baselines.text_vectors import WORD_PATTERN
from trialscope.errors import InputError
from trialscope.tasks.base import AnswerKind, Sample, Task

QUERY_WORDS = 8
T = TypeVar("T")


def most_common(values: list[T]) -> tuple[T, float]:
    """The most frequent value (ties: the first seen) and its share."""
    counts = Counter(values)
    value, count = counts.most_common(1)[0]
    return value, count / len(values)


@dataclass
class MajoritySearch:
    """The same query for every review: the most frequent words of train titles/objectives."""

    query: str

    def answer(self, task: Task, sample: Sample) -> list[str]:
        return [search_answer(self.query)]


def frequent_words_query(train: list[Sample], n_words: int = QUERY_WORDS) -> str:
    """The words found in most train reviews' titles and objectives, joined by OR.

    Reviews without either section contribute all their sections instead.
    """
    texts = []
    for sample in train:
        sections = review_sections(sample)
        focus = " ".join(sections.get(key, "") for key in ("title", "objectives")).strip()
        texts.append(focus or " ".join(sections.values()))
    counter = CountVectorizer(stop_words="english", token_pattern=WORD_PATTERN, binary=True)
    try:
        counts = np.asarray(counter.fit_transform(texts).sum(axis=0)).ravel()
    except ValueError:  # no train review holds a single word
        return ""
    words = counter.get_feature_names_out()
    order = sorted(range(len(words)), key=lambda index: (-counts[index], words[index]))
    return " OR ".join(str(words[index]) for index in order[:n_words])


@dataclass
class MajorityScreening:
    """Every candidate gets the most frequent train label."""

    included: bool
    share: float

    def answer(self, task: Task, sample: Sample) -> list[str]:
        return [
            screening_answer(ScreeningDecision(pmid, self.included, self.share) for pmid in batch)
            for batch in request_batches(task, sample)
        ]


@dataclass
class MajorityCompletion:
    """The most frequent outcome, and the most frequent reason among terminated trials."""

    outcome: str
    share: float
    reason: str | None

    def answer(self, task: Task, sample: Sample) -> list[str]:
        explanation = (
            f"'{self.outcome}' is the most frequent outcome in the training trials "
            f"({self.share:.0%})."
        )
        if self.reason is not None:
            explanation += f" The most frequent termination reason there is {self.reason}."
        return [completion_answer(self.outcome, self.share, self.reason, explanation)]


@dataclass
class MajorityChoice:
    """The option position that is most often correct in train."""

    letters_by_frequency: list[str]

    def answer(self, task: Task, sample: Sample) -> list[str]:
        letters = [letter for letter, _ in choice_options(sample)]
        letter = next((item for item in self.letters_by_frequency if item in letters), letters[0])
        thinking = f"Option {letter} is the most frequently correct position in the training set."
        return [choice_answer(letter, thinking)]


@dataclass
class MajoritySampleSize:
    """The median train sample size."""

    median: int

    def answer(self, task: Task, sample: Sample) -> list[str]:
        thinking = f"The median sample size of the training trials is {self.median}."
        return [sample_size_answer(self.median, thinking)]


class MajorityBaseline(PerTaskBaseline):
    """Most frequent class, option letter, median sample size, frequent-word search query."""

    name = "baseline/majority"

    def build(self, kind: AnswerKind, task: Task, train: list[Sample]) -> TaskAnswerer:
        require_train(self.name, task, train)
        if kind is AnswerKind.RANKING:
            return MajoritySearch(frequent_words_query(train))
        if kind is AnswerKind.SCREENING:
            labels = [included for s in train for included in screening_labels(s).values()]
            if not labels:
                raise InputError(f"{self.name}: task {task.name!r} train has no labelled studies")
            included, share = most_common(labels)
            return MajorityScreening(included, share)
        if kind is AnswerKind.OUTCOME:
            outcomes = [completion_label(sample) for sample in train]
            outcome, share = most_common([item[0] for item in outcomes])
            reasons = [reason for _, reason in outcomes if reason is not None]
            reason = most_common(reasons)[0] if reasons else None
            return MajorityCompletion(outcome, share, reason if outcome == "terminate" else None)
        if kind is AnswerKind.CHOICE:
            counts = Counter(choice_label(sample) for sample in train)
            ranked = sorted(counts, key=lambda letter: (-counts[letter], letter))
            return MajorityChoice(ranked)
        sizes = [sample_size_label(sample) for sample in train]
        return MajoritySampleSize(round(float(np.median(sizes))))
