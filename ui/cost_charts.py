"""Plotly figures for the budget page: titled, dollar-formatted axes, fiscal years the district's way.

Figures take the frames built by services/costs/tables.py and hold no cost logic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from services.costs.analysis import TornadoBar

MONEY_AXIS = {"tickprefix": "$", "tickformat": ",.0f", "rangemode": "tozero"}
UNFUNDED_COLOR = "#d62728"


def _layout(
    fig: go.Figure, title: str, *, y_title: str = "Cost (USD)", x_title: str = "Fiscal year"
) -> go.Figure:
    fig.update_layout(
        title=title, legend_title_text="", margin={"t": 70, "l": 10, "r": 10, "b": 10}, hovermode="x unified"
    )
    fig.update_yaxes(title_text=y_title, **MONEY_AXIS)
    fig.update_xaxes(title_text=x_title, type="category")
    return fig


def stacked_categories(frame: pd.DataFrame) -> go.Figure:
    """Cost per fiscal year by category, one panel per scenario."""
    scenarios = frame["Scenario"].nunique()
    fig = px.bar(
        frame,
        x="Fiscal year",
        y="Amount",
        color="Category",
        facet_col="Scenario",
        facet_col_wrap=min(3, max(1, scenarios)),
        barmode="stack",
    )
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    fig.update_traces(hovertemplate="%{x}<br>%{fullData.name}: $%{y:,.0f}<extra></extra>")
    _layout(fig, "Cost per fiscal year by category (direct and indirect)")
    fig.update_yaxes(title_text="")
    fig.update_yaxes(title_text="Cost (USD)", col=1)
    fig.update_xaxes(title_text="")
    return fig


def cumulative_lines(frame: pd.DataFrame) -> go.Figure:
    fig = px.line(frame, x="Fiscal year", y="Cumulative", color="Scenario", markers=True)
    fig.update_traces(hovertemplate="%{fullData.name}: $%{y:,.0f}<extra></extra>")
    return _layout(fig, "Cumulative cost over the years modeled", y_title="Cumulative cost (USD)")


def tornado_chart(bars: Sequence[TornadoBar], *, metric_label: str) -> go.Figure:
    """Horizontal bars from the base value to each input's low and high result."""
    if not bars or math.isnan(bars[0].base_value):
        return go.Figure(layout={"title": f"No {metric_label} to show: the scenario serves no students"})
    base = bars[0].base_value
    ordered = list(reversed(bars))  # largest swing on top
    names = [b.factor for b in ordered]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=[b.low_value - base for b in ordered],
        base=base,
        orientation="h",
        name="Low input",
        marker_color="#1f77b4",
        text=[b.low_label for b in ordered],
        textposition="inside",
        customdata=[b.low_value for b in ordered],
        hovertemplate="%{y} at %{text}: $%{customdata:,.2f}<extra></extra>",
    )
    fig.add_bar(
        y=names,
        x=[b.high_value - base for b in ordered],
        base=base,
        orientation="h",
        name="High input",
        marker_color="#ff7f0e",
        text=[b.high_label for b in ordered],
        textposition="inside",
        customdata=[b.high_value for b in ordered],
        hovertemplate="%{y} at %{text}: $%{customdata:,.2f}<extra></extra>",
    )
    fig.add_vline(
        x=base,
        line_dash="dash",
        line_color="gray",
        annotation_text=f"Base ${base:,.0f}",
        annotation_position="top",
    )
    fig.update_layout(
        title=f"What moves the {metric_label} most",
        barmode="overlay",
        margin={"t": 70, "l": 10, "r": 10, "b": 10},
        legend_title_text="",
    )
    fig.update_xaxes(
        title_text=f"{metric_label[0].upper()}{metric_label[1:]} (USD)", tickprefix="$", tickformat=",.0f"
    )
    fig.update_yaxes(title_text="")
    return fig


def funding_bars(frame: pd.DataFrame) -> go.Figure:
    """Who pays each fiscal year, with the unfunded remainder in red."""
    sources = [c for c in frame.columns if c not in ("Fiscal year", "Cost", "Unfunded")]
    fig = go.Figure()
    for name in sources:
        fig.add_bar(
            x=frame["Fiscal year"],
            y=frame[name],
            name=name,
            hovertemplate=f"{name}: $%{{y:,.0f}}<extra></extra>",
        )
    fig.add_bar(
        x=frame["Fiscal year"],
        y=frame["Unfunded"],
        name="Unfunded",
        marker_color=UNFUNDED_COLOR,
        hovertemplate="Unfunded: $%{y:,.0f}<extra></extra>",
    )
    fig.update_layout(barmode="stack")
    return _layout(fig, "Funding per fiscal year (red: unfunded)")
