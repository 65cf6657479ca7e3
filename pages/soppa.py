"""SOPPA public posting, the clocks that go with it, the breach register and the parent-request
log. Every deadline rule lives in services/soppa_posting.py; this page only shows and collects."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from models.errors import DomainError
from models.form_errors import field_errors
from models.soppa import (
    PARENT_REQUEST_LABELS,
    AgreementPostingForm,
    BreachForm,
    ParentRequestForm,
    PostingRules,
)
from services import soppa_posting as posting
from services import soppa_registers as registers
from services.permissions import Action
from ui.context import page_context, state_key
from ui.plain import md

NS = "soppa"
SEVERITY_BADGE = {"overdue": ":red-badge[Overdue]", "due_soon": ":orange-badge[Due soon]"}


def table(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """Rows as a table with people's column names."""
    return pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)


def show_errors(exc: ValidationError, model: type) -> None:
    for message in field_errors(exc, model).values():
        st.error(message)


def clocks_tab(ctx, today: dt.date, can_write: bool) -> None:
    items = posting.overdue_items(ctx.con, ctx.settings, today)
    if not items:
        st.success("Every SOPPA clock is on time.")
    for item in items:
        st.markdown(f"{SEVERITY_BADGE[item['severity']]} {md(item['what'])}: due {item['due']:%m/%d/%Y}")
    st.subheader("Agreements: signed and posted")
    rules = posting.load_rules(ctx.con)
    rows = registers.agreements_for_posting(ctx.con)
    for r in rows:
        r["post_by"] = posting.agreement_posting_due(r["signed_date"], rules) if r["signed_date"] else None
    st.caption(
        f"A new agreement is posted within {rules.posting_days} "
        f"{'business' if rules.business_days else 'calendar'} days of signing"
        + (
            f" (weekends and the {len(rules.holidays)} district holidays on the Settings tab not counted)."
            if rules.business_days
            else "."
        )
    )
    st.dataframe(
        table(
            rows,
            {
                "agreement_id": "#",
                "operator": "Operator",
                "product": "Product",
                "agreement_type": "Agreement",
                "signed_date": "Signed",
                "post_by": "Post by",
                "posted_date": "Posted",
            },
        ),
        hide_index=True,
        width="stretch",
    )
    if can_write and rows:
        labels = {
            r["agreement_id"]: f"#{r['agreement_id']} {r['operator']} {r['product'] or ''}" for r in rows
        }
        with st.form(state_key(NS, "agreement_dates")):
            chosen = st.selectbox("Agreement", list(labels), format_func=labels.get)
            c1, c2 = st.columns(2)
            signed = c1.date_input("Agreement signed on", today, format="MM/DD/YYYY")
            posted = c2.date_input("Posted publicly on (blank if not yet)", None, format="MM/DD/YYYY")
            if st.form_submit_button("Save dates"):
                try:
                    form = AgreementPostingForm.model_validate(
                        {"signed_date": signed, "posted_date": posted}, context={"today": today}
                    )
                    posting.record_agreement_dates(ctx.con, ctx.actor, chosen, form)
                except ValidationError as exc:
                    show_errors(exc, AgreementPostingForm)
                except DomainError as exc:
                    st.error(exc.message)
                else:
                    st.success("Saved.")


def posting_tab(ctx, today: dt.date, can_write: bool) -> None:
    content = posting.posting_content(ctx.con)
    page = posting.render_html(content, district_name=ctx.settings.district_name, generated_on=today)
    st.caption(
        f"{len(content['operators'])} agreement(s) and {len(content['breaches'])} breach(es) will be "
        "listed. Download the page and put it on the district website."
    )
    with st.container(horizontal=True):
        st.download_button(
            "Public page (HTML)", page, file_name="soppa.html", mime="text/html", key=state_key(NS, "html")
        )
        st.download_button(
            "Operators (CSV)",
            posting.operators_csv(content),
            file_name="soppa-operators.csv",
            mime="text/csv",
            key=state_key(NS, "csv"),
        )
        st.download_button(
            "Breaches (CSV)",
            posting.breaches_csv(content),
            file_name="soppa-breaches.csv",
            mime="text/csv",
            key=state_key(NS, "breach_csv"),
        )
    if can_write and st.button(
        "Record as published today",
        type="primary",
        key=state_key(NS, "publish"),
        help="Stops the twice-yearly update clock and marks new agreements as posted.",
    ):
        try:
            posting.publish(ctx.con, ctx.actor, ctx.settings, today)
        except DomainError as exc:
            st.error(exc.message)
        else:
            st.success("Recorded. Remember to upload the downloaded page.")
    history = posting.publications(ctx.con)
    if history:
        st.dataframe(
            table(
                history,
                {
                    "published_on": "Published",
                    "published_by_name": "By",
                    "operators_listed": "Agreements listed",
                    "breaches_listed": "Breaches listed",
                },
            ),
            hide_index=True,
        )
    with st.expander("Preview"):
        # st.iframe replaces st.components.v1.html (deprecated, removed after 2026-06-01). The page is
        # the generated public posting: every stored value in it went through html.escape.
        st.iframe(page, height=600)


def breach_tab(ctx, today: dt.date, can_write: bool, vendors: dict) -> None:
    rows = registers.list_breaches(ctx.con, ctx.actor, today)
    st.caption(
        "Share of enrollment = students affected / district enrollment when the breach was learned. "
        "Parents are notified within the set number of days of learning of it."
    )
    frame = table(
        rows,
        {
            "breach_id": "#",
            "operator": "Operator",
            "learned_on": "Learned on",
            "students_affected": "Students affected",
            "share_of_enrollment": "Share of enrollment",
            "listed_publicly": "Listed publicly",
            "data_exposed": "Data exposed",
            "notify_by": "Notify parents by",
            "parents_notified_on": "Notified on",
            "clock": "Clock",
        },
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={"Share of enrollment": st.column_config.NumberColumn(format="percent")},
    )
    if not can_write:
        return
    existing = {r["breach_id"]: r for r in rows}
    editing = st.selectbox(
        "Breach",
        [None, *existing],
        key=state_key(NS, "breach_edit"),
        format_func=lambda b: "Record a new breach" if b is None else f"Update breach #{b}",
    )
    d = existing.get(editing, {})
    with st.form(state_key(NS, f"breach_form_{editing}")):
        ids = [None, *vendors]
        vendor = st.selectbox(
            "Operator",
            ids,
            index=ids.index(d.get("vendor_id")) if d.get("vendor_id") in ids else 0,
            format_func=lambda v: "—" if v is None else vendors[v],
        )
        c1, c2, c3 = st.columns(3)
        learned = c1.date_input(
            "Date the district learned of it", d.get("learned_on") or today, format="MM/DD/YYYY"
        )
        occurred_from = c2.date_input("Occurred from", d.get("occurred_from"), format="MM/DD/YYYY")
        occurred_to = c3.date_input("Occurred to", d.get("occurred_to"), format="MM/DD/YYYY")
        affected = c1.number_input("Students affected", 0, 10_000_000, int(d.get("students_affected") or 0))
        notified = c2.date_input("Parents notified on", d.get("parents_notified_on"), format="MM/DD/YYYY")
        delay = c3.checkbox("Law enforcement asked for a delay", bool(d.get("law_enforcement_delay")))
        exposed = st.text_input("Data exposed", d.get("data_exposed") or "")
        note = st.text_input("Note", d.get("note") or "")
        if st.form_submit_button("Save breach", type="primary"):
            try:
                form = BreachForm.model_validate(
                    {
                        "vendor_id": vendor,
                        "learned_on": learned,
                        "occurred_from": occurred_from,
                        "occurred_to": occurred_to,
                        "students_affected": affected,
                        "enrollment_total": d.get("enrollment_total"),
                        "parents_notified_on": notified,
                        "law_enforcement_delay": delay,
                        "data_exposed": exposed,
                        "note": note,
                    },
                    context={"today": today},
                )
                registers.record_breach(ctx.con, ctx.actor, form, editing)
            except ValidationError as exc:
                show_errors(exc, BreachForm)
            except DomainError as exc:
                st.error(exc.message)
            else:
                st.success("Saved.")


def requests_tab(ctx, today: dt.date, can_write: bool, vendors: dict) -> None:
    rows = registers.list_parent_requests(ctx.con, ctx.actor, today)
    st.dataframe(
        table(
            rows,
            {
                "parent_request_id": "#",
                "received_on": "Received",
                "kind_label": "Request",
                "student_ref": "Student reference",
                "operator": "Operator",
                "due": "Due",
                "completed_on": "Done",
                "clock": "Clock",
            },
        ),
        hide_index=True,
        width="stretch",
    )
    if not can_write:
        return
    existing = {r["parent_request_id"]: r for r in rows}
    editing = st.selectbox(
        "Parent request",
        [None, *existing],
        key=state_key(NS, "pr_edit"),
        format_func=lambda r: "Log a new request" if r is None else f"Update request #{r}",
    )
    d = existing.get(editing, {})
    with st.form(state_key(NS, f"pr_form_{editing}")):
        c1, c2, c3 = st.columns(3)
        received = c1.date_input("Received on", d.get("received_on") or today, format="MM/DD/YYYY")
        kinds = list(PARENT_REQUEST_LABELS)
        kind = c2.selectbox(
            "Request",
            kinds,
            index=kinds.index(d.get("kind") or "inspect"),
            format_func=PARENT_REQUEST_LABELS.get,
        )
        done = c3.date_input("Done on", d.get("completed_on"), format="MM/DD/YYYY")
        ids = [None, *vendors]
        vendor = c1.selectbox(
            "Operator",
            ids,
            index=ids.index(d.get("vendor_id")) if d.get("vendor_id") in ids else 0,
            format_func=lambda v: "District records" if v is None else vendors[v],
        )
        student = c2.text_input("Student reference (local id, not a name)", d.get("student_ref") or "")
        note = st.text_input("Note", d.get("note") or "")
        if st.form_submit_button("Save request", type="primary"):
            try:
                form = ParentRequestForm.model_validate(
                    {
                        "received_on": received,
                        "kind": kind,
                        "completed_on": done,
                        "vendor_id": vendor,
                        "student_ref": student,
                        "note": note,
                    },
                    context={"today": today},
                )
                registers.record_parent_request(ctx.con, ctx.actor, form, editing)
            except ValidationError as exc:
                show_errors(exc, ParentRequestForm)
            except DomainError as exc:
                st.error(exc.message)
            else:
                st.success("Saved.")


def settings_tab(ctx, can_write: bool) -> None:
    rules = posting.load_rules(ctx.con)
    with st.form(state_key(NS, "rules")):
        c1, c2, c3 = st.columns(3)
        days = c1.number_input("Days to post a new agreement", 1, 90, rules.posting_days)
        business = c2.checkbox("Count business days (Mon-Fri, not holidays)", rules.business_days)
        window = c3.number_input(
            "Days to update after the fiscal/calendar year starts", 1, 180, rules.update_window_days
        )
        share = c1.number_input(
            "Leave off breaches below this share of enrollment (%)", 0.0, 100.0, rules.breach_min_share * 100
        )
        notice = c2.number_input("Days to notify parents of a breach", 1, 365, rules.breach_notice_days)
        inspect = c3.number_input("Days to answer an inspect request", 1, 365, rules.inspect_days)
        correct = c1.number_input("Days to answer a correct/delete request", 1, 365, rules.correct_days)
        data_use = st.text_area(
            "What student data we collect, how it is used and shared", rules.data_use_text
        )
        rights = st.text_area("Parents' rights text", rules.parent_rights_text, height=200)
        holidays = st.text_area(
            "District holidays (one date per line; not counted as business days)",
            "\n".join(f"{d:%Y-%m-%d}" for d in rules.holidays),
            placeholder="2026-11-26\n2026-11-27\n2026-12-24",
            help="Days the district office is closed, e.g. from the board-approved school calendar. "
            "Weekends are never counted.",
        )
        if st.form_submit_button("Save settings", disabled=not can_write):
            try:
                posting.save_rules(
                    ctx.con,
                    ctx.actor,
                    PostingRules(
                        posting_days=days,
                        business_days=business,
                        update_window_days=window,
                        breach_min_share=share / 100,
                        breach_notice_days=notice,
                        inspect_days=inspect,
                        correct_days=correct,
                        data_use_text=data_use,
                        parent_rights_text=rights,
                        holidays=holidays,
                    ),
                )
            except ValidationError as exc:
                show_errors(exc, PostingRules)
            except DomainError as exc:
                st.error(exc.message)
            else:
                st.success("Saved.")


with page_context(Action.VIEW_PIPELINE) as ctx:
    st.title("SOPPA posting and registers")
    st.caption(
        "Illinois SOPPA (105 ILCS 85): the public posting of agreements, breaches and parents' "
        "rights, with its deadlines; the breach register; the parent-request log."
    )
    today = dt.date.today()
    can_write = ctx.can(Action.MANAGE_SOPPA_REGISTERS)
    if not can_write:
        st.info("Only the compliance officer can change these records; you can read them.")
    vendors = {v["vendor_id"]: v["name"] for v in registers.vendors(ctx.con)}
    tabs = st.tabs(["Deadlines", "Public posting", "Breach register", "Parent requests", "Settings"])
    with tabs[0]:
        clocks_tab(ctx, today, can_write)
    with tabs[1]:
        posting_tab(ctx, today, can_write)
    with tabs[2]:
        breach_tab(ctx, today, can_write, vendors)
    with tabs[3]:
        requests_tab(ctx, today, can_write, vendors)
    with tabs[4]:
        settings_tab(ctx, can_write)
