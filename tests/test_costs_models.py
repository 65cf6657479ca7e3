"""Bad input is refused with a message naming the field, before anything is modeled or saved."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models.costs import (
    CostCategory,
    CostLine,
    EnrollmentParams,
    FundingLine,
    QuoteInput,
    ScenarioParams,
)
from models.enums import FundingKind, PricingUnit


def quote(**changes) -> dict:
    base = dict(product_id=1, pricing_unit=PricingUnit.PER_SEAT, unit_price=10, quantity=100)
    return {**base, **changes}


def messages(exc_info) -> str:
    """pydantic's text names the field (or, for rules across fields, the message starts with it)."""
    return str(exc_info.value)


class TestQuoteRejectsBadInput:
    def test_negative_price_names_unit_price(self):
        with pytest.raises(ValidationError) as exc:
            QuoteInput(**quote(unit_price=-1))
        assert "unit_price" in messages(exc)

    def test_escalator_over_100_percent(self):
        with pytest.raises(ValidationError) as exc:
            QuoteInput(**quote(escalator_pct=150))
        assert "escalator_pct" in messages(exc)

    def test_zero_year_term(self):
        with pytest.raises(ValidationError) as exc:
            QuoteInput(**quote(term_years=0))
        assert "term_years" in messages(exc)

    def test_missing_quantity_without_coverage(self):
        with pytest.raises(ValidationError) as exc:
            QuoteInput(**quote(quantity=None))
        assert "quantity" in messages(exc)

    def test_flat_license_needs_no_quantity(self):
        assert QuoteInput(**quote(pricing_unit=PricingUnit.FLAT_DISTRICT, quantity=None)).quantity is None

    def test_coverage_replaces_quantity_for_per_student(self):
        q = QuoteInput(
            **quote(
                pricing_unit=PricingUnit.PER_STUDENT,
                quantity=None,
                coverage_pct=100,
                coverage_grade_low=3,
                coverage_grade_high=5,
            )
        )
        assert q.coverage_text == "100% of grades 3-5"

    def test_coverage_refused_for_per_school(self):
        with pytest.raises(ValidationError) as exc:
            QuoteInput(**quote(pricing_unit=PricingUnit.PER_SCHOOL, coverage_pct=50))
        assert "coverage_pct" in messages(exc)

    def test_cap_below_minimum(self):
        with pytest.raises(ValidationError) as exc:
            QuoteInput(**quote(minimum_quantity=200, seat_cap=100))
        assert "seat_cap" in messages(exc)

    def test_negative_cost_line(self):
        with pytest.raises(ValidationError) as exc:
            CostLine(name="Setup", category=CostCategory.IMPLEMENTATION, amount=-5)
        assert "amount" in messages(exc)


class TestCostLine:
    def test_staff_time_is_hours_times_rate(self):
        line = CostLine(name="Admin", category=CostCategory.STAFF_TIME, hours=40, hourly_rate=52.5)
        assert line.amount == 2100.0

    def test_hours_without_rate_refused(self):
        with pytest.raises(ValidationError) as exc:
            CostLine(name="Admin", category=CostCategory.STAFF_TIME, hours=40)
        assert "hourly_rate" in messages(exc)


class TestScenarioParams:
    def grant(self, share: float) -> FundingLine:
        return FundingLine(source_name=f"Grant {share}", kind=FundingKind.STATE_GRANT, share_pct=share)

    def test_funding_split_over_100_percent(self):
        with pytest.raises(ValidationError) as exc:
            ScenarioParams(
                start_fiscal_year=2027,
                enrollment=EnrollmentParams(base_students=100),
                funding=(self.grant(60), self.grant(50)),
            )
        text = messages(exc)
        assert "funding" in text and "110%" in text

    def test_split_of_exactly_100_is_fine(self):
        p = ScenarioParams(
            start_fiscal_year=2027,
            enrollment=EnrollmentParams(base_students=100),
            funding=(self.grant(60), self.grant(40)),
        )
        assert len(p.funding) == 2

    def test_line_needs_share_or_amount(self):
        with pytest.raises(ValidationError) as exc:
            FundingLine(source_name="General fund", kind=FundingKind.GENERAL_FUND)
        assert "share_pct" in messages(exc)

    def test_zero_year_horizon(self):
        with pytest.raises(ValidationError) as exc:
            ScenarioParams(
                start_fiscal_year=2027, horizon_years=0, enrollment=EnrollmentParams(base_students=1)
            )
        assert "horizon_years" in messages(exc)

    def test_negative_enrollment(self):
        with pytest.raises(ValidationError) as exc:
            EnrollmentParams(base_students=-3)
        assert "base_students" in messages(exc)
