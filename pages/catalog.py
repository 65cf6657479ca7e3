"""Step 6: the tool catalog, a teacher's home page. Search, filter, one card per tool; staff with
the catalog permission add and edit entries. Rules live in services/catalog.py."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from models.catalog import VISIBILITY_LABELS, CatalogEntryForm
from models.enums import PrivacyStatus, ToolStatus
from models.errors import DomainError
from models.form_errors import field_errors
from services import catalog
from services.permissions import Action
from ui.context import flash, page_context, query_int, query_product, state_key
from ui.plain import link, md
from ui.widgets import page_link

NS = "catalog"


def show_card(row: dict) -> None:
    with st.container(border=True):
        st.markdown(f"#### {md(row['product_name'])}  \n{md(row['vendor_name'])}")
        st.markdown(
            f"**{md(row['tool_status_label'])}** · Grades {md(row['grades'] or 'not stated')}"
            f" · {md(', '.join(row['subject_list']))}"
        )
        st.markdown(f"**What it is for:** {md(row.get('purpose') or row.get('description'))}")
        who = row.get("audience") or "All staff and students"
        schools = ", ".join(row["school_list"]) or "every school"
        st.markdown(f"**Who may use it:** {md(who)} ({md(schools)})")
        access = (
            link(row["sso_url"], "Sign in with your district account")
            if row.get("sso_url")
            else md(row["access"])
        )
        st.markdown(f"**How to get access:** {access}")
        training = [link(row["training_url"], "Training")] if row.get("training_url") else []
        if row.get("training_notes"):
            training.append(md(row["training_notes"]))
        st.markdown(f"**Training:** {' · '.join(training) or 'Ask the contact below.'}")
        privacy = md(row["privacy_status_label"])
        if row.get("agreement_link"):
            privacy += " · " + link(row["agreement_link"], f"{row.get('agreement_type') or 'Data'} agreement")
        st.markdown(f"**Student privacy:** {privacy}")
        st.markdown(f"**Contact:** {md(row.get('contact'))}")


def entry_editor(ctx, preset: int | None) -> None:
    products = catalog.products_for_catalog(ctx.con)
    if not products:
        st.info("There are no products yet; they are added with a request.")
        return
    labels = {
        p["product_id"]: f"{p['name']} ({p['vendor_name']})" + (" · in catalog" if p["in_catalog"] else "")
        for p in products
    }
    ids = list(labels)
    product_id = st.selectbox(
        "Product",
        ids,
        format_func=labels.get,
        index=ids.index(preset) if preset in ids else 0,
        key=state_key(NS, "edit_product"),
    )
    d = catalog.entry_form_defaults(ctx.con, product_id)
    with st.form(state_key(NS, f"entry_form_{product_id}")):
        c1, c2, c3 = st.columns(3)
        tool_status = c1.selectbox(
            "Tool status",
            ToolStatus.options(),
            format_func=lambda v: ToolStatus(v).label,
            index=ToolStatus.options().index(d.get("tool_status") or "approved"),
        )
        decided = catalog.latest_soppa_decision(ctx.con, product_id)
        privacy = c2.selectbox(
            "Privacy status",
            PrivacyStatus.options(),
            format_func=lambda v: PrivacyStatus(v).label,
            index=PrivacyStatus.options().index(d.get("privacy_status") or "unknown"),
            disabled=decided is not None,
            help="The compliance officer's SOPPA decision (Agreements & SOPPA) sets this."
            if decided
            else "No SOPPA decision yet: Unknown or Pending agreement.",
        )
        visibility = c3.selectbox(
            "Who sees this entry",
            list(VISIBILITY_LABELS),
            format_func=VISIBILITY_LABELS.get,
            index=list(VISIBILITY_LABELS).index(d.get("visibility") or "educator"),
        )
        purpose = st.text_area("What it is for", d.get("purpose") or "")
        c1, c2, c3 = st.columns(3)
        audience = c1.text_input("Who may use it", d.get("audience") or "")
        subjects = c2.text_input("Subjects (separate with ;)", d.get("subjects") or "")
        grade_band = c3.text_input("Grade band, e.g. 3-8", d.get("grade_band") or "")
        schools = st.text_input("Schools (separate with ;, blank = every school)", d.get("schools") or "")
        keywords = st.text_input("Keywords teachers might search for", d.get("keywords") or "")
        c1, c2 = st.columns(2)
        sso_url = c1.text_input("Sign-in (SSO) link", d.get("sso_url") or "")
        access = c2.text_input("How to get access (if no SSO link)", d.get("access_instructions") or "")
        training_url = c1.text_input("Training link", d.get("training_url") or "")
        training_notes = c2.text_input("Training resources", d.get("training_notes") or "")
        contact = st.text_input("Contact", d.get("contact") or "")
        submitted = st.form_submit_button("Save catalog entry", type="primary")
    if submitted:
        try:
            form = CatalogEntryForm(
                product_id=product_id,
                tool_status=tool_status,
                privacy_status=privacy,
                visibility=visibility,
                purpose=purpose,
                audience=audience,
                subjects=subjects,
                grade_band=grade_band,
                schools=schools,
                keywords=keywords,
                sso_url=sso_url,
                access_instructions=access,
                training_url=training_url,
                training_notes=training_notes,
                contact=contact,
            )
            catalog.save_entry(ctx.con, ctx.actor, form)
        except ValidationError as exc:
            for message in field_errors(exc, CatalogEntryForm).values():
                st.error(message)
        except DomainError as exc:
            st.error(exc.message)
        else:
            # the cards and the banner above were drawn before the save: draw them again with it
            flash(f"Saved the catalog entry for {labels[product_id].split(' (')[0]}.")
            st.rerun()


with page_context(Action.VIEW_CATALOG) as ctx:
    st.title("Tool catalog")
    st.caption(
        "The tools approved for use in the district (SOP step 6): what each is for, who may use it, "
        "how to get access and training, and its student-privacy status."
    )

    if not ctx.can(Action.VIEW_PIPELINE) and query_int("request") is not None:
        # whether a request exists, or which product it chose, is purchasing business: say nothing
        st.info("That link is for staff who work on purchase requests. Showing the whole catalog.")
        product_id = query_int("product")
    else:
        product_id = query_product(ctx.con, "product")
    if product_id is not None:
        try:
            show_card(catalog.get_entry(ctx.con, ctx.actor, product_id))
        except DomainError as exc:
            st.info(exc.message + " Showing the whole catalog.")
        st.divider()

    options = catalog.filter_options(ctx.con)
    text = st.text_input(
        "Search by name or keyword", key=state_key(NS, "text"), placeholder="e.g. fractions, reading, coding"
    )
    with st.container(horizontal=True):
        subject = st.selectbox(
            "Subject",
            ["", *options["subjects"]],
            key=state_key(NS, "subject"),
            format_func=lambda v: v or "Any subject",
        )
        band = st.selectbox(
            "Grade band",
            ["", *options["grade_bands"]],
            key=state_key(NS, "band"),
            format_func=lambda v: v or "Any grade",
        )
        school = st.selectbox(
            "School",
            ["", *options["schools"]],
            key=state_key(NS, "school"),
            format_func=lambda v: v or "Any school",
        )
    with st.container(horizontal=True):
        statuses = st.multiselect(
            "Tool status",
            ToolStatus.options(),
            key=state_key(NS, "status"),
            format_func=lambda v: ToolStatus(v).label,
        )
        privacy = st.multiselect(
            "Privacy status",
            PrivacyStatus.options(),
            key=state_key(NS, "privacy"),
            format_func=lambda v: PrivacyStatus(v).label,
        )
    rows = catalog.search_catalog(
        ctx.con,
        ctx.actor,
        text=text,
        subject=subject or None,
        grade_band=band or None,
        school=school or None,
        tool_statuses=statuses,
        privacy_statuses=privacy,
    )
    st.caption(f"{len(rows)} tool(s) shown.")
    if not rows:
        st.info("No tool matches. Try fewer filters, or request a new tool below.")
    for row in rows:
        show_card(row)

    st.subheader("Need a tool that is not here?")
    if ctx.can(Action.CREATE_REQUEST):
        page_link("pages/new_request.py", "Request a tool that is not here", icon="➕")
    else:
        st.markdown(
            "Ask your building leader or coach to request it: they start the district's needs "
            "assessment (SOP step 1). Please do not sign up students for tools that are not in "
            "this catalog."
        )

    if ctx.can(Action.MANAGE_CATALOG):
        with st.expander("Add or edit a catalog entry", expanded=product_id is not None):
            entry_editor(ctx, product_id)
