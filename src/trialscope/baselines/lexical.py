"""`baseline/lexical`: the real lexical and linear methods, trained on each task's train split."""

from __future__ import annotations

from trialscope.baselines.completion_classifier import CompletionClassifier
from trialscope.baselines.key_terms import KeyTermQuery
from trialscope.baselines.option_ranker import LexicalChoice
from trialscope.baselines.per_task import PerTaskBaseline, TaskAnswerer, require_train
from trialscope.baselines.sample_size_regressor import SampleSizeRegressor
from trialscope.baselines.screening_scorer import LexicalScreening
from trialscope.tasks.base import AnswerKind, Sample, Task


class LexicalBaseline(PerTaskBaseline):
    """Key-term search queries, similarity screening and choice, logistic completion, kNN size."""

    name = "baseline/lexical"

    def build(self, kind: AnswerKind, task: Task, train: list[Sample]) -> TaskAnswerer:
        require_train(self.name, task, train)
        if kind is AnswerKind.RANKING:
            return KeyTermQuery().fit(train)
        if kind is AnswerKind.SCREENING:
            return LexicalScreening().fit(train)
        if kind is AnswerKind.OUTCOME:
            return CompletionClassifier().fit(train)
        if kind is AnswerKind.CHOICE:
            return LexicalChoice().fit(train)
        return SampleSizeRegressor().fit(train)
