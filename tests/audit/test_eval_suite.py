"""The eval suite and its ledger: secret seeds, one attempt per episode, withheld scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscope.audit.models import AuditAction
from trialscope.audit.server.environment import AuditEnvironment
from trialscope.audit.server.eval_suite import (
    EVAL_SEED_FLOOR,
    EvalLedger,
    EvalSuite,
    SuiteExhaustedError,
)
from trialscope.errors import AuditActionError, InputError

SECRET = b"a-secret-of-at-least-16-bytes"


def test_suite_seeds_are_secret_stable_and_outside_the_public_space() -> None:
    suite = EvalSuite(SECRET, 5, 5)
    seeds = [suite.seed("hard", i) for i in range(5)]
    assert seeds == [EvalSuite(SECRET, 5, 5).seed("hard", i) for i in range(5)]
    assert len(set(seeds)) == 5 and all(seed >= EVAL_SEED_FLOOR for seed in seeds)
    assert seeds != [EvalSuite(SECRET + b"!", 5, 5).seed("hard", i) for i in range(5)]
    assert suite.seed("easy", 0) != suite.seed("hard", 0)
    assert SECRET.decode() not in suite.fingerprint() and SECRET.decode() not in repr(suite)
    with pytest.raises(ValueError, match="16 bytes"):
        EvalSuite(b"short")


def test_abandoned_episodes_count_and_the_suite_ends(tmp_path: Path) -> None:
    journal = tmp_path / "ledger.jsonl"
    ledger = EvalLedger(EvalSuite(SECRET, 3, 3), journal)
    env = AuditEnvironment(mode="eval", ledger=ledger)
    first = env.reset(task="easy", submitter="s1")
    assert "seed" not in (first.result or {}) and env.state.seed is None
    env.step(AuditAction(tool="investigate_pattern", variable="age"))
    second = env.reset(task="easy", submitter="s1")  # abandons the first: it counts as played
    assert second.text != first.text
    assert ledger.results("s1", ("easy",))["tasks"]["easy"]["finished"] == 1
    env.close()
    assert ledger.results("s1", ("easy",))["tasks"]["easy"]["batches"] == []
    env.reset(task="easy", submitter="s1")
    done = env.step(AuditAction(tool="submit_report", report="nothing"))
    assert done.done and done.reward == 0.0 and "withheld" in done.text
    with pytest.raises(SuiteExhaustedError):
        env.reset(task="easy", submitter="s1")
    published = ledger.results("s1", ("easy",))["tasks"]["easy"]
    assert published["complete"] and published["scores"] == [0.0, 0.0, 0.0]
    assert ledger.results("s2", ("easy",))["tasks"]["easy"]["started"] == 0
    # A restarted server keeps every attempt.
    again = EvalLedger(EvalSuite(SECRET, 3, 3), journal)
    assert again.results("s1", ("easy",))["tasks"]["easy"] == published
    with pytest.raises(SuiteExhaustedError):
        again.start("s1", "easy")


def test_an_eval_server_environment_takes_no_seed_and_local_seeds_stay_public() -> None:
    env = AuditEnvironment(mode="eval", ledger=EvalLedger(EvalSuite(SECRET, 2, 1)))
    with pytest.raises(AuditActionError, match="no seed"):
        env.reset(task="easy", seed=3)
    with pytest.raises(AuditActionError, match="seed must be from 0"):
        AuditEnvironment(mode="train").reset(task="easy", seed=EVAL_SEED_FLOOR)
    with pytest.raises(ValueError, match="needs eval mode"):
        AuditEnvironment(mode="train", ledger=EvalLedger(EvalSuite(SECRET, 2, 1)))


def test_a_corrupt_ledger_names_its_line(tmp_path: Path) -> None:
    journal = tmp_path / "ledger.jsonl"
    journal.write_text('{"event": "start", "submitter": "s", "task": "easy", "index": 0}\nnope\n')
    with pytest.raises(InputError, match=r"ledger\.jsonl:2: not an eval ledger line"):
        EvalLedger(EvalSuite(SECRET, 3, 3), journal)
