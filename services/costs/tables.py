"""Scenario results as tables: the same frames feed the page, the charts, the CSV and the XLSX.

Column names are the words people read; money columns are plain floats (formatting is the page's and
the exporter's job). The list of money columns is kept here so exports format exactly those.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from models.costs import CostCategory
from services.costs import ScenarioResult
from services.costs.analysis import TornadoBar
from services.costs.fiscal import fiscal_year_label, fiscal_year_span
from services.costs.projection import contract_terms

MONEY_COLUMNS = frozenset(
    {
        "Unit price",
        "List price",
        "One-time",
        "Recurring",
        "Direct",
        "Indirect",
        "Total",
        "Cumulative",
        "Present value",
        "Funded",
        "Unfunded",
        "NPV",
        "First year",
        "Average per year",
        "Cost per student",
        "Cost per active user",
        "Annualized one-time",
        "Unfunded total",
        "Amount",
        "Cost",
        *(c.label for c in CostCategory),
    }
)


def year_table(result: ScenarioResult, start_month: int = 7) -> pd.DataFrame:
    """One row per fiscal year: seats, price, each cost category, totals, funding."""
    rows = []
    for year, funded in zip(result.years, result.funding.years, strict=True):
        row: dict[str, object] = {
            "Fiscal year": fiscal_year_label(year.fiscal_year),
            "Period": fiscal_year_span(year.fiscal_year, start_month),
            "Enrollment": round(year.enrollment),
            "Students served": year.students_served,
            "Units": year.units,
            "List price": round(year.list_price, 2),
            "Unit price": round(year.unit_price, 2),
        }
        for category in CostCategory:
            row[category.label] = round(year.by_category.get(category, 0.0), 2)
        row.update(
            {
                "One-time": round(year.one_time, 2),
                "Recurring": round(year.recurring, 2),
                "Direct": round(year.direct, 2),
                "Indirect": round(year.indirect, 2),
                "Total": round(year.total, 2),
                "Cumulative": round(year.cumulative, 2),
                "Present value": round(year.present_value, 2),
                "Funded": round(funded.funded, 2),
                "Unfunded": round(funded.unfunded, 2),
            }
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    # categories with no cost in any year only clutter the table
    empty = [c.label for c in CostCategory if c != CostCategory.LICENSE and not frame[c.label].any()]
    return frame.drop(columns=empty)


def comparison_table(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """One row per scenario, the numbers a committee compares side by side."""
    rows = []
    for r in results:
        s, terms = r.summary, contract_terms(r.quote, r.params)
        first_gap = r.funding.first_unfunded_year
        rows.append(
            {
                "Scenario": r.name,
                "Option": r.params.option.label,
                "Term (years)": terms.term_years,
                "Years modeled": len(r.years),
                "Total": round(s.total, 2),
                "NPV": round(s.npv, 2),
                "First year": round(s.first_year, 2),
                "Average per year": round(s.average_per_year, 2),
                "Cost per student": None if s.cost_per_student is None else round(s.cost_per_student, 2),
                "Cost per active user": None
                if s.cost_per_active_user is None
                else round(s.cost_per_active_user, 2),
                "Annualized one-time": round(s.annualized_one_time, 2),
                "Direct": round(s.direct_total, 2),
                "Indirect": round(s.indirect_total, 2),
                "Unfunded total": round(r.funding.unfunded_total, 2),
                "First unfunded year": fiscal_year_label(first_gap) if first_gap else "",
            }
        )
    return pd.DataFrame(rows)


def category_long(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Scenario x fiscal year x category, for stacked bars."""
    rows = [
        {
            "Scenario": r.name,
            "Fiscal year": fiscal_year_label(y.fiscal_year),
            "Category": c.label,
            "Indirect": c.indirect,
            "Amount": round(y.by_category[c], 2),
        }
        for r in results
        for y in r.years
        for c in CostCategory
        if y.by_category.get(c)
    ]
    return pd.DataFrame(rows, columns=["Scenario", "Fiscal year", "Category", "Indirect", "Amount"])


def cumulative_long(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    rows = [
        {
            "Scenario": r.name,
            "Fiscal year": fiscal_year_label(y.fiscal_year),
            "Cumulative": round(y.cumulative, 2),
        }
        for r in results
        for y in r.years
    ]
    return pd.DataFrame(rows, columns=["Scenario", "Fiscal year", "Cumulative"])


def funding_table(result: ScenarioResult) -> pd.DataFrame:
    """Fiscal year x source, plus the unfunded column."""
    sources = list(dict.fromkeys(line.source_name for line in result.params.funding))
    rows = []
    for year in result.funding.years:
        row: dict[str, object] = {
            "Fiscal year": fiscal_year_label(year.fiscal_year),
            "Cost": round(year.cost, 2),
        }
        for name in sources:
            row[name] = round(year.by_source.get(name, 0.0), 2)
        row["Unfunded"] = round(year.unfunded, 2)
        rows.append(row)
    return pd.DataFrame(rows)


def tornado_table(bars: Sequence[TornadoBar]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Factor": b.factor,
                "Low": b.low_label,
                "High": b.high_label,
                "At low": round(b.low_value, 2),
                "At high": round(b.high_value, 2),
                "Base": round(b.base_value, 2),
                "Swing": round(b.swing, 2),
            }
            for b in bars
        ]
    )
