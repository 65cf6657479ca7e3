"""Usage metrics for SOP step 10, each defined once here with the text shown beside its number.

Why one module: "active user", "dosage fidelity" or "cost per student-hour" must mean the same on
the monitoring page, in the renewal brief and in a goal's progress, and a reader must be able to
find and change the rule without touching a page. Numbers are computed set-wise in DuckDB: one scan
of `usage_daily` for the tool builds a per-student-per-week temp table (connection-local), and every
metric is a small query over it, so ten million usage rows stay fast.

Every value leaves this module already passed through `services.suppression` (a count under the
threshold shows as "<10", and so does any rate or cost that would reveal one).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from models.enums import PricingUnit
from services import suppression

# The fidelity target of the "80/80" rule: this share of students should meet the dose.
FIDELITY_STUDENT_TARGET = 0.8
WEEKS_TABLE = "tool_student_weeks"  # connection-local temp table built by `build_student_weeks`


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    definition: str  # may hold {placeholders} filled from UsageRules.describe()


METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        Metric(
            "active_users",
            "Active users",
            "Students with at least one active week in the school year. A week is active when the "
            "student {active_rule} with the tool that week{roster_rule}.",
        ),
        Metric(
            "students_with_use",
            "Students with any use",
            "Students with any minutes or sessions of the tool in the school year{roster_rule}.",
        ),
        Metric(
            "license_utilization",
            "License utilization",
            "Active users ÷ licenses purchased (the contract's quantity: {seats}).",
        ),
        Metric(
            "adoption",
            "Adoption",
            "Participating students with any use ÷ students on the roster in the plan's "
            "participating schools and grades ({participants}).",
        ),
        Metric(
            "minutes_per_week",
            "Minutes per active student per week",
            "Total minutes of active users ÷ active users ÷ weeks in which anyone used the tool "
            "({weeks} weeks so far).",
        ),
        Metric(
            "weekly_active_users",
            "Weekly active users",
            "Students active in that week (the student {active_rule} that week). Weeks with "
            "fewer than {threshold} active students are hidden.",
        ),
        Metric(
            "weekly_active_share",
            "Weekly active share",
            "Average weekly active users ÷ students on the roster in the plan's participating "
            "schools and grades ({participants}).",
        ),
        Metric(
            "dosage_fidelity",
            "Dosage fidelity",
            "Share of active users who reached the plan's {rec_minutes} minutes in at least "
            "{share_pct} of {rec_weeks} weeks (the 80/80 rule: the goal is that "
            f"{FIDELITY_STUDENT_TARGET:.0%} of students do).",
        ),
        Metric(
            "cost_per_active_user",
            "Cost per active user",
            "The contract's annual cost ({annual_cost}) ÷ active users.",
        ),
        Metric(
            "cost_per_student_hour",
            "Cost per student-hour",
            "The contract's annual cost ({annual_cost}) ÷ hours of use by all students.",
        ),
        Metric(
            "usage_band",
            "Usage band",
            "Average minutes per week over the weeks the tool was in use: none (not an active "
            "user), light (under half the recommended {rec_minutes_band} minutes), moderate (half to "
            "all of it), at or above the recommendation.",
        ),
    ]
}


@dataclass(frozen=True)
class UsageRules:
    """What the plan (step 9) and the contract (step 7) say, as the metrics need it."""

    active_user_min_minutes: float = 0.0
    recommended_minutes_per_week: float | None = None
    recommended_weeks: int | None = None
    fidelity_share_of_weeks: float = 0.8
    seats: int | None = None
    annual_cost: float | None = None
    participants: int | None = None
    # the contract's pricing unit: only a per-student or per-seat quantity is a count of licenses
    pricing_unit: str | None = None
    # the plan's participating schools and grades (empty: all), as `participants` counts them
    participant_schools: tuple[str, ...] = ()
    participant_grades: tuple[int, ...] = ()
    roster_restricted: bool = False
    threshold: int = 10

    def active_rule(self) -> str:
        if self.active_user_min_minutes > 0:
            return f"used at least {self.active_user_min_minutes:g} minutes"
        return "had at least one session or any minutes"

    def describe(self, weeks: int | None = None) -> dict[str, str]:
        def known(value: object, fmt: str, missing: str) -> str:
            return missing if value is None else fmt.format(value)

        return {
            "active_rule": self.active_rule(),
            "roster_rule": " (students on the imported roster only)" if self.roster_restricted else "",
            "seats": known(self.seats, "{:,}", "not recorded"),
            "participants": known(self.participants, "{:,} students", "no roster for them yet"),
            "weeks": known(weeks, "{}", "0"),
            "threshold": str(self.threshold),
            "rec_minutes": known(self.recommended_minutes_per_week, "{:g}", "(not set)"),
            "rec_minutes_band": known(
                self.recommended_minutes_per_week, "{:g}", "(not set: thirds of users)"
            ),
            # in a year under way the rule counts the weeks so far, up to the plan's (`_weeks_needed`)
            "rec_weeks": known(self.recommended_weeks, "{}", "the observed")
            if self.recommended_weeks is None or weeks is None or weeks >= self.recommended_weeks
            else f"the {weeks} weeks so far (the plan's {self.recommended_weeks} once the year has them)",
            "share_pct": f"{self.fidelity_share_of_weeks:.0%}",
            "annual_cost": known(self.annual_cost, "${:,.0f}", "not recorded"),
        }


def definition(key: str, rules: UsageRules, weeks: int | None = None) -> str:
    return METRICS[key].definition.format(**rules.describe(weeks))


@dataclass(frozen=True)
class MetricValue:
    key: str
    label: str
    value: float | None  # the true value: for internal use (goals, snapshot) only
    display: str  # what people read: suppressed, formatted
    definition: str
    missing: str | None = None  # what to do when the value cannot be computed

    @property
    def suppressed(self) -> bool:
        """The display hides the value (a small cell): nothing derived from `value` may be shown."""
        return self.display.startswith("<")


@dataclass(frozen=True)
class SchoolYear:
    """A school year starting in the settings' fiscal-year month: 2025 -> 2025-07-01..2026-07-01."""

    start_year: int
    start_month: int = 7

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, self.start_month, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, self.start_month, 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    def previous(self) -> SchoolYear:
        return SchoolYear(self.start_year - 1, self.start_month)

    @classmethod
    def of(cls, day: dt.date, start_month: int = 7) -> SchoolYear:
        return cls(day.year if day.month >= start_month else day.year - 1, start_month)


def _active_sql(rules: UsageRules) -> str:
    # a number from typed settings, never from input text
    minimum = float(rules.active_user_min_minutes)
    if minimum > 0:
        return f"(minutes >= {minimum!r})"
    return "(sessions >= 1 OR minutes > 0)"


# The plan's participating students: active on the roster, in its schools and grades (empty: all);
# $schools and $grades are bound by the caller.
PARTICIPANTS_SQL = """SELECT student_key FROM roster_students WHERE active
    AND (len($schools) = 0 OR list_contains($schools, school))
    AND (len($grades) = 0 OR list_contains($grades, grade))"""


# Units whose quantity counts student licenses (an unrecorded unit is read as seats, as entered).
# A per-school or flat district contract's quantity is 5 schools or 1 license: "active users ÷
# quantity" gave 30,980% and 90,900%, and the Budget page then started new scenarios at 100%.
SEAT_UNITS = ("per_student", "per_seat")
SEATS_SQL = f"CASE WHEN pricing_unit IS NULL OR pricing_unit IN {SEAT_UNITS} THEN quantity END"


def seats_of(contract: dict[str, Any] | None) -> int | None:
    """The student licenses a contract buys, or None when its quantity counts something else."""
    if not contract or (contract.get("pricing_unit") or SEAT_UNITS[1]) not in SEAT_UNITS:
        return None
    return contract.get("quantity")


def year_contracts_sql(per: str = "product") -> str:
    """SQL: the contract for the school year [$start, $end) of each product (`per="product"`) or of
    each tool name (`per="tool"`: usage is recorded by name, which two vendors' products may share):
    the one covering most of the year (not cancelled; on a tie the later start, then the later
    contract), with the product's name as `tool`. Its seats and annual cost are what that year's
    license utilization and cost per active user divide by, on the tool page and in the all-tools
    overview alike."""
    partition = {"product": "k.product_id", "tool": "p.name"}[per]
    return f"""SELECT * EXCLUDE (year_rank) FROM (
        SELECT k.*, p.name AS tool, row_number() OVER (
            PARTITION BY {partition}
            ORDER BY least(k.end_date, $end) - greatest(k.start_date, $start) DESC, k.start_date DESC,
                     k.contract_id DESC) AS year_rank
        FROM contracts k JOIN products p USING (product_id)
        WHERE k.status <> 'cancelled' AND k.start_date < $end AND k.end_date >= $start)
        WHERE year_rank = 1"""


def build_student_weeks(
    con: duckdb.DuckDBPyConnection, *, tool: str, year: SchoolYear, rules: UsageRules
) -> None:
    """One scan of usage_daily: per student and week, this year and last, into a temp table."""
    roster = (
        "AND u.student_key IN (SELECT student_key FROM roster_students)" if rules.roster_restricted else ""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {WEEKS_TABLE} AS
        SELECT CASE WHEN u.usage_date >= $this_start THEN 'this' ELSE 'last' END AS period,
               u.student_key, date_trunc('week', u.usage_date) AS week,
               sum(coalesce(u.minutes, 0)) AS minutes, sum(coalesce(u.sessions, 0)) AS sessions,
               arg_max(u.school, u.usage_date) AS school, arg_max(u.grade, u.usage_date) AS grade
        FROM usage_daily u
        WHERE u.tool = $tool AND u.usage_date >= $last_start AND u.usage_date < $this_end {roster}
          AND (u.minutes > 0 OR u.sessions > 0)  -- a day of 0 minutes and 0 sessions is no use
        GROUP BY ALL""",
        {"tool": tool, "this_start": year.start, "last_start": year.previous().start, "this_end": year.end},
    )


def _weeks_needed(rules: UsageRules, weeks_observed: int) -> int | None:
    if rules.recommended_minutes_per_week is None:
        return None
    weeks = (
        weeks_observed if rules.recommended_weeks is None else min(rules.recommended_weeks, weeks_observed)
    )
    return max(1, math.ceil(rules.fidelity_share_of_weeks * weeks - 1e-9))


def period_totals(con: duckdb.DuckDBPyConnection, rules: UsageRules) -> pd.DataFrame:
    """Raw per-period totals (unsuppressed): the inputs of every headline metric."""
    active = _active_sql(rules)
    rec = rules.recommended_minutes_per_week
    frame = con.execute(
        f"""WITH weeks AS (SELECT period, count(DISTINCT week) AS n_weeks FROM {WEEKS_TABLE} GROUP BY period),
        part AS ({PARTICIPANTS_SQL}),  -- adoption and weekly share count only the plan's participants
        wau AS (SELECT period, avg(n) AS avg_wau, avg(n_part) AS avg_wau_participants FROM (
            SELECT period, week, count(*) FILTER (WHERE {active}) AS n,
                   count(*) FILTER (WHERE {active} AND student_key IN (SELECT student_key FROM part)) AS n_part
            FROM {WEEKS_TABLE} GROUP BY ALL)
            GROUP BY period),
        st AS (
            SELECT period, student_key, sum(minutes) AS minutes,
                   count(*) FILTER (WHERE {active}) AS active_weeks,
                   count(*) FILTER (WHERE minutes >= $rec) AS dose_weeks
            FROM {WEEKS_TABLE} GROUP BY period, student_key)
        SELECT st.period, any_value(weeks.n_weeks) AS n_weeks, any_value(wau.avg_wau) AS avg_wau,
               any_value(wau.avg_wau_participants) AS avg_wau_participants,
               count(*) AS students_with_use,
               count(*) FILTER (WHERE st.student_key IN (SELECT student_key FROM part)) AS participants_with_use,
               count(*) FILTER (WHERE active_weeks > 0) AS active_users,
               sum(minutes) AS total_minutes,
               sum(minutes) FILTER (WHERE active_weeks > 0) AS active_minutes,
               list(dose_weeks) FILTER (WHERE active_weeks > 0) AS dose_weeks
        FROM st JOIN weeks USING (period) JOIN wau USING (period) GROUP BY st.period""",
        {
            "rec": rec if rec is not None else 1e18,
            "schools": list(rules.participant_schools),
            "grades": list(rules.participant_grades),
        },
    ).df()
    return frame.set_index("period")


def _money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.2f}"


def headline_metrics(totals: pd.Series | None, rules: UsageRules) -> dict[str, MetricValue]:
    """The KPI cards for one period, suppressed and with their definitions."""
    t = rules.threshold
    weeks = int(totals["n_weeks"]) if totals is not None else 0
    active = int(totals["active_users"]) if totals is not None else 0
    with_use = int(totals["students_with_use"]) if totals is not None else 0
    total_minutes = float(totals["total_minutes"] or 0) if totals is not None else 0.0
    active_minutes = float(totals["active_minutes"] or 0) if totals is not None else 0.0
    out: dict[str, MetricValue] = {}

    def put(key: str, value: float | None, display: str, missing: str | None = None) -> None:
        out[key] = MetricValue(
            key, METRICS[key].label, value, display, definition(key, rules, weeks), missing
        )

    put("active_users", active, suppression.display_count(active, t))
    put("students_with_use", with_use, suppression.display_count(with_use, t))

    if rules.seats:
        util = active / rules.seats
        shown = suppression.label(t) + " users" if suppression.is_small(active, t) else f"{util:.0%}"
        put("license_utilization", util, shown)
    elif rules.pricing_unit and rules.pricing_unit not in SEAT_UNITS:
        unit = PricingUnit(rules.pricing_unit).label.lower()
        put(
            "license_utilization",
            None,
            "—",
            f"The contract is priced {unit}, so its quantity is not a count of student licenses.",
        )
    else:
        put("license_utilization", None, "—", "Record the seats purchased on the contract (step 7).")

    if rules.participants:
        users = int(totals["participants_with_use"]) if totals is not None else 0
        adoption = min(users, rules.participants) / rules.participants
        hide = suppression.share_is_disclosive(min(users, rules.participants), rules.participants, t)
        put("adoption", adoption, suppression.label(t) + " students" if hide else f"{adoption:.0%}")
    else:
        put(
            "adoption",
            None,
            "—",
            "Import the roster and set participating schools and grades in the plan (step 9).",
        )

    if rules.participants and totals is not None:
        share = float(totals["avg_wau_participants"] or 0) / rules.participants
        hide = suppression.is_small(float(totals["avg_wau_participants"] or 0), t)
        put("weekly_active_share", share, suppression.label(t) + " users" if hide else f"{share:.0%}")
    else:
        put(
            "weekly_active_share",
            None,
            "—",
            "Import the roster and set participating schools and grades in the plan (step 9).",
        )

    if active and weeks:
        mpw = active_minutes / active / weeks
        put(
            "minutes_per_week",
            mpw,
            suppression.label(t) + " users" if suppression.is_small(active, t) else f"{mpw:,.0f} min",
        )
    else:
        put("minutes_per_week", None, "—", "Import usage on the Import data page.")

    needed = _weeks_needed(rules, weeks)
    if needed is None:
        put("dosage_fidelity", None, "—", "Set the recommended minutes per week in the plan (step 9).")
    elif active:
        dose_weeks = totals["dose_weeks"] if totals is not None else []
        meeting = int(sum(1 for w in (dose_weeks if dose_weeks is not None else []) if w >= needed))
        share = meeting / active
        hide = suppression.share_is_disclosive(meeting, active, t)
        put("dosage_fidelity", share, suppression.label(t) + " students" if hide else f"{share:.0%}")
    else:
        put("dosage_fidelity", None, "—", "Import usage on the Import data page.")

    if rules.annual_cost is not None and active:
        cost = rules.annual_cost / active
        put(
            "cost_per_active_user",
            cost,
            suppression.label(t) + " users" if suppression.is_small(active, t) else _money(cost),
        )
    else:
        put(
            "cost_per_active_user",
            None,
            "—",
            "Record the annual cost on the contract (step 7)."
            if rules.annual_cost is None
            else "Import usage on the Import data page.",
        )
    if rules.annual_cost is not None and total_minutes > 0:
        per_hour = rules.annual_cost / (total_minutes / 60)
        put(
            "cost_per_student_hour",
            per_hour,
            suppression.label(t) + " users" if suppression.is_small(with_use, t) else _money(per_hour),
        )
    else:
        put(
            "cost_per_student_hour",
            None,
            "—",
            "Record the annual cost on the contract (step 7)."
            if rules.annual_cost is None
            else "Import usage on the Import data page.",
        )
    return out


def weekly_active_users(
    con: duckdb.DuckDBPyConnection, rules: UsageRules, period: str = "this"
) -> pd.DataFrame:
    """week, active_users (NaN when under the threshold: a hidden week), suppressed flag."""
    frame = con.execute(
        f"""SELECT week::DATE AS week, count(*) FILTER (WHERE {_active_sql(rules)}) AS active_users
            FROM {WEEKS_TABLE} WHERE period = $period GROUP BY week ORDER BY week""",
        {"period": period},
    ).df()
    small = frame["active_users"].map(lambda n: suppression.is_small(n, rules.threshold))
    frame["suppressed"] = small.astype(bool)
    frame["active_users"] = frame["active_users"].astype(float).mask(frame["suppressed"])
    return frame


def school_grade_counts(con: duckdb.DuckDBPyConnection, rules: UsageRules) -> pd.DataFrame:
    """Active users by school (rows) and grade (columns), each student at their latest school/grade."""
    long = con.execute(
        f"""SELECT coalesce(school, '(no school)') AS school, grade, count(*) AS students FROM (
                SELECT student_key, arg_max(school, week) AS school, arg_max(grade, week) AS grade
                FROM {WEEKS_TABLE} WHERE period = 'this' AND {_active_sql(rules)}
                GROUP BY student_key)
            GROUP BY ALL""",
    ).df()
    if long.empty:
        return pd.DataFrame()
    long["grade"] = long["grade"].map(lambda g: "?" if pd.isna(g) else ("K" if int(g) == 0 else str(int(g))))
    grid = long.pivot_table(index="school", columns="grade", values="students", aggfunc="sum", fill_value=0)
    order = sorted(
        grid.columns, key=lambda g: (g == "?", -1 if g == "K" else (int(g) if g.isdigit() else 99))
    )
    return grid[order]


def student_usage(con: duckdb.DuckDBPyConnection, rules: UsageRules) -> pd.DataFrame:
    """One row per student with use this year: minutes, active weeks, minutes per week, band."""
    frame = con.execute(
        f"""WITH w AS (SELECT count(DISTINCT week) AS n FROM {WEEKS_TABLE} WHERE period = 'this')
            SELECT student_key, sum(minutes) AS minutes,
                   count(*) FILTER (WHERE {_active_sql(rules)}) AS active_weeks,
                   sum(minutes) / any_value(w.n) AS minutes_per_week
            FROM {WEEKS_TABLE}, w WHERE period = 'this' GROUP BY student_key""",
    ).df()
    frame["band"] = usage_band(
        frame["minutes_per_week"].to_numpy(),
        frame["active_weeks"].to_numpy(),
        rules.recommended_minutes_per_week,
    )
    return frame


BANDS = ["None", "Light", "Moderate", "At recommendation"]


def usage_band(
    minutes_per_week: np.ndarray, active_weeks: np.ndarray, recommended: float | None
) -> np.ndarray:
    """The usage-band rule (see METRICS["usage_band"]); thirds of users when no recommendation."""
    mpw = np.asarray(minutes_per_week, dtype=float)
    active = np.asarray(active_weeks) > 0
    if recommended is None or recommended <= 0:
        users = mpw[active]
        low, high = np.quantile(users, [1 / 3, 2 / 3]) if users.size else (0.0, 0.0)
    else:
        low, high = recommended / 2, recommended
    bands = np.where(mpw >= high, BANDS[3], np.where(mpw >= low, BANDS[2], BANDS[1]))
    return np.where(active, bands, BANDS[0]).astype(object)


@dataclass
class UsageReport:
    """Everything the usage section shows for one tool and school year (already suppressed)."""

    year: SchoolYear
    rules: UsageRules
    metrics: dict[str, MetricValue]
    last_year: dict[str, MetricValue] | None
    weekly: pd.DataFrame
    heatmap: suppression.SuppressedGrid | None
    weeks_observed: int
    notes: list[str] = field(default_factory=list)

    @property
    def has_usage(self) -> bool:
        return self.weeks_observed > 0


def usage_report(
    con: duckdb.DuckDBPyConnection,
    *,
    tool: str,
    year: SchoolYear,
    rules: UsageRules,
    last_year_rules: UsageRules | None = None,
) -> UsageReport:
    """`last_year_rules` carry last year's contract (seats, cost) for the year-on-year comparison."""
    build_student_weeks(con, tool=tool, year=year, rules=rules)
    totals = period_totals(con, rules)
    this = totals.loc["this"] if "this" in totals.index else None
    last = totals.loc["last"] if "last" in totals.index else None
    grid = school_grade_counts(con, rules)
    return UsageReport(
        year=year,
        rules=rules,
        metrics=headline_metrics(this, rules),
        last_year=headline_metrics(last, last_year_rules or rules) if last is not None else None,
        weekly=weekly_active_users(con, rules),
        heatmap=None if grid.empty else suppression.suppress_grid(grid, rules.threshold),
        weeks_observed=0 if this is None else int(this["n_weeks"]),
    )


def compare_years(report: UsageReport) -> pd.DataFrame:
    """This year against last year, only for metrics both years have, as display strings."""
    if report.last_year is None:
        return pd.DataFrame()
    this = report.year.label
    if dt.date.today() < report.year.end:
        # a year under way: a full year's cost over the hours so far is not last year's figure
        this = f"{this} so far ({report.weeks_observed} weeks)"
    rows = []
    for key, now in report.metrics.items():
        before = report.last_year[key]
        if now.value is None and before.value is None:
            continue
        rows.append(
            {
                "Metric": now.label,
                this: now.display,
                report.year.previous().label: before.display,
            }
        )
    return pd.DataFrame(rows)
