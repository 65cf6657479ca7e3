"""NPV, annualizing, break-even discount, tornado and "what would it take", checked by hand and by
numpy-financial (whose npv() treats values[0] as t = 0, the convention we use)."""

from __future__ import annotations

import numpy_financial as npf
import pytest
from scipy.optimize import brentq

from models.costs import (
    BudgetBasis,
    ContractOption,
    CostCategory,
    CostLine,
    EnrollmentParams,
    PriceTier,
    QuoteInput,
    ScenarioParams,
)
from models.enums import PricingUnit
from services.costs import evaluate
from services.costs.analysis import (
    annualize,
    break_even_discount,
    break_even_utilization,
    max_unit_price,
    npv,
    scenario_npv,
    tornado,
)
from services.costs.projection import project_costs


def quote(**changes) -> QuoteInput:
    base = dict(product_id=1, pricing_unit=PricingUnit.PER_STUDENT, unit_price=10.0, coverage_pct=100.0)
    return QuoteInput(**{**base, **changes})


def params(**changes) -> ScenarioParams:
    base = dict(
        option=ContractOption.MULTI_YEAR,
        start_fiscal_year=2027,
        horizon_years=3,
        discount_rate_pct=0.0,
        enrollment=EnrollmentParams(base_students=1000),
    )
    return ScenarioParams(**{**base, **changes})


class TestNpv:
    def test_year_zero_is_not_discounted(self):
        assert npv([100, 110, 121], 0.10) == pytest.approx(300.0)

    def test_matches_numpy_financial(self):
        values = [18000.0, 13250.5, 9000.0, 14100.0, 7000.0]
        assert npv(values, 0.04) == pytest.approx(npf.npv(0.04, values))

    def test_scenario_npv_matches_numpy_financial(self):
        p = params(discount_rate_pct=3.5, horizon_years=6)
        q = quote(
            escalator_pct=4,
            term_years=3,
            price_lock_years=2,
            multi_year_discount_pct=8,
            one_time_costs=(CostLine(name="Setup", category=CostCategory.IMPLEMENTATION, amount=4000),),
        )
        result = evaluate(q, p)
        assert result.summary.npv == pytest.approx(npf.npv(0.035, [y.total for y in result.years]))

    def test_spreadsheet_npv_discounts_year_zero_too(self):
        # a spreadsheet's NPV() would give sum v/(1+r)^(t+1): ours is that times (1 + r)
        values = [100.0, 100.0]
        assert npv(values, 0.1) == pytest.approx(sum(v / 1.1 ** (t + 1) for t, v in enumerate(values)) * 1.1)


class TestAnnualize:
    def test_hand_computed(self):
        # 10,000 over 5 years at 5%: 10000 x 0.05 / (1 - 1.05^-5) = 2309.75
        assert annualize(10_000, 0.05, 5) == pytest.approx(2309.75, abs=0.01)

    def test_matches_numpy_financial_pmt(self):
        assert annualize(10_000, 0.05, 5) == pytest.approx(-npf.pmt(0.05, 5, 10_000))

    def test_zero_rate_is_straight_line(self):
        assert annualize(9_000, 0.0, 3) == 3000


class TestBreakEvenDiscount:
    def test_declining_enrollment_needs_a_discount(self):
        # yearly seats 1000, 900, 810 = 27,100; 3-year contract keeps 1000 seats = 30,000 at no discount
        q = quote(term_years=3)
        p = params(enrollment=EnrollmentParams(base_students=1000, growth_pct=-10))
        result = break_even_discount(q, p)
        assert result.yearly_npv == pytest.approx(27_100)
        assert result.discount_pct == pytest.approx(2900 / 30000 * 100)

    def test_agrees_with_a_root_finder(self):
        q = quote(term_years=3, escalator_pct=3)
        p = params(
            horizon_years=5,
            discount_rate_pct=4,
            enrollment=EnrollmentParams(base_students=1000, growth_pct=-6),
        )
        yearly = scenario_npv(q, p.model_copy(update={"option": ContractOption.YEARLY}))
        root = brentq(
            lambda d: scenario_npv(q, p.model_copy(update={"multi_year_discount_pct": d})) - yearly, 0, 100
        )
        assert break_even_discount(q, p).discount_pct == pytest.approx(root, rel=1e-9)

    def test_price_lock_alone_beats_yearly(self):
        result = break_even_discount(quote(term_years=3, price_lock_years=3, escalator_pct=5), params())
        assert result.discount_pct == 0.0 and "locked price" in result.explanation

    def test_equal_prices_are_not_credited_to_a_price_lock(self):
        """'costs no more (price lock)' was said of a quote with no lock and no price increase."""
        result = break_even_discount(quote(term_years=3, price_lock_years=0, escalator_pct=0), params())
        assert result.discount_pct == 0.0
        assert "lock" not in result.explanation and "above 0%" in result.explanation

    def test_one_year_term_has_nothing_to_compare(self):
        assert break_even_discount(quote(term_years=1), params()).discount_pct is None


class TestBreakEvenUtilization:
    def test_share_needed(self):
        assert break_even_utilization(10_000, 1000, 20) == pytest.approx(0.5)

    def test_unreachable_target(self):
        assert break_even_utilization(10_000, 1000, 5) is None


class TestTornado:
    def test_bars_sorted_by_swing_and_utilization_flat_on_npv(self):
        bars = tornado(
            quote(escalator_pct=5), params(option=ContractOption.YEARLY, discount_rate_pct=3, horizon_years=5)
        )
        swings = [b.swing for b in bars]
        assert swings == sorted(swings, reverse=True)
        util = next(b for b in bars if b.factor == "Utilization")
        assert util.low_value == util.high_value == util.base_value

    def test_escalator_bar_hand_computed(self):
        bars = tornado(quote(escalator_pct=5), params(option=ContractOption.YEARLY))
        esc = next(b for b in bars if b.factor == "Annual escalator")
        assert esc.low_value == pytest.approx(10000 + 10200 + 10404)  # 2%
        assert esc.high_value == pytest.approx(10000 + 10800 + 11664)  # 8%

    def test_utilization_moves_cost_per_active_user(self):
        bars = tornado(quote(), params(utilization_pct=50), metric="per_active_user")
        util = next(b for b in bars if b.factor == "Utilization")
        assert util.low_value == pytest.approx(10 / 0.30)
        assert util.high_value == pytest.approx(10 / 0.70)


class TestWhatWouldItTake:
    def test_each_year_budget(self):
        q = quote(recurring_costs=(CostLine(name="Support", category=CostCategory.SUPPORT, amount=2000),))
        fit = max_unit_price(q, params(option=ContractOption.YEARLY), 12_000)
        assert fit.max_unit_price == pytest.approx(10.0) and fit.fits

    def test_total_budget_with_escalator(self):
        q = quote(escalator_pct=10)
        fit = max_unit_price(q, params(option=ContractOption.YEARLY), 33_100, BudgetBasis.TOTAL)
        assert fit.max_unit_price == pytest.approx(10.0)  # 1000 x P x (1 + 1.1 + 1.21) = 3310 P

    def test_other_costs_exceed_budget(self):
        q = quote(one_time_costs=(CostLine(name="Devices", category=CostCategory.HARDWARE, amount=50_000),))
        fit = max_unit_price(q, params(), 20_000)
        assert fit.max_unit_price is None and not fit.fits

    def test_tiered_quote_answers_with_a_share_of_its_tier_prices(self):
        # 1,000 students -> the 1,000 tier at $8: $8,000 a year, not the "from" price of $10
        tiers = (PriceTier(min_units=0, unit_price=10.0), PriceTier(min_units=1000, unit_price=8.0))
        q = quote(tiers=tiers)
        tight = max_unit_price(q, params(option=ContractOption.YEARLY), 6_000)
        assert tight.max_price_share == pytest.approx(0.75) and not tight.fits
        assert "discount of at least 25%" in tight.explanation
        roomy = max_unit_price(q, params(option=ContractOption.YEARLY), 10_000)
        assert roomy.max_price_share == pytest.approx(1.25) and roomy.fits
        # what the share means: the tiers scaled by it cost exactly the budget
        years = project_costs(q, params(option=ContractOption.YEARLY), price_scale=tight.max_price_share)
        assert max(y.total for y in years) == pytest.approx(6_000)
        # a flat $10 price would have said "does not fit" at $9,000; the tier actually billed fits
        assert max_unit_price(q, params(option=ContractOption.YEARLY), 9_000).fits

    def test_npv_basis_is_consistent(self):
        q, p = quote(escalator_pct=4), params(discount_rate_pct=5, horizon_years=5)
        fit = max_unit_price(q, p, 40_000, BudgetBasis.NPV)
        assert scenario_npv(q, p, base_price=fit.max_unit_price) == pytest.approx(40_000)
