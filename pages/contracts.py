"""Step 7: contracts, the renewal clocks (end dates and notice deadlines), calendar and exports.
Rules and the notice-deadline formula live in services/contracts.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from models.catalog import ContractForm
from models.enums import PricingUnit
from models.errors import DomainError
from models.form_errors import field_errors
from services import catalog, contracts
from services.permissions import Action
from ui.context import flash, page_context, query_int, state_key
from ui.widgets import money

NS = "contracts"
TABLE_COLUMNS = {
    "contract_id": "#",
    "product_name": "Product",
    "vendor_name": "Vendor",
    "start_date": "Start",
    "end_date": "End",
    "term": "Term",
    "auto_renew": "Auto-renews",
    "notice_days": "Notice (days)",
    "notice_deadline": "Notice deadline",
    "annual_cost": "Annual cost",
    "quantity": "Qty",
    "pricing_unit_label": "Unit",
    "funding_source": "Funding",
    "po_number": "PO",
    "renewal_owner": "Renewal owner",
    "status": "Status",
}


def table(rows: list[dict], extra: dict[str, str] | None = None) -> pd.DataFrame:
    columns = {**(extra or {}), **TABLE_COLUMNS}
    frame = pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)
    frame["Annual cost"] = frame["Annual cost"].map(money)
    return frame


def contract_form(ctx, product_id: int | None, request_id: int | None) -> None:
    choices = contracts.form_choices(ctx.con)
    existing = {r["contract_id"]: r for r in contracts.list_contracts(ctx.con, ctx.actor)}
    saved_now = st.session_state.pop(state_key(NS, "just_saved"), None)
    if saved_now in existing:  # a contract just saved opens for correction, so a second Save edits it
        st.session_state[state_key(NS, "editing")] = saved_now
    editing = st.selectbox(
        "Contract",
        [None, *existing],
        key=state_key(NS, "editing"),
        format_func=lambda c: (
            "New contract"
            if c is None
            else f"#{c} {existing[c]['product_name']} (ends {existing[c]['end_date']:%m/%d/%Y})"
        ),
    )
    d = existing.get(editing, {})
    products = {p["product_id"]: f"{p['name']} ({p['vendor_name']})" for p in choices["products"]}
    if not products:
        st.info("No products yet.")
        return
    ids = list(products)
    preset = d.get("product_id") or product_id
    people = {p["person_id"]: p["full_name"] for p in choices["people"]}
    agreements = {
        a["agreement_id"]: f"#{a['agreement_id']} {a['agreement_type']}"
        + (f" signed {a['signed_date']:%m/%d/%Y}" if a["signed_date"] else "")
        for a in choices["agreements"]
    }
    units = ["", *PricingUnit.options()]
    today = dt.date.today()
    with st.form(state_key(NS, f"form_{editing}")):
        product = st.selectbox(
            "Product", ids, format_func=products.get, index=ids.index(preset) if preset in ids else 0
        )
        c1, c2, c3 = st.columns(3)
        start = c1.date_input("Start date", d.get("start_date") or today, format="MM/DD/YYYY")
        end = c2.date_input(
            "End date", d.get("end_date") or contracts.default_end(today), format="MM/DD/YYYY"
        )
        notice = c3.number_input("Notice period (days)", 0, 3650, int(d.get("notice_days") or 60))
        c1, c2, c3 = st.columns(3)
        cost = c1.number_input("Annual cost ($)", 0.0, 1e9, float(d.get("annual_cost") or 0), step=100.0)
        quantity = c2.number_input("Quantity", 0, 10_000_000, int(d.get("quantity") or 0))
        unit = c3.selectbox(
            "Pricing unit",
            units,
            index=units.index(d.get("pricing_unit") or ""),
            format_func=lambda u: PricingUnit(u).label if u else "—",
        )
        c1, c2, c3 = st.columns(3)
        auto = c1.checkbox("Renews automatically", bool(d.get("auto_renew")))
        funding = c2.text_input("Funding source", d.get("funding_source") or "")
        po = c3.text_input("Purchase order", d.get("po_number") or "")
        agreement_ids = [None, *agreements]
        agreement = c1.selectbox(
            "Linked agreement",
            agreement_ids,
            index=agreement_ids.index(d.get("agreement_id")),
            format_func=lambda a: "None" if a is None else agreements[a],
        )
        owner_ids = [None, *people]
        owner = c2.selectbox(
            "Renewal owner",
            owner_ids,
            index=owner_ids.index(d.get("renewal_owner_id")) if d.get("renewal_owner_id") in owner_ids else 0,
            format_func=lambda p: "—" if p is None else people[p],
        )
        document = c3.text_input("Contract document link", d.get("document_url") or "")
        documents = st.text_area("Other documents (one link per line)", d.get("documents") or "")
        note = st.text_input("Note", d.get("note") or "")
        submitted = st.form_submit_button("Save contract", type="primary")
    if submitted:
        try:
            form = ContractForm(
                product_id=product,
                request_id=d.get("request_id") or request_id,
                start_date=start,
                end_date=end,
                notice_days=notice,
                annual_cost=round(cost, 2),
                quantity=quantity or None,
                pricing_unit=unit or None,
                auto_renew=auto,
                funding_source=funding,
                po_number=po,
                agreement_id=agreement,
                renewal_owner_id=owner,
                document_url=document,
                documents=documents,
                note=note,
            )
            saved = contracts.save_contract(ctx.con, ctx.actor, form, editing)
        except ValidationError as exc:
            for message in field_errors(exc, ContractForm).values():
                st.error(message)
        except DomainError as exc:
            st.error(exc.message)
        else:
            st.session_state[state_key(NS, "just_saved")] = saved
            flash(f"Saved contract #{saved}.")
            st.rerun()  # the tables above show it, and the form now edits it


with page_context(Action.VIEW_PIPELINE) as ctx:
    st.title("Contracts")
    st.caption(
        "SOP step 7: contract documentation and renewal tracking. Notice deadline = end date "
        "minus the notice period: the last day to tell the vendor the district will not renew."
    )
    today = dt.date.today()
    product_id, request_id = query_int("product"), query_int("request")
    if request_id is not None:
        try:
            product_id = catalog.product_of_request(ctx.con, request_id)
        except DomainError as exc:
            st.info(exc.message + " Showing every contract.")
            request_id = None
    known = {p["product_id"] for p in contracts.form_choices(ctx.con)["products"]}
    if product_id is not None and product_id not in known:
        st.info(f"Product #{product_id} does not exist. Showing every contract.")
        product_id = None

    expiring_tab, all_tab, edit_tab = st.tabs(["Ending soon", "All contracts", "Add or edit"])
    with expiring_tab:
        window = st.segmented_control(
            "Within",
            contracts.EXPIRY_WINDOWS,
            default=90,
            format_func=lambda d: f"{d} days",
            key=state_key(NS, "window"),
        )
        rows = contracts.expiring(ctx.con, ctx.actor, today, window or 120)
        if not rows:
            st.success(f"No contract ends, and no notice is due, in the next {window or 120} days.")
        else:
            st.dataframe(
                table(rows, {"alert": "What is due", "days_left": "Days left"}),
                hide_index=True,
                width="stretch",
            )
    with all_tab:
        rows = contracts.list_contracts(ctx.con, ctx.actor, product_id=product_id)
        if product_id is not None:
            st.caption("Showing the contracts for one product. Open Contracts from the menu to see them all.")
        st.dataframe(table(rows), hide_index=True, width="stretch")
        with st.container(horizontal=True):
            st.download_button(
                "Calendar (.ics)",
                contracts.calendar_ics(
                    [r for r in rows if r["status"] == "active"], district_name=ctx.settings.district_name
                ),
                file_name="contract-deadlines.ics",
                mime="text/calendar",
                key=state_key(NS, "ics"),
            )
            st.download_button(
                "CSV",
                contracts.export_csv(rows),
                file_name="contracts.csv",
                mime="text/csv",
                key=state_key(NS, "csv"),
            )
            st.download_button(
                "Excel",
                contracts.export_xlsx(rows),
                file_name="contracts.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=state_key(NS, "xlsx"),
            )
    with edit_tab:
        if ctx.can(Action.MANAGE_CONTRACTS):
            contract_form(ctx, product_id, request_id)
        else:
            st.info("The business office records and edits contracts.")
