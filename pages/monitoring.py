"""Step 10, "Usage & outcomes": is the tool used as planned, and did students gain from it?

Thin page: numbers and rules live in services/metrics.py, services/evaluation.py and
services/monitoring.py; cached reads and charts in ui/evidence.py. Every count shown is suppressed
below the small-cell threshold. Open with ?tool=<product id>.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from models.errors import DomainError
from services import exports, suppression
from services.evaluation import format_probability
from services.metrics import compare_years, definition
from services.monitoring import WINDOWS
from services.permissions import Action
from services.usage_overview import OVERVIEW_DEFINITION
from ui import evidence as ui_ev
from ui.context import page_context, query_product, show_error, state_key
from ui.plain import md
from ui.widgets import page_link

NS = "monitoring"
ALL_TOOLS = 0  # the overview: product ids start at 1
SECTIONS = ["Usage", "Outcomes", "Feedback & practices", "Goals"]


def kpi_row(metrics: list, columns: int = 3) -> None:
    cols = st.columns(columns)
    for i, metric in enumerate(metrics):
        with cols[i % columns]:
            st.metric(metric.label, metric.display, help=metric.definition)
            st.caption(metric.definition if metric.missing is None else f"{metric.missing}")


def usage_tab(ev: ui_ev.Evidence, setup, year) -> None:
    report = ev.usage(setup.product["product_id"], year)
    if not report.has_usage:
        st.info(
            f"No usage of {md(setup.tool)} in {year.label}. Import usage on the Import data page "
            "(`python -m etl usage FILE --tool NAME`), then come back."
        )
        return
    m = report.metrics
    st.subheader("Reach")
    kpi_row([m["active_users"], m["adoption"], m["license_utilization"]])
    st.subheader("Use")
    kpi_row([m["weekly_active_share"], m["minutes_per_week"], m["dosage_fidelity"]])
    st.subheader("Cost")
    kpi_row([m["cost_per_active_user"], m["cost_per_student_hour"]], columns=2)
    st.plotly_chart(ui_ev.weekly_chart(report.weekly, ev.threshold), key=state_key(NS, "wau"))
    st.caption(m["active_users"].definition)
    if report.heatmap is not None:
        st.plotly_chart(ui_ev.heatmap_chart(report.heatmap, ev.threshold), key=state_key(NS, "heat"))
        with st.expander("School × grade table"):
            st.dataframe(report.heatmap.display, width="stretch")
    st.subheader("This year against last year")
    comparison = compare_years(report)
    if comparison.empty:
        st.info(f"No usage in {year.previous().label} to compare with.")
    else:
        st.dataframe(comparison, hide_index=True, width="stretch")
    table = pd.DataFrame(
        [{"Measure": v.label, "Value": v.display, "Definition": v.definition} for v in m.values()]
    )
    st.download_button(
        "Download usage summary (CSV)",
        key=state_key(NS, "csv"),
        data=exports.to_csv_bytes(table, list(table.columns)),
        file_name=f"usage-{setup.product['product_id']}-{year.label}.csv",
        mime="text/csv",
    )


def outcomes_tab(ev: ui_ev.Evidence, setup) -> None:
    measures = ev.measures(setup.product["product_id"])
    if not measures:
        st.info("No assessment results yet. Import assessments (e.g. NWEA MAP) on the Import data page.")
        return
    c1, c2, c3 = st.columns(3)
    measure = c1.selectbox(
        "Subject (assessment)",
        measures,
        format_func=lambda m: m.label,
        key=state_key(NS, "measure"),
        help="Growth is measured within one assessment: different assessments use different scales.",
    )
    years = ev.assessed_years(measure)
    if not years:
        st.info(
            f"No school year has both fall and later {md(measure.label)} scores yet. Import winter or "
            "spring results on the Import data page."
        )
        return
    year = c2.selectbox(
        "School year of the scores", years, format_func=lambda y: y.label, key=state_key(NS, "oyear")
    )
    window = c3.radio(
        "Growth window",
        list(WINDOWS),
        format_func=lambda w: WINDOWS[w][2],
        horizontal=True,
        key=state_key(NS, "window"),
    )
    report = ev.outcomes(setup.product["product_id"], year, measure, window)
    if report.message:
        st.info(report.message)
    if not report.growth.empty:
        st.plotly_chart(
            ui_ev.growth_chart(report.growth, "group", "Growth: users and non-users"),
            key=state_key(NS, "growth"),
        )
        st.dataframe(_growth_frame(report.growth, "group"), hide_index=True, width="stretch")
        st.caption(
            "Growth = later score − fall score, same subject and assessment. Users are active users (see Usage); "
            "non-users are students in the same grades with no active week."
        )
    if not report.by_band.empty:
        st.plotly_chart(
            ui_ev.growth_chart(report.by_band, "band", "Growth by usage band"), key=state_key(NS, "bands")
        )
        st.caption(setup_band_definition(setup))
    st.subheader("Users against matched non-users")
    verdict = report.verdict
    ui_ev.show_verdict(verdict)
    small_groups = report.effect is not None and (
        suppression.is_small(report.effect.n_users, ev.threshold)
        or suppression.is_small(report.effect.n_comparison, ev.threshold)
    )
    if report.equivalence and small_groups:
        st.caption(
            f"The matched groups are under {ev.threshold} students, so their baseline comparison (shares of "
            "ELL, IEP and FRL students among them) is not shown."
        )
    elif report.equivalence:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Measure": r.variable,
                        "Users (mean)": round(r.mean_users, 2),
                        "Matched non-users (mean)": round(r.mean_comparison, 2),
                        "Standardized difference": round(r.std_difference, 3),
                        "WWC baseline equivalence": r.verdict,
                    }
                    for r in report.equivalence
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "Matched 1:1 within grade on the fall score (and ELL/IEP/FRL when known). WWC: ≤ 0.05 SD "
            "satisfied; 0.05–0.25 SD needs the regression adjustment used below; > 0.25 SD not comparable."
        )
    effect = report.effect
    if effect is not None:
        c = st.columns(4)
        c[0].metric(
            "Adjusted difference",
            f"{ui_ev.signed(effect.difference, 1)} pts",
            help="OLS: outcome ~ user + fall score (+ grade), school-clustered standard errors.",
        )
        c[1].metric(
            "Hedges' g",
            ui_ev.signed(effect.hedges_g),
            help="J × adjusted difference ÷ pooled within-grade SD; J = 1 − 3/(4N − 9).",
        )
        c[2].metric("p-value", f"{effect.p_value:.3f}")
        c[3].metric(
            "Minimum detectable effect",
            f"{verdict.mde:.2f} SD" if verdict.mde else "—",
            help="(1.96 + 0.84) × standard error of g: 5% two-sided test, 80% power.",
        )
        st.caption(
            f"{suppression.display_count(effect.n_users, ev.threshold)} users and "
            f"{suppression.display_count(effect.n_comparison, ev.threshold)} matched non-users in "
            f"{effect.n_schools} schools. 95% CI for g: {ui_ev.signed(effect.g_ci_low)} to {ui_ev.signed(effect.g_ci_high)}. "
            + " ".join(verdict.notes)
        )
        st.plotly_chart(ui_ev.effect_chart(effect, verdict.meaningful_effect), key=state_key(NS, "effect"))
        if verdict.probability is not None:
            st.metric(
                f"Probability the tool raised scores by at least {verdict.meaningful_effect:.2f} SD",
                format_probability(verdict.probability),
                help="1 − Φ((c − g) / SE), flat prior (RCE Coach); t with (schools − 1) df when few schools, "
                "as the interval uses. c and the probability needed to act "
                "come from the plan, set before the data was seen.",
            )
    if report.dose is not None:
        st.caption(
            f"Dose-response among {report.dose.n:,} users: {ui_ev.signed(report.dose.per_hour_per_week, 1)} points per "
            f"extra hour a week (p = {report.dose.p_value:.3f}); correlational."
        )
    st.info(f"**ESSA evidence: {verdict.essa_tier}.** {verdict.essa_reason}")


def setup_band_definition(setup) -> str:
    return definition("usage_band", setup.rules)


def _growth_frame(table: pd.DataFrame, by: str) -> pd.DataFrame:
    return table.rename(
        columns={
            "window": "Window",
            by: "Group",
            "n": "Students",
            "mean_pretest": "Mean fall",
            "mean_posttest": "Mean later",
            "mean_growth": "Mean growth",
            "sd_growth": "SD of growth",
        }
    ).drop(columns=["suppressed"])


def feedback_tab(ev: ui_ev.Evidence, setup, year) -> None:
    fb = ev.feedback(setup.tool, year)
    if fb.total_responses == 0:
        st.info(
            f"No survey responses for this tool submitted in {year.label}. Import a Google Forms or "
            "Microsoft Forms export on the Import data page, or pick another school year above."
        )
    else:
        st.caption(
            f"Survey responses submitted in school year {year.label} "
            f"({year.start:%m/%d/%Y}–{year.end - dt.timedelta(days=1):%m/%d/%Y})."
        )
        if not fb.likert.empty:
            st.plotly_chart(ui_ev.likert_chart(fb.likert, ev.threshold), key=state_key(NS, "likert"))
            with st.expander("Counts per question and answer"):
                st.dataframe(
                    fb.likert[["question", "answer", "responses"]].rename(
                        columns={"question": "Question", "answer": "Answer", "responses": "Responses"}
                    ),
                    hide_index=True,
                    width="stretch",
                )
        if not fb.over_time.empty:
            st.plotly_chart(ui_ev.responses_chart(fb.over_time), key=state_key(NS, "responses"))
        st.subheader("Comments")
        if fb.comments.empty:
            st.caption("No written comments.")
        else:
            st.dataframe(
                fb.comments.rename(
                    columns={"submitted": "Date", "question": "Question", "comment": "Comment"}
                ),
                hide_index=True,
                width="stretch",
            )
    st.subheader("Notes on associated practices")
    notes = ev.notes(setup.product["product_id"])
    if not notes:
        st.caption("No notes yet. Notes on how the tool is used in classrooms help read the numbers.")
    for note in notes:
        st.markdown(f"- {md(note['note'])} — *{md(note.get('author'))}, {note['created_at']:%m/%d/%Y}*")


def goals_tab(ev: ui_ev.Evidence, setup, usage, outcome) -> None:
    goals = ev.goals(setup, usage, outcome)
    if not goals:
        st.info("No goals for this tool yet. Goals are set in step 8 on the request.")
        return
    for goal in goals:
        st.markdown(f"**{md(goal.description)}** ({goal.horizon}-term) · {md(goal.measure)}")
        if goal.progress is not None:
            st.progress(
                goal.progress,
                text=f"Now {goal.current_display} · target {goal.target:g} "
                f"(baseline {goal.baseline if goal.baseline is not None else '—'})",
            )
        st.caption(f"Source: {md(goal.source)}. {md(goal.status)}")


def overview(ev: ui_ev.Evidence, year_slot) -> None:
    """All tools at once: which are used, by how many, at what cost; students active in any tool."""
    years = ev.overview_years()
    if not years:
        st.info("No usage imported yet. Import usage on the Import data page.")
        return
    year = year_slot.selectbox(
        "School year", years, format_func=lambda y: y.label, key=state_key(NS, "overview_year")
    )
    table, weekly = ev.overview(year)
    st.plotly_chart(
        ui_ev.weekly_chart(weekly, ev.threshold, "Students using any tool each week"),
        key=state_key(NS, "overview_wau"),
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(OVERVIEW_DEFINITION)
    st.download_button(
        "Download tool overview (CSV)",
        key=state_key(NS, "overview_csv"),
        data=exports.to_csv_bytes(table, list(table.columns)),
        file_name=f"tool-usage-{year.label}.csv",
        mime="text/csv",
    )


def main() -> None:
    with page_context(Action.VIEW_EVIDENCE) as ctx:
        st.title("Usage & outcomes")
        st.caption(
            "SOP step 10: monitor usage, student performance, feedback and practices. Groups under "
            f"{ctx.settings.small_cell_threshold} students are shown as <{ctx.settings.small_cell_threshold}; "
            "'hidden' marks a larger group hidden so that a small one cannot be worked out from the totals."
        )
        ev = ui_ev.Evidence(ctx)
        tools = ev.tools()
        if not tools:
            st.info(
                "No tools to monitor yet. Import usage on the Import data page, or finish a contract (step 7) "
                "and plan (step 9) for a tool."
            )
            return
        names = {ALL_TOOLS: "All tools (overview)"} | {
            t["product_id"]: f"{t['name']} ({t['vendor']})" for t in tools
        }
        wanted = query_product(ctx.con, "tool")
        ids = list(names)
        if wanted is not None and wanted not in names:
            st.warning(f"Tool #{wanted} has no usage, plan or contract; pick one from the list.")
        c1, c2 = st.columns([2, 1])
        product_id = c1.selectbox(
            "Tool",
            ids,
            format_func=names.get,
            key=state_key(NS, "tool"),
            index=ids.index(wanted) if wanted in names else 0,
        )
        if product_id == ALL_TOOLS:
            overview(ev, c2)
            return
        try:
            setup = ev.setup(product_id)
        except DomainError as exc:
            show_error(exc)
            return
        if not setup.years:
            st.info(
                f"No usage or assessments imported for {md(setup.tool)} yet. Import them on the Import data page."
            )
            return
        year = c2.selectbox(
            "School year", setup.years, format_func=lambda y: y.label, key=state_key(NS, "year")
        )
        if setup.plan is None:
            st.warning(
                "This tool has no implementation plan (step 9): adoption, dosage fidelity and the "
                "decision probability need one."
            )
        page_link(
            "pages/decisions.py",
            "Reflect & decide on this tool",
            icon=":material/gavel:",
            query={"tool": product_id},
        )
        # one section per run: only what is on screen is computed and drawn
        section = st.radio(
            "Section", SECTIONS, horizontal=True, key=state_key(NS, "section"), label_visibility="collapsed"
        )
        if section == "Usage":
            usage_tab(ev, setup, year)
        elif section == "Outcomes":
            outcomes_tab(ev, setup)
        elif section == "Feedback & practices":
            feedback_tab(ev, setup, year)
        else:
            goals_tab(ev, setup, ev.usage(product_id, year), ev.default_outcome(product_id))


main()
