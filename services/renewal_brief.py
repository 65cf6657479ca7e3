"""The renewal brief: one standalone HTML page for leadership and the board, printable to PDF.

Why rendered from the evidence snapshot (not from live data): the brief must show exactly what the
committee saw when it decided. Charts are inline SVG drawn here (no script, no network), so the
file opens anywhere and prints cleanly. Every value from the database or a person passes through
`html.escape`; numbers in the snapshot are already small-cell suppressed.
"""

from __future__ import annotations

from html import escape
from typing import Any

BLUE, ORANGE, GREY, INK = "#1f77b4", "#e07b00", "#9aa0a6", "#202124"


def _e(value: Any) -> str:
    return "—" if value is None or value == "" else escape(str(value))


def _num(value: Any, fmt: str) -> str:
    return "—" if value is None else escape(format(value, fmt))


def svg_line(
    points: list[tuple[str, float | None]],
    *,
    title: str,
    y_label: str,
    x_label: str,
    width: int = 640,
    height: int = 240,
) -> str:
    """A line chart; None values leave gaps (hidden small cells)."""
    values = [v for _, v in points if v is not None]
    if not values:
        return f"<p class='empty'>{_e(title)}: nothing to chart.</p>"
    left, right, top, bottom = 56, 16, 28, 44
    top_value = max(values) * 1.1 or 1
    step = (width - left - right) / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top + (height - top - bottom) * (1 - v / top_value)

    segments, current = [], []
    for i, (_, v) in enumerate(points):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            x, y = xy(i, v)
            current.append(f"{x:.1f},{y:.1f}")
    if current:
        segments.append(current)
    lines = "".join(
        f"<polyline fill='none' stroke='{BLUE}' stroke-width='2' points='{' '.join(s)}'/>" for s in segments
    )
    ticks = "".join(
        f"<text x='{left - 6}' y='{xy(0, t)[1] + 4:.1f}' text-anchor='end' font-size='11'>{t:,.0f}</text>"
        f"<line x1='{left}' x2='{width - right}' y1='{xy(0, t)[1]:.1f}' y2='{xy(0, t)[1]:.1f}' stroke='#eee'/>"
        for t in (0, top_value / 2, top_value / 1.1)
    )
    first, last = _e(points[0][0]), _e(points[-1][0])
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
        f"aria-label='{_e(title)}'><title>{_e(title)}</title>"
        f"<text x='{left}' y='16' font-size='13' font-weight='bold'>{_e(title)}</text>{ticks}{lines}"
        f"<text x='{left}' y='{height - 24}' font-size='11'>{first}</text>"
        f"<text x='{width - right}' y='{height - 24}' font-size='11' text-anchor='end'>{last}</text>"
        f"<text x='{(width + left) / 2}' y='{height - 6}' font-size='11' text-anchor='middle'>{_e(x_label)}</text>"
        f"<text x='12' y='{(height) / 2}' font-size='11' text-anchor='middle' "
        f"transform='rotate(-90 12 {height / 2})'>{_e(y_label)}</text></svg>"
    )


def svg_bars(
    bars: list[tuple[str, float | None, str]],
    *,
    title: str,
    unit: str,
    width: int = 640,
    bar_height: int = 22,
) -> str:
    """Horizontal bars (label, value, color); a None value is drawn as a hidden cell."""
    if not bars:
        return f"<p class='empty'>{_e(title)}: nothing to chart.</p>"
    left, top = 210, 28
    height = top + len(bars) * (bar_height + 8) + 10
    biggest = max([abs(v) for _, v, _ in bars if v is not None] or [1]) or 1
    scale = (width - left - 70) / biggest
    body = []
    for i, (name, value, color) in enumerate(bars):
        y = top + i * (bar_height + 8)
        body.append(
            f"<text x='{left - 8}' y='{y + bar_height * 0.7:.1f}' text-anchor='end' font-size='12'>{_e(name)}</text>"
        )
        if value is None:
            body.append(
                f"<text x='{left}' y='{y + bar_height * 0.7:.1f}' font-size='12' fill='{GREY}'>hidden (small group)</text>"
            )
            continue
        w = max(abs(value) * scale, 1)
        body.append(
            f"<rect x='{left}' y='{y}' width='{w:.1f}' height='{bar_height}' fill='{escape(color)}'/>"
            f"<text x='{left + w + 6:.1f}' y='{y + bar_height * 0.7:.1f}' font-size='12'>"
            f"{value:+.1f} {_e(unit)}</text>"
        )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
        f"aria-label='{_e(title)}'><title>{_e(title)}</title>"
        f"<text x='8' y='16' font-size='13' font-weight='bold'>{_e(title)}</text>{''.join(body)}</svg>"
    )


def _table(rows: list[dict[str, Any]], columns: dict[str, str]) -> str:
    if not rows:
        return "<p class='empty'>No data.</p>"
    head = "".join(f"<th>{_e(label)}</th>" for label in columns.values())
    body = "".join("<tr>" + "".join(f"<td>{_e(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """body{font-family:system-ui,Segoe UI,Arial,sans-serif;color:#202124;max-width:900px;margin:24px auto;
padding:0 16px;line-height:1.4}h1{font-size:24px}h2{font-size:18px;border-bottom:2px solid #1f77b4;
padding-bottom:4px;margin-top:28px}table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f1f3f4}
.decision{font-size:20px;font-weight:bold;padding:8px 12px;background:#e8f0fe;display:inline-block}
.def{color:#5f6368;font-size:12px}.empty{color:#5f6368;font-style:italic}
@media print{body{margin:0}h2{page-break-after:avoid}svg,table{page-break-inside:avoid}}"""


def render_brief(snapshot: dict[str, Any], decision: dict[str, Any] | None = None) -> str:
    """The whole brief as one HTML document (decision optional: a draft brief before deciding)."""
    tool = snapshot.get("tool", {})
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Renewal brief: {_e(tool.get('name'))}</title><style>{STYLE}</style></head><body>",
        f"<h1>Renewal brief: {_e(tool.get('name'))}</h1>",
        f"<p>{_e(snapshot.get('district'))} · vendor {_e(tool.get('vendor'))} · evidence as of "
        f"{_e(snapshot.get('generated_at'))} · groups under {_e(snapshot.get('threshold'))} students "
        f"are shown as &lt;{_e(snapshot.get('threshold'))}.</p>",
    ]
    if decision:
        parts.append(
            f"<h2>Decision ({_e(decision.get('review_cycle'))})</h2>"
            f"<p class='decision'>{_e(str(decision.get('decision', '')).capitalize())}</p>"
            f"<p>{_e(decision.get('rationale'))}</p>"
            f"<p class='def'>Decided by {_e(decision.get('decided_by_name'))} on "
            f"{_e(decision.get('decided_at'))}. Contract: {_e(decision.get('contract_action'))}</p>"
        )
    else:
        parts.append("<p class='decision'>Draft: no decision recorded yet</p>")
    contract = snapshot.get("contract")
    if contract:
        contract = {
            **contract,
            "annual_cost": None
            if contract.get("annual_cost") is None
            else f"${contract['annual_cost']:,.2f}",
            "quantity": None if contract.get("quantity") is None else f"{contract['quantity']:,}",
            "auto_renew": {True: "Yes", False: "No"}.get(contract.get("auto_renew")),
        }
        parts.append(
            "<h2>Contract</h2>"
            + _table(
                [contract],
                {
                    "start_date": "Start",
                    "end_date": "End",
                    "annual_cost": "Annual cost",
                    "quantity": "Licenses",
                    "auto_renew": "Auto-renews",
                    "notice_days": "Notice days",
                    "status": "Status",
                },
            )
        )
    usage = snapshot.get("usage")
    parts.append("<h2>Usage</h2>")
    if usage:
        parts.append(
            f"<p>School year {_e(usage.get('school_year'))}, {_e(usage.get('weeks_observed'))} weeks of use.</p>"
        )
        parts.append(
            _table(
                usage.get("metrics", []), {"label": "Measure", "display": "Value", "definition": "Definition"}
            )
        )
        weekly = usage.get("weekly_active_users", [])
        parts.append(
            svg_line(
                [(str(w.get("week"))[:10], w.get("active_users")) for w in weekly],
                title="Weekly active users",
                y_label="Students",
                x_label="Week",
            )
        )
        if usage.get("this_vs_last"):
            rows = usage["this_vs_last"]
            parts.append("<h3>This year against last year</h3>" + _table(rows, {k: k for k in rows[0]}))
    else:
        parts.append("<p class='empty'>No usage was imported for this tool.</p>")
    parts.append(_outcomes(snapshot.get("outcomes")))
    feedback = snapshot.get("feedback")
    parts.append("<h2>Feedback</h2>")
    year = (feedback or {}).get("school_year")
    if feedback and feedback.get("likert"):
        if year:
            parts.append(f"<p>Survey responses submitted in school year {_e(year)}.</p>")
        parts.append(
            _table(feedback["likert"], {"question": "Question", "answer": "Answer", "responses": "Responses"})
        )
    else:
        parts.append(
            f"<p class='empty'>No survey responses {'submitted in ' + _e(year) if year else 'imported'}.</p>"
        )
    parts.append(
        "<h2>Goals</h2>"
        + _table(
            snapshot.get("goals", []),
            {
                "description": "Goal",
                "measure": "Measure",
                "target": "Target",
                "current_display": "Now",
                "status": "Note",
            },
        )
    )
    parts.append("<h2>Notes on associated practices</h2>")
    notes = snapshot.get("practice_notes", [])
    parts.append(
        "".join(
            f"<p>{_e(n.get('note'))} <span class='def'>({_e(n.get('author'))}, "
            f"{_e(str(n.get('created_at') or '')[:10])})</span></p>"
            for n in notes
        )
        or "<p class='empty'>No notes.</p>"
    )
    parts.append("</body></html>")
    return "".join(parts)


def _outcomes(outcomes: dict[str, Any] | None) -> str:
    if not outcomes:
        return "<h2>Outcomes</h2><p class='empty'>No assessment results were analysed.</p>"
    out = [f"<h2>Outcomes: {_e(outcomes.get('subject'))}, {_e(outcomes.get('window'))}</h2>"]
    if outcomes.get("message"):
        out.append(f"<p class='empty'>{_e(outcomes['message'])}</p>")
    growth = outcomes.get("growth", [])
    bars = [
        (
            f"{g.get('window')}: {g.get('group')}",
            g.get("mean_growth"),
            BLUE if g.get("group") == "Users" else ORANGE,
        )
        for g in growth
    ]
    out.append(svg_bars(bars, title="Mean growth (scale-score points)", unit="pts"))
    out.append(
        _table(
            growth,
            {
                "window": "Window",
                "group": "Group",
                "n": "Students",
                "mean_pretest": "Mean before",
                "mean_posttest": "Mean after",
                "mean_growth": "Mean growth",
            },
        )
    )
    if outcomes.get("equivalence"):
        out.append(
            "<h3>Baseline equivalence (matched groups)</h3>"
            + _table(
                [
                    {**r, "std_difference": _num(r.get("std_difference"), "+.3f")}
                    for r in outcomes["equivalence"]
                ],
                {"variable": "Measure", "std_difference": "Standardized difference", "verdict": "WWC"},
            )
        )
    effect, verdict = outcomes.get("effect"), outcomes.get("verdict") or {}
    if effect:
        out.append(
            f"<p>Users against {_e(effect.get('n_comparison'))} matched non-users "
            f"({_e(effect.get('n_users'))} users): adjusted difference {_num(effect.get('difference'), '+.1f')} "
            f"points (95% CI {_num(effect.get('ci_low'), '+.1f')} to {_num(effect.get('ci_high'), '+.1f')}), "
            f"p = {_num(effect.get('p_value'), '.3f')}, Hedges' g {_num(effect.get('hedges_g'), '+.2f')} "
            f"(95% CI {_num(effect.get('g_ci_low'), '+.2f')} to {_num(effect.get('g_ci_high'), '+.2f')}).</p>"
        )
    out.append(f"<p><strong>{_e(verdict.get('message'))}</strong></p>")
    out.append(
        f"<p>Minimum detectable effect: {_num(verdict.get('mde'), '.2f')} SD. "
        f"ESSA evidence: <strong>{_e(verdict.get('essa_tier'))}</strong>: {_e(verdict.get('essa_reason'))}</p>"
    )
    return "".join(out)
