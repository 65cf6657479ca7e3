"""Remembered local sign-ins: a random token in the browser, its SHA-256 in `web_sessions`.

Why server-side rows and not a signed cookie alone: signing out (or an administrator deactivating a
person) must end the session everywhere at once, and a token copied from a browser must stop working
then. The rows are authentication state, not records of the SOP, so they are written directly; the
sign-in itself is in the audit trail (services/auth.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import duckdb

from db.connection import transaction

COOKIE = "edtech_session"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    con: duckdb.DuckDBPyConnection, person_id: int, *, hours: int, now: dt.datetime | None = None
) -> str:
    """A new token that signs `person_id` in for `hours`; expired sessions are cleared on the way."""
    now = now or dt.datetime.now()
    token = secrets.token_urlsafe(32)
    with transaction(con):
        con.execute("DELETE FROM web_sessions WHERE expires_at <= ?", [now])
        con.execute(
            "INSERT INTO web_sessions (token_hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [_digest(token), person_id, now, now + dt.timedelta(hours=hours)],
        )
    return token


def resume(
    con: duckdb.DuckDBPyConnection, token: str | None, *, now: dt.datetime | None = None
) -> int | None:
    """The person a token still signs in (not expired, not signed out, still active), else None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    row = con.execute(
        "SELECT s.person_id FROM web_sessions s JOIN people p USING (person_id) "
        "WHERE s.token_hash = ? AND s.expires_at > ? AND p.active",
        [_digest(token), now or dt.datetime.now()],
    ).fetchone()
    return None if row is None else int(row[0])


def end(con: duckdb.DuckDBPyConnection, token: str | None) -> None:
    """Sign the token out (nothing happens for an unknown one)."""
    if not token:
        return
    with transaction(con):
        con.execute("DELETE FROM web_sessions WHERE token_hash = ?", [_digest(token)])


def end_all(con: duckdb.DuckDBPyConnection, person_id: int) -> int:
    """Sign a person out of every browser (deactivation, a password reset), inside the caller's
    transaction. Returns the sessions ended."""
    return con.execute("DELETE FROM web_sessions WHERE person_id = ?", [person_id]).fetchone()[0]


def cookie_script(token: str | None, *, hours: int) -> str:
    """The <script> that stores (or, for None, removes) the token cookie in the browser."""
    value = token or ""
    max_age = hours * 3600 if token else 0
    if not all(c.isalnum() or c in "-_" for c in value):  # token_urlsafe only; never markup
        raise ValueError("unexpected characters in a session token")
    return (
        "<script>document.cookie = "
        f"'{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
