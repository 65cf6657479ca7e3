"""SOP step 5: the approver approves (only when the SOPPA and integration gate passes), denies with a
reason (offering to examine an alternative), or sends back; after approval, the purchase checklist."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from pydantic import ValidationError

from models.enums import PurchaseTask, Stage
from models.errors import DomainError, GateFailed
from models.purchasing import PurchaseTaskUpdate
from services import decision
from services.permissions import Action
from ui.context import page_context, show_error, state_key
from ui.forms import show_validation_errors
from ui.request_picker import pick_request
from ui.widgets import page_link

NS = "decision"
STAGES = (Stage.DECISION, Stage.PURCHASE, Stage.DENIED)
ONLY_DENY = "Deny only"
SEND_BACK_WITHOUT = "Examine an alternative: back to review without this product"
NEW_REQUEST = "Examine an alternative: deny and open a linked new request"

with page_context(Action.VIEW_PIPELINE) as ctx:
    request = pick_request(ctx.con, NS, STAGES, title="Decision & purchase")
    request_id = int(request["request_id"])
    stage = Stage(request["stage"])
    flash = st.session_state.pop(state_key(NS, "flash"), None)
    if flash:
        st.success(flash)

    if stage == Stage.DECISION:
        st.subheader("Step-5 gate: SOPPA compliant and integrates with district systems")
        problems = decision.gate_status(ctx.con, request_id)
        if problems:
            st.error("The gate does not pass yet:\n\n" + "\n".join(f"- {p}" for p in problems))
        else:
            st.success(f"The gate passes for **{request['selected_product_name']}**.")
        page_link(
            "pages/compare.py",
            "See the vendor comparison",
            icon=":material/compare_arrows:",
            query={"request": request_id},
        )

        if ctx.can(Action.DECIDE_REQUEST):
            note = st.text_input("Approval note (optional)", key=state_key(NS, "note"))
            if st.button("Approve", type="primary", key=state_key(NS, "approve")):
                try:
                    decision.approve(ctx.con, ctx.actor, request_id, reason=note or None)
                except GateFailed as exc:
                    st.error("Cannot approve yet:\n\n" + "\n".join(f"- {r}" for r in exc.reasons))
                except DomainError as exc:
                    show_error(exc)
                else:
                    st.session_state[state_key(NS, "flash")] = (
                        "Approved. The purchase checklist is open below."
                    )
                    st.rerun()
            st.divider()
            with st.form(state_key(NS, "deny_form")):
                reason = st.text_area("Reason (required to deny or send back)")
                follow = st.radio("After denying", [ONLY_DENY, SEND_BACK_WITHOUT, NEW_REQUEST])
                c1, c2 = st.columns(2)
                deny = c1.form_submit_button("Deny")
                back = c2.form_submit_button("Send back to review")
            if deny or back:
                try:
                    if back:
                        decision.send_back(ctx.con, ctx.actor, request_id, reason)
                        st.success("Sent back to review.")
                    elif follow == SEND_BACK_WITHOUT:
                        decision.send_back_without_candidate(ctx.con, ctx.actor, request_id, reason)
                        st.success("Back to review; the refused product is excluded from the candidates.")
                    elif follow == NEW_REQUEST:
                        new_id = decision.deny_and_open_alternative(ctx.con, ctx.actor, request_id, reason)
                        st.success(f"Denied. Request #{new_id} examines an alternative.")
                        page_link(
                            "pages/criteria.py",
                            f"Open request #{new_id}",
                            icon=":material/checklist:",
                            query={"request": new_id},
                        )
                    else:
                        decision.deny(ctx.con, ctx.actor, request_id, reason)
                        st.success("Denied.")
                except DomainError as exc:
                    show_error(exc)
        else:
            st.caption("An approver decides at this step.")

    elif stage == Stage.DENIED:
        st.error(f"Denied: {request['denial_reason'] or 'no reason recorded'}")
        if ctx.can(Action.CREATE_REQUEST) and st.button("Examine an alternative", key=state_key(NS, "alt")):
            try:
                new_id = decision.open_alternative(ctx.con, ctx.actor, request_id)
            except DomainError as exc:
                show_error(exc)
            else:
                st.success(
                    f"Request #{new_id} examines an alternative; it starts at step 2 with the same criteria."
                )

    elif stage == Stage.PURCHASE:
        st.subheader("Purchase coordination checklist")
        st.caption(
            "Every item has an owner, a due date and a done date; when all are done the request moves on to "
            "the catalog (step 6)."
        )
        owners = decision.owner_choices(ctx.con)
        owner_ids = [None] + [o["person_id"] for o in owners]
        owner_names = {o["person_id"]: o["full_name"] for o in owners}
        editable = ctx.can(Action.MANAGE_PURCHASE)
        for task in decision.purchase_tasks(ctx.con, request_id):
            label = PurchaseTask(task["task"]).label
            icon = ":material/check_circle:" if task["done_date"] else ":material/radio_button_unchecked:"
            state = f"done {task['done_date']:%m/%d/%Y}" if task["done_date"] else "open"
            with st.expander(f"{label} ({state})", expanded=task["done_date"] is None, icon=icon):
                with st.form(state_key(NS, f"task{task['task_id']}")):
                    a, b, c = st.columns(3)
                    owner = a.selectbox(
                        "Owner",
                        owner_ids,
                        format_func=lambda p: "—" if p is None else owner_names.get(p, p),
                        index=owner_ids.index(task["owner_id"]) if task["owner_id"] in owner_ids else 0,
                    )
                    due = b.date_input("Due date", value=task["due_date"], format="MM/DD/YYYY")
                    done_on = c.date_input(
                        "Done date", value=task["done_date"], format="MM/DD/YYYY", max_value=dt.date.today()
                    )
                    ref = st.text_input(
                        "PO number" if task["task"] == PurchaseTask.PURCHASE_ORDER else "Reference",
                        value=task["reference"] or "",
                    )
                    note = st.text_input("Note", value=task["note"] or "")
                    save = st.form_submit_button(f"Save {label}", disabled=not editable)
                if save:
                    try:
                        outcome = decision.update_task(
                            ctx.con,
                            ctx.actor,
                            int(task["task_id"]),
                            PurchaseTaskUpdate(
                                owner_id=owner, due_date=due, done_date=done_on, reference=ref, note=note
                            ),
                        )
                    except ValidationError as exc:
                        show_validation_errors(exc)
                    except DomainError as exc:
                        show_error(exc)
                    else:
                        st.session_state[state_key(NS, "flash")] = outcome.message
                        st.rerun()

    history = decision.decisions(ctx.con, request_id)
    if not history.empty:
        st.subheader("Decisions")
        st.dataframe(history, hide_index=True, width="stretch")
