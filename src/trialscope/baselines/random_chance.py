"""`baseline/random`: seeded chance level; each sample's answer depends only on its id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from trialscope.baselines.answer_text import (
    TERMINATION_REASONS,
    ScreeningDecision,
    choice_answer,
    completion_answer,
    sample_size_answer,
    screening_answer,
    search_answer,
)
from trialscope.baselines.per_task import PerTaskBaseline, TaskAnswerer, require_train
from trialscope.baselines.record_text import (
    choice_options,
    review_full_text,
    sample_size_label,
)
from trialscope.baselines.screening_batches import request_batches
from trialscope.baselines.text_vectors import WORD_PATTERN
from trialscope.errors import InputError
from trialscope.tasks.base import AnswerKind, Sample, Task

QUERY_WORDS = 8
CHANCE_CONFIDENCE = 0.5


def sample_rng(seed: int, task: Task, sample: Sample) -> np.random.Generator:
    """A generator seeded by (seed, task, sample id): reproducible and order-independent."""
    key = f"{seed}\x1f{task.name}\x1f{sample.sample_id}".encode()
    return np.random.default_rng(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


@dataclass
class RandomSearch:
    """A query of words drawn uniformly from the train reviews' vocabulary."""

    vocabulary: list[str]
    seed: int

    def answer(self, task: Task, sample: Sample) -> list[str]:
        rng = sample_rng(self.seed, task, sample)
        size = min(QUERY_WORDS, len(self.vocabulary))
        picks = rng.choice(len(self.vocabulary), size=size, replace=False)
        return [search_answer(" OR ".join(self.vocabulary[index] for index in sorted(picks)))]


@dataclass
class RandomScreening:
    """Include or exclude each candidate with a fair coin."""

    seed: int

    def answer(self, task: Task, sample: Sample) -> list[str]:
        rng = sample_rng(self.seed, task, sample)
        return [
            screening_answer(
                ScreeningDecision(pmid, bool(rng.random() < 0.5), CHANCE_CONFIDENCE)
                for pmid in batch
            )
            for batch in request_batches(task, sample)
        ]


@dataclass
class RandomCompletion:
    """A fair coin for the outcome; a uniform termination reason when it says terminate."""

    seed: int

    def answer(self, task: Task, sample: Sample) -> list[str]:
        rng = sample_rng(self.seed, task, sample)
        outcome = "terminate" if rng.random() < 0.5 else "complete"
        reason = str(rng.choice(TERMINATION_REASONS))
        chosen = reason if outcome == "terminate" else None
        explanation = "Chance-level guess (seeded by the sample id)."
        return [completion_answer(outcome, CHANCE_CONFIDENCE, chosen, explanation)]


@dataclass
class RandomChoice:
    """A uniformly drawn option letter."""

    seed: int

    def answer(self, task: Task, sample: Sample) -> list[str]:
        rng = sample_rng(self.seed, task, sample)
        letters = [letter for letter, _ in choice_options(sample)]
        letter = letters[int(rng.integers(len(letters)))]
        return [choice_answer(letter, "Chance-level guess (seeded by the sample id).")]


@dataclass
class RandomSampleSize:
    """A sample size drawn from the train answers."""

    sizes: list[int]
    seed: int

    def answer(self, task: Task, sample: Sample) -> list[str]:
        rng = sample_rng(self.seed, task, sample)
        size = self.sizes[int(rng.integers(len(self.sizes)))]
        return [sample_size_answer(size, "A train sample size drawn at random.")]


class RandomBaseline(PerTaskBaseline):
    """Uniform guesses over each task's answer space (sample sizes from the train distribution)."""

    name = "baseline/random"

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.seed = seed

    def build(self, kind: AnswerKind, task: Task, train: list[Sample]) -> TaskAnswerer:
        if kind is AnswerKind.RANKING:
            require_train(self.name, task, train)
            counter = CountVectorizer(stop_words="english", token_pattern=WORD_PATTERN)
            try:
                counter.fit(review_full_text(sample) for sample in train)
            except ValueError as error:  # raised when no train review holds a single word
                raise InputError(f"{self.name}: task {task.name!r}: {error}") from error
            vocabulary = [str(word) for word in counter.get_feature_names_out()]
            return RandomSearch(vocabulary, self.seed)
        if kind is AnswerKind.SCREENING:
            return RandomScreening(self.seed)
        if kind is AnswerKind.OUTCOME:
            return RandomCompletion(self.seed)
        if kind is AnswerKind.CHOICE:
            return RandomChoice(self.seed)
        require_train(self.name, task, train)
        sizes = sorted(sample_size_label(sample) for sample in train)
        return RandomSampleSize(sizes, self.seed)
