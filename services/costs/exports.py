"""Cost scenarios as downloads: an XLSX with the comparison plus a sheet per scenario, and a CSV.

Money columns are written as currency and every text cell is neutralised against spreadsheet formulas
by services/exports.py; fiscal years carry the district's labels (FY2027, July 2026 - June 2027).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from services import exports
from services.costs import ScenarioResult
from services.costs.tables import MONEY_COLUMNS, comparison_table, year_table


def _money(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c in MONEY_COLUMNS]


def scenarios_xlsx(results: Sequence[ScenarioResult], start_month: int = 7) -> bytes:
    comparison = comparison_table(results)
    sheets: list[exports.SheetSpec] = [
        ("Comparison", comparison, list(comparison.columns), _money(comparison))
    ]
    for result in results:
        years = year_table(result, start_month)
        sheets.append((result.name, years, list(years.columns), _money(years)))
    return exports.to_xlsx_workbook(sheets)


def scenarios_csv(results: Sequence[ScenarioResult], start_month: int = 7) -> bytes:
    """Every scenario's years in one table, a Scenario column first."""
    frames = [year_table(r, start_month).assign(Scenario=r.name) for r in results]
    combined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["Scenario"])
    columns = ["Scenario", *[c for c in combined.columns if c != "Scenario"]]
    return exports.to_csv_bytes(combined.fillna(0), columns, money_columns=_money(combined))
