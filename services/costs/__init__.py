"""Multi-year cost modeling for SOP step 3, as pure functions (no database, no streamlit).

`evaluate(quote, params)` is the one entry point pages, exports, the demo and the bench use; the
formulas live in the submodules, each with its definitions in its docstring:
projection (price, seats, cost per year), analysis (NPV, unit costs, break-even, tornado, budget fit),
funding (sources per year, unfunded amounts, warnings), fiscal (FY labels), tables (DataFrames).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.costs import QuoteInput, ScenarioParams
from services.costs.analysis import CostSummary, summarize
from services.costs.funding import FundingPlan, assign_funding
from services.costs.projection import YearCost, project_costs


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    quote: QuoteInput
    params: ScenarioParams
    years: list[YearCost]
    summary: CostSummary
    funding: FundingPlan


def evaluate(quote: QuoteInput, params: ScenarioParams, name: str = "Scenario") -> ScenarioResult:
    """Project, summarize and fund one scenario."""
    years = project_costs(quote, params)
    return ScenarioResult(
        name=name,
        quote=quote,
        params=params,
        years=years,
        summary=summarize(years, params),
        funding=assign_funding(years, params.funding),
    )


__all__ = ["ScenarioResult", "evaluate"]
