"""Step 10, "Reflect & decide": one decision per tool per review cycle, with its frozen evidence.

Thin page: the decision rules and the contract effect are in services/renewal.py, the brief in
services/renewal_brief.py. Everyone who may see evidence sees the history and downloads briefs;
only roles with DECIDE_RENEWAL (checked again in the service) get the form.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from models.enums import EvaluationDecision
from models.errors import DomainError
from models.evaluation import RenewalDecisionCreate
from services import monitoring, renewal, renewal_brief
from services.permissions import Action
from ui import evidence as ui_ev
from ui.context import page_context, query_product, show_error, state_key
from ui.forms import show_validation_errors
from ui.plain import md
from ui.widgets import page_link

NS = "decisions"
KEY_METRICS = ("active_users", "license_utilization", "dosage_fidelity", "cost_per_active_user")


def evidence_summary(evidence: dict) -> None:
    usage, outcome = evidence["usage"], evidence["outcome"]
    if usage is None or not usage.has_usage:
        st.info("No usage imported for this tool. Import usage on the Import data page before deciding.")
    else:
        st.markdown(f"**Usage, {usage.year.label}**")
        cols = st.columns(len(KEY_METRICS))
        for col, key in zip(cols, KEY_METRICS, strict=True):
            metric = usage.metrics[key]
            col.metric(metric.label, metric.display, help=metric.definition)
    if outcome is None:
        st.info("No fall and later assessment scores to analyse. Import assessments on the Import data page.")
    else:
        st.markdown(f"**Outcomes, {md(outcome.subject)} ({outcome.window_label.lower()})**")
        ui_ev.show_verdict(outcome.verdict)
        st.caption(f"ESSA evidence: {outcome.verdict.essa_tier}. {outcome.verdict.essa_reason}")


def decide_form(ctx, product_id: int, snapshot: dict) -> None:
    today = dt.date.today()
    with st.form(state_key(NS, "form")):
        cycle = st.text_input(
            "Review cycle", value=renewal.review_cycle_for(today, ctx.settings.fiscal_year_start_month)
        )
        decision = st.radio(
            "Decision",
            EvaluationDecision.options(),
            horizontal=True,
            format_func=lambda v: EvaluationDecision(v).label,
        )
        rationale = st.text_area(
            "Rationale", placeholder="What the evidence shows and why this is the right next step."
        )
        missed = renewal.missed_notice(renewal.active_contract(ctx.con, product_id), today)
        effects = dict(renewal.CONTRACT_EFFECT)
        if missed:  # the caption must not promise what the warning below says cannot happen
            effects[EvaluationDecision.DISCONTINUE] = (
                "Auto-renewal stays on: the notice deadline has passed (below)."
            )
        st.caption(
            "What each decision does to the contract: "
            + " ".join(f"**{EvaluationDecision(k).label}**: {v}" for k, v in effects.items())
        )
        if missed:
            st.warning(f"**Discontinue**: {missed}")
        submitted = st.form_submit_button("Record decision", type="primary")
    if not submitted:
        return
    try:
        form = RenewalDecisionCreate(
            product_id=product_id, review_cycle=cycle, decision=decision, rationale=rationale
        )
        decision_id = renewal.record_decision(ctx.con, ctx.actor, form, snapshot)
    except ValidationError as exc:
        show_validation_errors(exc, {"rationale": "Rationale", "decision": "Decision"})
        return
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state[state_key(NS, "selected")] = decision_id
    st.success(f"Decision #{decision_id} recorded with its evidence snapshot.")
    if decision == EvaluationDecision.DISCONTINUE.value and missed:
        st.warning(missed)


def history(ctx, product_id: int) -> None:
    rows = renewal.list_decisions(ctx.con, ctx.actor, product_id)
    if not rows:
        st.caption("No decisions recorded for this tool yet.")
        return
    table = pd.DataFrame(rows)[
        [
            "decision_id",
            "review_cycle",
            "decision",
            "decided_by",
            "decided_at",
            "contract_action",
            "rationale",
        ]
    ]
    st.dataframe(
        table.rename(
            columns={
                "decision_id": "#",
                "review_cycle": "Cycle",
                "decision": "Decision",
                "decided_by": "Decided by",
                "decided_at": "When",
                "contract_action": "Contract",
                "rationale": "Rationale",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    ids = [r["decision_id"] for r in rows]
    preferred = st.session_state.get(state_key(NS, "selected"))
    chosen = st.selectbox(
        "Decision to open",
        ids,
        index=ids.index(preferred) if preferred in ids else 0,
        format_func=lambda i: next(
            f"#{r['decision_id']} {r['review_cycle']}: {r['decision']}" for r in rows if r["decision_id"] == i
        ),
        key=state_key(NS, "open"),
    )
    decision = renewal.get_decision(ctx.con, ctx.actor, chosen)
    html = renewal_brief.render_brief(decision["evidence_snapshot"], decision)
    st.download_button(
        "Download renewal brief (HTML, print to PDF)",
        data=html.encode("utf-8"),
        file_name=f"renewal-brief-{decision['tool']}-{decision['review_cycle']}.html".replace(" ", "-"),
        mime="text/html",
        key=state_key(NS, "brief"),
        type="primary",
    )
    with st.expander("Evidence snapshot frozen at decision time (JSON)"):
        st.json(decision["evidence_snapshot"], expanded=False)


def main() -> None:
    with page_context(Action.VIEW_EVIDENCE) as ctx:
        st.title("Reflect & decide")
        st.caption(
            "SOP step 10: reflect on the evidence, share it, and decide each tool's next step for the "
            "review cycle: renew, expand, modify or discontinue."
        )
        ev = ui_ev.Evidence(ctx)
        tools = ev.tools()
        if not tools:
            st.info(
                "No tools to decide on yet. Import usage on the Import data page, or record a contract (step 7)."
            )
            return
        names = {
            t["product_id"]: f"{t['name']} ({t['vendor']})"
            + (f" · decide by {t['decide_by']:%m/%d/%Y}" if t.get("decide_by") else "")
            for t in tools
        }
        ids = list(names)
        # without ?tool=, open on the tool whose renewal decision is due first
        linked = query_product(ctx.con, "tool")
        if linked is not None and linked not in names:
            # a stale link must not open another tool's decision unannounced
            st.warning(
                f"Tool #{linked} has no usage, plan or contract to decide on; showing the tool whose "
                "decision is due first. Pick another from the list."
            )
        wanted = linked if linked in names else monitoring.next_decision(tools, dt.date.today())
        product_id = st.selectbox(
            "Tool",
            ids,
            format_func=names.get,
            key=state_key(NS, "tool"),
            index=ids.index(wanted) if wanted in names else 0,
            help="'Decide by' is the contract's notice deadline: the last day to tell the vendor the "
            "district will not renew.",
        )
        page_link(
            "pages/monitoring.py",
            "See all usage and outcome charts",
            icon=":material/monitoring:",
            query={"tool": product_id},
        )
        try:
            evidence = ev.current_evidence(product_id)
        except DomainError as exc:
            show_error(exc)
            return
        st.subheader("The evidence now")
        evidence_summary(evidence)
        snapshot = renewal.build_snapshot(**evidence, district=ctx.settings.district_name)
        st.download_button(
            "Download draft brief (current evidence)",
            key=state_key(NS, "draft"),
            data=renewal_brief.render_brief(snapshot).encode("utf-8"),
            file_name=f"draft-brief-{product_id}.html",
            mime="text/html",
        )
        st.subheader("Decide")
        if ctx.can(Action.DECIDE_RENEWAL):
            decide_form(ctx, product_id, snapshot)
        else:
            st.info("Only approvers record renewal decisions. You can read the evidence and download briefs.")
        st.subheader("Decisions and briefs")
        history(ctx, product_id)


main()
