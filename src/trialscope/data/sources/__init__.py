"""Where trial records come from: ClinicalTrials.gov files and API, TrialPanorama parquet, JSONL."""
