"""Usage across all tools for one school year: the district-wide view before picking a tool.

Why a module of its own: the per-tool metrics (services/metrics.py) scan one tool's rows; leaders
also ask "which of our tools are used at all, and what does each active user cost?" and "how many
students use any tool each week?". This answers both with one set-wise scan of usage_daily, using
each tool's own active-user rule from its plan (the same rule as METRICS["active_users"]), and
lists tools used but not in the catalog ("shadow" tools). Output is suppressed like everything else.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from services import metrics, suppression
from services.metrics import SchoolYear

OVERVIEW_DEFINITION = (
    "Per tool: active users as defined in that tool's plan (at least its minimum minutes in a week, "
    "else any session); license utilization = active users ÷ the licenses (per-student or per-seat "
    "quantity) of the contract covering most of the school year; cost per active user = that contract's annual cost ÷ active users. "
    "Tools not in the catalog are marked "
    "'not vetted'; a tool under contract this year that nobody used shows 0 active users. Weekly "
    "chart: students with any minutes or sessions in any tool that week."
)


def usage_years(con: duckdb.DuckDBPyConnection, start_month: int = 7) -> list[SchoolYear]:
    """School years with any usage, latest first."""
    first, last = con.execute("SELECT min(usage_date), max(usage_date) FROM usage_daily").fetchone()
    if first is None:
        return []
    low, high = SchoolYear.of(first, start_month), SchoolYear.of(last, start_month)
    return [SchoolYear(y, start_month) for y in range(high.start_year, low.start_year - 1, -1)]


def usage_overview(
    con: duckdb.DuckDBPyConnection,
    year: SchoolYear,
    threshold: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-tool display table, weekly students using any tool with small weeks blanked).

    Speed: grouping 10M rows by tool x student x week is slow, so the active-user rule is resolved
    in two steps. Per tool and student, a day with at least the plan's minutes (or any session when
    the plan sets no minimum) already makes an active week; only students whose total reaches the
    minimum without any such day get their weeks summed, on that small subset.
    """
    rostered = bool(con.execute("SELECT count(*) > 0 FROM roster_students").fetchone()[0])
    roster = "AND u.student_key IN (SELECT student_key FROM roster_students)" if rostered else ""
    window = {"start": year.start, "end": year.end}
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE overview_pairs AS
        WITH rules AS (
            SELECT p.name AS tool, max(coalesce(ip.active_user_min_minutes, 0)) AS min_minutes
            FROM products p LEFT JOIN implementation_plans ip USING (product_id) GROUP BY p.name),
        pairs AS (
            SELECT u.tool, u.student_key, max(coalesce(u.minutes, 0)) AS max_day,
                   sum(coalesce(u.minutes, 0)) AS total, max(coalesce(u.sessions, 0)) AS max_sessions
            FROM usage_daily u WHERE u.usage_date >= $start AND u.usage_date < $end {roster}
            GROUP BY ALL)
        SELECT pairs.*, coalesce(r.min_minutes, 0) AS min_minutes,
               CASE WHEN coalesce(r.min_minutes, 0) > 0 THEN max_day >= r.min_minutes
                    ELSE max_sessions >= 1 OR total > 0 END AS active,
               coalesce(r.min_minutes, 0) > 0 AND max_day < r.min_minutes AND total >= r.min_minutes AS unsure
        FROM pairs LEFT JOIN rules r USING (tool)""",
        window,
    )
    con.execute(
        """UPDATE overview_pairs SET active = true WHERE unsure AND (tool, student_key) IN (
               SELECT (u.tool, u.student_key) FROM usage_daily u
               JOIN overview_pairs p ON p.unsure AND p.tool = u.tool AND p.student_key = u.student_key
               WHERE u.usage_date >= $start AND u.usage_date < $end
               GROUP BY u.tool, u.student_key, date_trunc('week', u.usage_date), p.min_minutes
               HAVING sum(coalesce(u.minutes, 0)) >= p.min_minutes)""",
        window,
    )
    tools = con.execute(
        f"""WITH per_tool AS (
               SELECT tool, count(*) FILTER (WHERE active) AS active_users,
                      sum(total) FILTER (WHERE active) AS active_minutes
               FROM overview_pairs GROUP BY tool),
           weeks AS (  -- weeks with use, counted as on the tool's own page (rostered students only)
               SELECT u.tool, count(DISTINCT date_trunc('week', u.usage_date)) AS weeks FROM usage_daily u
               WHERE u.usage_date >= $start AND u.usage_date < $end {roster}
                 AND (u.minutes > 0 OR u.sessions > 0) GROUP BY u.tool),
           contract AS (  -- each tool's contract for this school year (as on the tool's page)
               SELECT tool, {metrics.SEATS_SQL} AS seats, annual_cost FROM ({metrics.year_contracts_sql("tool")})),
           catalog AS (SELECT DISTINCT name AS tool FROM products),
           used AS (SELECT t.*, w.weeks FROM per_tool t JOIN weeks w USING (tool))
           -- a tool paid for this year that nobody used is listed too: the first to drop
           SELECT coalesce(u.tool, c.tool) AS tool, coalesce(u.active_users, 0) AS active_users,
                  u.active_minutes, coalesce(u.weeks, 0) AS weeks, c.seats,
                  CAST(c.annual_cost AS DOUBLE) AS annual_cost, g.tool IS NOT NULL AS in_catalog
           FROM used u FULL JOIN contract c ON c.tool = u.tool
           LEFT JOIN catalog g ON g.tool = coalesce(u.tool, c.tool)
           ORDER BY active_users DESC, tool""",
        window,
    ).df()
    weekly = con.execute(
        f"""SELECT date_trunc('week', u.usage_date)::DATE AS week, count(DISTINCT u.student_key) AS active_users
            FROM usage_daily u WHERE u.usage_date >= $start AND u.usage_date < $end {roster}
              AND (u.sessions >= 1 OR u.minutes > 0)
            GROUP BY week ORDER BY week""",
        window,
    ).df()
    weekly["suppressed"] = (
        weekly["active_users"].map(lambda n: suppression.is_small(n, threshold)).astype(bool)
    )
    weekly["active_users"] = weekly["active_users"].astype(float).mask(weekly["suppressed"])
    return _display(tools, threshold), weekly


def _display(tools: pd.DataFrame, threshold: int) -> pd.DataFrame:
    rows = []
    for t in tools.itertuples():
        small = suppression.is_small(t.active_users, threshold)
        users = t.active_users or 0
        rows.append(
            {
                "Tool": t.tool + ("" if t.in_catalog else " (not vetted)"),
                "Active users": suppression.display_count(users, threshold),
                "Minutes per active student per week": "—"
                if not users or not t.weeks
                else (
                    suppression.label(threshold) + " users"
                    if small
                    else f"{t.active_minutes / users / t.weeks:,.0f}"
                ),
                "License utilization": "—"
                if pd.isna(t.seats) or not t.seats
                else (suppression.label(threshold) + " users" if small else f"{users / t.seats:.0%}"),
                "Cost per active user": "—"
                if pd.isna(t.annual_cost)
                else "no active users"
                if not users
                else (suppression.label(threshold) + " users" if small else f"${t.annual_cost / users:,.2f}"),
            }
        )
    return pd.DataFrame(rows)
