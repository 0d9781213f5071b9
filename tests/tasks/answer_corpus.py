"""How people (and models) write answers: >= 100 phrasings per answer kind, with the reading meant.

Each kind is a list of (text, expected). `expected` None means the text is ambiguous or holds no
answer: the parser must report a parse error rather than guess. Phrasings are built from
templates crossed with values, the way answers vary in practice: plain sentences, hedges,
negations, markdown, JSON alone, fenced, or with prose around it.
"""

from __future__ import annotations

import json

LETTERS = ("A", "B", "C", "D")
OPTION_TEXT = {"A": "Placebo only", "B": "Drug plus placebo", "C": "Two active arms", "D": "None"}

LETTER_TEMPLATES = (
    "The answer is {L}.",
    "Answer: {L}",
    "**Answer:** {L}",
    "Final answer: ({L})",
    "I would choose {L}.",
    "I'd go with option {L}.",
    "The correct option is {L}.",
    "Option {L} is correct.",
    "{L}",
    "({L})",
    "{L}. {T}",
    "{L}) {T}",
    "The best answer is {L} because the trial randomised two groups.",
    "Based on the trial design, the answer is most likely {L}.",
    '```json\n{{"answer_choice": "{L}"}}\n```',
    'Here is my answer:\n{{"step_by_step_thinking": "compare arms", "answer_choice": "{L}"}}\n'
    "Hope this helps.",
    '{{"step_by_step_thinking": "The protocol lists the arms.", "answer_choice": "{L}"}}',
    "My choice: **{L}**",
    "It's {L}.",
    "Choice {L}.",
    "I'm fairly confident the answer is {L}.",
    "Probably {L}.",
    "**{L}. {T}**",
    "Selected option: {L}",
    "answer_choice: {L}",
    "Correct answer: {L} ({T})",
    "I select {L}.",
    "My final answer is {L}.",
    "{L} is the best fit.",
    "I'd pick {L}.",
    "The answer is option {L}: {T}",
    "After weighing the arms, I choose option {L}.",
)
LETTER_AMBIGUOUS = (
    "A or B",
    "Either A or C.",
    "It could be B or D.",
    "Answer: A or D",
    "Both B and C seem plausible.",
    "I can't tell which option is right.",
    "None of the options fit this trial.",
    "I am not sure.",
    "The answer is A, or maybe C.",
    "Options A and B are both correct.",
    "",
    "The trial compared two arms.",
)


def letter_corpus() -> list[tuple[str, str | None]]:
    cases: list[tuple[str, str | None]] = [
        (template.format(L=letter, T=OPTION_TEXT[letter]), letter)
        for template in LETTER_TEMPLATES
        for letter in LETTERS
    ]
    cases += [(f"Not A: the answer is {letter}.", letter) for letter in "BCD"]
    cases += [(f"It is not {other}; it is {letter}.", letter) for letter, other in ("AB", "CD")]
    cases += [(text, None) for text in LETTER_AMBIGUOUS]
    return cases


COUNTS = (24, 120, 350, 1200, 4800)
COUNT_TEMPLATES = (
    "The sample size needed is {n} participants.",
    "We need {n:,} patients in total.",
    "n = {n}",
    "Total sample size: {n}",
    "About {n} subjects.",
    '{{"sample_size_needed": {n}}}',
    "Approximately {n:,} participants (accounting for 10% dropout).",
    "**Sample size:** {n}",
    "I estimate {n} participants would be required.",
    "A total of {n} patients should be enrolled.",
    "The trial should enroll {n} people.",
    "Answer: {n}",
    "{n}",
    "The required sample size is roughly {n}.",
    '{{"sample_size_needed": "{n} participants"}}',
    "With 80% power and a two-sided alpha of 0.05, we need {n} participants.",
    '```json\n{{"step_by_step_thinking": "power 0.9", "sample_size_needed": {n}}}\n```',
    'Based on the effect size, my estimate is:\n{{"sample_size_needed": {n}}}\nThanks.',
    "Sample size ≈ {n}",
    "I would recruit {n:,} volunteers.",
    "Enrollment target: {n} participants.",
)
COUNT_AMBIGUOUS = (
    "Between 100 and 200 participants.",
    "Either 120 or 240 patients, depending on the effect size.",
    "I cannot estimate the sample size from this information.",
    "The sample size depends on the assumed effect size.",
    "Somewhere from 50 to 80 subjects.",
    "",
)


def count_corpus() -> list[tuple[str, int | None]]:
    cases: list[tuple[str, int | None]] = [
        (template.format(n=n), n) for template in COUNT_TEMPLATES for n in COUNTS
    ]
    cases += [(f"Around {n:,} participants ({n // 2:,} per arm).", n) for n in COUNTS]
    cases += [(f"{n // 2} per arm, {n} participants in total.", n) for n in COUNTS]
    cases += [(text, None) for text in COUNT_AMBIGUOUS]
    return cases


COMPLETE_PHRASES = (
    "The trial will likely complete.",
    "Prediction: completed",
    "Outcome: complete",
    '{"outcome": "complete"}',
    "**Outcome:** Completed",
    "It will probably reach completion.",
    "I expect the study to be completed as planned.",
    "The trial is expected to run to completion without being terminated.",
    "It will not be terminated; it should complete.",
    "I don't think it will be terminated.",
    "Unlikely to be terminated.",
    '```json\n{"outcome": "complete", "confidence": 80}\n```',
    'My prediction: {"outcome": "completed", "confidence": 0.7}',
    "Complete.",
    "COMPLETE",
    "The study most likely completed enrollment and follow-up.",
    "It should finish as planned (complete).",
    "Likely outcome: completion.",
    "This trial will complete.",
    "I predict it completes.",
    "Answer: complete",
    "- outcome: complete",
    "Final prediction — completed.",
    "The trial won't be stopped early; it will complete.",
    "It was not withdrawn; I expect completion.",
)
TERMINATE_PHRASES = (
    "The trial was terminated.",
    "Prediction: terminated",
    "Outcome: terminate",
    '{"outcome": "terminate"}',
    "**Outcome:** Terminated",
    "I think it will be terminated early due to poor enrollment.",
    "This trial is unlikely to complete.",
    "It will not be completed.",
    "The study was probably stopped early.",
    "It won't complete.",
    "I don't expect it to complete.",
    '```json\n{"outcome": "terminate", "confidence": 65}\n```',
    'My prediction: {"outcome": "terminated", "termination_reason": "enrollment issues"}',
    "Terminate.",
    "TERMINATED",
    "The trial was likely discontinued.",
    "It will probably be withdrawn before enrolling.",
    "Likely outcome: termination.",
    "This trial will be terminated.",
    "I predict it terminates.",
    "Answer: terminate",
    "- outcome: terminated",
    "Final prediction — terminated.",
    "The trial fails to complete.",
    "It is not going to be completed; it will be terminated for futility.",
)
OUTCOME_AMBIGUOUS = (
    "It could either complete or be terminated.",
    "Hard to say.",
    "50/50 between completion and termination.",
    "The trial may complete, or it may be terminated.",
    "I am unsure whether it completes.",
    "",
)


def outcome_corpus() -> list[tuple[str, str | None]]:
    cases: list[tuple[str, str | None]] = []
    for phrases, outcome in ((COMPLETE_PHRASES, "complete"), (TERMINATE_PHRASES, "terminate")):
        cases += [(phrase, outcome) for phrase in phrases]
        cases += [(f"Reasoning: the sponsor is large.\n{phrase}", outcome) for phrase in phrases]
    cases += [(text, None) for text in OUTCOME_AMBIGUOUS]
    return cases


INCLUDE_VALUES = (
    "included",
    "include",
    "Include",
    "INCLUDED",
    "yes",
    "Yes",
    "relevant",
    "Included.",
    "include — matches the population",
    "Include (meets all criteria)",
    "should be included",
    "likely include",
    "yes, include",
    "Inclusion",
    "eligible: include",
    "**Include**",
    "keep (include)",
    "It should not be excluded.",
    "not excluded",
    "Include this study.",
    "Included: the population and intervention match.",
    "I would include it.",
    "Decision: include",
    "include.",
    "relevant to the review",
)
EXCLUDE_VALUES = (
    "excluded",
    "exclude",
    "Exclude",
    "EXCLUDED",
    "no",
    "No",
    "irrelevant",
    "Excluded.",
    "exclude — wrong population",
    "Exclude (animal study)",
    "should be excluded",
    "likely exclude",
    "no, exclude",
    "Exclusion",
    "not relevant",
    "**Exclude**",
    "drop (exclude)",
    "It should not be included.",
    "not included",
    "Exclude this study.",
    "Excluded: the comparator differs.",
    "I would exclude it.",
    "Decision: exclude",
    "exclude.",
    "not relevant to the review",
)
DECISION_AMBIGUOUS = (
    "maybe",
    "unclear",
    "include or exclude",
    "could be included or excluded",
    "",
    "N/A",
    "needs full-text review",
)


def decision_corpus() -> list[tuple[object, str | None]]:
    cases: list[tuple[object, str | None]] = []
    for values, decision in ((INCLUDE_VALUES, "included"), (EXCLUDE_VALUES, "excluded")):
        cases += [(value, decision) for value in values]
        cases += [(json.dumps({"decision": value}), decision) for value in values]
    cases += [(True, "included"), (False, "excluded")]
    cases += [(value, None) for value in DECISION_AMBIGUOUS]
    cases += [(json.dumps({"decision": value}), None) for value in DECISION_AMBIGUOUS]
    return cases


CONFIDENCE_TEMPLATES = (
    "{p}%",
    "{p} %",
    "{p}",
    "Confidence: {p}%",
    "confidence = {p}",
    "I'm {p}% sure.",
    "about {p}%",
    "{p} out of 100",
    "{p}/100",
    "~{p}%",
    "roughly {p} percent",
    "**{p}%**",
    "{f}",
    "Estimated probability: {f:.2f}",
    "Confidence: {f}",
    "probability {f}",
)
CONFIDENCE_VALUES = (5, 30, 55, 70, 85, 95)
CONFIDENCE_AMBIGUOUS = (
    "between 60% and 80%",
    "70-80%",
    "high",
    "low",
    "unsure",
    "",
    "150%",
    "-20%",
    "none",
)


def confidence_corpus() -> list[tuple[object, float | None]]:
    cases: list[tuple[object, float | None]] = [
        (template.format(p=p, f=p / 100), p / 100)
        for template in CONFIDENCE_TEMPLATES
        for p in CONFIDENCE_VALUES
    ]
    cases += [(p, p / 100) for p in CONFIDENCE_VALUES]
    cases += [(p / 100, p / 100) for p in CONFIDENCE_VALUES]
    cases += [(100, 1.0), (0, 0.0), (1, 0.01), (1.0, 1.0), ("1.0", 1.0), ("100%", 1.0)]
    cases += [(text, None) for text in CONFIDENCE_AMBIGUOUS]
    return cases


REASON_PHRASES = {
    "safety issues": (
        "safety issues",
        "Safety concerns",
        "serious adverse events",
        "unexpected toxicity",
        "stopped by the DSMB for safety",
        "patient deaths on the treatment arm",
        "unacceptable side effects",
        "hepatotoxicity signals (safety)",
    ),
    "lack of efficacy": (
        "lack of efficacy",
        "futility at interim analysis",
        "the drug was ineffective",
        "no benefit over placebo",
        "stopped for futility",
        "efficacy endpoint not met",
        "interim results showed it was not effective",
        "insufficient efficacy",
    ),
    "regulatory/approval": (
        "regulatory/approval",
        "FDA clinical hold",
        "regulatory issues",
        "approval was withdrawn",
        "ethics committee did not approve",
        "IRB approval lapsed",
        "licensing problems",
        "regulatory requirements changed",
    ),
    "enrollment issues": (
        "enrollment issues",
        "Poor enrollment",
        "slow accrual",
        "low recruitment",
        "could not recruit enough participants",
        "recruitment difficulties",
        "insufficient enrolment",
        "slow patient accrual",
    ),
    "feasibility": (
        "feasibility",
        "The sponsor withdrew funding",
        "business decision",
        "lack of funding",
        "logistical problems",
        "sponsor decision",
        "insufficient resources",
        "financial reasons",
    ),
}
REASON_AMBIGUOUS = (
    "safety issues and poor enrollment",
    "futility or funding",
    "unknown",
    "other",
    "",
    "not stated",
    "several reasons",
)


def reason_corpus() -> list[tuple[str, str | None]]:
    cases: list[tuple[str, str | None]] = []
    for category, phrases in REASON_PHRASES.items():
        cases += [(phrase, category) for phrase in phrases]
        cases += [(f"Most likely {phrase.lower()}.", category) for phrase in phrases]
        cases += [(f"Reason: {phrase}", category) for phrase in phrases[:4]]
    cases += [("not due to safety issues but poor recruitment", "enrollment issues")]
    cases += [("no safety concerns; the sponsor ran out of funding", "feasibility")]
    cases += [("not for lack of efficacy, rather slow accrual", "enrollment issues")]
    cases += [(text, None) for text in REASON_AMBIGUOUS]
    return cases
