"""A seeded synthetic clinical-trial registry in the ClinicalTrials.gov API v2 shape."""

from trialscope.data.synthetic.output import SynthReport, load_into_store, write_jsonl_files
from trialscope.data.synthetic.registry import SyntheticRegistry, SyntheticTrial

__all__ = [
    "SynthReport",
    "SyntheticRegistry",
    "SyntheticTrial",
    "load_into_store",
    "write_jsonl_files",
]
