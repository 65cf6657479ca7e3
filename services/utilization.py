"""Actual license utilization from step 10, to replace the assumed utilization in cost scenarios.

Why a separate module: the cost model (services/costs) takes utilization as a plain input; the one
definition of "active user" and of license utilization lives in services/metrics.py (step 10), and
this module only asks it for the latest school year's figure, so both steps always agree. A value
hidden by the small-cell rule is not used.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from models.errors import DomainError
from services import monitoring


@dataclass(frozen=True)
class ActualUtilization:
    share: float  # active users / seats purchased, 0.62 = 62%
    school_year: str
    definition: str


def actual_utilization(
    con: duckdb.DuckDBPyConnection, product_id: int, *, threshold: int, start_month: int = 7
) -> ActualUtilization | None:
    """Latest imported year's license utilization for a product with a contract, else None."""
    try:
        setup = monitoring.tool_setup(con, product_id, threshold=threshold, start_month=start_month)
        if not setup.years or not setup.rules.seats:
            return None
        report = monitoring.usage_section(con, setup, setup.years[0])
    except DomainError:
        return None
    metric = report.metrics.get("license_utilization")
    if metric is None or metric.value is None or not report.has_usage or "%" not in metric.display:
        return None
    return ActualUtilization(min(1.0, float(metric.value)), setup.years[0].label, metric.definition)
