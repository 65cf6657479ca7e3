"""Step 1 forms: the needs assessment and its action-plan items."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator

_TEXT = 4000


def _blank_to_none(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class NeedsAssessment(BaseModel):
    """A request as the requester writes it. Only the title is needed to save a draft; the
    lifecycle gate (services/lifecycle.py) decides what must be filled in before submitting."""

    title: str = Field(min_length=3, max_length=200, description="Short name of the need")
    school_id: int | None = None
    department: str | None = Field(default=None, max_length=200)
    problem: str | None = Field(default=None, max_length=_TEXT)
    impact: str | None = Field(default=None, max_length=_TEXT)
    desired_outcome: str | None = Field(default=None, max_length=_TEXT)
    measures: str | None = Field(default=None, max_length=_TEXT)
    existing_resources: str | None = Field(default=None, max_length=_TEXT)
    look_fors: str | None = Field(default=None, max_length=_TEXT)
    subject: str | None = Field(default=None, max_length=200)
    grade_band: str | None = Field(default=None, max_length=100)
    students_affected: int | None = Field(default=None, ge=0, le=10_000_000)
    leader_id: int | None = None
    stakeholders: str | None = Field(default=None, max_length=_TEXT)

    _clean = field_validator(
        "department",
        "problem",
        "impact",
        "desired_outcome",
        "measures",
        "existing_resources",
        "look_fors",
        "subject",
        "grade_band",
        "stakeholders",
        mode="before",
    )(_blank_to_none)

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class ActionItem(BaseModel):
    who: str = Field(min_length=1, max_length=200)
    what: str = Field(min_length=1, max_length=1000)
    due_date: dt.date | None = None
