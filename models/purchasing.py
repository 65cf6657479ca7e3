"""Forms for SOP steps 2, 4 and 5: candidates, agreements, SOPPA decisions, scores, pilots,
integration checks and purchase-checklist updates.

Constraints that belong to one field (a score is 1-5, a name is not blank) live here in `Field(...)`,
so a page gets a clear validation message before any service runs. Rules that need the database or
today's date (an agreement signed in the future, a compliant decision needing an agreement in force)
live in the services.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator, model_validator

from models.catalog import check_url
from models.enums import AgreementType, Integration, IntegrationResult, PrivacyStatus
from models.requests import _blank_to_none

_TEXT = 4000
SCORE_MIN, SCORE_MAX = 1, 5  # the committee's scale (SOP step 4)


class VendorCreate(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    business_address: str | None = Field(default=None, max_length=500)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=500)

    _clean = field_validator("business_address", "contact_name", "contact_email", "website", mode="before")(
        _blank_to_none
    )

    @field_validator("name", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class ProductCreate(BaseModel):
    vendor_id: int
    name: str = Field(min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=_TEXT)
    subjects: str | None = Field(default=None, max_length=500)
    grade_low: int | None = Field(default=None, ge=-1, le=12)
    grade_high: int | None = Field(default=None, ge=-1, le=12)
    website: str | None = Field(default=None, max_length=500)
    collects_student_data: bool = True

    _clean = field_validator("description", "subjects", "website", mode="before")(_blank_to_none)

    @field_validator("name", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _grades(self) -> ProductCreate:
        if self.grade_low is not None and self.grade_high is not None and self.grade_low > self.grade_high:
            raise ValueError("the lowest grade is above the highest grade")
        return self


class AgreementForm(BaseModel):
    """A written agreement with an operator (soppa.md: section 15(4) and the IL-NDPA exhibits)."""

    vendor_id: int
    product_id: int | None = None
    agreement_type: AgreementType
    signed_date: dt.date | None = None
    expiry_date: dt.date | None = None
    data_elements: str | None = Field(default=None, max_length=_TEXT, description="Exhibit B")
    subcontractors: str | None = Field(default=None, max_length=_TEXT)
    business_address: str | None = Field(default=None, max_length=500)
    states_data_categories: bool = False
    states_product: bool = False
    ferpa_school_official: bool = False
    breach_cost_allocation: bool = False
    deletion_terms: bool = False
    deletion_days: int | None = Field(default=None, ge=0, le=3650)
    public_posting_consent: bool = False
    document_url: str | None = Field(default=None, max_length=1000)
    redacted_url: str | None = Field(default=None, max_length=1000)

    _clean = field_validator(
        "data_elements", "subcontractors", "business_address", "document_url", "redacted_url", mode="before"
    )(_blank_to_none)

    @field_validator("document_url", "redacted_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_url(value)  # the redacted copy is linked from the public SOPPA page

    @model_validator(mode="after")
    def _dates(self) -> AgreementForm:
        if self.signed_date and self.expiry_date and self.expiry_date <= self.signed_date:
            raise ValueError("the expiry date must be after the signed date")
        return self


class SoppaDecisionInput(BaseModel):
    request_id: int | None = None
    product_id: int
    status: PrivacyStatus
    agreement_id: int | None = None
    note: str | None = Field(default=None, max_length=_TEXT)

    _clean = field_validator("note", mode="before")(_blank_to_none)


class ScoreInput(BaseModel):
    candidate_id: int
    criterion_id: int
    score: int = Field(ge=SCORE_MIN, le=SCORE_MAX, description="1 (poor) to 5 (excellent)")
    comment: str | None = Field(default=None, max_length=_TEXT)

    _clean = field_validator("comment", mode="before")(_blank_to_none)


class PilotInput(BaseModel):
    candidate_id: int
    participants: str = Field(min_length=2, max_length=_TEXT, description="who piloted it")
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    findings: str | None = Field(default=None, max_length=_TEXT)

    _clean = field_validator("findings", mode="before")(_blank_to_none)

    @model_validator(mode="after")
    def _dates(self) -> PilotInput:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("the pilot ends before it starts")
        return self


class ProsCons(BaseModel):
    pros: str | None = Field(default=None, max_length=_TEXT)
    cons: str | None = Field(default=None, max_length=_TEXT)
    gaps: str | None = Field(default=None, max_length=_TEXT)

    _clean = field_validator("pros", "cons", "gaps", mode="before")(_blank_to_none)


class IntegrationCheckInput(BaseModel):
    request_id: int | None = None
    product_id: int
    integration: Integration
    result: IntegrationResult
    evidence: str | None = Field(default=None, max_length=_TEXT)

    _clean = field_validator("evidence", mode="before")(_blank_to_none)

    @model_validator(mode="after")
    def _evidence(self) -> IntegrationCheckInput:
        if self.result in (IntegrationResult.VERIFIED, IntegrationResult.FAILED) and not self.evidence:
            raise ValueError("say what was tested (evidence) when marking a check verified or failed")
        return self


class PurchaseTaskUpdate(BaseModel):
    owner_id: int | None = None
    due_date: dt.date | None = None
    done_date: dt.date | None = None
    reference: str | None = Field(default=None, max_length=200, description="e.g. the PO number")
    note: str | None = Field(default=None, max_length=_TEXT)

    _clean = field_validator("reference", "note", mode="before")(_blank_to_none)
