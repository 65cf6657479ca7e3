"""SOP steps 2 and 5, for the compliance officer: each candidate's SOPPA status, the vendor's written
agreement (section 15(4) checklist), reuse of an agreement already in force, and the decision."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from pydantic import ValidationError

from models.enums import AgreementType, PrivacyStatus, Stage
from models.errors import DomainError
from models.purchasing import AgreementForm, SoppaDecisionInput
from services import agreements, criteria
from services.permissions import Action
from ui.context import page_context, show_error, state_key
from ui.forms import show_validation_errors
from ui.request_picker import pick_request

NS = "agreements"
STAGES = (Stage.CRITERIA_SOPPA, Stage.BUDGET, Stage.REVIEW, Stage.DECISION, Stage.PURCHASE)
CHOOSABLE = [s for s in PrivacyStatus if s != PrivacyStatus.UNKNOWN]


def _agreement_label(a: dict) -> str:
    signed = f"signed {a['signed_date']:%m/%d/%Y}" if a.get("signed_date") else "not signed"
    return f"#{a['agreement_id']} · {a['agreement_type']} · {a.get('product') or 'all products'} · {signed}"


with page_context(Action.MANAGE_AGREEMENTS) as ctx:
    request = pick_request(ctx.con, NS, STAGES, title="Agreements & SOPPA")
    request_id = int(request["request_id"])
    today = dt.date.today()

    cands = criteria.candidates(ctx.con, request_id, include_excluded=False)
    if cands.empty:
        st.info("This request has no candidate products yet.")
        st.stop()
    labels = {f"{r['product']} ({r['vendor']})": r for r in cands.to_dict("records")}
    default = next(
        (i for i, r in enumerate(labels.values()) if r["product_id"] == request["selected_product_id"]), 0
    )
    choice = st.selectbox(
        "Candidate product", list(labels), index=default, key=state_key(NS, f"cand{request_id}")
    )
    cand = labels[choice]
    product_id, vendor_id = int(cand["product_id"]), int(cand["vendor_id"])
    if not cand["collects_student_data"]:
        st.caption("The product record says it collects no student data (staff use only may apply).")

    for kind, message in st.session_state.pop(state_key(NS, "flash"), []):
        (st.warning if kind == "warning" else st.success)(message)
    latest = agreements.latest_soppa(ctx.con, product_id)
    if latest:
        status = PrivacyStatus(latest["status"])
        show = st.success if status == PrivacyStatus.COMPLIANT else st.warning
        show(
            f"Current SOPPA status: **{status.label}**, recorded by {latest['decided_by_name']} on "
            f"{latest['decided_at']:%m/%d/%Y}." + (f" Note: {latest['note']}" if latest["note"] else "")
        )
    else:
        st.info("No SOPPA decision recorded for this product yet.")

    vendor_agreements = agreements.vendor_agreements(ctx.con, vendor_id)
    reusable = agreements.reusable_agreements(ctx.con, vendor_id, today)
    for a in reusable:
        if a["product_id"] != product_id:
            st.info(
                f"{cand['vendor']} already has an agreement in force: {_agreement_label(a)}. It can be reused "
                "for this product (Exhibit E adoption) instead of negotiating a new one."
            )
            if st.button(
                f"Reuse agreement #{a['agreement_id']} for {cand['product']}",
                key=state_key(NS, f"reuse{a['agreement_id']}"),
            ):
                try:
                    agreements.adopt_agreement(ctx.con, ctx.actor, int(a["agreement_id"]), product_id)
                except DomainError as exc:
                    show_error(exc)
                else:
                    st.session_state[state_key(NS, "flash")] = [
                        ("success", "Recorded as an Exhibit E adoption for this product.")
                    ]
                    st.rerun()

    tab_decide, tab_agreement, tab_history = st.tabs(["Record SOPPA decision", "Agreement", "History"])
    with tab_decide:
        agreement_options = {_agreement_label(a): a["agreement_id"] for a in vendor_agreements}
        with st.form(state_key(NS, "decision")):
            status = st.selectbox("SOPPA status", CHOOSABLE, format_func=lambda s: s.label)
            linked = st.selectbox(
                "Agreement",
                ["(none)", *agreement_options],
                help="'Compliant' needs a signed agreement in force with a complete checklist.",
            )
            note = st.text_area(
                "Note", help="Required for not compliant, parent consent, staff use, not applicable."
            )
            record = st.form_submit_button("Record SOPPA decision", type="primary")
        if record:
            try:
                agreements.record_soppa_decision(
                    ctx.con,
                    ctx.actor,
                    SoppaDecisionInput(
                        request_id=request_id,
                        product_id=product_id,
                        status=status,
                        note=note,
                        agreement_id=agreement_options.get(linked),
                    ),
                )
            except ValidationError as exc:
                show_validation_errors(exc)
            except DomainError as exc:
                show_error(exc)
            else:
                st.session_state[state_key(NS, "flash")] = [("success", f"Recorded: {status.label}.")]
                st.rerun()

    with tab_agreement:
        editing = {_agreement_label(a): a for a in vendor_agreements}
        which = st.selectbox("Agreement to edit", ["(new agreement)", *editing], key=state_key(NS, "edit"))
        current = editing.get(which, {})
        checklist = agreements.checklist_labels()
        with st.form(state_key(NS, "agreement")):
            types = list(AgreementType)
            kind = st.selectbox(
                "Agreement type",
                types,
                format_func=lambda t: t.value,
                index=types.index(AgreementType(current["agreement_type"])) if current else 0,
            )
            # an agreement being edited keeps the product it names; a new one names the chosen candidate
            own_product = current.get("product_id", product_id) if current else product_id
            own_name = current.get("product") if current and current.get("product_id") else cand["product"]
            covers = st.selectbox(
                "Covers",
                [f"Only {own_name}", "All of the vendor's products"],
                index=1 if current and current.get("product_id") is None else 0,
            )
            d1, d2 = st.columns(2)
            signed = d1.date_input("Signed date", value=current.get("signed_date"), format="MM/DD/YYYY")
            expiry = d2.date_input("Expiry date", value=current.get("expiry_date"), format="MM/DD/YYYY")
            elements = st.text_area("Data elements (Exhibit B)", value=current.get("data_elements") or "")
            subs = st.text_area("Subcontractors (third parties)", value=current.get("subcontractors") or "")
            address = st.text_input("Operator business address", value=current.get("business_address") or "")
            st.markdown("**Section 15(4) checklist: the agreement states…**")
            ticks = {
                col: st.checkbox(
                    text[0].upper() + text[1:], value=bool(current.get(col)), key=state_key(NS, col)
                )
                for col, text in checklist.items()
            }
            days = st.number_input(
                "Deletion within (days)", min_value=0, max_value=3650, value=current.get("deletion_days")
            )
            doc = st.text_input("Document link", value=current.get("document_url") or "")
            redacted = st.text_input(
                "Redacted copy link (for public posting)", value=current.get("redacted_url") or ""
            )
            save = st.form_submit_button("Save agreement", type="primary")
        if save:
            try:
                form = AgreementForm(
                    vendor_id=vendor_id,
                    product_id=None if covers.startswith("All") else own_product,
                    agreement_type=kind,
                    signed_date=signed,
                    expiry_date=expiry,
                    data_elements=elements,
                    subcontractors=subs,
                    business_address=address,
                    deletion_days=days,
                    document_url=doc,
                    redacted_url=redacted,
                    **ticks,
                )
                saved = agreements.save_agreement(
                    ctx.con, ctx.actor, form, agreement_id=current.get("agreement_id")
                )
            except ValidationError as exc:
                show_validation_errors(exc)
            except DomainError as exc:
                show_error(exc)
            else:
                problems = agreements.agreement_gaps(ctx.con, saved, today)
                flash = [("success", f"Agreement #{saved} saved.")]
                if problems:
                    flash.append(("warning", "Not yet enough for 'compliant': " + " ".join(problems)))
                st.session_state[state_key(NS, "flash")] = flash
                st.rerun()

    with tab_history:
        st.dataframe(agreements.soppa_history(ctx.con, product_id), hide_index=True, width="stretch")
        if vendor_agreements:
            st.markdown(f"**{cand['vendor']}'s agreements**")
            st.dataframe(
                agreements.agreements(ctx.con, vendor_id=vendor_id)[
                    [
                        "agreement_id",
                        "agreement_type",
                        "product",
                        "signed_date",
                        "expiry_date",
                        "document_url",
                    ]
                ],
                hide_index=True,
                width="stretch",
            )
