"""Local sign-in: argon2id password hashes (argon2-cffi) and a lockout after repeated failures.

When OIDC (`st.login`) is configured, the identity provider vouches for the email and
`actor_for_email` maps it to a person and roles; passwords are then not used.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from db import repo
from models.enums import Role
from models.errors import DomainError
from models.people import Actor

_hasher = PasswordHasher()  # argon2id, salted, memory-hard
MIN_PASSWORD_LENGTH = 10


class SignInFailed(DomainError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SignInFailed(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher.hash(password)


def load_actor(con: duckdb.DuckDBPyConnection, person_id: int) -> Actor | None:
    person = repo.fetch_one(
        con, "SELECT person_id, email, full_name, active FROM people WHERE person_id = ?", [person_id]
    )
    if person is None or not person["active"]:
        return None
    roles = frozenset(
        Role(r[0])
        for r in con.execute("SELECT role FROM person_roles WHERE person_id = ?", [person_id]).fetchall()
    )
    return Actor(
        person_id=person["person_id"], email=person["email"], full_name=person["full_name"], roles=roles
    )


def actor_for_email(con: duckdb.DuckDBPyConnection, email: str) -> Actor | None:
    person_id = repo.fetch_value(con, "SELECT person_id FROM people WHERE email = ?", [email.strip().lower()])
    return None if person_id is None else load_actor(con, person_id)


def authenticate(
    con: duckdb.DuckDBPyConnection,
    email: str,
    password: str,
    *,
    max_failures: int = 5,
    lockout_minutes: int = 15,
    now: dt.datetime | None = None,
) -> Actor:
    """Return the signed-in Actor or raise SignInFailed. The message never says which part was wrong."""
    now = now or dt.datetime.now()
    generic = SignInFailed("That email and password do not match an active account.")
    person = repo.fetch_one(
        con,
        "SELECT person_id, password_hash, failed_logins, locked_until, active FROM people WHERE email = ?",
        [email.strip().lower()],
    )
    if person is None or not person["active"] or not person["password_hash"]:
        _hasher.hash("timing-equaliser")  # same cost whether or not the account exists
        raise generic
    if person["locked_until"] is not None and person["locked_until"] > now:
        minutes = max(1, int((person["locked_until"] - now).total_seconds() // 60) + 1)
        raise SignInFailed(
            f"Too many failed attempts: this account is locked for about {minutes} more minute(s)."
        )
    try:
        _hasher.verify(person["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        failures = person["failed_logins"] + 1
        locked = now + dt.timedelta(minutes=lockout_minutes) if failures >= max_failures else None
        con.execute(
            "UPDATE people SET failed_logins = ?, locked_until = ? WHERE person_id = ?",
            [0 if locked else failures, locked, person["person_id"]],
        )
        repo.audit(
            con,
            actor=None,
            table="people",
            record_id=person["person_id"],
            action="login",
            note="failed sign-in" + ("; account locked" if locked else ""),
        )
        if locked:
            raise SignInFailed(
                f"Too many failed attempts: this account is locked for {lockout_minutes} minutes."
            ) from None
        raise generic from None
    changes = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if _hasher.check_needs_rehash(person["password_hash"]):
        changes["password_hash"] = _hasher.hash(password)
    assignments = ", ".join(f"{k} = ?" for k in changes)
    con.execute(
        f"UPDATE people SET {assignments} WHERE person_id = ?", [*changes.values(), person["person_id"]]
    )
    actor = load_actor(con, person["person_id"])
    assert actor is not None
    repo.audit(con, actor=actor, table="people", record_id=actor.person_id, action="login", note="signed in")
    return actor
