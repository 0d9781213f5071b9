"""The eval protocol attacked as an adversarial client would, against `trialscope audit serve
--mode eval` over real `/ws` and dashboard sockets: every attack scores at most 0.15 per task
over the 50-episode suite, and the heuristic with honest confidence still scores 1.00.

Each attacker holds its own token (one submitter each); its score is what the server publishes
at `GET /eval/results` once the attacker has played the whole suite.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.audit.serve_cli import bearer, eval_results, exchange, open_episode_socket, serve_cli
from websockets.sync.client import ClientConnection, connect

from trialscope.audit.agents import HeuristicAgent
from trialscope.audit.difficulty import BIAS_DISTRIBUTIONS, TASK_NAMES, difficulty_of
from trialscope.audit.generator import Episode, generate_episode
from trialscope.audit.models import AuditObservation
from trialscope.audit.rules import TRIAL_RULES
from trialscope.audit.server.eval_suite import submitter_id

pytestmark = pytest.mark.slow
EPISODES = 50
ATTACK_CEILING = 0.15
TOKENS = {
    name: f"{name}-token-0123456789"
    for name in ("heuristic", "replay", "oracle", "seedscan", "dashboard", "forger")
}
Play = Callable[[ClientConnection, dict[str, Any], str, int], None]


@pytest.fixture(scope="module")
def eval_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    log = tmp_path_factory.mktemp("eval-serve") / "serve.log"
    with serve_cli(
        log,
        "--mode",
        "eval",
        token=",".join(TOKENS.values()),
        eval_secret="operator-secret-that-no-client-sees",
        eval_episodes=str(EPISODES),
        eval_batch="10",
    ) as port:
        yield port


def step(ws: ClientConnection, **arguments: Any) -> dict[str, Any]:
    reply = exchange(ws, {"type": "step", "data": arguments})
    assert reply["type"] == "observation", reply
    observation: dict[str, Any] = reply["data"]["observation"]
    observation["reward"] = reply["data"].get("reward")
    observation["done"] = reply["data"].get("done")
    return observation


def pass_the_gate(ws: ClientConnection, task: str) -> None:
    difficulty = difficulty_of(task)
    for variable in difficulty.key_variables:
        step(ws, tool="investigate_pattern", variable=variable)
    if "selection_bias" in difficulty.error_types:
        for variable in BIAS_DISTRIBUTIONS:
            step(ws, tool="compute_distribution", variable=variable)
        step(ws, tool="compute_distribution", variable="outcome", stratify_by="stage")


def replay_flags(ws: ClientConnection, task: str, flags: dict[str, str]) -> None:
    """Flag the given (target -> error type) pairs fully confident while budget lasts, report."""
    pass_the_gate(ws, task)
    trial_targets = {rule.target for rule in TRIAL_RULES.values()}
    for target, error_type in flags.items():
        state = exchange(ws, {"type": "state"})["data"]
        if state["step_budget"] - state["step_count"] <= 1:
            break
        patient = None if target in trial_targets else target
        step(ws, tool="flag_error", patient_id=patient, error_type=error_type, confidence=1.0)
    observation = step(ws, tool="submit_report", report="Findings as flagged.")
    assert observation["done"] and observation["reward"] == 0.0  # withheld until the batch ends


def play_suite(port: int, token: str, play: Play) -> dict[str, Any]:
    """Play all suite episodes of every task with one token; the published results."""
    with open_episode_socket(port, token) as ws:
        for task in TASK_NAMES:
            for index in range(EPISODES):
                reset = exchange(ws, {"type": "reset", "data": {"task": task}})
                assert reset["type"] == "observation", reset
                play(ws, reset["data"]["observation"], task, index)
        refused = exchange(ws, {"type": "reset", "data": {"task": "easy"}})
        assert refused["type"] == "error"
        assert "finished for this token" in refused["data"]["message"]
    return eval_results(port, token)


def assert_attack_fails(results: dict[str, Any]) -> None:
    for task in TASK_NAMES:
        published = results["tasks"][task]
        assert published["complete"] and len(published["scores"]) == EPISODES
        assert published["mean"] <= ATTACK_CEILING, (task, published["mean"])


def test_heuristic_with_honest_confidence_scores_one(eval_server: int) -> None:
    loop = asyncio.new_event_loop()

    def play(ws: ClientConnection, first: dict[str, Any], task: str, index: int) -> None:
        agent = HeuristicAgent()
        observation = AuditObservation(**first)
        agent.reset(observation)
        while not observation.done:
            action = loop.run_until_complete(agent.act(observation))
            assert action is not None
            observation = AuditObservation(**step(ws, tool=action.tool, **action.arguments()))

    try:
        results = play_suite(eval_server, TOKENS["heuristic"], play)
    finally:
        loop.close()
    for task in TASK_NAMES:
        assert results["tasks"][task]["mean"] == 1.0, (task, results["tasks"][task])


def test_train_feedback_replayed_on_eval_episodes_fails(eval_server: int) -> None:
    """Everything train mode can reveal about seed k (its labels), replayed on eval episode k."""

    def play(ws: ClientConnection, first: dict[str, Any], task: str, index: int) -> None:
        replay_flags(ws, task, generate_episode(task, index).labels)

    assert_attack_fails(play_suite(eval_server, TOKENS["replay"], play))


def test_the_final_reward_is_no_oracle(eval_server: int) -> None:
    """Report-only episodes citing candidate pairs: nothing per episode, no episode twice."""
    rewards: set[float | None] = set()
    titles: list[str] = []
    port, token = eval_server, TOKENS["oracle"]

    def play(ws: ClientConnection, first: dict[str, Any], task: str, index: int) -> None:
        titles.append(first["result"]["protocol"]["title"])
        report = "\n".join(f"P{i:04d}: invalid_age (age outside the range)." for i in range(1, 40))
        observation = step(ws, tool="submit_report", report=report)
        rewards.add(observation["reward"])
        assert "withheld" in observation["text"]
        if index == 4:
            early = eval_results(port, token)["tasks"][task]
            assert early["batches"] == [] and early["scores"] is None and early["mean"] is None

    results = play_suite(port, token, play)
    assert rewards == {0.0}
    assert len(set(titles)) == len(titles)  # every reset was a different episode
    batches = results["tasks"]["hard"]["batches"]
    assert [b["episodes"] for b in batches] == [[i, i + 9] for i in range(0, EPISODES, 10)]
    assert_attack_fails(results)


def test_nothing_a_client_sees_rebuilds_the_episode(eval_server: int) -> None:
    """No seed is echoed; every number in the reset observation and state, tried as a seed of
    the public generator, rebuilds another episode."""
    tried: dict[tuple[str, int], Episode] = {}
    matches = 0

    def play(ws: ClientConnection, first: dict[str, Any], task: str, index: int) -> None:
        nonlocal matches
        state = exchange(ws, {"type": "state"})["data"]
        assert "seed" not in first["result"] and state["seed"] is None
        assert not re.fullmatch(r"[0-9a-f]{32}", state["episode_id"])  # not a uuid we chose
        numbers = {
            int(n)
            for n in re.findall(r"\d+", json.dumps([first, state]))
            if (int(n) < 2**32 and int(n) % 97 == 0) or int(n) < 50
        }
        best: Episode | None = None
        for number in sorted(numbers):
            if (task, number) not in tried:
                tried[task, number] = generate_episode(task, number)
            candidate = tried[task, number]
            best = best or candidate
            if candidate.protocol.title == first["result"]["protocol"]["title"]:
                matches += 1
                best = candidate
        replay_flags(ws, task, best.labels if best else {})

    assert_attack_fails(play_suite(eval_server, TOKENS["seedscan"], play))
    assert matches == 0


def test_the_dashboard_does_not_answer_for_eval_episodes(eval_server: int) -> None:
    """Verdicts and missed ids from dashboard runs, replayed on the eval suite."""
    port = eval_server
    answers: dict[tuple[str, int], dict[str, str]] = {}
    with connect(
        f"ws://127.0.0.1:{port}/dashboard/ws", additional_headers=bearer(TOKENS["dashboard"])
    ) as dashboard:
        assert json.loads(str(dashboard.recv(timeout=30)))["type"] == "hello"
        dashboard.send(json.dumps({"type": "run", "task": "hard", "seed": 2**32}))
        refused = json.loads(str(dashboard.recv(timeout=30)))
        assert refused["type"] == "error" and "seed" in refused["message"]
        for task in TASK_NAMES:
            for seed in range(3):
                dashboard.send(json.dumps({"type": "run", "task": task, "seed": seed}))
                while True:
                    message = json.loads(str(dashboard.recv(timeout=120)))
                    if message["type"] in ("finished", "error"):
                        break
                assert message["type"] == "finished"
                flags = {f["patient_id"]: f["error_type"] for f in message["flags"] if f["correct"]}
                fallback = difficulty_of(task).error_types[0]
                flags |= {pid: fallback for pid in message["missed_ids"]}
                answers[task, seed] = flags

    def play(ws: ClientConnection, first: dict[str, Any], task: str, index: int) -> None:
        replay_flags(ws, task, answers[task, index % 3])

    assert_attack_fails(play_suite(port, TOKENS["dashboard"], play))


def test_a_seed_is_refused_and_a_forged_submitter_is_overwritten(eval_server: int) -> None:
    victim = submitter_id(TOKENS["heuristic"])
    with open_episode_socket(eval_server, TOKENS["forger"]) as ws:
        refused = exchange(ws, {"type": "reset", "data": {"task": "easy", "seed": 3}})
        assert refused["type"] == "error" and "no seed" in refused["data"]["message"]
        forged = exchange(ws, {"type": "reset", "data": {"task": "easy", "submitter": victim}})
        assert forged["type"] == "observation"
    # The episode was charged to the forger's own token, not to the named submitter.
    assert eval_results(eval_server, TOKENS["forger"])["tasks"]["easy"]["started"] == 1
