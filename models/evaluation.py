"""The step-10 decision form: what a committee records when it decides a tool's future."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from models.enums import EvaluationDecision


class RenewalDecisionCreate(BaseModel):
    product_id: int = Field(gt=0)
    review_cycle: str = Field(min_length=4, max_length=40, description="e.g. 2025-26")
    decision: EvaluationDecision
    rationale: str = Field(min_length=10, max_length=5000)

    @field_validator("review_cycle", "rationale")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()
