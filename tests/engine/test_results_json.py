"""results.json is written row by row through the C encoder: the same document as before."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from trialscope.engine.journal import result_fields
from trialscope.engine.task_run import results_json
from trialscope.tasks.base import SampleResult


@dataclass
class Ranking:
    order: list[str]


def _results(seed: int, n: int) -> list[SampleResult]:
    rng = np.random.default_rng(seed)
    words = ["naïve", "β-blocker", "日本", 'quote"d', "back\\slash", "tab\there", "line\nbreak", ""]
    out = []
    for index in range(n):
        text = " ".join(rng.choice(words, size=int(rng.integers(0, 6))))
        prediction: object = [Ranking([text]), None, float(rng.random()), {"k": [1, 2.5e-07]}][
            index % 4
        ]
        out.append(
            SampleResult(
                sample_id=f"s{index}",
                input={"text": text, "nested": {"values": [int(rng.integers(-5, 5)), True]}},
                prediction=prediction,
                evaluation={"score": float(rng.random()), "calibration": [[0.3, 1]]},
                status=["ok", "parse_error", "error"][index % 3],
                error=None if index % 3 == 0 else text,
                raw_responses=[text],
                cost_usd=float(rng.random()) * 1e-5,
                latency_s=float(rng.random()),
                messages=[[{"role": "user", "content": text}]],
            )
        )
    return out


def test_results_json_is_the_indented_document_with_one_result_per_line() -> None:
    head = {"task": "t", "model": "m", "timestamp": "20260101_000000", "metrics": {"a": 0.5}}
    for seed in range(5):
        results = _results(seed, 37)
        written = results_json(head, results)
        before = json.dumps(
            {**head, "results": [result_fields(r) for r in results]},
            indent=2,
            ensure_ascii=False,
            default=str,
        )
        assert json.loads(written) == json.loads(before)
        assert written.endswith("\n") and len(written.splitlines()) == len(results) + 10
    assert json.loads(results_json(head, [])) == {**head, "results": []}
