"""Offline baseline models (`baseline/<name>`): real methods that need no LLM."""
