"""Vendor comparison (SOP step 4 -> 5): candidates side by side with weighted totals per reviewer and
overall, reviewer disagreement, rank, gates, cost per student, the weight change that would swap the
top two; then put the chosen product forward to the approver."""

from __future__ import annotations

import math

import plotly.express as px
import streamlit as st

from models.enums import Stage
from models.errors import DomainError, GateFailed
from services import comparison, decision, lifecycle
from services.comparison_data import NO_BUDGET_MODEL, load_comparison
from services.permissions import Action, may_on_request
from ui.context import flash, page_context, show_error, state_key
from ui.request_picker import pick_request
from ui.widgets import page_link

NS = "compare"
STAGES = (Stage.REVIEW, Stage.DECISION, Stage.BUDGET, Stage.CRITERIA_SOPPA, Stage.PURCHASE, Stage.DENIED)
GATE_LABEL = {"passed": "Passed", "open": "Open (not decided yet)", "failed": "Failed"}

with page_context(Action.VIEW_PIPELINE) as ctx:
    request = pick_request(ctx.con, NS, STAGES, title="Compare vendors")
    request_id = int(request["request_id"])
    view = load_comparison(ctx.con, request_id)
    result = view.comparison
    summary = result.summary
    if summary.empty:
        st.info("No active candidates to compare yet.")
        st.stop()
    if summary["overall"].isna().all():
        st.info("No committee scores yet: reviewers score candidates on the Vendor review page.")

    if result.recommended:
        st.success(
            f"Recommended: **{result.recommended}** (highest weighted total among candidates that have not "
            "failed a gate)."
        )
    else:
        st.warning("No candidate can be recommended yet.")
    for note in result.notes:
        st.caption(note)

    def _cost(name: str) -> str:
        value = view.costs.get(name)
        return NO_BUDGET_MODEL if value is None else f"${value:,.2f}"

    side = summary.assign(
        Total=[None if math.isnan(v) else round(v, 2) for v in summary["overall"]],
        Spread=summary["spread"].round(2),
        Disagree=summary["disagreement"].map({True: "Reviewers disagree", False: ""}),
        Gate=summary["gate"].map(GATE_LABEL),
        Cost=[_cost(n) for n in summary["candidate"]],
        Recommended=summary["recommended"].map({True: "Recommended", False: ""}),
    ).rename(
        columns={
            "rank": "Rank",
            "candidate": "Candidate",
            "reviewers": "Reviewers",
            "Cost": "Cost per student per year",
        }
    )
    st.dataframe(
        side[
            [
                "Rank",
                "Candidate",
                "Recommended",
                "Total",
                "Spread",
                "Reviewers",
                "Disagree",
                "Gate",
                "Cost per student per year",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "Total": st.column_config.NumberColumn(format="%.2f"),
            "Spread": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    for row in summary.to_dict("records"):
        if row["gate_reasons"]:
            st.caption(
                f"**{row['candidate']}** gate {GATE_LABEL[row['gate']].lower()}: {row['gate_reasons']}"
            )
    st.caption(
        "Total = weighted mean of a reviewer's 1-5 scores (weights: "
        + ", ".join(f"{k} {v:.0f}%" for k, v in view.weights.items())
        + f"), averaged over reviewers. Spread = highest minus lowest reviewer total; reviewers disagree when "
        f"it is {comparison.DISAGREEMENT_SPREAD:g} point or more. A failed gate (SOPPA, integration, a "
        "required criterion the vendor does not meet) is never recommended. Cost per student per year comes "
        "from the step-3 budget scenario."
    )

    if result.flip is not None:
        st.info("How sensitive is the order? " + result.flip.sentence())

    if not result.reviewer_totals.empty:
        st.subheader("Weighted totals by reviewer")
        st.dataframe(
            result.reviewer_totals.round(2).rename_axis(index="Candidate", columns="Reviewer"),
            width="stretch",
        )
        long = (
            result.reviewer_totals.reset_index()
            .melt(id_vars="candidate", var_name="Reviewer", value_name="Weighted total")
            .dropna()
        )
        fig = px.bar(
            long,
            x="candidate",
            y="Weighted total",
            color="Reviewer",
            barmode="group",
            range_y=[0, 5],
            labels={"candidate": "Candidate"},
            color_discrete_sequence=px.colors.qualitative.Safe,
            title="Weighted total (1-5) per candidate and reviewer",
        )
        st.plotly_chart(fig, width="stretch")
    if not result.criterion_means.empty:
        heat = result.criterion_means
        fig = px.imshow(
            heat,
            text_auto=".1f",
            zmin=1,
            zmax=5,
            color_continuous_scale="RdYlGn",
            aspect="auto",
            labels={"x": "Criterion (highest weight first)", "y": "Candidate", "color": "Mean score"},
            title="Mean score per criterion",
        )
        st.plotly_chart(fig, width="stretch")

    stage = Stage(request["stage"])
    if stage in decision.SELECTABLE_STAGES and may_on_request(
        ctx.actor, Action.MANAGE_CANDIDATES, request["requester_id"]
    ):
        st.subheader("Put a product forward to the approver")
        ids = dict(zip(view.candidates["product"], view.candidates["product_id"], strict=True))
        names = list(summary["candidate"])
        default = names.index(result.recommended) if result.recommended in names else 0
        pick = st.selectbox("Product", names, index=default, key=state_key(NS, "select"))
        if st.button("Select for purchase", key=state_key(NS, "select_btn")):
            try:
                decision.select_product(ctx.con, ctx.actor, request_id, int(ids[pick]))
            except DomainError as exc:
                show_error(exc)
            else:
                flash(f"{pick} is the product put to the step-5 gate.")
                st.rerun()
        if stage == Stage.REVIEW:
            blockers = lifecycle.blockers(lifecycle.gather_facts(ctx.con, request_id))
            st.caption(f"Sending puts **{pick}** forward to the step-5 gate.")
            if st.button("Send to the approver", type="primary", key=state_key(NS, "send")):
                try:
                    decision.send_to_approver(ctx.con, ctx.actor, request_id, int(ids[pick]))
                except GateFailed as exc:
                    st.error("Not yet: " + " ".join(exc.reasons))
                except DomainError as exc:
                    show_error(exc)
                else:
                    st.success(f"Sent to the approver (step 5) with {pick} selected.")
            for reason in blockers:
                st.caption(f"• {reason}")
    page_link(
        "pages/decision.py", "Decision & purchase", icon=":material/task_alt:", query={"request": request_id}
    )
