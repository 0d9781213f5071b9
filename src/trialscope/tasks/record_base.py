"""What every task record model shares: unknown fields kept, numbers read as text where ids are."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class TaskRecord(BaseModel):
    """The base of the task record models; unknown fields are kept (files hold more)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def as_text(value: Any) -> Any:
    """A JSON number given where text is expected, as text (`12.0` -> `"12"`); else unchanged."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value
