"""The benchmark tasks: the task contract, the registry, record layouts and loading.

What a task author or a user of the tasks imports::

    from trialscope.tasks import Task, AnswerKind, Sample, Request, Parsed, get_task
"""

from trialscope.tasks.base import AnswerKind, Parsed, Request, Sample, SampleResult, Task
from trialscope.tasks.completion_record import CompletionRecord
from trialscope.tasks.loading import (
    BenchmarkDataError,
    load_samples,
    resolve_benchmark_root,
)
from trialscope.tasks.multiple_choice import MultipleChoiceRecord
from trialscope.tasks.prompting import chat_request
from trialscope.tasks.record_base import TaskRecord
from trialscope.tasks.registry import (
    ENTRY_POINT_GROUP,
    TaskRegistry,
    UnknownTaskError,
    canonical_name,
    default_registry,
    get_task,
    task_names,
)
from trialscope.tasks.sample_size import SampleSizeRecord
from trialscope.tasks.study_screening import ScreeningRecord
from trialscope.tasks.study_search import SearchRecord

__all__ = [
    "ENTRY_POINT_GROUP",
    "AnswerKind",
    "BenchmarkDataError",
    "CompletionRecord",
    "MultipleChoiceRecord",
    "Parsed",
    "Request",
    "Sample",
    "SampleResult",
    "SampleSizeRecord",
    "ScreeningRecord",
    "SearchRecord",
    "Task",
    "TaskRecord",
    "TaskRegistry",
    "UnknownTaskError",
    "canonical_name",
    "chat_request",
    "default_registry",
    "get_task",
    "load_samples",
    "resolve_benchmark_root",
    "task_names",
]
