"""The benchmark tasks: the task contract, the registry, record layouts and loading.

What a task author or a user of the tasks imports::

    from trialscope.tasks import Task, AnswerKind, Sample, Request, Parsed, get_task
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trialscope.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from trialscope.tasks.base import (
        AnswerKind as AnswerKind,
    )
    from trialscope.tasks.base import (
        Parsed as Parsed,
    )
    from trialscope.tasks.base import (
        Request as Request,
    )
    from trialscope.tasks.base import (
        Sample as Sample,
    )
    from trialscope.tasks.base import (
        SampleResult as SampleResult,
    )
    from trialscope.tasks.base import (
        Task as Task,
    )
    from trialscope.tasks.completion_record import (
        CompletionRecord as CompletionRecord,
    )
    from trialscope.tasks.loading import (
        BenchmarkDataError as BenchmarkDataError,
    )
    from trialscope.tasks.loading import (
        load_samples as load_samples,
    )
    from trialscope.tasks.loading import (
        resolve_benchmark_root as resolve_benchmark_root,
    )
    from trialscope.tasks.multiple_choice import (
        MultipleChoiceRecord as MultipleChoiceRecord,
    )
    from trialscope.tasks.prompting import (
        chat_request as chat_request,
    )
    from trialscope.tasks.record_base import (
        TaskRecord as TaskRecord,
    )
    from trialscope.tasks.registry import (
        ENTRY_POINT_GROUP as ENTRY_POINT_GROUP,
    )
    from trialscope.tasks.registry import (
        TaskRegistry as TaskRegistry,
    )
    from trialscope.tasks.registry import (
        UnknownTaskError as UnknownTaskError,
    )
    from trialscope.tasks.registry import (
        canonical_name as canonical_name,
    )
    from trialscope.tasks.registry import (
        default_registry as default_registry,
    )
    from trialscope.tasks.registry import (
        get_task as get_task,
    )
    from trialscope.tasks.registry import (
        task_names as task_names,
    )
    from trialscope.tasks.sample_size import (
        SampleSizeRecord as SampleSizeRecord,
    )
    from trialscope.tasks.study_screening import (
        ScreeningRecord as ScreeningRecord,
    )
    from trialscope.tasks.study_search import (
        SearchRecord as SearchRecord,
    )

# Loaded on first use, so importing one submodule (say `.base`) stays cheap.
_SOURCES: dict[str, str] = {
    "AnswerKind": "trialscope.tasks.base",
    "Parsed": "trialscope.tasks.base",
    "Request": "trialscope.tasks.base",
    "Sample": "trialscope.tasks.base",
    "SampleResult": "trialscope.tasks.base",
    "Task": "trialscope.tasks.base",
    "CompletionRecord": "trialscope.tasks.completion_record",
    "BenchmarkDataError": "trialscope.tasks.loading",
    "load_samples": "trialscope.tasks.loading",
    "resolve_benchmark_root": "trialscope.tasks.loading",
    "MultipleChoiceRecord": "trialscope.tasks.multiple_choice",
    "chat_request": "trialscope.tasks.prompting",
    "TaskRecord": "trialscope.tasks.record_base",
    "ENTRY_POINT_GROUP": "trialscope.tasks.registry",
    "TaskRegistry": "trialscope.tasks.registry",
    "UnknownTaskError": "trialscope.tasks.registry",
    "canonical_name": "trialscope.tasks.registry",
    "default_registry": "trialscope.tasks.registry",
    "get_task": "trialscope.tasks.registry",
    "task_names": "trialscope.tasks.registry",
    "SampleSizeRecord": "trialscope.tasks.sample_size",
    "ScreeningRecord": "trialscope.tasks.study_screening",
    "SearchRecord": "trialscope.tasks.study_search",
}

__all__ = sorted(_SOURCES)

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
