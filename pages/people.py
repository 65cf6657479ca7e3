"""Administration: people, their roles, activation and password resets."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from models.enums import Role
from models.errors import DomainError
from models.people import PersonCreate
from services import people
from services.permissions import Action
from ui.context import flash, page_context, show_error, state_key
from ui.forms import show_validation_errors

NS = "people"

with page_context(Action.MANAGE_PEOPLE) as ctx:
    st.title("People & roles")
    st.caption("Who can sign in and what each role may do. Every change is in the audit log.")
    table = people.list_people(ctx.con)
    st.dataframe(table.drop(columns=["person_id"]), hide_index=True, width="stretch")

    role_labels = {r.label: r for r in Role}
    st.subheader("Add a person")
    with st.form(state_key(NS, "add"), clear_on_submit=False):
        name = st.text_input("Full name")
        email = st.text_input("Email")
        title = st.text_input("Title (optional)")
        roles = st.multiselect("Roles", list(role_labels))
        password = st.text_input(
            "Initial password (leave empty when people sign in with the district's SSO)", type="password"
        )
        if st.form_submit_button("Add person", type="primary"):
            try:
                form = PersonCreate(
                    full_name=name, email=email, title=title or None, roles=[role_labels[r] for r in roles]
                )
                people.create_person(ctx.con, ctx.actor, form, password or None)
            except ValidationError as exc:
                show_validation_errors(exc, {"full_name": "Full name", "email": "Email", "roles": "Roles"})
            except DomainError as exc:
                show_error(exc)
            else:
                flash(f"Added {form.full_name}.")
                st.rerun()

    st.subheader("Change a person")
    if not table.empty:
        names = dict(zip(table["Name"] + " <" + table["Email"] + ">", table["person_id"], strict=True))
        chosen = st.selectbox("Person", list(names), key=state_key(NS, "person"))
        person_id = int(names[chosen])
        row = table[table["person_id"] == person_id].iloc[0]
        current = [label for label in row["Roles"].split(", ") if label]
        with st.form(state_key(NS, "edit")):
            new_roles = st.multiselect("Roles", list(role_labels), default=current)
            active = st.checkbox("Active (may sign in)", value=bool(row["Active"]))
            new_password = st.text_input("New password (optional)", type="password")
            if st.form_submit_button("Save changes"):
                try:
                    people.update_person(
                        ctx.con,
                        ctx.actor,
                        person_id,
                        roles=[role_labels[r] for r in new_roles],
                        active=active,
                        new_password=new_password or None,
                    )
                except DomainError as exc:
                    show_error(exc)
                else:
                    flash("Saved.")
                    st.rerun()
