"""What a cost projection means: NPV, unit costs, the break-even discount, sensitivity, budget fit.

Pure functions over services/costs/projection.py. Definitions (each used once, here):

- NPV = sum_t C_t / (1 + r)^t, year 0 undiscounted (numpy-financial's `npv` uses the same t = 0
  convention; a spreadsheet's NPV() discounts the first value too).
- Cost per student = total cost / student-years served; cost per active user = total cost / active
  user-years, active users = students served x utilization (assumed until usage is imported).
- Annualized one-time cost over n years at rate r: A = P r / (1 - (1 + r)^-n); A = P / n when r = 0.
- Break-even multi-year discount: the discount at which the multi-year NPV equals the yearly-renewal
  NPV. Cost is linear in the discount, so two projections give it exactly.
- Break-even utilization: the active share needed to keep cost per active user at or under a target.
- "What would it take": cost is linear in the unit price, so the highest price that fits a budget is
  solved from two projections (price 0 and price 1). With price tiers, cost is linear in a common
  factor on every tier's price, so the answer is the largest share of the quoted prices that fits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from models.costs import BudgetBasis, ContractOption, QuoteInput, ScenarioParams, SensitivityRanges
from services.costs.projection import YearCost, contract_terms, project_costs


def npv(values: Sequence[float], rate: float) -> float:
    """Net present value with values[0] at t = 0 (undiscounted)."""
    return sum(v / (1 + rate) ** t for t, v in enumerate(values))


def annualize(amount: float, rate: float, years: int) -> float:
    """The equal yearly payment worth `amount` today: A = P r / (1 - (1 + r)^-n)."""
    if years <= 0:
        raise ValueError("years must be at least 1")
    if rate == 0:
        return amount / years
    return amount * rate / (1 - (1 + rate) ** -years)


def break_even_utilization(
    cost: float, students_served: float, target_per_active_user: float
) -> float | None:
    """Share of served students who must be active for cost per active user <= target (None: never)."""
    if students_served <= 0 or target_per_active_user <= 0:
        return None
    share = cost / (students_served * target_per_active_user)
    return share if share <= 1 else None


@dataclass(frozen=True)
class CostSummary:
    """The headline numbers of one scenario."""

    total: float
    npv: float
    first_year: float
    average_per_year: float
    one_time_total: float
    recurring_total: float
    direct_total: float
    indirect_total: float
    cost_per_student: float | None
    cost_per_active_user: float | None
    annualized_one_time: float
    last_fiscal_year: int


def summarize(years: Sequence[YearCost], params: ScenarioParams) -> CostSummary:
    rate = params.discount_rate_pct / 100
    total = sum(y.total for y in years)
    served = sum(y.students_served for y in years)
    active = sum(y.active_users for y in years)
    one_time = sum(y.one_time for y in years)
    return CostSummary(
        total=total,
        npv=npv([y.total for y in years], rate),
        first_year=years[0].total,
        average_per_year=total / len(years),
        one_time_total=one_time,
        recurring_total=sum(y.recurring for y in years),
        direct_total=sum(y.direct for y in years),
        indirect_total=sum(y.indirect for y in years),
        cost_per_student=total / served if served else None,
        cost_per_active_user=total / active if active else None,
        annualized_one_time=annualize(one_time, rate, len(years)),
        last_fiscal_year=years[-1].fiscal_year,
    )


def scenario_npv(quote: QuoteInput, params: ScenarioParams, *, base_price: float | None = None) -> float:
    years = project_costs(quote, params, base_price=base_price)
    return npv([y.total for y in years], params.discount_rate_pct / 100)


@dataclass(frozen=True)
class BreakEven:
    yearly_npv: float
    multi_year_npv: float  # at the scenario's own discount
    discount_pct: float | None  # None: no discount up to 100% makes the multi-year contract cheaper
    explanation: str


def break_even_discount(quote: QuoteInput, params: ScenarioParams) -> BreakEven:
    """The multi-year discount at which multi-year NPV equals yearly-renewal NPV."""
    multi = (
        params
        if params.option != ContractOption.YEARLY
        else params.model_copy(update={"option": ContractOption.MULTI_YEAR})
    )
    yearly_npv = scenario_npv(quote, params.model_copy(update={"option": ContractOption.YEARLY}))
    at_zero = scenario_npv(quote, multi.model_copy(update={"multi_year_discount_pct": 0.0}))
    at_full = scenario_npv(quote, multi.model_copy(update={"multi_year_discount_pct": 100.0}))
    own = scenario_npv(quote, multi)
    if contract_terms(quote, multi).term_years <= 1:
        return BreakEven(
            yearly_npv, own, None, "A one-year term is a yearly renewal: no discount to compare."
        )
    if math.isclose(at_zero, yearly_npv, rel_tol=1e-9, abs_tol=0.005):
        # the same prices either way (no increases to escape): no price lock to credit
        return BreakEven(
            yearly_npv,
            own,
            0.0,
            "Without a discount both cost the same: any multi-year discount above 0% beats yearly renewals.",
        )
    if at_zero < yearly_npv:
        return BreakEven(
            yearly_npv,
            own,
            0.0,
            "Even without a discount the multi-year contract costs less (its locked price escapes the "
            "yearly increases).",
        )
    slope = at_zero - at_full
    share = (at_zero - yearly_npv) / slope if slope > 0 else None
    if share is None or share > 1:
        return BreakEven(yearly_npv, own, None, "No discount makes the multi-year contract cheaper.")
    return BreakEven(
        yearly_npv,
        own,
        share * 100,
        f"A multi-year discount above {share * 100:.1f}% beats yearly renewals on NPV.",
    )


@dataclass(frozen=True)
class TornadoBar:
    factor: str
    low_label: str
    high_label: str
    low_value: float
    high_value: float
    base_value: float

    @property
    def swing(self) -> float:
        return abs(self.high_value - self.low_value)


def _metric(quote: QuoteInput, params: ScenarioParams, metric: str) -> float:
    years = project_costs(quote, params)
    rate = params.discount_rate_pct / 100
    value = npv([y.total for y in years], rate)
    if metric == "npv":
        return value
    active = npv([y.active_users for y in years], rate)
    return value / active if active else float("nan")


def tornado(
    quote: QuoteInput,
    params: ScenarioParams,
    ranges: SensitivityRanges | None = None,
    *,
    metric: str = "npv",
) -> list[TornadoBar]:
    """NPV (or NPV per discounted active user, metric="per_active_user") with one input at low/high.

    Utilization does not change what the district pays, only the cost per active user, so its bar is
    zero on plain NPV. Bars come back largest swing first.
    """
    r = ranges or SensitivityRanges()
    terms = contract_terms(quote, params)
    base = _metric(quote, params, metric)
    esc = terms.escalator * 100
    enr = params.enrollment

    def with_growth(points: float):
        if enr.by_year:
            scaled = tuple(round(n * (1 + points / 100)) for n in enr.by_year)
            return enr.model_copy(update={"by_year": scaled, "growth_pct": enr.growth_pct + points})
        return enr.model_copy(update={"growth_pct": enr.growth_pct + points})

    factors = [
        ("Annual escalator", "escalator_pct", esc, r.escalator_points, 0.0, 100.0, "%"),
        (
            "Discount rate",
            "discount_rate_pct",
            params.discount_rate_pct,
            r.discount_rate_points,
            0.0,
            50.0,
            "%",
        ),
        ("Utilization", "utilization_pct", params.utilization_pct, r.utilization_points, 1.0, 100.0, "%"),
    ]
    bars = []
    for name, attr, value, points, floor, ceiling, unit in factors:
        low, high = max(floor, value - points), min(ceiling, value + points)
        bars.append(
            TornadoBar(
                name,
                f"{low:g}{unit}",
                f"{high:g}{unit}",
                _metric(quote, params.model_copy(update={attr: low}), metric),
                _metric(quote, params.model_copy(update={attr: high}), metric),
                base,
            )
        )
    g = r.growth_points
    bars.append(
        TornadoBar(
            "Enrollment growth",
            f"{enr.growth_pct - g:+g}%/yr",
            f"{enr.growth_pct + g:+g}%/yr",
            _metric(quote, params.model_copy(update={"enrollment": with_growth(-g)}), metric),
            _metric(quote, params.model_copy(update={"enrollment": with_growth(g)}), metric),
            base,
        )
    )
    return sorted(bars, key=lambda b: b.swing, reverse=True)


@dataclass(frozen=True)
class PriceFit:
    quoted_price: float
    max_unit_price: float | None  # None: other costs alone exceed the budget, or the quote has tiers
    fits: bool
    explanation: str
    # the highest multiple of the quoted prices (every tier alike) that fits; None: nothing fits
    max_price_share: float | None = None


def max_unit_price(
    quote: QuoteInput, params: ScenarioParams, budget: float, basis: BudgetBasis = BudgetBasis.EACH_YEAR
) -> PriceFit:
    """The highest unit price (year-1 list price) whose cost stays within `budget` on `basis`.

    With price tiers there is no single price: the answer is how far every tier price may move
    together (cost is linear in a common factor on all tiers), e.g. "at most 80% of the quoted
    prices" = a discount of at least 20%."""
    if quote.tiers:  # x = a common factor on every tier's price
        fixed = project_costs(quote, params, price_scale=0.0)
        per_x = project_costs(quote, params, price_scale=1.0)
    else:  # x = the unit price
        fixed = project_costs(quote, params, base_price=0.0)
        per_x = project_costs(quote, params, base_price=1.0)
    slopes = [p.total - f.total for p, f in zip(per_x, fixed, strict=True)]
    limit = _linear_limit(slopes, [f.total for f in fixed], budget, basis, params.discount_rate_pct / 100)
    if limit < 0:
        return PriceFit(
            quote.unit_price,
            None,
            False,
            f"Costs other than licenses already exceed the budget on {basis.label}.",
        )
    if limit == float("inf"):
        return PriceFit(quote.unit_price, None, True, "The license costs nothing here; any price fits.")
    within = f"{basis.label} within ${budget:,.0f}"
    if quote.tiers:
        fits = limit >= 1 - 1e-9
        if fits:
            explanation = (
                f"The quoted tier prices fit: every tier could cost up to {limit:.0%} of its quoted price "
                f"and still keep {within}."
            )
        else:
            explanation = (
                f"The quoted tier prices do not fit: every tier must come down to {limit:.0%} of its "
                f"quoted price (a discount of at least {1 - limit:.0%}) to keep {within}."
            )
        return PriceFit(quote.unit_price, None, fits, explanation, limit)
    fits = quote.unit_price <= limit + 1e-9
    verdict = "fits" if fits else "does not fit"
    return PriceFit(
        quote.unit_price,
        limit,
        fits,
        f"Up to ${limit:,.2f} per unit keeps {within}; the quoted ${quote.unit_price:,.2f} {verdict}.",
        limit / quote.unit_price if quote.unit_price > 0 else None,
    )


def _linear_limit(
    slopes: Sequence[float], intercepts: Sequence[float], budget: float, basis: BudgetBasis, rate: float
) -> float:
    """The largest x with cost(x) = intercept + slope * x within budget (inf: any; < 0: none)."""
    if basis == BudgetBasis.EACH_YEAR:
        return min(
            (budget - b) / a if a > 0 else (float("inf") if b <= budget else -1.0)
            for a, b in zip(slopes, intercepts, strict=True)
        )
    a = npv(slopes, rate) if basis == BudgetBasis.NPV else sum(slopes)
    b = npv(intercepts, rate) if basis == BudgetBasis.NPV else sum(intercepts)
    return (budget - b) / a if a > 0 else (float("inf") if b <= budget else -1.0)
