"""The clinical audit environment (ClinicalBench done right, on OpenEnv)."""
