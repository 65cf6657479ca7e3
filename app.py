"""Entry point: sign-in, then a menu built for the signed-in person's roles (st.navigation).

Run with `make run`. Pages live in pages/ and are listed in ui/navigation.py.
"""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from db import repo
from models.errors import DomainError
from services import auth
from services.permissions import can
from settings import Settings, settings_problem
from ui.context import AUTH_KEY, current_actor, database, sign_in, sign_out, write_session_cookie
from ui.navigation import PAGES

st.set_page_config(page_title="EdTech Purchasing", page_icon=":material/explore:", layout="wide")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def _demo_accounts(con) -> list[dict]:
    if repo.fetch_value(con, "SELECT value FROM app_meta WHERE key = 'demo'") != "true":
        return []
    return repo.fetch_all(
        con,
        """SELECT p.email, p.full_name, string_agg(r.role, ', ' ORDER BY r.role) AS roles
           FROM people p JOIN person_roles r USING (person_id)
           WHERE p.active GROUP BY p.email, p.full_name ORDER BY min(r.role), p.email""",
    )


def sign_in_page() -> None:
    settings = Settings()
    st.title("EdTech Purchasing")
    st.caption(f"{settings.district_name} · Technology Purchasing SOP, from need to renewal")
    with database(settings) as con:
        if _oidc_configured():
            user = getattr(st, "user", None)
            if user is not None and getattr(user, "is_logged_in", False):
                actor = auth.actor_for_email(con, str(user.email))
                if actor is None:
                    st.error(f"{user.email} is not registered here. Ask an administrator to add you.")
                    st.button("Sign out", on_click=st.logout)
                    st.stop()
                st.session_state[AUTH_KEY] = actor.person_id
                st.rerun()
            st.button("Sign in with your district account", type="primary", on_click=st.login)
            st.divider()
            st.caption("Or use a local account:")
        with st.form("sign-in"):
            email = st.text_input("Email")
            password = st.text_input("Password", type="password")
            submitted = st.form_submit_button("Sign in", type="primary")
        if submitted:
            try:
                actor = auth.authenticate(
                    con,
                    email,
                    password,
                    max_failures=settings.max_failed_logins,
                    lockout_minutes=settings.lockout_minutes,
                )
            except DomainError as exc:
                st.error(exc.message)
            else:
                sign_in(con, actor.person_id, settings, remember=True)
                st.rerun()
        demo = _demo_accounts(con)
        if demo:
            from demo.seed import DEMO_PASSWORD

            with st.expander("Demo district accounts", expanded=True):
                st.write(f"This is the demo database. Every account's password is `{DEMO_PASSWORD}`.")
                st.dataframe(demo, hide_index=True, width="stretch")


def main() -> None:
    try:
        settings = Settings()
    except ValidationError as exc:  # an EDTECH_ environment variable the server was started with
        st.error(
            f"The server's settings cannot be read: {settings_problem(exc)}. Fix it and restart the app."
        )
        st.stop()
    with database(settings) as con:
        write_session_cookie(settings)
        actor = current_actor(con)
        if actor is None:
            st.navigation(
                [st.Page(sign_in_page, title="Sign in", icon=":material/login:")], position="hidden"
            ).run()
            return
        allowed = [spec for spec in PAGES if can(actor, spec.action) and spec.exists()]
        if not allowed:
            st.error("Your account has no role yet. Ask an administrator to give you one.")
            st.stop()
        home = next((spec for spec in allowed if spec.default), allowed[0])
        sections: dict[str, list] = {}
        for spec in allowed:
            sections.setdefault(spec.section, []).append(
                st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec is home)
            )
        # Pages the role may not use stay out of the menu but keep their address, so a shared link
        # says "your role does not give access" (page_context) instead of "page not found".
        sections[home.section].extend(
            st.Page(spec.path, title=spec.title, icon=spec.icon, visibility="hidden")
            for spec in PAGES
            if spec not in allowed and spec.exists()
        )
        with st.sidebar:
            st.markdown(f"**{actor.full_name}**  \n{', '.join(sorted(r.label for r in actor.roles))}")
            if st.button("Sign out", key="nav.sign_out"):
                sign_out(con)
                if _oidc_configured():
                    st.logout()
                st.rerun()
        page = st.navigation(sections, expanded=True)
        page.run()


main()
