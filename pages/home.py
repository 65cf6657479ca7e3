"""Home: the purchasing pipeline. Every request by stage with owner, days in stage, next action
and blockers; what is overdue; contracts ending soon."""

from __future__ import annotations

import datetime as dt

import plotly.express as px
import streamlit as st

from models.enums import Stage
from services import contracts, lifecycle, requests
from services.permissions import Action
from ui.context import page_context, state_key
from ui.deadlines import show_deadlines
from ui.widgets import go, money

NS = "home"

with page_context(Action.VIEW_PIPELINE) as ctx:
    st.title("Purchasing pipeline")
    st.caption("Every technology request, from needs assessment (SOP step 1) to monitoring (step 10).")

    schools = dict(ctx.con.execute("SELECT name, school_id FROM schools ORDER BY name").fetchall())
    all_rows = requests.pipeline(ctx.con)
    departments = sorted(d for d in all_rows["Department"].unique() if d)
    with st.container(horizontal=True):
        chosen_schools = st.multiselect("School", list(schools), key=state_key(NS, "schools"))
        chosen_departments = st.multiselect("Department", departments, key=state_key(NS, "departments"))
        stage_labels = {s.label: s.value for s in [*lifecycle.PIPELINE_ORDER, Stage.DENIED]}
        chosen_stages = st.multiselect("Stage", list(stage_labels), key=state_key(NS, "stages"))
    rows = requests.filter_pipeline(
        all_rows,
        school_ids=[schools[s] for s in chosen_schools] or None,
        departments=chosen_departments or None,
        stages=[stage_labels[s] for s in chosen_stages] or None,
    )
    ending = contracts.expiring(ctx.con, ctx.actor, dt.date.today(), within_days=90)

    open_rows = rows[~rows["stage"].isin([Stage.DENIED.value])]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Open requests", len(open_rows), help="Requests not denied, withdrawn or closed.")
    c2.metric(
        "Overdue",
        int(rows["Overdue"].sum()),
        help="Days in stage above the stage's target (services/lifecycle.py STAGE_SLA_DAYS).",
    )
    c3.metric(
        "Waiting at the gate",
        int((rows["stage"] == Stage.DECISION.value).sum()),
        help="Requests at step 5 awaiting an approver's decision.",
    )
    c4.metric("Contracts ending ≤ 90 days", len(ending))

    if rows.empty:
        st.info("No requests match these filters. Clear a filter, or start one with **New request**.")
    else:
        counts = rows.groupby(["Step", "Stage"], as_index=False).size().sort_values("Step")
        fig = px.bar(
            counts,
            x="size",
            y="Stage",
            orientation="h",
            text="size",
            title="Requests by SOP stage",
            labels={"size": "Requests", "Stage": ""},
        )
        fig.update_traces(textposition="outside", cliponaxis=False)
        fig.update_xaxes(dtick=1, rangemode="tozero")
        fig.update_layout(
            yaxis={"categoryorder": "array", "categoryarray": list(counts["Stage"])[::-1]},
            height=80 + 28 * len(counts),
            margin={"l": 10, "r": 10, "t": 40, "b": 10},
        )
        st.plotly_chart(fig, width="stretch")

        st.subheader("Requests")
        st.caption("Select a row to open the request across all ten steps.")
        table = rows.drop(columns=["stage", "Step", "school_id"])
        event = st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            height=min(38 + 35 * len(table), 900),
            key=state_key(NS, "table"),
            column_config={
                "Request": st.column_config.NumberColumn("#", format="%d", width="small"),
                "Overdue": st.column_config.CheckboxColumn("Overdue"),
                "Days in stage": st.column_config.NumberColumn(format="%d d"),
            },
        )
        selected = event.selection.rows if event is not None else []
        if selected:
            go("pages/request.py", {"request": int(table.iloc[selected[0]]["Request"])})

    overdue = rows[rows["Overdue"]]
    st.subheader("Overdue")
    if overdue.empty:
        st.success("Nothing is overdue.")
    else:
        for r in overdue.to_dict("records"):
            st.markdown(
                f"- **#{r['Request']} {r['Title']}** — {r['Stage']}, {r['Days in stage']} days"
                f" in stage. Next: {r['Next action']}."
            )

    st.subheader("Contracts ending or needing notice within 90 days")
    st.caption("Notice deadline = end date minus the contract's notice period (services/contracts.py).")
    if not ending:
        st.success("No contract ends, and no notice is due, in the next 90 days.")
    else:
        st.dataframe(
            [
                {
                    "What is due": r["alert"],
                    "Product": r["product_name"],
                    "Vendor": r["vendor_name"],
                    "Ends": r["end_date"],
                    "Auto-renews": r["auto_renew"],
                    "Annual cost": money(r["annual_cost"]),
                    "Renewal owner": r["renewal_owner"] or "—",
                }
                for r in ending
            ],
            hide_index=True,
            width="stretch",
        )

    # HOOK: steps 6-9 (SOPPA posting deadlines, upcoming plan reviews)
    show_deadlines(ctx)
