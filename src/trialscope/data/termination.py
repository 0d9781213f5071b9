"""Map free-text `why_stopped` to TrialPanorama's five termination categories, plus "other".

Rules are ordered by how decisive a cue is: a stated safety problem outweighs everything else,
then futility, then a regulator's or ethics board's action, then recruitment, then the general
feasibility causes (money, sponsor strategy, staff, supplies, the pandemic). Denied cues ("not
due to safety reasons") and names that only contain a cue word ("Data Safety Monitoring Board")
are removed first. "No patients were enrolled" says what happened, not why: it counts as an
enrollment issue only when no other cause is given. A text that gives a reason outside the five
("change of study design", "sufficient data obtained") is "other"; a text that gives none
("NA", "Others", "Per PI") maps to None.
"""

from __future__ import annotations

import re

ENROLLMENT = "enrollment issues"
FEASIBILITY = "feasibility"
EFFICACY = "lack of efficacy"
REGULATORY = "regulatory/approval"
SAFETY = "safety issues"
OTHER = "other"

CATEGORIES: tuple[str, ...] = (ENROLLMENT, FEASIBILITY, EFFICACY, REGULATORY, SAFETY, OTHER)

_NO_REASON = re.compile(
    r"^\W*(?:n/?a|none|null|unknown|others?|other reasons?|not (?:applicable|available|"
    r"provided|specified)|per (?:pi|sponsor|investigator)|(?:pi|investigator)'?s? decision|"
    r"see (?:above|below|(?:termination )?reason in (?:the )?detailed description)|-+|\.+|"
    r"at the discretion of the (?:pi|investigator|sponsor)|(?:the )?(?:pi|investigator) decided to "
    r"(?:stop|terminate|end|withdraw|close) (?:the )?(?:study|trial))?\W*$",
    re.IGNORECASE,
)
# Committee names that contain a cue word without stating a cause.
_NAMES = re.compile(
    r"data (?:and )?safety monitoring (?:board|committee)|safety (?:review|monitoring) "
    r"(?:board|committee)|\bDS?MBs?\b|\bIDMCs?\b|\bDMCs?\b|regulatory (?:coordinator|affairs|"
    r"department|team|specialist)",
    re.IGNORECASE,
)
# "No patients were enrolled": a failed recruitment, named as such only when no cause is given.
_NOBODY_ENROLLED = re.compile(
    r"\b(?:no|zero|0)\s+(?:patients?|participants?|subjects?)\s+(?:were\s+|was\s+|have\s+been\s+)?"
    r"(?:enrolled|recruited|randomi[sz]ed)",
    re.IGNORECASE,
)
# "Stopped before the first participant", "never started": when, not why.
_BEFORE_START = re.compile(
    r"\bbefore\s+(?:enrolling|recruiting)\s+any\b|\bbefore\s+(?:any|the\s+first)\s+"
    r"(?:patients?|participants?|subjects?)\s+(?:was|were)\s+(?:enrolled|recruited)|"
    r"\bprior\s+to\s+(?:the\s+)?enrol(?:l)?ment\s+of\s+(?:the\s+)?first\s+\w+|"
    r"\b(?:has\s+|was\s+|had\s+)?never\s+(?:been\s+)?(?:started|initiated|commenced|opened|begun)|"
    r"\bdid\s+not\s+(?:open|start|begin)\b",
    re.IGNORECASE,
)
_BARE_STOP = re.compile(
    r"^\W*(?:the\s+)?(?:study|trial)?\W*(?:(?:has|was|were|been|is|halted|stopped|terminated|"
    r"cancell?ed|withdrawn|prematurely|early|decided|to|be|and|at|in|the|trial|study|site|"
    r"registered|but|delayed|indefinite\w*|"
    r"[A-Z][a-z]+)\W*)*$"
)
# "No efficacy", "no signal of benefit" state the cause; keep them from the denial rule.
_NO_EFFECT = re.compile(r"\bno\s+(?:\w+\s+){0,2}?(?:efficacy|benefit|effect)\b", re.IGNORECASE)

_DENIABLE = (
    r"(?:safety|adverse(?: events?)?|toxicit\w*|efficacy|futility|scientific|IRB|ethics|"
    r"regulatory)(?:\s+(?:concerns?|reasons?|issues?|signals?|events?|findings?|data|approval))?"
)
# A cue is denied only when the text says the stop was not *because of* it ("not due to safety
# reasons", "no safety concerns"); "did not demonstrate efficacy" is a statement of the cause.
_DENIAL = (
    r"(?:\bnot\s+(?:\w+\s+){0,2}?(?:due\s+to|because\s+of|related\s+to|based\s+on|for|"
    r"a\s+(?:consequence|result)\s+of|associated\s+with|linked\s+to|caused\s+by|driven\s+by)"
    r"|\bnot\s+an?\b|\bno\b|\bwithout\b|\bnor\b|\blacking\b|\bunrelated\s+to|"
    r"\birrespective\s+of)"
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
    # Reasons outside the five, stated in words that would otherwise read as one of them.
    _rule(
        OTHER,
        r"(?:results?|data|findings?) (?:of|from) (?:an)?other (?:study|trial|studies|trials)",
        r"\bstudy design\b",
        r"\bdesign (?:change|modification)",
        r"modified (?:study )?(?:plan|protocol|design)",
        r"criteria (?:will be |were |was |have been )?(?:changed|modified|amended)",
        r"(?<!without )(?<!not )(?<!no )\bsufficient (?:data|number)",
        r"objectives? (?:was |were |has been |have been )?(?:met|achieved|reached)",
        r"(?:target|required|planned|full|desired) (?:number|sample|enrol?lment)\w* "
        r"(?:(?:of|was|has been|is|potentially) )*(?:\w+ )?(?:reached|achieved|met|obtained)",
        r"(?:reached|achieved|met) (?:the )?(?:initial |planned |target |required )*"
        r"(?:number|sample size|enrol?lment)",
        r"\bfull sample size",
        r"completed (?:at|in|by) (?:the )?other",
        r"(?:standard of care|treatment standard|standard treatment) (?:has |had )?changed",
        r"\bsplit into\b",
    ),
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
        r"benefit[- ]to[- ]risk",
        r"risk[- ]to[- ]benefit",
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
        r"(?:data|results?|evidence|findings?|analysis) did not support",
        r"(?:failure|failed) to (?:achieve|reach|meet)",
        r"\bineffective\b",
        r"inefficac",
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
        r"\bdenied\b",
        r"\bpermission",
        r"\bANSM\b",
        r"\bAEMPS\b",
        r"\bBfArM\b",
        r"\bCTEP\b",
        r"\bNMPA\b",
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
        r"screening (?:is |was |has been )?(?:temporarily )?(?:halted|paused|suspended|stopped)",
        r"finding (?:eligible )?(?:patients|participants|subjects)",
        r"\d+ (?:patients?|participants?|subjects?) \w+ instead of \d+",
        r"withdr[ae]w\w* (?:their |his |her )?consent",
        r"(?:reduc|decreas|fewer|lower)\w* (?:\w+ ){0,2}?cases\b",
        r"(?:impossib\w*|unable|unlikely|difficult\w*|fail\w*)\s+(?:\w+\s+){0,2}?"
        r"(?:reach|achiev|meet)\w*\s+(?:the\s+)?(?:\w+\s+)?sample size",
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
        r"priorit",
        r"\bschedul",
        r"procur",
        r"\bdeparture\b",
        r"(?:project|study) leader",
        r"time constraints?",
        r"\brestrictions?\b",
        r"ressource",
        r"graduat",
        r"\btiming\b",
        r"\bworkload",
        r"\binternal (?:issues?|reasons?|decision)",
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
        r"feasib",
        r"faisab",
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
    """The termination category a `why_stopped` text states; None when it states no reason."""
    if not text or _NO_REASON.match(text):
        return None
    cleaned = _NO_EFFECT.sub(" ineffective ", text)
    cleaned = _NAMES.sub(" ", _NEGATED.sub(" ", cleaned))
    if _PANDEMIC.search(cleaned):
        cleaned = _PANDEMIC_SAFETY.sub(" ", cleaned)
    nobody_enrolled = _NOBODY_ENROLLED.search(cleaned) is not None
    cleaned = _BEFORE_START.sub(" ", _NOBODY_ENROLLED.sub(" ", cleaned))
    for category, pattern in _RULES:
        if pattern.search(cleaned):
            return category
    if nobody_enrolled:
        return ENROLLMENT
    return None if _BARE_STOP.match(cleaned) else OTHER
