"""The eight TrialPanorama tasks: record format, prompt, parser, score and metrics per task."""
