"""One request across all ten SOP steps: where it is, what blocks it, what each step recorded,
the moves the signed-in person may make, and the full history."""

from __future__ import annotations

import streamlit as st

from models.enums import Stage
from models.errors import DomainError
from services import lifecycle, request_view, requests
from services.permissions import Action, can
from ui.context import flash, page_context, show_error, state_key
from ui.request_picker import choose_request_id
from ui.widgets import go, page_link, stage_stepper

NS = "request"

# step pages built per SOP step (shown as links when they exist in the person's menu)
STEP_PAGES: list[tuple[str, str, str]] = [
    ("pages/new_request.py", "1 · Needs assessment", "📝"),
    ("pages/criteria.py", "2 · Vendor criteria & candidates", "📋"),
    ("pages/agreements.py", "2/5 · SOPPA agreement", "🔒"),
    ("pages/budget.py", "3 · Budget & cost scenarios", "💵"),
    ("pages/review.py", "4 · Review, scores & integration", "⭐"),
    ("pages/compare.py", "4 · Compare vendors", "📊"),
    ("pages/decision.py", "5 · Decision & purchase", "✅"),
    ("pages/catalog.py", "6 · Catalog", "📚"),
    ("pages/contracts.py", "7 · Contracts", "📑"),
    ("pages/goals_plan.py", "8-9 · Goals & plan", "🎯"),
    ("pages/monitoring.py", "10 · Usage & outcomes", "📈"),
    ("pages/decisions.py", "10 · Reflect & decide", "🧭"),
]

with page_context(Action.VIEW_PIPELINE) as ctx:
    request_id = choose_request_id(
        ctx.con,
        NS,
        [],
        label="Open a request",
        empty="There are no requests yet. Start one with **New request**.",
        hint="{requests} in all. Choose one to see it across all ten SOP steps, with its blockers and "
        "history, or select a row on the **Pipeline**.",
        picker_title="Request",
    )

    try:
        request = requests.get_request(ctx.con, request_id)
    except DomainError as exc:
        show_error(exc)
        st.stop()

    stage = Stage(request["stage"])
    st.title(f"#{request_id} · {request['title']}")
    st.caption(
        f"Requested by {request['requester_name']} · {request['school_name'] or 'District-wide'}"
        f" · {request['department'] or 'No department'} · in **{stage.label}** since "
        f"{request['stage_entered_at']:%b %d, %Y}"
    )
    stage_stepper(stage)
    if request["alternative_of"]:
        st.info(f"This request examines an alternative to request #{request['alternative_of']}.")
    if stage == Stage.DENIED:
        st.error(f"Denied: {request['denial_reason'] or 'no reason recorded'}")

    facts = lifecycle.gather_facts(ctx.con, request_id)
    tab_steps, tab_needs, tab_move, tab_history = st.tabs(
        ["Steps", "Needs assessment", "Move forward", "History"]
    )

    with tab_steps:
        for step in request_view.step_summaries(ctx.con, request_id):
            icon = "✅" if step.done else ("▶️" if step.current else "◻️")
            with st.expander(f"{icon} Step {step.number}: {step.title}", expanded=step.current):
                for line in step.lines:
                    st.markdown(f"- {line}")
                if not step.lines:
                    st.caption("Nothing recorded yet.")
        st.markdown("**Work on a step**")
        cols = st.columns(3)
        for i, (path, label, icon) in enumerate(STEP_PAGES):
            with cols[i % 3]:
                page_link(path, label, icon=icon, query={"request": request_id})

    with tab_needs:
        fields = [
            ("Problem / purpose", "problem"),
            ("Impact", "impact"),
            ("Desired outcome (goal)", "desired_outcome"),
            ("Measures", "measures"),
            ("Existing resources", "existing_resources"),
            ("Look-fors", "look_fors"),
            ("Subject", "subject"),
            ("Grade band", "grade_band"),
            ("Students affected", "students_affected"),
            ("Leader", "leader_name"),
            ("Stakeholders", "stakeholders"),
        ]
        for label, key in fields:
            value = request.get(key)
            st.markdown(f"**{label}:** {value if value not in (None, '') else '—'}")
        items = requests.action_items(ctx.con, request_id)
        st.markdown("**Action plan**")
        if items.empty:
            st.caption("No action items yet.")
        else:
            st.dataframe(items.drop(columns=["item_id"]), hide_index=True, width="stretch")

    with tab_move:
        blockers = lifecycle.blockers(facts)
        if blockers:
            st.warning("**What stands in the way:**\n\n" + "\n".join(f"- {b}" for b in blockers))
        moves = [
            t
            for t in lifecycle.transitions_from(stage)
            if lifecycle.may_take(ctx.actor, t, facts.requester_id)
        ]
        if not moves:
            st.info(f"Next: {lifecycle.NEXT_ACTION[stage]}. Your role has no move to make at this stage.")
        for move in moves:
            with st.form(state_key(NS, f"move-{move.target.value}")):
                st.markdown(f"**{move.verb}** → {move.target.label}")
                unmet = lifecycle.unmet(move, facts)
                if unmet:
                    st.caption("Not yet: " + " ".join(unmet))
                reason = (
                    st.text_area("Reason", key=state_key(NS, f"reason-{move.target.value}"))
                    if move.needs_reason
                    else None
                )
                if st.form_submit_button(move.verb, disabled=bool(unmet)):
                    try:
                        lifecycle.transition(ctx.con, ctx.actor, request_id, move.target, reason=reason)
                    except DomainError as exc:
                        show_error(exc)
                    else:
                        flash(f"Moved to {move.target.label}.")
                        st.rerun()
        if stage == Stage.DENIED and can(ctx.actor, Action.CREATE_REQUEST):
            st.markdown("**Examine an alternative** (SOP step 5: 'an alternative needs to be examined')")
            if st.button("Open a linked request for an alternative", key=state_key(NS, "alternative")):
                try:
                    new_id = requests.open_alternative(ctx.con, ctx.actor, request_id)
                except DomainError as exc:
                    show_error(exc)
                else:
                    go("pages/request.py", {"request": new_id})

    with tab_history:
        log = requests.history(ctx.con, request_id)
        if log.empty:
            st.caption("No changes recorded.")
        else:
            st.dataframe(log, hide_index=True, width="stretch")
