"""Per-run context for pages: settings, a short-lived database connection, the signed-in actor.

A page does:

    with page_context(Action.VIEW_PIPELINE) as ctx:
        ...ctx.con, ctx.actor, ctx.settings...

The connection is opened for one script run and closed after it (nested uses share it), so
`python -m etl` can take the database file between runs. Migrations (and the demo seed for an
empty database) run once per database path per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from db.connection import DatabaseBusy, connect_waiting
from db.migrate import apply_migrations
from models.errors import DomainError
from models.people import Actor
from services import auth, sessions
from services.catalog import product_of_request
from services.permissions import Action, can
from settings import Settings
from ui.navigation import PAGES
from ui.widgets import page_link

_local = threading.local()
AUTH_KEY = "auth.person_id"
TOKEN_KEY = "auth.session_token"
COOKIE_KEY = "auth.cookie_pending"  # a token to store in the browser, or "" to remove it
FLASH_KEY = "ui.flash"


def state_key(namespace: str, name: str) -> str:
    """Session-state keys are namespaced per page: `state_key("requests", "selected")`."""
    return f"{namespace}.{name}"


@st.cache_resource(show_spinner="Preparing the database…")
def _prepared(db_path: str) -> bool:
    """Migrate once per database path per process (keyed by path so tests do not share it)."""
    from demo.seed import seed_if_empty  # demo data only for an empty database

    con = connect_waiting(db_path)
    try:
        apply_migrations(con)
        seed_if_empty(con, Settings(db=Path(db_path)))
    finally:
        con.close()
    return True


@contextmanager
def database(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    depth = getattr(_local, "depth", 0)
    if depth:
        _local.depth += 1
        try:
            yield _local.con
        finally:
            _local.depth -= 1
        return
    _prepared(str(settings.db_path))
    con = connect_waiting(settings.db_path, wait_seconds=settings.lock_wait_seconds)
    _local.con, _local.depth = con, 1
    try:
        yield con
    finally:
        _local.depth = 0
        _local.con = None
        con.close()


@dataclass
class PageContext:
    con: duckdb.DuckDBPyConnection
    actor: Actor
    settings: Settings

    def can(self, action: Action) -> bool:
        return can(self.actor, action)


def _session_cookie() -> str | None:
    try:
        value = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no browser request behind this run (tests, bare mode)
        return None
    return value if isinstance(value, str) else None


def current_actor(con: duckdb.DuckDBPyConnection) -> Actor | None:
    """The signed-in person, re-read every run so role changes and deactivation apply at once.
    A new browser session (a reload, a new tab) resumes a remembered local sign-in from its cookie."""
    person_id = st.session_state.get(AUTH_KEY)
    if person_id is None:
        token = _session_cookie()
        person_id = sessions.resume(con, token)
        if person_id is None:
            return None
        st.session_state[AUTH_KEY], st.session_state[TOKEN_KEY] = person_id, token
    actor = auth.load_actor(con, int(person_id))
    if actor is None:
        st.session_state.pop(AUTH_KEY, None)
    return actor


def sign_in(con: duckdb.DuckDBPyConnection, person_id: int, settings: Settings, *, remember: bool) -> None:
    """Sign this browser session in; with `remember`, the browser keeps it across reloads."""
    st.session_state[AUTH_KEY] = person_id
    if remember and settings.session_hours:
        token = sessions.start(con, person_id, hours=settings.session_hours)
        st.session_state[TOKEN_KEY] = st.session_state[COOKIE_KEY] = token


def sign_out(con: duckdb.DuckDBPyConnection) -> None:
    """End the remembered session (here and in every copy of its cookie) and this one."""
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(AUTH_KEY, None)
    if token:
        sessions.end(con, token)
        st.session_state[COOKIE_KEY] = ""


def write_session_cookie(settings: Settings) -> None:
    """Store or remove the browser's session cookie after a sign-in or sign-out (once)."""
    pending = st.session_state.pop(COOKIE_KEY, None)
    if pending is not None:
        script = sessions.cookie_script(pending or None, hours=settings.session_hours)
        st.html(script, unsafe_allow_javascript=True)


@contextmanager
def page_context(action: Action | None = None) -> Iterator[PageContext]:
    """Open the run's connection, check sign-in and permission, and turn errors into messages."""
    settings = Settings()
    try:
        with database(settings) as con:
            actor = current_actor(con)
            if actor is None:
                st.warning("Sign in to use this page: open the start page and sign in.")
                st.stop()
            if action is not None and not can(actor, action):
                st.error(
                    "Your role does not give access to this page; an administrator can give you the role "
                    "that does."
                )
                _link_to_start_page(actor)
                st.stop()
            _show_flashes()
            yield PageContext(con=con, actor=actor, settings=settings)
    except DatabaseBusy as exc:
        st.error(str(exc))
        st.stop()


def flash(message: str) -> None:
    """A confirmation that survives the `st.rerun()` after a save: shown as a toast on the next run."""
    st.session_state.setdefault(FLASH_KEY, []).append(message)


def _show_flashes() -> None:
    for message in st.session_state.pop(FLASH_KEY, []):
        st.toast(message, icon=":material/check_circle:")


def _link_to_start_page(actor: Actor) -> None:
    """A way back for someone with one page (a teacher), who has no menu on the left."""
    allowed = [spec for spec in PAGES if can(actor, spec.action) and spec.exists()]
    if allowed:
        start = next((spec for spec in allowed if spec.default), allowed[0])
        page_link(start.path, f"Open {start.title}", icon=start.icon)


def show_error(exc: DomainError) -> None:
    st.error(exc.message)


def query_product(con: duckdb.DuckDBPyConnection, name: str) -> int | None:
    """The product a link names: `?<name>=id`, or `?request=id` for the product that request selected
    (the request page links every step with its request; step 10's pages are per tool)."""
    wanted = query_int(name)
    request_id = query_int("request")
    if wanted is not None or request_id is None:
        return wanted
    try:
        wanted = product_of_request(con, request_id)
    except DomainError as exc:
        st.info(exc.message)
        return None
    if wanted is None:
        st.info(f"Request #{request_id} has not selected a product yet; pick a tool from the list.")
    return wanted


def query_int(name: str) -> int | None:
    """A URL parameter that must be a whole number; a bad one gets a message, not a traceback."""
    raw = st.query_params.get(name)
    if raw is None or raw == "":
        return None
    # ASCII digits only: int() also reads '1_0' as 10 and Arabic-Indic digits, opening another record
    text = raw.strip()
    if text.isascii() and text.removeprefix("-").isdigit():
        return int(text)
    st.warning(f"The link's '{name}' value '{raw}' is not a number; showing the list instead.")
    return None
