"""Cost per fiscal year for one quote under one scenario: the formulas of shared/domain/costs.md.

Pure functions, no database and no streamlit, so the budget page, exports, the demo seed and the bench
all compute the same numbers. Definitions (each used once, here):

- Base price P_0 of year t: the quote's flat unit price, or with price tiers the price of the tier that
  year's billed units fall in (volume pricing, the common K-12 vendor practice: ALL units are priced at
  the tier of the total quantity, not split across tiers as in graduated pricing). Tier boundaries are
  inclusive at min_units: with tiers 0 / 1,000 / 5,000, exactly 1,000 units are priced at the 1,000 tier.
  When seats grow across a boundary the year's P_0 changes with them; a `base_price` override (what-ifs,
  max_unit_price) is a flat price that replaces the tiers.
- Escalator e: the quote's flat percent, or for a CPI-linked escalator the assumed CPI; a scenario's
  escalator override replaces either. If the quote caps the escalator, e = min(that rate, cap) for both
  kinds and for every contract option (the cap is the vendor's price-increase policy, not a term discount).
- Price in year t (t = 0 first year): P_t = P_0 (1 + e)^t. With a price lock for n years the price
  stays P_0 for t < n; from t = n the list price is again P_0 (1 + e)^t, as costs.md defines it (the
  vendor's list price kept escalating during the lock, so the first unlocked year jumps to it).
- A multi-year discount d applies to the license price during the contract term only; after the term
  the district renews yearly at the escalated list price.
- Seats follow enrollment: seats_t = max(minimum, min(ceil(enrollment_t x coverage), cap)). Within a
  multi-year term seat counts can grow (true-up) but not shrink until renewal.
- Yearly renewals: no discount, no lock, seats reset every year.
- Cost in year t = license + one-time costs (t = 0; exit costs in the last year) + recurring costs
  (flat nominal dollars each year). Staff time and exit costs are indirect (CoSN); the rest is direct.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from models.costs import (
    ContractOption,
    CostCategory,
    EnrollmentParams,
    EscalatorKind,
    QuoteInput,
    ScenarioParams,
)
from models.enums import PricingUnit


@dataclass(frozen=True)
class ContractTerms:
    """The terms actually modeled once the scenario's option and overrides are applied."""

    option: ContractOption
    term_years: int
    escalator: float  # rate, 0.05 = 5%
    lock_years: int
    discount: float  # rate


@dataclass(frozen=True)
class YearCost:
    """One fiscal year of a scenario."""

    t: int
    fiscal_year: int
    enrollment: float
    students_served: int
    units: int
    list_price: float
    unit_price: float
    by_category: dict[CostCategory, float] = field(default_factory=dict)
    one_time: float = 0.0
    recurring: float = 0.0
    direct: float = 0.0
    indirect: float = 0.0
    total: float = 0.0
    cumulative: float = 0.0
    present_value: float = 0.0
    active_users: float = 0.0

    @property
    def license(self) -> float:
        return self.by_category.get(CostCategory.LICENSE, 0.0)


def effective_escalator_pct(quote: QuoteInput, override_pct: float | None = None) -> float:
    """The escalator in percent: flat % or assumed CPI (or the override), bounded by the quote's cap."""
    if override_pct is not None:
        pct = override_pct
    elif quote.escalator_kind == EscalatorKind.CPI:
        pct = quote.cpi_pct or 0.0
    else:
        pct = quote.escalator_pct
    if quote.escalator_cap_pct is not None:
        pct = min(pct, quote.escalator_cap_pct)
    return pct


def price_for_units(quote: QuoteInput, units: int) -> float:
    """P_0 for a quantity: the flat unit price, or the price of the tier `units` falls in (volume)."""
    price = quote.unit_price
    for tier in quote.tiers:
        if units < tier.min_units:
            break
        price = tier.unit_price
    return price


def contract_terms(quote: QuoteInput, params: ScenarioParams) -> ContractTerms:
    """Yearly renewals ignore term, lock and discount; other options take the quote's, overridden."""
    escalator = effective_escalator_pct(quote, params.escalator_pct)
    if params.option == ContractOption.YEARLY:
        return ContractTerms(params.option, 1, escalator / 100, 0, 0.0)

    def pick(override: float | None, quoted: float) -> float:
        return quoted if override is None else override

    return ContractTerms(
        option=params.option,
        term_years=int(pick(params.term_years, quote.term_years)),
        escalator=escalator / 100,
        lock_years=int(pick(params.price_lock_years, quote.price_lock_years)),
        discount=pick(params.multi_year_discount_pct, quote.multi_year_discount_pct) / 100,
    )


def list_price_in_year(base_price: float, t: int, escalator: float, lock_years: int = 0) -> float:
    """P_t with the escalator and an optional price lock (see the module docstring)."""
    if t < lock_years:
        return base_price
    return base_price * (1 + escalator) ** t


def enrollment_in_year(enrollment: EnrollmentParams, t: int) -> float:
    """Entered numbers first; beyond them (or without them) the growth rate compounds."""
    entered = enrollment.by_year
    if t < len(entered):
        return float(entered[t])
    if entered:
        return entered[-1] * (1 + enrollment.growth_pct / 100) ** (t - len(entered) + 1)
    return enrollment.base_students * (1 + enrollment.growth_pct / 100) ** t


def seats_for(students: float, coverage: float, minimum: int = 0, cap: int | None = None) -> int:
    """seats = max(minimum, min(ceil(students x coverage), cap))."""
    # round first so float noise (e.g. 0.29 x 100) does not add a seat
    seats = math.ceil(round(students * coverage, 6))
    if cap is not None:
        seats = min(seats, cap)
    return max(seats, minimum)


def _covered_students(quote: QuoteInput, students: float) -> int:
    coverage = (quote.coverage_pct or 100.0) / 100
    return math.ceil(round(students * coverage, 6))


def _units(quote: QuoteInput, students: float) -> int:
    if quote.pricing_unit == PricingUnit.FLAT_DISTRICT:
        return 1
    if quote.coverage_pct is not None:
        return seats_for(students, quote.coverage_pct / 100, quote.minimum_quantity, quote.seat_cap)
    units = max(int(quote.quantity or 0), quote.minimum_quantity)
    return min(units, quote.seat_cap) if quote.seat_cap is not None else units


def _served(quote: QuoteInput, students: float, units: int) -> int:
    covered = _covered_students(quote, students)
    if quote.pricing_unit in (PricingUnit.PER_STUDENT, PricingUnit.PER_SEAT):
        return min(covered, units)
    return covered


def project_costs(
    quote: QuoteInput, params: ScenarioParams, *, base_price: float | None = None, price_scale: float = 1.0
) -> list[YearCost]:
    """Cost per fiscal year over the horizon. `base_price` replaces the quoted unit price (what-ifs);
    `price_scale` multiplies whatever price applies, tier prices included (0.9 = every price 10% lower)."""
    terms = contract_terms(quote, params)
    rate = params.discount_rate_pct / 100
    utilization = params.utilization_pct / 100
    horizon = params.horizon_years
    years: list[YearCost] = []
    cumulative = 0.0
    term_start_units = 0
    for t in range(horizon):
        students = enrollment_in_year(params.enrollment, t)
        units = _units(quote, students)
        in_term = t < terms.term_years
        if terms.term_years > 1 and in_term:
            # seat counts may rise during a multi-year term but only fall at renewal
            term_start_units = units if t == 0 else max(term_start_units, units)
            units = term_start_units
        price0 = (price_for_units(quote, units) if base_price is None else base_price) * price_scale
        list_price = list_price_in_year(price0, t, terms.escalator, terms.lock_years)
        unit_price = list_price * (1 - terms.discount) if in_term else list_price
        by_category: dict[CostCategory, float] = {CostCategory.LICENSE: unit_price * units}
        one_time = 0.0
        for line in quote.one_time_costs:
            due = t == horizon - 1 if line.category == CostCategory.EXIT else t == 0
            if due:
                by_category[line.category] = by_category.get(line.category, 0.0) + line.amount
                one_time += line.amount
        recurring = by_category[CostCategory.LICENSE]
        for line in quote.recurring_costs:
            by_category[line.category] = by_category.get(line.category, 0.0) + line.amount
            recurring += line.amount
        total = one_time + recurring
        indirect = sum(v for c, v in by_category.items() if c.indirect)
        cumulative += total
        served = _served(quote, students, units)
        years.append(
            YearCost(
                t=t,
                fiscal_year=params.start_fiscal_year + t,
                enrollment=students,
                students_served=served,
                units=units,
                list_price=list_price,
                unit_price=unit_price,
                by_category=by_category,
                one_time=one_time,
                recurring=recurring,
                direct=total - indirect,
                indirect=indirect,
                total=total,
                cumulative=cumulative,
                present_value=total / (1 + rate) ** t,
                active_users=served * utilization,
            )
        )
    return years
