"""The parser's fast patterns find exactly what the plain ones they replace found.

Long answers made the plain patterns slow (every position of the text tried), so some are
written to start with a character class or are skipped by a cheap necessary test. The readings
must not move: each fast form is compared here with the plain form, on the answer corpus and on
generated text made of the characters and words these patterns look at.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.tasks.answer_corpus import count_corpus, letter_corpus

from trialscope.tasks import answer_parsing as parsing

PLAIN_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,]*\d)"
PEOPLE = parsing._PEOPLE
PLAIN_AND_FAST = [
    (re.compile(r"(?<![\d,.])" + PLAIN_NUMBER), parsing._ANY_NUMBER),
    (
        re.compile(r"(?<![\d,.])" + PLAIN_NUMBER + r"\s*" + PEOPLE + r"\b", re.I),
        parsing._PEOPLE_COUNT,
    ),
    (
        re.compile(r"(?<![\d,.])" + PLAIN_NUMBER + r"\s*(?:-|–|to|and|or)\s*" + PLAIN_NUMBER, re.I),
        parsing._COUNT_RANGE,
    ),
    (
        re.compile(r"(?<![\d,])" + PLAIN_NUMBER + r"\s+(?:" + PEOPLE + r"\s+)?in\s+total", re.I),
        parsing._COUNT_PATTERNS[2],
    ),
    (
        re.compile(parsing._CUE + parsing._LINK + r"\b([A-Za-z])\b(?![\w'])(?:\s*([a-z]\w*))?"),
        parsing._CHOSEN,
    ),
    (
        re.compile(r"\b(?i:not)\s+(?:(?i:option)\s+)?\(?([A-Z])\b(?![\w'])"),
        parsing._NEGATED_LETTER,
    ),
]
WORDS = [
    "n",
    "N",
    "NOT",
    "knot",
    "_not",
    "not B",
    "1",
    "12",
    "120",
    "1,200",
    "1,20",
    "3.5",
    ".",
    ",",
    "-",
    "–",
    " ",
    "\n",
    "to",
    "or",
    "and",
    "in total",
    "patients",
    "participants",
    "women",
    "n =",
    "A",
    "B",
    "c",
    "d",
    "is",
    "the",
    "correct",
    "right",
    "best",
    "answer",
    "Answer:",
    "option",
    "Option",
    "choice",
    "I'd go with",
    "it's",
    "It is",
    "probably",
    "likely",
    "not",
    "select",
    "pick",
    "final answer",
    "my choice",
    "*",
    "(",
    ")",
    '"',
    "'",
    "ſ",
    "K",
    "İ",
    "ı",
    "x",
]
TEXTS = st.lists(st.sampled_from(WORDS), max_size=30).map("".join)


def corpus_texts() -> list[str]:
    return [text for text, _ in letter_corpus()] + [text for text, _ in count_corpus()]


def found(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str, ...]]]:
    return [(match.span(), match.groups()) for match in pattern.finditer(text)]


def test_fast_patterns_match_the_plain_ones_on_the_corpus() -> None:
    for text in corpus_texts():
        for plain, fast in PLAIN_AND_FAST:
            assert found(fast, text) == found(plain, text), (fast.pattern, text)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_fast_patterns_match_the_plain_ones_on_generated_text(text: str) -> None:
    for plain, fast in PLAIN_AND_FAST:
        assert found(fast, text) == found(plain, text), (fast.pattern, text)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_a_letter_first_claim_always_contains_the_cheap_test(text: str) -> None:
    # _letter_in_prose runs _LETTER_FIRST only where _CORRECT_CLAIM finds something.
    if parsing._LETTER_FIRST.search(text):
        assert parsing._CORRECT_CLAIM.search(text)


def test_the_cue_initials_cover_every_cue_under_unicode_case_folding() -> None:
    initial = re.compile(parsing._CUE_INITIAL)
    cue = re.compile(parsing._CUE)
    for codepoint in range(0x250):  # Latin, Latin-1, extended Latin: where case folding bites
        char = chr(codepoint)
        for word in ("inal answer", "nswer", "hoose", "ption", "t is", "ikely", "elect", "o with"):
            text = char + word
            if cue.match(text):
                assert initial.match(text), text
    for special in ("ſelect", "İt is", "ıt is", "Kelvin"):
        assert bool(initial.match(special)) or not cue.match(special)


def test_long_echoed_answers_read_the_same() -> None:
    # What the bench's echo server answers: the whole prompt, thousands of characters long.
    for text, _ in letter_corpus()[:40]:
        long = ("Which option is correct? A, B, C or D. " * 40) + text
        assert parsing.parse_option_letter(long, "ABCD") == _plain_letter(long)
    for text, _ in count_corpus()[:40]:
        long = ("The trial enrolled participants in 3 arms over 12 months. " * 40) + text
        assert parsing.count_from_text(long) == _plain_count(long)


def _plain_letter(text: str) -> str | None:
    saved = parsing._CHOSEN, parsing._CORRECT_CLAIM
    parsing._CHOSEN, parsing._CORRECT_CLAIM = PLAIN_AND_FAST[4][0], re.compile("")
    try:
        return parsing.parse_option_letter(text, "ABCD")
    finally:
        parsing._CHOSEN, parsing._CORRECT_CLAIM = saved


def _plain_count(text: str) -> int | None:
    saved = parsing._ANY_NUMBER, parsing._PEOPLE_COUNT, parsing._COUNT_RANGE
    patterns = parsing._COUNT_PATTERNS
    parsing._ANY_NUMBER, parsing._PEOPLE_COUNT, parsing._COUNT_RANGE = (
        PLAIN_AND_FAST[0][0],
        PLAIN_AND_FAST[1][0],
        PLAIN_AND_FAST[2][0],
    )
    parsing._COUNT_PATTERNS = (*patterns[:2], PLAIN_AND_FAST[3][0], *patterns[3:])
    try:
        return parsing.count_from_text(text)
    finally:
        parsing._ANY_NUMBER, parsing._PEOPLE_COUNT, parsing._COUNT_RANGE = saved
        parsing._COUNT_PATTERNS = patterns


def chosen(text: str) -> list[tuple[tuple[int, int], tuple[str | Any, ...]]]:
    return [(match.span(), match.groups()) for match in parsing._chosen_matches(text)]


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_chosen_matches_are_chosen_finditer_on_generated_text(text: str) -> None:
    assert chosen(text) == found(parsing._CHOSEN, text)


def test_chosen_matches_are_chosen_finditer_on_the_corpus_and_long_answers() -> None:
    for text in corpus_texts():
        long = ("Which option is correct? I think it's the answer: A, B or C. " * 30) + text
        for candidate in (text, long, text.upper(), long.upper()):
            assert chosen(candidate) == found(parsing._CHOSEN, candidate), candidate
