"""Reasoning-model detection and `<think>` stripping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscope.models.reasoning import _split_tags, is_reasoning_model, split_thinking


@pytest.mark.parametrize(
    "name", ["o1", "o1-mini", "o3-mini", "o3", "o4-mini", "gpt-5", "gpt-5-mini", "azure/o3-mini"]
)
def test_reasoning_families(name: str) -> None:
    assert is_reasoning_model(name)


@pytest.mark.parametrize("name", ["gpt-4o", "gpt-4o-mini", "o10x", "llama-3-o1", "gpt-50"])
def test_other_models(name: str) -> None:
    assert not is_reasoning_model(name)


def test_models_marked_in_config() -> None:
    assert is_reasoning_model("deepseek-r1-distill", ["deepseek-r1"])
    assert is_reasoning_model("my-deploy", ["my-deploy"])


def test_think_blocks_are_moved_to_reasoning() -> None:
    assert split_thinking('<think>step 1\nstep 2</think>\n{"a": 1}') == (
        '{"a": 1}',
        "step 1\nstep 2",
    )
    assert split_thinking("<THINK>a</THINK>B<think>c</think>") == ("B", "a\n\nc")


def test_an_unclosed_think_is_all_reasoning() -> None:
    assert split_thinking("Answer: B <think>but maybe") == ("Answer: B", "but maybe")


def test_a_lone_closing_tag_ends_reasoning_from_the_start() -> None:
    assert split_thinking("thinking here</think>B") == ("B", "thinking here")


safe_text = st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=80)


@given(answer=safe_text, thought=safe_text)
def test_thoughts_never_reach_the_answer(answer: str, thought: str) -> None:
    text, reasoning = split_thinking(f"<think>{thought}</think>{answer}")
    assert text == answer.strip()
    assert reasoning == thought.strip()


@given(text=safe_text)
def test_text_without_tags_is_unchanged(text: str) -> None:
    assert split_thinking(text) == (text.strip(), "")


_PIECES = ["<think>", "</think>", "<THINK>", "</Think>", "<thin", "k>", "<", ">", "/", "ok ", "\n"]
_PIECES += ["answer: B", "\u212a", "<thin\u212a>", " ", "reasoning"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
def test_the_no_tag_shortcut_splits_as_the_full_path_does(text: str) -> None:
    # split_thinking skips its three patterns when no tag is found; the result must not change.
    assert split_thinking(text) == _split_tags(text)
