"""Run one page (or app.py) under Streamlit's AppTest as a given demo person.

at = run_page("pages/home.py", as_email="approver@...")   # EDTECH_DB set by the demo_db fixture
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def db_row(db, sql: str, params: list | None = None) -> tuple | None:
    """One row from a test's database file, read while no page holds it."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()
    finally:
        con.close()


def person_id(email: str, db: str | None = None) -> int:
    path = db or os.environ["EDTECH_DB"]
    con = duckdb.connect(path, read_only=True)
    try:
        row = con.execute("SELECT person_id FROM people WHERE email = ?", [email]).fetchone()
    finally:
        con.close()
    if row is None:
        raise LookupError(f"no person {email} in {path}")
    return row[0]


def email_for_role(role: str, db: str | None = None) -> str:
    path = db or os.environ["EDTECH_DB"]
    con = duckdb.connect(path, read_only=True)
    try:
        row = con.execute(
            "SELECT p.email FROM people p JOIN person_roles r USING (person_id) WHERE r.role = ?"
            " ORDER BY p.person_id LIMIT 1",
            [role],
        ).fetchone()
    finally:
        con.close()
    if row is None:
        raise LookupError(f"nobody has role {role}")
    return row[0]


def run_page(
    page: str,
    *,
    as_email: str | None = None,
    as_role: str | None = None,
    query: dict[str, str] | None = None,
    timeout: float = 60,
) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    email = as_email or (email_for_role(as_role) if as_role else None)
    if email:
        at.session_state["auth.person_id"] = person_id(email)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def texts(at: AppTest) -> str:
    """Everything a person reads on the page, joined, for `in` assertions."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "info",
        "warning",
        "error",
        "success",
        "metric",
    ):
        for element in getattr(at, kind, []):
            parts.append(str(getattr(element, "value", "")))
            label = getattr(element, "label", None)
            if label:
                parts.append(str(label))
    return "\n".join(parts)
