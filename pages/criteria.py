"""SOP step 2: choose and weight the district's criteria for this need, list the candidate products,
send vendors the criteria form and import their answers."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from models.enums import PrivacyStatus, Stage
from models.errors import DomainError, GateFailed
from models.purchasing import ProductCreate, VendorCreate
from services import agreements, criteria, lifecycle, soppa_registers, vendor_form
from services.permissions import Action, may_on_request
from ui.context import page_context, show_error, state_key
from ui.forms import show_validation_errors
from ui.request_picker import pick_request
from ui.widgets import page_link

NS = "criteria"
STAGES = (Stage.CRITERIA_SOPPA, Stage.BUDGET, Stage.REVIEW, Stage.DECISION)

with page_context(Action.MANAGE_CRITERIA) as ctx:
    request = pick_request(ctx.con, NS, STAGES, title="Vendor criteria")
    request_id = int(request["request_id"])
    for kind, message in st.session_state.pop(state_key(NS, "flash"), []):
        (st.info if kind == "info" else st.success)(message)
    version = st.session_state.get(state_key(NS, "weights_version"), 0)
    editable = all(
        may_on_request(ctx.actor, action, request["requester_id"])
        for action in (Action.MANAGE_CRITERIA, Action.MANAGE_CANDIDATES)
    )
    if not editable:
        st.info(
            f"This is {request['requester_name']}'s request: you can read its criteria, candidates and vendor "
            "forms here. Only they, a committee reviewer, an approver or an administrator can change them."
        )

    st.subheader("Criteria and weights")
    st.caption(
        "Tick the criteria that matter for this need and give each a weight. Weights that do not add up to "
        "100% are scaled proportionally (you are told when that happens). A gate criterion must be met."
    )
    library = criteria.criteria_library(ctx.con)
    chosen = criteria.request_criteria(ctx.con, request_id).set_index("criterion_id")["weight"]
    table = pd.DataFrame(
        {
            "Use": library["criterion_id"].isin(chosen.index) if not chosen.empty else library["is_gate"],
            "Criterion": library["name"],
            "Category": library["category"],
            "Gate": library["is_gate"],
            "Weight %": [
                float(chosen.get(cid, dw))
                for cid, dw in zip(library["criterion_id"], library["default_weight"], strict=True)
            ],
            "What the district needs": library["description"],
        }
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        key=state_key(NS, f"weights{request_id}_{version}"),
        disabled=["Criterion", "Category", "Gate", "What the district needs"] if editable else True,
        column_config={
            "Weight %": st.column_config.NumberColumn(min_value=0, max_value=100, step=1, format="%.1f")
        },
    )
    if editable and st.button("Save criteria", type="primary", key=state_key(NS, "save_criteria")):
        picked = {
            int(cid): float(w if pd.notna(w) else 0)
            for cid, use, w in zip(library["criterion_id"], edited["Use"], edited["Weight %"], strict=True)
            if use
        }
        try:
            result = criteria.set_request_criteria(ctx.con, ctx.actor, request_id, picked)
        except DomainError as exc:
            show_error(exc)
        else:
            flash = [("info", result.message)] if result.message else []
            st.session_state[state_key(NS, "flash")] = [
                *flash,
                ("success", f"Saved {len(result.weights)} criteria."),
            ]
            st.session_state[state_key(NS, "weights_version")] = version + 1  # show the stored weights
            st.rerun()

    st.subheader("Candidates")
    cands = criteria.candidates(ctx.con, request_id)
    if cands.empty:
        st.info("No candidate products yet. Add one below.")
    else:
        soppa = []
        for pid in cands["product_id"]:
            latest = agreements.latest_soppa(ctx.con, int(pid))
            soppa.append(PrivacyStatus(latest["status"]).label if latest else "Not checked yet")
        st.dataframe(
            cands.assign(SOPPA=soppa)[["product", "vendor", "status", "SOPPA"]].rename(
                columns={"product": "Product", "vendor": "Vendor", "status": "Status"}
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "The compliance officer records each product's SOPPA status on the Agreements & SOPPA page."
        )

    if editable:
        products = criteria.products(ctx.con)
        taken = set(cands["product_id"]) if not cands.empty else set()
        options = {
            f"{p['name']} ({p['vendor']})": p["product_id"] for p in products if p["product_id"] not in taken
        }
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        pick = a.selectbox(
            "Existing product",
            list(options),
            index=None,
            placeholder="Choose a product",
            key=state_key(NS, "product"),
        )
        if b.button("Add candidate", key=state_key(NS, "add")):
            if pick is None:
                st.error("Choose a product first, or create one below.")
            else:
                try:
                    criteria.add_candidate(ctx.con, ctx.actor, request_id, options[pick])
                    st.rerun()
                except DomainError as exc:
                    show_error(exc)

        with st.expander("Product not listed? Create the vendor and product"):
            vendors = soppa_registers.vendors(ctx.con)
            vendor_names = {v["name"]: v["vendor_id"] for v in vendors}
            with st.form(state_key(NS, "new_product")):
                vendor_pick = st.selectbox("Vendor", ["(new vendor)", *vendor_names])
                new_vendor = st.text_input("New vendor name")
                address = st.text_input("Vendor business address")
                name = st.text_input("Product name")
                subjects = st.text_input("Subjects", placeholder="Math; Science")
                g1, g2 = st.columns(2)
                low = g1.number_input("Lowest grade (K = 0)", min_value=-1, max_value=12, value=None)
                high = g2.number_input("Highest grade", min_value=-1, max_value=12, value=None)
                student_data = st.checkbox("Collects student data", value=True)
                create = st.form_submit_button("Create product and add as candidate")
            if create:
                vendor_id = vendor_names.get(vendor_pick)
                try:
                    # each model on its own, so a missing name says which name: the vendor's or the product's
                    checking = "New vendor name"
                    vendor = None if vendor_id else VendorCreate(name=new_vendor, business_address=address)
                    checking = "Product name"
                    product = ProductCreate(
                        vendor_id=vendor_id or 0,  # 0: the new vendor's
                        name=name,
                        subjects=subjects,
                        grade_low=low,
                        grade_high=high,
                        collects_student_data=student_data,
                    )
                    criteria.add_new_product(ctx.con, ctx.actor, request_id, product, vendor)
                except ValidationError as exc:
                    show_validation_errors(
                        exc, {"name": checking, "business_address": "Vendor business address"}
                    )
                except DomainError as exc:
                    show_error(exc)
                else:
                    st.session_state[state_key(NS, "flash")] = [("success", f"{name} added as a candidate.")]
                    st.rerun()

    active = cands[cands["status"] == "active"] if not cands.empty else cands
    if editable and not active.empty:
        ex_labels = {r["product"]: int(r["candidate_id"]) for r in active.to_dict("records")}
        e1, e2 = st.columns([3, 1], vertical_alignment="bottom")
        ex = e1.selectbox(
            "Take a candidate out of the running",
            list(ex_labels),
            index=None,
            key=state_key(NS, "exclude_pick"),
        )
        if e2.button("Exclude candidate", key=state_key(NS, "exclude")) and ex is not None:
            try:
                criteria.set_candidate_status(ctx.con, ctx.actor, ex_labels[ex], "excluded")
                st.rerun()
            except DomainError as exc:
                show_error(exc)

    st.subheader("Vendor criteria form")
    if active.empty or chosen.empty:
        st.info("Save the criteria and add a candidate to generate the form for vendors.")
    else:
        form_labels = {r["product"]: int(r["candidate_id"]) for r in active.to_dict("records")}
        who = st.selectbox("Form for", list(form_labels), key=state_key(NS, "form_for"))
        cand_id = form_labels[who]
        try:
            xlsx = vendor_form.generate_xlsx(ctx.con, request_id, cand_id)
            markdown = vendor_form.generate_markdown(ctx.con, request_id, cand_id)
        except DomainError as exc:
            show_error(exc)
        else:
            d1, d2 = st.columns(2)
            d1.download_button(
                "Download vendor form (XLSX)",
                xlsx,
                file_name=f"criteria-request{request_id}-{who.lower().replace(' ', '-')}.xlsx",
                on_click="ignore",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            d2.download_button(
                "Download vendor form (Markdown)",
                markdown,
                on_click="ignore",
                file_name=f"criteria-request{request_id}.md",
                mime="text/markdown",
            )
            with st.expander("Preview the form"):
                st.markdown(markdown)
        upload = (
            st.file_uploader(
                "Import a vendor's filled form (XLSX)", type=["xlsx"], key=state_key(NS, "upload")
            )
            if editable
            else None
        )
        if editable and st.button("Import vendor form", key=state_key(NS, "import")):
            if upload is None:
                st.error("Choose the vendor's file first.")
            else:
                try:
                    result = vendor_form.import_form(ctx.con, ctx.actor, request_id, upload.getvalue())
                except DomainError as exc:
                    show_error(exc)
                else:
                    st.success(
                        f"Imported {result.rows_saved} answer(s); {result.rows_blank} left blank by the vendor."
                    )
        responses = criteria.vendor_responses(ctx.con, request_id)
        if not responses.empty:
            st.dataframe(responses, hide_index=True, width="stretch")

    if editable and Stage(request["stage"]) == Stage.CRITERIA_SOPPA:
        st.subheader("Next step")
        blockers = lifecycle.blockers(lifecycle.gather_facts(ctx.con, request_id))
        for reason in blockers:
            st.caption(f"• {reason}")
        if st.button(
            "Criteria and candidates are set", disabled=bool(blockers), key=state_key(NS, "advance")
        ):
            try:
                lifecycle.transition(ctx.con, ctx.actor, request_id, Stage.BUDGET)
            except GateFailed as exc:
                st.error("\n".join(exc.reasons) or exc.message)
            except DomainError as exc:
                show_error(exc)
            else:
                st.success("Moved to step 3 (budget).")
    page_link(
        "pages/agreements.py",
        "SOPPA agreements for these candidates",
        icon=":material/lock:",
        query={"request": request_id},
    )
