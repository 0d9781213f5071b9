"""Publications and systematic reviews as JSON lines: their validated shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class PublicationRecord(BaseModel):
    """One publication line: pmid, title, abstract, year, nct_id (or null), publication_type."""

    model_config = ConfigDict(extra="ignore")

    pmid: str = Field(min_length=1)
    title: str | None = None
    abstract: str | None = None
    year: int | None = None
    nct_id: str | None = None
    publication_type: str | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class ReviewRecord(BaseModel):
    """One systematic review line, with the PMIDs of the studies it included and excluded."""

    model_config = ConfigDict(extra="ignore")

    review_id: str = Field(min_length=1)
    pmid: str | None = None
    title: str | None = None
    background: str | None = None
    objectives: str | None = None
    selection_criteria: str | None = None
    search_date: dt.date | None = None
    conclusion: str | None = None
    included_pmids: list[str] = []
    excluded_pmids: list[str] = []

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("included_pmids", "excluded_pmids", mode="before")
    @classmethod
    def _pmids_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(item) if isinstance(item, int) else item for item in value]
        return value
