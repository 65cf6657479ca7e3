"""Who pays each fiscal year: funding lines applied to a projection, the unfunded gap, and warnings.

A line pays a share of each year's total cost or a fixed amount per year, for every fiscal year up to
its source's last year. What no line covers is unfunded. The facts in shared/domain/costs.md are
warnings for people to weigh, never hard rules: a funding cliff (a source ends before the plan does),
the Title IV-A technology-spending limits, E-Rate not paying for software, ESSER having ended, and
federal funds supplementing rather than supplanting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from models.costs import CostCategory, FundingLine
from models.enums import FundingKind
from services.costs.fiscal import fiscal_year_label
from services.costs.projection import YearCost

TITLE_IV_A_NOTE = (
    "Title IV-A: when the district's allocation is $30,000 or more, at least 20% must go to well-rounded "
    "education and 20% to safe and healthy students; of the part spent on effective use of technology, "
    "at most 15% may buy devices, equipment, software or digital content."
)
E_RATE_NOTE = "E-Rate pays for connectivity and internal connections, not application software or licenses."
ESSER_NOTE = "ESSER ended in 2024: it cannot pay for new years of a subscription."
SUPPLEMENT_NOTE = (
    "Federal funds supplement, not supplant: they cannot pay for what the district already funds."
)
_FEDERAL = {FundingKind.TITLE_I_A, FundingKind.TITLE_II_A, FundingKind.TITLE_IV_A, FundingKind.IDEA}
ESSER_LAST_FISCAL_YEAR = 2024


@dataclass(frozen=True)
class FundingYear:
    fiscal_year: int
    cost: float
    by_source: dict[str, float] = field(default_factory=dict)
    funded: float = 0.0
    unfunded: float = 0.0
    overfunded: float = 0.0


@dataclass(frozen=True)
class FundingPlan:
    years: list[FundingYear]
    warnings: list[str]

    @property
    def unfunded_total(self) -> float:
        return sum(y.unfunded for y in self.years)

    @property
    def first_unfunded_year(self) -> int | None:
        return next((y.fiscal_year for y in self.years if y.unfunded > 0.005), None)


def _active(line: FundingLine, fiscal_year: int) -> bool:
    return line.last_fiscal_year is None or fiscal_year <= line.last_fiscal_year


def assign_funding(years: Sequence[YearCost], lines: Sequence[FundingLine]) -> FundingPlan:
    """Each year's cost split over the lines still running that year; the remainder is unfunded."""
    out: list[FundingYear] = []
    for year in years:
        by_source: dict[str, float] = {}
        for line in lines:
            if not _active(line, year.fiscal_year):
                continue
            amount = _line_amount(line, year.total)
            by_source[line.source_name] = by_source.get(line.source_name, 0.0) + amount
        funded = sum(by_source.values())
        out.append(
            FundingYear(
                fiscal_year=year.fiscal_year,
                cost=year.total,
                by_source=by_source,
                funded=min(funded, year.total),
                unfunded=max(0.0, year.total - funded),
                overfunded=max(0.0, funded - year.total),
            )
        )
    return FundingPlan(out, funding_warnings(years, lines, out))


def funding_warnings(
    years: Sequence[YearCost], lines: Sequence[FundingLine], plan: Sequence[FundingYear]
) -> list[str]:
    if not years:
        return []
    warnings: list[str] = []
    last_fy = years[-1].fiscal_year
    if not lines:
        warnings.append("No funding assigned yet: every year is unfunded.")
    for line in lines:
        if line.last_fiscal_year is not None and line.last_fiscal_year < last_fy:
            ended = [y for y in plan if y.fiscal_year > line.last_fiscal_year]
            gap = sum(_line_amount(line, y.cost) for y in ended)
            warnings.append(
                f"Funding cliff: {line.source_name} ends after {fiscal_year_label(line.last_fiscal_year)} "
                f"but the plan runs to {fiscal_year_label(last_fy)}; ${gap:,.0f} it would have paid "
                f"from {fiscal_year_label(line.last_fiscal_year + 1)} on needs another source."
            )
    kinds = {line.kind for line in lines}
    if FundingKind.TITLE_IV_A in kinds:
        warnings.append(TITLE_IV_A_NOTE)
    if FundingKind.E_RATE in kinds and any(y.by_category.get(CostCategory.LICENSE, 0) > 0 for y in years):
        warnings.append(E_RATE_NOTE)
    if FundingKind.ESSER in kinds and years[0].fiscal_year > ESSER_LAST_FISCAL_YEAR:
        warnings.append(ESSER_NOTE)
    if kinds & _FEDERAL:
        warnings.append(SUPPLEMENT_NOTE)
    for year in plan:
        if year.overfunded > 0.005:
            warnings.append(
                f"{fiscal_year_label(year.fiscal_year)}: funding lines add up to ${year.overfunded:,.0f} "
                "more than the cost."
            )
    return warnings


def _line_amount(line: FundingLine, cost: float) -> float:
    return cost * line.share_pct / 100 if line.share_pct is not None else line.annual_amount or 0.0
