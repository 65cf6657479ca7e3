"""Steps 8 and 9 for one approved tool: goals, the implementation and monitoring plan, the
preregistered decision rule, and the milestone timeline. Rules live in services/goals.py and
services/plans.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import streamlit as st
from pydantic import ValidationError

from models.errors import DomainError
from models.form_errors import field_errors
from models.goals import (
    DATA_SOURCE_LABELS,
    EXTENT_LABELS,
    HORIZON_LABELS,
    MILESTONE_LABELS,
    GoalForm,
    MilestoneForm,
    PlanForm,
    PreregistrationForm,
)
from services import catalog, goals, plans
from services.permissions import Action
from ui.context import flash, page_context, query_product, state_key
from ui.forms import entry_form_key, entry_saved

NS = "goals_plan"


def table(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)


def show_errors(exc: ValidationError, model: type) -> None:
    for message in field_errors(exc, model).values():
        st.error(message)


def goals_section(ctx, tool: dict, people: dict) -> None:
    st.header("Goals (step 8)")
    rows = goals.list_goals(ctx.con, ctx.actor, tool["product_id"])
    if rows:
        st.dataframe(
            table(
                rows,
                {
                    "horizon_label": "Horizon",
                    "description": "Goal",
                    "measure": "Measure",
                    "data_source_label": "Data source",
                    "data_source_ref": "Reference",
                    "baseline": "Baseline",
                    "target": "Target",
                    "current_value": "Current",
                    "due_date": "Due",
                    "owner_name": "Owner",
                    "stakeholders": "Stakeholders",
                },
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("No goals yet. Set at least one short-term goal with a measure, target and owner.")
    if not ctx.can(Action.MANAGE_GOALS):
        return
    goal_form = state_key(NS, f"goal_{tool['product_id']}")
    with st.form(entry_form_key(goal_form)):
        st.markdown("**Add a goal**")
        c1, c2 = st.columns(2)
        horizon = c1.selectbox("Horizon", list(HORIZON_LABELS), format_func=HORIZON_LABELS.get)
        kind = c2.selectbox("Data source", list(DATA_SOURCE_LABELS), format_func=DATA_SOURCE_LABELS.get)
        description = st.text_input("Goal", placeholder="e.g. 80% of grade 4 students use the tool weekly")
        c1, c2 = st.columns(2)
        measure = c1.text_input("Measure", placeholder="e.g. weekly active share")
        reference = c2.text_input("Data source reference", placeholder="e.g. MAP Growth Math, survey Q3")
        c1, c2, c3 = st.columns(3)
        baseline = c1.number_input("Baseline", value=None)
        target = c2.number_input("Target", value=None)
        due = c3.date_input("Due date", None, format="MM/DD/YYYY")
        owner_ids = [None, *people]
        owner = c1.selectbox(
            "Owner (lead)", owner_ids, format_func=lambda p: "Choose…" if p is None else people[p]
        )
        stakeholders = c2.text_input("Stakeholders")
        if st.form_submit_button("Add goal", type="primary"):
            try:
                form = GoalForm(
                    product_id=tool["product_id"],
                    request_id=tool.get("request_id"),
                    horizon=horizon,
                    description=description,
                    measure=measure,
                    data_source_kind=kind,
                    data_source_ref=reference,
                    baseline=baseline,
                    target=target,
                    due_date=due,
                    owner_id=owner,
                    stakeholders=stakeholders,
                )
                goals.save_goal(ctx.con, ctx.actor, form)
            except ValidationError as exc:
                show_errors(exc, GoalForm)
            except DomainError as exc:
                st.error(exc.message)
            else:
                entry_saved(goal_form)
                flash("Goal added.")
                st.rerun()


def plan_section(ctx, tool: dict) -> dict | None:
    st.header("Implementation and monitoring plan (step 9)")
    plan = plans.get_plan(ctx.con, ctx.actor, tool["product_id"])
    d = plan or {}
    if not ctx.can(Action.MANAGE_PLANS):
        if plan is None:
            st.info("No plan yet.")
        else:
            st.json({k: str(v) for k, v in plan.items() if v is not None}, expanded=False)
        return plan
    schools = catalog.filter_options(ctx.con)["schools"]
    extents = list(EXTENT_LABELS)
    frequencies = ["", *plans.REVIEW_FREQUENCIES]
    with st.form(state_key(NS, f"plan_{tool['product_id']}")):
        st.markdown("**Who participates**")
        chosen_schools = st.multiselect(
            "Participating schools", schools, default=[s for s in d.get("schools_list", []) if s in schools]
        )
        grades = st.multiselect(
            "Participating grades",
            list(range(-1, 13)),
            default=d.get("grades_list", []),
            format_func=lambda g: {-1: "Pre-K", 0: "K"}.get(g, str(g)),
        )
        teachers = st.text_input("Participating teachers", d.get("participant_teachers") or "")
        c1, c2 = st.columns(2)
        start_group = c1.text_input("Where to start (e.g. a pilot group)", d.get("starting_group") or "")
        extent = c2.selectbox(
            "Extent", extents, index=extents.index(d.get("extent") or "pilot"), format_func=EXTENT_LABELS.get
        )
        st.markdown("**Expectations** (step 10 measures dosage fidelity against these)")
        c1, c2, c3, c4 = st.columns(4)
        minutes = c1.number_input(
            "Minutes per week", 0.0, 1000.0, float(d.get("recommended_minutes_per_week") or 0)
        )
        weeks = c2.number_input("Over how many weeks", 0, 60, int(d.get("recommended_weeks") or 0))
        share = c3.number_input(
            "Share of weeks on track (%)", 0, 100, int(round((d.get("fidelity_share_of_weeks") or 0.8) * 100))
        )
        active = c4.number_input(
            "Active user: minutes in a week", 0.0, 1000.0, float(d.get("active_user_min_minutes") or 0)
        )
        expectations = st.text_area("Other expectations", d.get("expectations") or "")
        st.markdown("**Measurement, review and feedback**")
        c1, c2 = st.columns(2)
        frequency = c1.selectbox(
            "Review frequency",
            frequencies,
            index=frequencies.index(d.get("review_frequency") or "")
            if (d.get("review_frequency") or "") in frequencies
            else 0,
            format_func=lambda f: f or "—",
        )
        next_review = c2.date_input("Next review", d.get("next_review_date"), format="MM/DD/YYYY")
        timeline = st.text_area("Measurement timeline", d.get("measurement_timeline") or "")
        feedback = st.text_area("Feedback to collect and when", d.get("feedback_plan") or "")
        if st.form_submit_button("Save plan", type="primary"):
            try:
                form = PlanForm(
                    product_id=tool["product_id"],
                    request_id=tool.get("request_id"),
                    participant_schools=chosen_schools,
                    participant_grades=grades,
                    participant_teachers=teachers,
                    starting_group=start_group,
                    extent=extent,
                    expectations=expectations,
                    recommended_minutes_per_week=minutes or None,
                    recommended_weeks=weeks or None,
                    fidelity_share_of_weeks=share / 100,
                    active_user_min_minutes=active,
                    review_frequency=frequency or None,
                    measurement_timeline=timeline,
                    feedback_plan=feedback,
                    next_review_date=next_review,
                )
                plans.save_plan(ctx.con, ctx.actor, form)
            except ValidationError as exc:
                show_errors(exc, PlanForm)
            except DomainError as exc:
                st.error(exc.message)
            else:
                flash("Plan saved.")
                st.rerun()
    if plan is not None and st.button(
        "A review took place today: schedule the next one", key=state_key(NS, "review_done")
    ):
        next_date = plans.record_review_done(ctx.con, ctx.actor, tool["product_id"])
        st.success(f"Next review on {next_date:%m/%d/%Y}.")
    return plan


def decision_rule_section(ctx, tool: dict, plan: dict | None) -> None:
    st.subheader("Decision rule, set before looking at outcomes")
    st.caption(
        "The smallest effect worth acting on (in standard deviations, the scale of Hedges' g) and how "
        "sure the district must be that the tool reached it. Locked once recorded."
    )
    if plan is None:
        st.info("Save the plan first.")
        return
    if plan["locked"]:
        st.markdown(
            f"Meaningful effect **{plan['meaningful_effect']:.2f} SD**, probability needed to act "
            f"**{plan['decision_probability']:.0%}**. Preregistered on "
            f"{plan['preregistered_at']:%m/%d/%Y %H:%M}; locked."
        )
        return
    if not ctx.can(Action.MANAGE_PLANS):
        st.info("Not recorded yet.")
        return
    with st.form(state_key(NS, f"prereg_{tool['product_id']}")):
        c1, c2 = st.columns(2)
        effect = c1.number_input("Meaningful effect (SD)", 0.0, 2.0, 0.10, step=0.01)
        probability = c2.number_input("Probability needed to act (%)", 51, 99, 80)
        if st.form_submit_button("Record and lock"):
            try:
                plans.preregister(
                    ctx.con,
                    ctx.actor,
                    tool["product_id"],
                    PreregistrationForm(meaningful_effect=effect, decision_probability=probability / 100),
                )
            except ValidationError as exc:
                show_errors(exc, PreregistrationForm)
            except DomainError as exc:
                st.error(exc.message)
            else:
                st.rerun()


def milestones_section(ctx, plan: dict | None) -> None:
    st.subheader("Timeline: milestones, training, surveys and reviews")
    if plan is None:
        return
    rows = plans.milestones(ctx.con, plan["plan_id"])
    if rows:
        chart = pd.DataFrame(plans.timeline_rows(rows))
        figure = px.timeline(
            chart, x_start="Start", x_end="Finish", y="Item", color="Kind", pattern_shape="Done", title=None
        )
        figure.update_yaxes(autorange="reversed", title=None)
        st.plotly_chart(figure, width="stretch")
        st.dataframe(
            table(
                rows,
                {
                    "kind_label": "Kind",
                    "name": "Name",
                    "audience": "Audience",
                    "start_date": "Start",
                    "end_date": "End",
                    "completed_on": "Completed on",
                    "completion_pct": "Completion (%)",
                },
            ),
            hide_index=True,
        )
    else:
        st.info("No milestones yet.")
    if not ctx.can(Action.MANAGE_PLANS):
        return
    milestone_form = state_key(NS, f"milestone_{plan['plan_id']}")
    with st.form(entry_form_key(milestone_form)):
        c1, c2, c3 = st.columns(3)
        kind = c1.selectbox("Kind", list(MILESTONE_LABELS), format_func=MILESTONE_LABELS.get)
        name = c2.text_input("Name")
        audience = c3.text_input("Audience")
        start = c1.date_input("Start", dt.date.today(), format="MM/DD/YYYY")
        end = c2.date_input("End", None, format="MM/DD/YYYY")
        pct = c3.number_input("Completion (%)", 0.0, 100.0, value=None)
        if st.form_submit_button("Add to timeline"):
            try:
                plans.save_milestone(
                    ctx.con,
                    ctx.actor,
                    plan["plan_id"],
                    MilestoneForm(
                        kind=kind,
                        name=name,
                        audience=audience,
                        start_date=start,
                        end_date=end,
                        completion_pct=pct,
                    ),
                )
            except ValidationError as exc:
                show_errors(exc, MilestoneForm)
            except DomainError as exc:
                st.error(exc.message)
            else:
                entry_saved(milestone_form)
                st.rerun()


with page_context(Action.VIEW_PIPELINE) as ctx:
    st.title("Goals and implementation plan")
    st.caption("SOP steps 8 and 9, for each approved tool: goals with measures and owners, then the plan.")
    tools = {t["product_id"]: t for t in goals.approved_products(ctx.con)}
    wanted = query_product(ctx.con, "product")
    if wanted is not None and wanted not in tools:
        st.info(
            f"Product #{wanted} is not an approved tool (goals and plans follow approval). Choose one below."
        )
        wanted = None
    if not tools:
        st.info("No tool has been approved yet. Goals and plans follow the step-5 decision.")
        st.stop()
    ids = list(tools)
    product_id = st.selectbox(
        "Tool",
        ids,
        index=ids.index(wanted) if wanted in ids else 0,
        format_func=lambda p: f"{tools[p]['name']} ({tools[p]['vendor_name']})",
        key=state_key(NS, "tool"),
    )
    tool = tools[product_id]
    people = {p["person_id"]: p["full_name"] for p in goals.people_choices(ctx.con)}
    goals_section(ctx, tool, people)
    plan = plan_section(ctx, tool)
    decision_rule_section(ctx, tool, plan)
    milestones_section(ctx, plan)
