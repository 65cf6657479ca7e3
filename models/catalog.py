"""Forms for steps 6 and 7: a catalog entry and a contract.

The rules that belong to one field or a pair of fields (end after start, a notice period that fits
in the term, links that are web addresses) live here, so every page and the demo seed get the
same check and the same message naming the field.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from models.enums import PricingUnit, PrivacyStatus, ToolStatus

Visibility = Literal["admin", "educator", "public"]
VISIBILITY_LABELS: dict[str, str] = {
    "public": "Everyone (also shown publicly)",
    "educator": "Staff and teachers",
    "admin": "Administrators and staff only (hidden from teachers)",
}


def blank_to_none(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def check_url(value: str | None) -> str | None:
    """Only http(s) links: a `javascript:` link in a card or the public page would run code."""
    if value is None:
        return None
    if not value.lower().startswith(("https://", "http://")):
        raise ValueError("enter a web address starting with https://")
    if any(ch in value for ch in ' "<>'):
        raise ValueError("a web address cannot contain spaces, quotes or angle brackets")
    return value


class CatalogEntryForm(BaseModel):
    product_id: int = Field(title="Product")
    tool_status: ToolStatus = Field(default=ToolStatus.APPROVED, title="Tool status")
    privacy_status: PrivacyStatus = Field(default=PrivacyStatus.UNKNOWN, title="Privacy status")
    purpose: str | None = Field(default=None, max_length=2000, title="What it is for")
    audience: str | None = Field(default=None, max_length=500, title="Who may use it")
    subjects: str | None = Field(default=None, max_length=500, title="Subjects")
    grade_band: str | None = Field(default=None, max_length=50, title="Grade band")
    schools: str | None = Field(default=None, max_length=2000, title="Schools (blank = all)")
    keywords: str | None = Field(default=None, max_length=500, title="Keywords")
    access_instructions: str | None = Field(default=None, max_length=2000, title="How to get access")
    sso_url: str | None = Field(default=None, max_length=500, title="Sign-in (SSO) link")
    training_url: str | None = Field(default=None, max_length=500, title="Training link")
    training_notes: str | None = Field(default=None, max_length=2000, title="Training resources")
    contact: str | None = Field(default=None, max_length=300, title="Contact")
    visibility: Visibility = Field(default="educator", title="Who sees this entry")

    _clean = field_validator(
        "purpose",
        "audience",
        "subjects",
        "grade_band",
        "schools",
        "keywords",
        "access_instructions",
        "sso_url",
        "training_url",
        "training_notes",
        "contact",
        mode="before",
    )(blank_to_none)

    @field_validator("sso_url", "training_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_url(value)


class ContractForm(BaseModel):
    product_id: int = Field(title="Product")
    request_id: int | None = Field(default=None, title="Request")
    start_date: dt.date = Field(title="Start date")
    end_date: dt.date = Field(title="End date")
    auto_renew: bool = Field(default=False, title="Renews automatically")
    notice_days: int = Field(default=0, ge=0, le=3650, title="Notice period (days)")
    annual_cost: decimal.Decimal = Field(ge=0, max_digits=14, decimal_places=2, title="Annual cost")
    quantity: int | None = Field(default=None, ge=0, title="Quantity")
    pricing_unit: PricingUnit | None = Field(default=None, title="Pricing unit")
    funding_source: str | None = Field(default=None, max_length=200, title="Funding source")
    po_number: str | None = Field(default=None, max_length=100, title="Purchase order")
    agreement_id: int | None = Field(default=None, title="Linked agreement")
    document_url: str | None = Field(default=None, max_length=500, title="Contract document link")
    documents: str | None = Field(default=None, max_length=4000, title="Other documents")
    renewal_owner_id: int | None = Field(default=None, title="Renewal owner")
    note: str | None = Field(default=None, max_length=2000, title="Note")

    _clean = field_validator(
        "funding_source", "po_number", "document_url", "documents", "note", mode="before"
    )(blank_to_none)

    @field_validator("document_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_url(value)

    @field_validator("end_date")
    @classmethod
    def _end_after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start_date")
        if start is not None and value <= start:
            raise ValueError(f"must be after the start date ({start:%m/%d/%Y})")
        return value

    @field_validator("notice_days")
    @classmethod
    def _notice_fits(cls, value: int, info: ValidationInfo) -> int:
        # fields validate in order, so start and end are already checked here
        start, end = info.data.get("start_date"), info.data.get("end_date")
        if start is not None and end is not None and value > (end - start).days:
            raise ValueError(
                f"the notice period ({value} days) is longer than the contract term "
                f"({(end - start).days} days)"
            )
        return value

    @property
    def term_days(self) -> int:
        return (self.end_date - self.start_date).days
