"""SOP step 1: search what the district already has, then write the needs assessment, its roles and
action plan; save it as a draft or submit it to step 2. `?request=N` edits an existing draft."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from models.costs import grade_range_label
from models.enums import PrivacyStatus, Stage, ToolStatus
from models.errors import DomainError, GateFailed
from models.requests import ActionItem, NeedsAssessment
from services import intake
from services.enrollment import schools as school_ids_by_name
from services.goals import people_choices
from services.permissions import Action
from services.requests import action_items, get_request
from ui.context import page_context, query_int, show_error, state_key
from ui.forms import show_validation_errors
from ui.widgets import page_link

NS = "new_request"
LOOK_FORS = [
    "Multiple language options",
    "Accessibility (WCAG 2.1 AA, screen reader)",
    "Clever / ClassLink rostering",
    "Single sign-on (Google / Microsoft)",
    "Works on Chromebooks and iPads",
    "Teacher dashboard and reports",
    "Works offline",
    "Family access",
]

with page_context(Action.CREATE_REQUEST) as ctx:
    request_id = query_int("request")
    existing: dict = {}
    if request_id is not None:
        try:
            existing = get_request(ctx.con, request_id)
        except DomainError as exc:
            st.title("Needs assessment")
            show_error(exc)
            st.stop()
    st.title(f"Edit request #{request_id}" if existing else "New request: needs assessment")
    for kind, message in st.session_state.pop(state_key(NS, "flash"), []):
        if kind == "submitted":
            st.success(message)
            page_link(
                "pages/criteria.py",
                "Go to vendor criteria",
                icon=":material/checklist:",
                query={"request": request_id},
            )
        else:
            {"warning": st.warning, "error": st.error}.get(kind, st.success)(message)
    st.caption(
        "SOP step 1 · Identify the problem, impact, desired outcome and measures; existing resources and "
        "look-fors; the leader and stakeholders; and the action plan."
    )
    if existing and Stage(existing["stage"]) != Stage.NEEDS_ASSESSMENT:
        st.info(
            f"This request is already at **{Stage(existing['stage']).label}**; changes are saved but it is "
            "not submitted again."
        )

    st.subheader("1. Does the district already have a tool for this?")
    st.caption("An approved tool may already do this: search the catalog before asking for a new one.")
    c1, c2, c3 = st.columns([2, 1, 1])
    keyword = c1.text_input(
        "Keyword", key=state_key(NS, "kw"), placeholder="e.g. fluency, coding, flashcards"
    )
    subject = c2.text_input("Subject", key=state_key(NS, "subject_search"), placeholder="e.g. Math")
    grade = c3.text_input("Grade", key=state_key(NS, "grade_search"), placeholder="PK, K, 1-12")
    if keyword or subject or grade:
        try:
            found = intake.find_existing_tools(ctx.con, keyword=keyword, subject=subject, grade=grade)
        except DomainError as exc:
            show_error(exc)
            found = pd.DataFrame()
        if found.empty:
            st.info("No catalog tool matches. Describe the need below.")
        else:
            usable = int(found["usable"].sum())
            if usable:
                st.success(
                    f"{usable} approved tool(s) may already do this. Check them before requesting a new one."
                )
            shown = found.assign(
                Status=found["tool_status"].map(lambda v: ToolStatus(v).label),
                Privacy=found["privacy_status"].map(lambda v: PrivacyStatus(v).label),
                Grades=[
                    grade_range_label(None if pd.isna(lo) else lo, None if pd.isna(hi) else hi)
                    for lo, hi in zip(found["grade_low"], found["grade_high"], strict=True)
                ],
            )[["Tool", "Vendor", "Status", "Privacy", "Subjects", "Grades", "Purpose"]]
            st.dataframe(shown, hide_index=True, width="stretch")

    st.subheader("2. Needs assessment")
    people = people_choices(ctx.con)
    school_names = {school_id: name for name, school_id in school_ids_by_name(ctx.con).items()}
    person_ids = [p["person_id"] for p in people]
    school_ids = [None, *school_names]
    known = [x.strip() for x in (existing.get("look_fors") or "").split(";") if x.strip()]
    items_version = st.session_state.get(state_key(NS, "items_version"), 0)
    with st.form(state_key(NS, "form")):
        title = st.text_input(
            "Title (required)",
            value=existing.get("title", ""),
            placeholder="e.g. Math fluency practice for grades 3-5",
        )
        a, b = st.columns(2)
        school_id = a.selectbox(
            "School",
            school_ids,
            index=school_ids.index(existing.get("school_id"))
            if existing.get("school_id") in school_ids
            else 0,
            format_func=lambda s: "District-wide" if s is None else school_names[s],
        )
        department = b.text_input("Department", value=existing.get("department") or "")
        problem = st.text_area(
            "Problem or purpose",
            value=existing.get("problem") or "",
            help="What unmet need, or which building or district goal, does this address?",
        )
        impact = st.text_area("Impact", value=existing.get("impact") or "", help="Who is affected and how?")
        desired_outcome = st.text_area("Desired outcome (goal)", value=existing.get("desired_outcome") or "")
        measures = st.text_area(
            "How will success be measured?",
            value=existing.get("measures") or "",
            help="e.g. MAP growth, weekly usage, teacher survey",
        )
        existing_resources = st.text_area(
            "Existing resources considered",
            value=existing.get("existing_resources") or "",
            help="Tools or materials the district already has, and why they fall short",
        )
        chosen = st.multiselect(
            "Look-fors in a new resource", LOOK_FORS, default=[x for x in known if x in LOOK_FORS]
        )
        other_look_fors = st.text_input(
            "Other look-fors", value="; ".join(x for x in known if x not in LOOK_FORS)
        )
        c, d, e = st.columns(3)
        subject_value = c.text_input("Subject", value=existing.get("subject") or "")
        grade_band = d.text_input(
            "Grade band", value=existing.get("grade_band") or "", placeholder="e.g. 3-5"
        )
        students = e.number_input(
            "Students affected", min_value=0, step=10, value=existing.get("students_affected")
        )
        leader_default = existing.get("leader_id") or ctx.actor.person_id
        leader_id = st.selectbox(
            "Project leader",
            person_ids,
            index=person_ids.index(leader_default) if leader_default in person_ids else 0,
            format_func=lambda pid: next(p["full_name"] for p in people if p["person_id"] == pid),
        )
        stakeholders = st.text_area(
            "Stakeholders",
            value=existing.get("stakeholders") or "",
            help="Who else is involved: teachers, principals, families, IT",
        )
        st.markdown("**Action plan** (who, what, by when): add rows for new items.")
        new_items = st.data_editor(
            pd.DataFrame(
                {
                    "Who": pd.Series(dtype=str),
                    "What": pd.Series(dtype=str),
                    "By when": pd.Series(dtype="datetime64[ns]"),
                }
            ),
            num_rows="dynamic",
            hide_index=True,
            key=state_key(NS, f"items{items_version}"),
            column_config={"By when": st.column_config.DateColumn("By when")},
        )
        s1, s2 = st.columns(2)
        save = s1.form_submit_button("Save draft")
        submit = s2.form_submit_button("Submit request", type="primary")

    if save or submit:
        look_fors = "; ".join([*chosen, *[x.strip() for x in other_look_fors.split(";") if x.strip()]])
        try:
            form = NeedsAssessment(
                title=title,
                school_id=school_id,
                department=department,
                problem=problem,
                impact=impact,
                desired_outcome=desired_outcome,
                measures=measures,
                existing_resources=existing_resources,
                look_fors=look_fors,
                subject=subject_value,
                grade_band=grade_band,
                students_affected=int(students) if students is not None else None,
                leader_id=leader_id,
                stakeholders=stakeholders,
            )
            items = []
            for row in new_items.to_dict("records"):
                if not any(str(v).strip() for v in row.values() if v is not None and not pd.isna(v)):
                    continue
                due = row.get("By when")
                items.append(
                    ActionItem(
                        who=str(row.get("Who") or ""),
                        what=str(row.get("What") or ""),
                        due_date=pd.Timestamp(due).date() if due is not None and not pd.isna(due) else None,
                    )
                )
        except ValidationError as exc:
            show_validation_errors(
                exc, {"title": "Title", "who": "Action plan: who", "what": "Action plan: what"}
            )
            st.stop()
        try:
            request_id = intake.save_draft(ctx.con, ctx.actor, form, items, request_id=request_id)
        except DomainError as exc:
            show_error(exc)
            st.stop()
        st.query_params["request"] = str(request_id)
        flash = [("success", f"Draft #{request_id} saved at {dt.datetime.now():%H:%M}.")]
        if submit:
            try:
                intake.submit(ctx.con, ctx.actor, request_id)
            except GateFailed as exc:
                flash = [
                    (
                        "warning",
                        f"Draft #{request_id} saved, but it cannot be submitted yet:\n\n"
                        + "\n".join(f"- {r}" for r in exc.reasons),
                    )
                ]
            except DomainError as exc:
                flash = [("error", exc.message)]
            else:
                flash = [
                    (
                        "submitted",
                        f"Request #{request_id} submitted: it moves to step 2 (vendor criteria and "
                        "SOPPA check).",
                    )
                ]
        # a fresh action-plan editor, so rows just saved are not saved twice
        st.session_state[state_key(NS, "items_version")] = items_version + 1
        st.session_state[state_key(NS, "flash")] = flash
        st.rerun()

    if request_id is not None:
        items_df = action_items(ctx.con, request_id)
        if not items_df.empty:
            st.subheader("Action plan")
            st.dataframe(
                items_df.drop(columns=["item_id"]).rename(
                    columns={"who": "Who", "what": "What", "due_date": "By when", "done_date": "Done"}
                ),
                hide_index=True,
                width="stretch",
            )
        blockers = intake.submission_blockers(ctx.con, request_id)
        if blockers and not (save or submit):
            st.caption("Before submitting: " + " ".join(blockers))
