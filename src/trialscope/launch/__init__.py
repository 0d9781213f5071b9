"""Launchers that spread a run over machines (Ray)."""
