"""Reasoning models: which models they are, and the `<think>` blocks some models write."""

from __future__ import annotations

import re
from collections.abc import Iterable

REASONING_FAMILIES = ("o1", "o3", "o4", "gpt-5")
"""Model families that take `reasoning_effort` and `max_completion_tokens` and no temperature."""

_THINK_BLOCK = re.compile(r"<think>(.*?)</think>", re.DOTALL | re.IGNORECASE)
_UNCLOSED_THINK = re.compile(r"<think>(.*)\Z", re.DOTALL | re.IGNORECASE)
_ORPHAN_CLOSE = re.compile(r"\A(.*?)</think>", re.DOTALL | re.IGNORECASE)
_ANY_TAG = re.compile(r"</?think>", re.IGNORECASE)
"""What each pattern above needs. Most answers have none, and _ORPHAN_CLOSE alone took 0.4 ms
on a 16 KB answer (a lazy scan from the start), against microseconds for this search."""


def is_reasoning_model(model: str, extra: Iterable[str] = ()) -> bool:
    """True for the o1/o3/o4/gpt-5 families and for names (or prefixes) listed in `extra`."""
    bare = model.rsplit("/", 1)[-1].lower()
    for family in REASONING_FAMILIES:
        if bare == family or bare.startswith((family + "-", family + ".", family + "_")):
            return True
    return any(bare == name.lower() or bare.startswith(name.lower()) for name in extra if name)


def split_thinking(text: str) -> tuple[str, str]:
    """Return `(answer, reasoning)`: `<think>` blocks removed from the answer and kept apart.

    An unclosed `<think>` (answer cut off mid-thought) is reasoning to the end; a lone `</think>`
    (servers that put the opening tag in the prompt) closes reasoning that began at the start.
    """
    if not _ANY_TAG.search(text):
        return text.strip(), ""
    return _split_tags(text)


def _split_tags(text: str) -> tuple[str, str]:
    """`split_thinking` for a text with a `<think>` or `</think>` tag."""
    thoughts = [match.strip() for match in _THINK_BLOCK.findall(text)]
    answer = _THINK_BLOCK.sub("", text)
    orphan = _ORPHAN_CLOSE.match(answer)
    if orphan and "<think>" not in orphan.group(1).lower():
        thoughts.insert(0, orphan.group(1).strip())
        answer = answer[orphan.end() :]
    unclosed = _UNCLOSED_THINK.search(answer)
    if unclosed:
        thoughts.append(unclosed.group(1).strip())
        answer = answer[: unclosed.start()]
    return answer.strip(), "\n\n".join(thought for thought in thoughts if thought)
