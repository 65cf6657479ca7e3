"""Streamlit side of step 10: cached reads and the charts of "Usage & outcomes" / "Reflect & decide".

Why here: caching is a UI concern (services stay callable from tests and the bench). Every cached
read is keyed by the database path and `monitoring.data_version` (import ids and row counts), so
an import, a new plan or a decision shows at once, while reruns of an unchanged page are instant.
The connection is passed as `_con` so Streamlit does not hash it. Charts take already-suppressed
data: hidden cells stay blank or are labelled "<10".
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from services import goal_progress, monitoring, usage_overview
from services.metrics import BANDS, SchoolYear
from ui.context import PageContext

USERS, NON_USERS = "#1f77b4", "#e07b00"  # blue / orange: distinguishable with colour-blindness
BAND_COLORS = dict(zip(BANDS, ["#9aa0a6", "#9ecae1", "#4292c6", "#08519c"], strict=True))
LIKERT_COLORS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]


def _key(ctx: PageContext) -> tuple[str, tuple]:
    return str(ctx.settings.db_path), monitoring.data_version(ctx.con)


@st.cache_data(show_spinner=False, max_entries=32)
def _tools(db: str, version: tuple, _con) -> list[dict]:
    return monitoring.list_tools(_con)


@st.cache_data(show_spinner=False, max_entries=64)
def _setup(
    db: str, version: tuple, product_id: int, threshold: int, month: int, _con
) -> monitoring.ToolSetup:
    return monitoring.tool_setup(_con, product_id, threshold=threshold, start_month=month)


@st.cache_data(show_spinner="Counting usage…", max_entries=64)
def _usage(db: str, version: tuple, product_id: int, threshold: int, month: int, year: int, _con):
    setup = _setup(db, version, product_id, threshold, month, _con)
    return monitoring.usage_section(_con, setup, SchoolYear(year, month))


@st.cache_data(show_spinner="Analysing outcomes…", max_entries=64)
def _outcomes(
    db: str,
    version: tuple,
    product_id: int,
    threshold: int,
    month: int,
    year: int,
    measure: monitoring.Measure,
    window: str,
    _con,
) -> monitoring.OutcomeReport:
    setup = _setup(db, version, product_id, threshold, month, _con)
    return monitoring.outcomes_section(
        _con, setup, SchoolYear(year, month), measure.subject, window, measure.assessment
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _measures(
    db: str, version: tuple, product_id: int, threshold: int, month: int, _con
) -> list[monitoring.Measure]:
    return monitoring.measures(_con, _setup(db, version, product_id, threshold, month, _con))


@st.cache_data(show_spinner=False, max_entries=64)
def _assessed_years(
    db: str, version: tuple, measure: monitoring.Measure, month: int, _con
) -> list[SchoolYear]:
    return monitoring.assessed_years(_con, measure.subject, month, measure.assessment)


@st.cache_data(show_spinner=False, max_entries=64)
def _feedback(
    db: str, version: tuple, tool: str, threshold: int, year: int, month: int, _con
) -> monitoring.FeedbackReport:
    return monitoring.feedback_section(_con, tool, threshold, SchoolYear(year, month))


@st.cache_data(show_spinner=False, max_entries=16)
def _overview_years(db: str, version: tuple, month: int, _con) -> list[SchoolYear]:
    return usage_overview.usage_years(_con, month)


@st.cache_data(show_spinner="Counting usage across tools…", max_entries=16)
def _overview(db: str, version: tuple, year: int, month: int, threshold: int, _con):
    return usage_overview.usage_overview(_con, SchoolYear(year, month), threshold)


class Evidence:
    """Cached evidence reads for one page run: `ev = Evidence(ctx)`, then `ev.usage(...)`."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.db, self.version = _key(ctx)
        self.threshold = ctx.settings.small_cell_threshold
        self.month = ctx.settings.fiscal_year_start_month

    def tools(self) -> list[dict]:
        return _tools(self.db, self.version, self.ctx.con)

    def setup(self, product_id: int) -> monitoring.ToolSetup:
        return _setup(self.db, self.version, product_id, self.threshold, self.month, self.ctx.con)

    def usage(self, product_id: int, year: SchoolYear):
        return _usage(
            self.db, self.version, product_id, self.threshold, self.month, year.start_year, self.ctx.con
        )

    def measures(self, product_id: int) -> list[monitoring.Measure]:
        return _measures(self.db, self.version, product_id, self.threshold, self.month, self.ctx.con)

    def outcomes(
        self, product_id: int, year: SchoolYear, measure: monitoring.Measure, window: str
    ) -> monitoring.OutcomeReport:
        return _outcomes(
            self.db,
            self.version,
            product_id,
            self.threshold,
            self.month,
            year.start_year,
            measure,
            window,
            self.ctx.con,
        )

    def assessed_years(self, measure: monitoring.Measure) -> list[SchoolYear]:
        return _assessed_years(self.db, self.version, measure, self.month, self.ctx.con)

    def overview_years(self) -> list[SchoolYear]:
        return _overview_years(self.db, self.version, self.month, self.ctx.con)

    def overview(self, year: SchoolYear) -> tuple[pd.DataFrame, pd.DataFrame]:
        return _overview(self.db, self.version, year.start_year, self.month, self.threshold, self.ctx.con)

    def default_outcome(self, product_id: int) -> monitoring.OutcomeReport | None:
        """Outcomes for the tool's first subject (its most-taken assessment) in the latest assessed
        year, fall to spring if any."""
        # only the tool's own subjects: a writing tool's decision froze Math results as its outcomes
        setup = self.setup(product_id)
        measures = [m for m in self.measures(product_id) if monitoring.is_own_measure(setup, m)]
        years = self.assessed_years(measures[0]) if measures else []
        if not years:
            return None
        outcome = self.outcomes(product_id, years[0], measures[0], "fall_spring")
        if outcome.message:
            outcome = self.outcomes(product_id, years[0], measures[0], "fall_winter")
        return outcome

    def current_evidence(self, product_id: int) -> dict:
        """The evidence a decision freezes: latest usage year, latest assessed year, first subject."""
        setup = self.setup(product_id)
        usage = self.usage(product_id, setup.years[0]) if setup.years else None
        outcome = self.default_outcome(product_id)
        feedback = self.feedback(setup.tool, setup.years[0]) if setup.years else None
        return {
            "setup": setup,
            "usage": usage,
            "outcome": outcome,
            "feedback": feedback,
            "goals": self.goals(setup, usage, outcome),
            "notes": self.notes(product_id),
        }

    def feedback(self, tool: str, year: SchoolYear) -> monitoring.FeedbackReport:
        """The survey answers submitted in `year` (the school year the page or decision looks at)."""
        return _feedback(
            self.db, self.version, tool, self.threshold, year.start_year, self.month, self.ctx.con
        )

    def notes(self, product_id: int) -> list[dict]:
        return monitoring.practice_notes(self.ctx.con, product_id)

    def goals(self, setup, usage, outcome) -> list[goal_progress.GoalProgress]:
        return goal_progress.goal_progress(self.ctx.con, setup, usage, outcome)


# ---------------------------------------------------------------- charts
def signed(value: float, digits: int = 2) -> str:
    """+0.12 / -0.12, and never "-0.00"."""
    rounded = round(value, digits) + 0.0
    return f"{rounded:+.{digits}f}"


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 340) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        height=height,
        template="plotly_white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend_title_text="",
    )
    return fig


def weekly_chart(weekly: pd.DataFrame, threshold: int, title: str = "Weekly active users") -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=weekly["week"],
            y=weekly["active_users"],
            mode="lines+markers",
            line={"color": USERS},
            connectgaps=False,
            name="Active users",
            hovertemplate="Week of %{x|%b %d}: %{y:,} active students<extra></extra>",
        )
    )
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, f"{title} (weeks under {threshold} hidden)", "Week", "Active students")


def heatmap_chart(grid, threshold: int) -> go.Figure:
    values = grid.chart_values()
    text = grid.display.drop(index="Total", columns="Total").loc[values.index, values.columns]
    fig = go.Figure(
        go.Heatmap(
            z=values.to_numpy(),
            x=[f"Grade {g}" for g in values.columns],
            y=list(values.index),
            text=text.to_numpy(),
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": "Students"},
            hoverongaps=False,
            hovertemplate="%{y}, %{x}: %{text} active students<extra></extra>",
        )
    )
    return _layout(
        fig,
        f"Active users by school and grade (cells under {threshold} show <{threshold})",
        "Grade",
        "School",
        height=120 + 40 * len(values.index),
    )


def growth_chart(table: pd.DataFrame, by: str, title: str) -> go.Figure:
    fig = go.Figure()
    shown = table[~table["suppressed"]]
    groups = BANDS if by == "band" else ["Users", "Non-users"]
    for group in groups:
        rows = shown[shown[by] == group]
        if rows.empty:
            continue
        color = BAND_COLORS.get(group) if by == "band" else (USERS if group == "Users" else NON_USERS)
        fig.add_bar(
            x=rows["window"],
            y=rows["mean_growth"],
            name=group,
            marker_color=color,
            text=rows["mean_growth"],
            texttemplate="%{text:.1f}",
            textposition="outside",
            customdata=rows["n"],
            hovertemplate="%{x}: %{y:.1f} points (n = %{customdata})<extra></extra>",
        )
    fig.update_layout(barmode="group")
    return _layout(fig, title, "Testing window", "Mean growth (scale-score points)")


def effect_chart(effect, meaningful: float | None) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=[effect.hedges_g],
            y=["Users vs matched non-users"],
            mode="markers",
            marker={"size": 14, "color": USERS},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [effect.g_ci_high - effect.hedges_g],
                "arrayminus": [effect.hedges_g - effect.g_ci_low],
            },
            hovertemplate="g = %{x:.2f}<extra></extra>",
            name="Hedges' g with 95% CI",
        )
    )
    fig.add_vline(x=0, line_color="#5f6368", annotation_text="no effect")
    if meaningful is not None:
        fig.add_vline(
            x=meaningful,
            line_dash="dash",
            line_color=NON_USERS,
            annotation_text=f"meaningful: {meaningful:.2f}",
        )
    return _layout(
        fig, "Effect size (Hedges' g) with 95% confidence interval", "Standard deviations", "", height=220
    )


def likert_chart(likert: pd.DataFrame, threshold: int) -> go.Figure:
    fig = go.Figure()
    shown = likert[~likert["suppressed"]]
    for score, color in zip(range(1, 6), LIKERT_COLORS, strict=True):
        rows = shown[shown["score"] == score]
        if rows.empty:
            continue
        fig.add_bar(
            y=rows["question"],
            x=rows["share"].astype(float) * 100,
            orientation="h",
            name=monitoring.score_label(score, rows["answer"]),
            marker_color=color,
            hovertemplate="%{y}: %{x:.0f}%<extra></extra>",
        )
    # answers hidden as small groups (and their complements) together, so each bar reaches 100%
    hidden = 100 - shown.groupby("question")["share"].sum().astype(float) * 100
    hidden = hidden.reindex(likert["question"].unique()).fillna(100)
    hidden = hidden[hidden > 0.5]
    if not hidden.empty:
        fig.add_bar(
            y=hidden.index,
            x=hidden.to_numpy(),
            orientation="h",
            name=f"Hidden (groups under {threshold})",
            marker={"color": "#f1f3f4", "line": {"color": "#9aa0a6", "width": 1}},
            hovertemplate="%{y}: %{x:.0f}% in hidden small groups<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.25, "traceorder": "normal"})
    return _layout(
        fig,
        f"Answers per question (groups under {threshold} hidden)",
        "Share of responses (%)",
        "",
        height=140 + 45 * likert["question"].nunique(),
    )


def responses_chart(over_time: pd.DataFrame) -> go.Figure:
    """One bar per survey month, a month wide: one wave a year drew a single bar across the chart."""
    month_ms = 24 * 86_400_000  # a bar a little narrower than its month
    fig = go.Figure(
        go.Bar(
            x=over_time["month"],
            y=over_time["value"],
            width=[month_ms] * len(over_time),
            marker_color=USERS,
            hovertemplate="%{x|%b %Y}: %{y} respondents<extra></extra>",
        )
    )
    months = pd.to_datetime(over_time["month"])
    fig = _layout(fig, "Survey respondents per month", "Month", "Respondents", height=280)
    fig.update_xaxes(
        range=[months.min() - pd.Timedelta(days=75), months.max() + pd.Timedelta(days=75)],
        dtick="M1",
        tickformat="%b %Y",
    )
    return fig


def show_verdict(verdict) -> None:
    """Green only when the outcome meets the plan's bar; a concluded miss is a warning, not a pass."""
    if verdict.meets_plan:
        st.success(verdict.message)
    elif verdict.meets_plan is None and verdict.can_conclude:
        st.info(verdict.message)
    else:
        st.warning(verdict.message)
