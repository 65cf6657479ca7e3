"""Price, seats and cost per fiscal year against hand-computed cases (shared/domain/costs.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.costs import ContractOption, CostCategory, CostLine, EnrollmentParams, QuoteInput, ScenarioParams
from models.enums import PricingUnit
from services.costs import evaluate
from services.costs.fiscal import fiscal_year_label, fiscal_year_of, fiscal_year_span, next_fiscal_year
from services.costs.projection import enrollment_in_year, list_price_in_year, project_costs, seats_for


def per_student(**changes) -> QuoteInput:
    base = dict(product_id=1, pricing_unit=PricingUnit.PER_STUDENT, unit_price=10.0, coverage_pct=100.0)
    return QuoteInput(**{**base, **changes})


def params(option=ContractOption.YEARLY, students=1000, growth=0.0, **changes) -> ScenarioParams:
    base = dict(
        option=option,
        start_fiscal_year=2027,
        horizon_years=3,
        discount_rate_pct=0.0,
        enrollment=EnrollmentParams(base_students=students, growth_pct=growth),
    )
    return ScenarioParams(**{**base, **changes})


class TestFiscalYears:
    def test_july_start_names_the_year_it_ends(self):
        assert fiscal_year_of(dt.date(2026, 7, 1)) == 2027
        assert fiscal_year_of(dt.date(2026, 6, 30)) == 2026
        assert fiscal_year_label(2027) == "FY2027"
        assert fiscal_year_span(2027) == "July 2026 - June 2027"

    def test_other_start_months(self):
        assert fiscal_year_of(dt.date(2026, 10, 1), start_month=10) == 2027
        assert fiscal_year_span(2027, start_month=10) == "October 2026 - September 2027"
        assert fiscal_year_of(dt.date(2026, 12, 31), start_month=1) == 2026
        assert fiscal_year_span(2026, start_month=1) == "January 2026 - December 2026"

    def test_next_fiscal_year(self):
        assert next_fiscal_year(dt.date(2026, 11, 28)) == 2028


class TestPrice:
    def test_escalator_compounds(self):
        assert [round(list_price_in_year(10, t, 0.05), 4) for t in range(3)] == [10, 10.5, 11.025]

    def test_lock_holds_then_returns_to_the_escalated_list_price(self):
        # costs.md: P_t = P_0 for t < n, else P_0 (1 + e)^t
        prices = [round(list_price_in_year(10, t, 0.05, lock_years=3), 4) for t in range(5)]
        assert prices == [10, 10, 10, 11.5763, 12.1551]

    def test_one_year_lock_is_no_lock(self):
        assert list_price_in_year(10, 2, 0.05, 1) == list_price_in_year(10, 2, 0.05, 0)


class TestSeats:
    def test_ceil_of_coverage(self):
        assert seats_for(101, 0.5) == 51

    def test_cap_and_minimum(self):
        assert seats_for(1000, 1.0, minimum=0, cap=800) == 800
        assert seats_for(100, 1.0, minimum=250) == 250

    def test_float_noise_adds_no_seat(self):
        assert seats_for(100, 0.29) == 29

    def test_enrollment_growth_and_entered_years(self):
        declining = EnrollmentParams(base_students=1000, growth_pct=-10)
        assert [round(enrollment_in_year(declining, t), 6) for t in range(3)] == [1000, 900, 810]
        entered = EnrollmentParams(base_students=0, growth_pct=10, by_year=(500, 520))
        assert [round(enrollment_in_year(entered, t), 6) for t in range(3)] == [500, 520, 572]


class TestYearlyCosts:
    def test_yearly_renewals_escalate_every_year(self):
        years = project_costs(per_student(escalator_pct=5), params())
        assert [round(y.total, 2) for y in years] == [10000, 10500, 11025]
        assert years[-1].cumulative == pytest.approx(31525)
        assert [y.fiscal_year for y in years] == [2027, 2028, 2029]

    def test_seats_follow_declining_enrollment_each_year(self):
        years = project_costs(per_student(), params(growth=-10))
        assert [y.units for y in years] == [1000, 900, 810]

    def test_one_time_year_zero_recurring_every_year_exit_last_year(self):
        q = per_student(
            one_time_costs=(
                CostLine(name="Setup", category=CostCategory.IMPLEMENTATION, amount=5000),
                CostLine(name="Data deletion", category=CostCategory.EXIT, amount=800),
            ),
            recurring_costs=(
                CostLine(name="Admin", category=CostCategory.STAFF_TIME, hours=40, hourly_rate=50),
                CostLine(name="Support", category=CostCategory.SUPPORT, amount=1000),
            ),
        )
        years = project_costs(q, params())
        assert [y.total for y in years] == [18000, 13000, 13800]
        assert [y.one_time for y in years] == [5000, 0, 800]
        assert [y.indirect for y in years] == [2000, 2000, 2800]  # staff time + exit are indirect (CoSN)
        assert [y.direct for y in years] == [16000, 11000, 11000]


class TestMultiYear:
    def test_discount_and_lock_in_term_then_list_price(self):
        q = per_student(escalator_pct=5, term_years=3, price_lock_years=3, multi_year_discount_pct=10)
        years = project_costs(q, params(ContractOption.MULTI_YEAR, horizon_years=5))
        assert [round(y.total, 2) for y in years] == [9000, 9000, 9000, 11576.25, 12155.06]

    def test_seats_cannot_shrink_until_renewal(self):
        q = per_student(term_years=3)
        years = project_costs(q, params(ContractOption.MULTI_YEAR, growth=-10, horizon_years=4))
        assert [y.units for y in years] == [1000, 1000, 1000, 729]

    def test_custom_option_overrides_quote_terms(self):
        q = per_student(term_years=3, multi_year_discount_pct=10)
        years = project_costs(q, params(ContractOption.CUSTOM, term_years=2, multi_year_discount_pct=20))
        assert [round(y.total, 2) for y in years] == [8000, 8000, 10000]


class TestUnitsAndUnitCosts:
    def test_per_teacher_fixed_quantity(self):
        q = QuoteInput(product_id=1, pricing_unit=PricingUnit.PER_TEACHER, unit_price=120, quantity=40)
        years = project_costs(q, params())
        assert years[0].total == 4800 and years[0].students_served == 1000

    def test_flat_license_is_one_unit(self):
        q = QuoteInput(product_id=1, pricing_unit=PricingUnit.FLAT_DISTRICT, unit_price=25000)
        assert project_costs(q, params())[0].total == 25000

    def test_cost_per_student_and_active_user(self):
        result = evaluate(per_student(), params(utilization_pct=50))
        assert result.summary.cost_per_student == pytest.approx(10.0)
        assert result.summary.cost_per_active_user == pytest.approx(20.0)

    def test_students_served_capped_by_seats(self):
        result = evaluate(per_student(seat_cap=600), params(horizon_years=1))
        assert result.years[0].students_served == 600
        assert result.summary.cost_per_student == pytest.approx(10.0)
