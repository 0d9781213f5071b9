"""Curated phrases for the synthetic registry: stop reasons, criteria, sponsors, wording.

The why_stopped texts imitate the style of real registry entries (terse, mixed case, sometimes
ungrammatical) so the termination-reason mapper meets realistic text.
"""

from __future__ import annotations

from trialscope.data.termination import CATEGORIES, OTHER

WHY_STOPPED: dict[str | None, tuple[str, ...]] = {
    "enrollment issues": (
        "Slow enrollment",
        "Low accrual",
        "POOR ACCRUAL",
        "Difficulty recruiting patients",
        "Study closed due to poor recruitment.",
        "Failure to recruit/enroll",
        "Insufficient enrollment",
        "Unable to recruit eligible participants within the planned timeframe",
        "The study was terminated early due to slower than expected enrollment.",
        "Recruitment target could not be met",
        "Lack of eligible subjects",
        "Enrollment was lower than anticipated; the sponsor closed the study.",
        "No participants enrolled",
        "Low patient accrual rate",
    ),
    "feasibility": (
        "Lack of funding",
        "Funding ended",
        "Sponsor decision based on portfolio prioritization",
        "Business decision",
        "The study has been stopped for strategic and business reasons.",
        "PI left the institution",
        "Study drug supply no longer available",
        "Logistical reasons",
        "Study activities paused due to COVID-19 pandemic restrictions",
        "The manufacturer discontinued production of the study device.",
        "Insufficient resources to continue the study",
        "Study site closed",
        "Company acquired; development programme discontinued for business reasons",
        "Operational challenges at participating sites",
    ),
    "lack of efficacy": (
        "Futility",
        "Stopped for futility at the planned interim analysis",
        "Lack of efficacy",
        "Interim analysis showed the primary endpoint was unlikely to be met",
        "DSMB recommended termination for futility",
        "The study drug did not demonstrate sufficient efficacy",
        "Insufficient therapeutic effect observed",
        "Results of a related phase 3 study showed no benefit",
        "Primary efficacy endpoint not met in the interim analysis",
        "Low likelihood of demonstrating a treatment effect",
    ),
    "regulatory/approval": (
        "FDA clinical hold",
        "IRB approval was not renewed",
        "Regulatory authority requested termination",
        "Study not approved by the ethics committee",
        "Pending regulatory approval; study withdrawn",
        "Health authority did not approve the protocol amendment",
        "Drug received marketing approval; study no longer required by the agency",
        "Withdrawn at the request of the competent authority",
        "Ethics approval expired",
        "Clinical hold placed by FDA",
    ),
    "safety issues": (
        "Safety concerns",
        "Terminated due to adverse events",
        "DSMB recommended stopping because of safety signals",
        "Unexpected serious adverse events",
        "Increased mortality in the treatment arm",
        "Safety reasons",
        "Risk/benefit no longer favourable due to toxicity",
        "Hepatotoxicity observed in several participants",
        "Stopped after a serious adverse reaction",
        "Unacceptable toxicity at the starting dose",
    ),
    None: (
        "Other",
        "NA",
        "See termination reason in detailed description",
        "The study was terminated.",
        "Investigator decision",
        "Study withdrawn",
        "Closed",
    ),
}
"""Stop reasons by the category a careful annotator would give them (None: not classifiable)."""

TERMINATION_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c != OTHER)
"""The five categories the synthetic registry writes reasons for ("other" is left out)."""

GENERIC_INCLUSION: tuple[str, ...] = (
    "Able and willing to provide written informed consent",
    "Willing to comply with all study procedures and availability for the study duration",
    "Women of childbearing potential must use highly effective contraception",
    "Adequate haematological, hepatic and renal function",
)

GENERIC_EXCLUSION: tuple[str, ...] = (
    "Pregnant or breastfeeding",
    "Participation in another interventional study within 30 days",
    "Known hypersensitivity to any component of the study treatment",
    "Any condition that, in the investigator's opinion, would compromise participant safety",
    "History of alcohol or drug abuse within the past year",
    "Active malignancy within the past 5 years (except treated skin cancer)",
    "Uncontrolled infection",
    "Significant hepatic impairment (Child-Pugh class C)",
)

SPONSORS: dict[str, tuple[str, ...]] = {
    "INDUSTRY": (
        "Northbridge Pharmaceuticals",
        "Helix Therapeutics",
        "Aurelia Biosciences",
        "Corvane Medical",
        "Meridian BioPharma",
        "Solstice Oncology",
        "Keystone Devices",
        "Vantara Pharma",
        "Quillon Bio",
        "Orrin Life Sciences",
    ),
    "OTHER": (
        "University Hospital of Lindenberg",
        "Eastmoor Medical Center",
        "St. Aldric Hospital",
        "Riverside Academic Health System",
        "Cedarvale University",
        "Northern Clinical Research Institute",
        "Harborview Cancer Institute",
        "Westfield Children's Hospital",
    ),
    "NIH": (
        "National Institute of Allergy and Infectious Diseases",
        "National Cancer Institute",
        "National Heart, Lung, and Blood Institute",
        "National Institute of Mental Health",
    ),
    "OTHER_GOV": ("Ministry of Health Research Council", "Veterans Affairs Office of Research"),
}

TIME_FRAMES: tuple[str, ...] = (
    "Week 12",
    "Week 16",
    "Week 24",
    "Week 26",
    "Week 48",
    "Week 52",
    "Month 6",
    "Month 12",
    "Day 28",
    "Day 90",
    "Up to 24 months",
)

SAFETY_OUTCOMES: tuple[str, ...] = (
    "Incidence of treatment-emergent adverse events",
    "Incidence of dose-limiting toxicities",
    "Maximum plasma concentration (Cmax)",
    "Area under the concentration-time curve (AUC)",
    "Number of participants with clinically significant laboratory abnormalities",
)

OBSERVATIONAL_OUTCOMES: tuple[str, ...] = (
    "Real-world treatment persistence",
    "Incidence of hospitalisation during follow-up",
    "Health-related quality of life (EQ-5D)",
    "Healthcare resource utilisation",
)
