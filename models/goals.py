"""Forms for steps 8 and 9: goals, the implementation plan, its milestones and the preregistration.

Step 10 computes adoption and dosage fidelity from the plan's participants and dosage numbers, so
those are typed and bounded here rather than free text.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from models.catalog import blank_to_none

Horizon = Literal["short", "long"]
HORIZON_LABELS = {"short": "Short-term (this school year)", "long": "Long-term (2-3 years)"}
DataSourceKind = Literal["usage", "assessment", "survey", "manual"]
DATA_SOURCE_LABELS = {
    "usage": "Usage metric (from usage imports)",
    "assessment": "Assessment (from assessment imports)",
    "survey": "Survey question (from feedback imports)",
    "manual": "Entered by hand",
}
Extent = Literal["pilot", "phased", "full"]
EXTENT_LABELS = {
    "pilot": "Pilot (a starting group)",
    "phased": "Phased roll-out",
    "full": "Full implementation",
}
MilestoneKind = Literal["milestone", "training", "survey", "review"]
MILESTONE_LABELS = {
    "milestone": "Milestone",
    "training": "Training session",
    "survey": "Feedback survey",
    "review": "Data review",
}


class GoalForm(BaseModel):
    product_id: int = Field(title="Tool")
    request_id: int | None = Field(default=None, title="Request")
    horizon: Horizon = Field(title="Horizon")
    description: str = Field(min_length=3, max_length=2000, title="Goal")
    measure: str = Field(min_length=2, max_length=500, title="Measure")
    data_source_kind: DataSourceKind = Field(title="Data source")
    data_source_ref: str | None = Field(default=None, max_length=300, title="Data source reference")
    baseline: float | None = Field(default=None, title="Baseline")
    target: float | None = Field(default=None, validate_default=True, title="Target")
    due_date: dt.date | None = Field(default=None, title="Due date")
    owner_id: int | None = Field(default=None, validate_default=True, title="Owner (lead)")
    stakeholders: str | None = Field(default=None, max_length=2000, title="Stakeholders")

    _clean = field_validator("data_source_ref", "stakeholders", mode="before")(blank_to_none)

    @field_validator("description", "measure", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("target")
    @classmethod
    def _target(cls, value: float | None) -> float:
        if value is None:
            raise ValueError("set the number this goal aims for")
        return value

    @field_validator("owner_id")
    @classmethod
    def _owner(cls, value: int | None) -> int:
        if value is None:
            raise ValueError("name the person responsible for following up on this goal")
        return value


class PlanForm(BaseModel):
    product_id: int = Field(title="Tool")
    request_id: int | None = Field(default=None, title="Request")
    participant_schools: list[str] = Field(default_factory=list, title="Participating schools")
    participant_grades: list[int] = Field(default_factory=list, title="Participating grades")
    participant_teachers: str | None = Field(default=None, max_length=4000, title="Participating teachers")
    starting_group: str | None = Field(default=None, max_length=1000, title="Where to start")
    extent: Extent = Field(title="Extent")
    expectations: str | None = Field(default=None, max_length=4000, title="Expectations")
    recommended_minutes_per_week: float | None = Field(
        default=None, ge=0, le=1000, title="Recommended minutes per week"
    )
    recommended_weeks: int | None = Field(default=None, ge=0, le=60, title="Over how many weeks")
    fidelity_share_of_weeks: float = Field(
        default=0.8, ge=0, le=1, title="Share of weeks to count as on track"
    )
    active_user_min_minutes: float = Field(
        default=0, ge=0, le=1000, title="Minutes in a week to count as an active user"
    )
    review_frequency: str | None = Field(default=None, max_length=50, title="Review frequency")
    measurement_timeline: str | None = Field(default=None, max_length=4000, title="Measurement timeline")
    feedback_plan: str | None = Field(default=None, max_length=4000, title="Feedback to collect and when")
    next_review_date: dt.date | None = Field(default=None, title="Next review")

    _clean = field_validator(
        "participant_teachers",
        "starting_group",
        "expectations",
        "review_frequency",
        "measurement_timeline",
        "feedback_plan",
        mode="before",
    )(blank_to_none)

    @field_validator("participant_grades")
    @classmethod
    def _grades(cls, value: list[int]) -> list[int]:
        bad = [g for g in value if not -1 <= g <= 12]
        if bad:
            raise ValueError("grades run from -1 (pre-K) and 0 (K) to 12")
        return sorted(set(value))


class PreregistrationForm(BaseModel):
    """Set once, before outcome data is looked at (shared/domain/evaluation.md)."""

    meaningful_effect: float = Field(gt=0, le=2, title="Meaningful effect (standard deviations)")
    decision_probability: float = Field(gt=0.5, lt=1, title="Probability needed to act")


class MilestoneForm(BaseModel):
    kind: MilestoneKind = Field(default="milestone", title="Kind")
    name: str = Field(min_length=2, max_length=300, title="Name")
    audience: str | None = Field(default=None, max_length=300, title="Audience")
    start_date: dt.date = Field(title="Start")
    end_date: dt.date | None = Field(default=None, title="End")
    completed_on: dt.date | None = Field(default=None, title="Completed on")
    completion_pct: float | None = Field(default=None, ge=0, le=100, title="Completion (%)")

    _clean = field_validator("audience", mode="before")(blank_to_none)

    @field_validator("end_date")
    @classmethod
    def _end(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise ValueError(f"cannot be before the start ({start:%m/%d/%Y})")
        return value
