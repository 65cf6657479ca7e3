"""Forms for the SOPPA registers: breaches, parent requests, agreement signing/posting, settings.

Dates that cannot lie in the future are checked against `today`, taken from the validation
context (`Model.model_validate(data, context={"today": d})`) so tests can fix the date; without a
context it is the real today.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from models.catalog import blank_to_none

ParentRequestKind = Literal["inspect", "correct", "delete"]
PARENT_REQUEST_LABELS: dict[str, str] = {
    "inspect": "Inspect / get a copy",
    "correct": "Correct",
    "delete": "Delete",
}


def _today(info: ValidationInfo) -> dt.date:
    context = info.context or {}
    return context.get("today") or dt.date.today()


def not_future(value: dt.date | None, info: ValidationInfo) -> dt.date | None:
    if value is not None and value > _today(info):
        raise ValueError(f"cannot be in the future (today is {_today(info):%m/%d/%Y})")
    return value


def _not_before(value: dt.date | None, info: ValidationInfo, other: str, what: str) -> dt.date | None:
    first = info.data.get(other)
    if value is not None and first is not None and value < first:
        raise ValueError(f"cannot be before {what} ({first:%m/%d/%Y})")
    return value


class BreachForm(BaseModel):
    vendor_id: int | None = Field(default=None, title="Operator")
    learned_on: dt.date = Field(title="Date the district learned of it")
    occurred_from: dt.date | None = Field(default=None, title="Occurred from")
    occurred_to: dt.date | None = Field(default=None, title="Occurred to")
    students_affected: int = Field(ge=0, le=10_000_000, title="Students affected")
    enrollment_total: int | None = Field(default=None, ge=1, title="District enrollment")
    data_exposed: str | None = Field(default=None, max_length=2000, title="Data exposed")
    parents_notified_on: dt.date | None = Field(default=None, title="Parents notified on")
    law_enforcement_delay: bool = Field(default=False, title="Law enforcement asked for a delay")
    note: str | None = Field(default=None, max_length=2000, title="Note")

    _clean = field_validator("data_exposed", "note", mode="before")(blank_to_none)
    _future = field_validator("learned_on", "occurred_from", "occurred_to", "parents_notified_on")(not_future)

    @field_validator("occurred_to")
    @classmethod
    def _range(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_before(value, info, "occurred_from", "the start of the breach")

    @field_validator("parents_notified_on")
    @classmethod
    def _after_learning(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_before(value, info, "learned_on", "the date the district learned of it")


class ParentRequestForm(BaseModel):
    received_on: dt.date = Field(title="Received on")
    kind: ParentRequestKind = Field(title="Request")
    student_ref: str | None = Field(
        default=None, max_length=100, title="Student reference (local id, not a name)"
    )
    vendor_id: int | None = Field(default=None, title="Operator")
    completed_on: dt.date | None = Field(default=None, title="Done on")
    note: str | None = Field(default=None, max_length=2000, title="Note")

    _clean = field_validator("student_ref", "note", mode="before")(blank_to_none)
    _future = field_validator("received_on", "completed_on")(not_future)

    @field_validator("completed_on")
    @classmethod
    def _after_receipt(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_before(value, info, "received_on", "the date it was received")


class AgreementPostingForm(BaseModel):
    """The two dates the posting clock needs: when the agreement was signed and when posted."""

    signed_date: dt.date = Field(title="Agreement signed on")
    posted_date: dt.date | None = Field(default=None, title="Posted publicly on")

    _future = field_validator("signed_date", "posted_date")(not_future)

    @field_validator("posted_date")
    @classmethod
    def _after_signing(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_before(value, info, "signed_date", "the signing date")


class PostingRules(BaseModel):
    """The SOPPA posting rules that the statute leaves open ("verify" in shared/domain/soppa.md)."""

    posting_days: int = Field(default=10, ge=1, le=90, title="Days to post a new agreement")
    business_days: bool = Field(default=True, title="Count business days (not calendar days)")
    update_window_days: int = Field(
        default=30, ge=1, le=180, title="Days to update after the fiscal/calendar year starts"
    )
    breach_min_share: float = Field(
        default=0.10, ge=0, le=1, title="List breaches affecting at least this share of enrollment"
    )
    breach_notice_days: int = Field(default=30, ge=1, le=365, title="Days to notify parents of a breach")
    inspect_days: int = Field(default=45, ge=1, le=365, title="Days to answer an inspect request")
    correct_days: int = Field(default=90, ge=1, le=365, title="Days to answer a correct/delete request")
    parent_rights_text: str = Field(min_length=20, max_length=20_000, title="Parents' rights text")
    data_use_text: str = Field(
        min_length=20, max_length=20_000, title="What student data we collect, how it is used and shared"
    )
    holidays: list[dt.date] = Field(
        default_factory=list, max_length=400, title="District holidays (not counted as business days)"
    )

    @field_validator("holidays", mode="before")
    @classmethod
    def _holiday_dates(cls, value: object) -> object:
        """One date per line (or comma-separated): 2026-11-26 or 11/26/2026; sorted, repeats dropped."""
        if not isinstance(value, str):
            return value
        dates: set[dt.date] = set()
        for part in value.replace(",", "\n").splitlines():
            text = part.strip()
            if not text:
                continue
            for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
                try:
                    dates.add(dt.datetime.strptime(text, fmt).date())
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(f"'{text[:40]}' is not a date; write one date per line, like 2026-11-26")
        return sorted(dates)
