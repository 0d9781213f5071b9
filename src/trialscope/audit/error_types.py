"""The error types the built-in rules label (a leaf module: rules, protocol and agents use it)."""

from __future__ import annotations

from enum import StrEnum


class ErrorType(StrEnum):
    """The error types the built-in rules label."""

    INVALID_AGE = "invalid_age"
    TEMPORAL_INCONSISTENCY = "temporal_inconsistency"
    PROTOCOL_WINDOW_VIOLATION = "protocol_window_violation"
    SELECTION_BIAS = "selection_bias"
