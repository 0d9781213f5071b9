"""Map free-text `why_stopped` to TrialPanorama's five termination categories.

Rules are ordered by how decisive a cue is: a stated safety problem outweighs everything else,
then futility, then a regulator's or ethics board's action, then recruitment, then the general
feasibility causes (money, sponsor strategy, staff, supplies, the pandemic). Denied cues ("not
due to safety reasons") are removed first. Texts with no cue ("Other", "NA", "PI decision") map
to None.
"""

from __future__ import annotations

import re

ENROLLMENT = "enrollment issues"
FEASIBILITY = "feasibility"
EFFICACY = "lack of efficacy"
REGULATORY = "regulatory/approval"
SAFETY = "safety issues"

CATEGORIES: tuple[str, ...] = (ENROLLMENT, FEASIBILITY, EFFICACY, REGULATORY, SAFETY)

_DENIABLE = (
    r"(?:safety|adverse(?: events?)?|toxicit\w*|efficacy|futility|scientific|IRB|ethics|"
    r"regulatory)(?:\s+(?:concerns?|reasons?|issues?|signals?|events?|findings?|data|approval))?"
)
# A cue is denied only when the text says the stop was not *because of* it ("not due to safety
# reasons", "no safety concerns"); "did not demonstrate efficacy" is a statement of the cause.
_DENIAL = (
    r"(?:\bnot\s+(?:\w+\s+){0,2}?(?:due\s+to|because\s+of|related\s+to|based\s+on|for|"
    r"a\s+(?:consequence|result)\s+of|associated\s+with|linked\s+to|caused\s+by|driven\s+by)"
    r"|\bno\b|\bwithout\b|\bnor\b|\blacking\b|\bunrelated\s+to|\birrespective\s+of)"
    r"\s+(?:\w+\s+){0,3}?"
)
_NEGATED = re.compile(
    _DENIAL + _DENIABLE + r"(?:(?:\s*(?:,|/|\bor\b|\band\b|\bnor\b))+\s*" + _DENIABLE + r")*",
    re.IGNORECASE,
)
# During the pandemic "for the safety of participants" means an operational pause, not harm.
_PANDEMIC = re.compile(r"covid|pandemic|coronavirus|sars-cov-2|lockdown", re.IGNORECASE)
_PANDEMIC_SAFETY = re.compile(
    r"(?:participants?|patients?|subjects?|staff|public|personnel)'?s?\s+safety|safety\s+"
    r"(?:of|for)\s+(?:our |the |all |study |research )*(?:participants?|patients?|subjects?|"
    r"staff|personnel|volunteers?|everyone)|safety\s+(?:restrictions?|measures?|precautions?|"
    r"guidelines?|protocols?|concerns? (?:related to|due to|regarding) (?:the )?"
    r"(?:covid|pandemic))",
    re.IGNORECASE,
)


def _rule(category: str, *alternatives: str) -> tuple[str, re.Pattern[str]]:
    return category, re.compile("|".join(alternatives), re.IGNORECASE)


_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    _rule(
        SAFETY,
        r"\bsafety\b",
        r"adverse (?:events?|reactions?|effects?)",
        r"\bSAEs?\b",
        r"\btoxicit",
        r"\btoxic\b",
        r"side[- ]effects?",
        r"\bdeaths?\b",
        r"\bmortality\b",
        r"\bdied\b",
        r"\bharm(?:ful)?\b",
        r"hepatotox",
        r"not (?:well )?tolerated",
        r"\btolerability\b",
        r"risk[/ -]benefit",
        r"benefit[/ -:]+risk",
        r"\bbleeding\b",
        r"\binfections? in\b",
    ),
    _rule(
        EFFICACY,
        r"\bfutil",
        r"\befficacy\b",
        r"\bineffective",
        r"not effective",
        r"\bLOE\b",
        r"lack of (?:sufficient )?(?:clinical )?(?:benefit|effect|response|activity)",
        r"no (?:significant )?(?:benefit|effect|difference|response)",
        r"(?:primary )?end ?point (?:was )?(?:not|unlikely to be) met",
        r"did not (?:meet|show|demonstrate)",
        r"unlikely to (?:meet|demonstrate|show|achieve)",
        r"likelihood of (?:demonstrating|showing|achieving)",
        r"insufficient (?:therapeutic |clinical )?(?:effect|activity|response|efficacy)",
        r"negative results?",
        r"failed to (?:show|demonstrate|meet)",
        r"not superior",
        r"inferior efficacy",
        r"poor (?:efficacy|response)",
        r"(?:outcome|objective|end ?point)s? (?:was |were )?not (?:met|achieved|reached)",
        r"(?:was|were) negative\b",
        r"\bno longer (?:effective|beneficial)",
        r"not achiev\w* the primary",
        r"\bno (?:clinical )?improvement",
        r"\bnot (?:clinically )?meaningful",
        r"did not support",
    ),
    _rule(
        REGULATORY,
        r"\bFDA\b",
        r"\bEMA\b",
        r"\bIRBs?\b",
        r"\bREBs?\b",
        r"\bIEC\b",
        r"\bethic",
        r"\bregulator",
        r"clinical hold",
        r"\bapproval\b",
        r"\bapproved\b",
        r"competent authorit",
        r"health authorit",
        r"health canada",
        r"\bMHRA\b",
        r"\bANVISA\b",
        r"\bPMDA\b",
        r"\blicen[cs]",
        r"\blabel(?:l?ing)? (?:update|change)",
        r"marketing authori[sz]ation",
        r"\bCMS\b",
        r"institutional review",
    ),
    _rule(
        ENROLLMENT,
        r"\brecruit",
        r"\benrol",
        r"\baccru",
        r"\beligible\b",
        r"\beligibility\b",
        r"\binclusions?\b",
        r"\bscreen(?:ing)? fail",
        r"\bdrop ?outs?\b",
        r"\blost to follow",
        r"\bno one\b",
        r"\bnobody\b",
        r"\bvolunteers?\b",
        r"\b(?:lack|low|insufficient|few|no|not enough|poor|limited|slow|shortage|difficult\w*|"
        r"(?:could not|couldn't|unable to|failed to) (?:get|find|identify|obtain|locate))"
        r"\W+(?:\w+\W+){0,3}?(?:patients?|subjects?|participants?|population)\b",
        r"\b(?:patients?|subjects?|participants?) (?:were |was )?(?:not )?"
        r"(?:enrolled|recruited|available|found|identified|interested|willing)",
    ),
    _rule(
        FEASIBILITY,
        r"\bfund",
        r"\bbudget",
        r"\bfinanc",
        r"\bmoney\b",
        r"\bgrant\b",
        r"\bsponsor",
        r"\bbusiness",
        r"\bstrateg",
        r"\bcompany\b",
        r"\bcommercial",
        r"\bportfolio",
        r"\bpriorit",
        r"\bPI\b",
        r"\binvestigator (?:left|moved|relocat|retir|leaving)",
        r"\bleft the (?:institution|university|hospital|company)",
        r"\bleaving\b",
        r"\brelocat",
        r"\bretire",
        r"\bstaff",
        r"\bpersonnel",
        r"\bresources?\b",
        r"\blogistic",
        r"\bsupply",
        r"\bmanufactur",
        r"\bavailab",
        r"\bcovid",
        r"\bpandemic",
        r"\bcoronavirus",
        r"sars-cov-2",
        r"\blockdown",
        r"\bsite",
        r"\bclosure\b",
        r"\badministrative",
        r"\bfeasib",
        r"\boperational",
        r"\bdevice",
        r"\bequipment",
        r"\bcontract",
        r"\binsurance",
        r"\bacqui",
        r"\bmerger",
        r"\bdiscontinued\b",
        r"\bprogram(?:me)?\b",
        r"\bdevelopment\b",
        r"\bCRO\b",
        r"\bvendor",
        r"\bexpir",
        r"\bobsolete",
        r"\bstandard of care",
        r"\bcompeting",
        r"\bdrug shortage",
        r"unavailab",
        r"another (?:position|job)",
        r"\btechni(?:c|ca)al",
        r"overload",
        r"off the market",
        r"removed from the market",
        r"no longer develop",
        r"quality issue",
        r"\bwithdrawn from (?:the )?market",
    ),
)


def classify_why_stopped(text: str | None) -> str | None:
    """The termination category a `why_stopped` text states, or None when it states none."""
    if not text:
        return None
    cleaned = _NEGATED.sub(" ", text)
    if _PANDEMIC.search(cleaned):
        cleaned = _PANDEMIC_SAFETY.sub(" ", cleaned)
    for category, pattern in _RULES:
        if pattern.search(cleaned):
            return category
    return None
