"""People and roles, managed by administrators (every change audited)."""

from __future__ import annotations

import duckdb
import pandas as pd

from db import repo
from db.connection import transaction
from models.enums import Role
from models.errors import InvalidInput
from models.people import Actor, PersonCreate
from services import sessions
from services.auth import hash_password
from services.permissions import Action, require


def list_people(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Everyone who can sign in, with their roles as people read them ("Compliance officer")."""
    table = con.execute(
        """SELECT p.person_id, p.full_name AS "Name", p.email AS "Email", p.title AS "Title",
                  coalesce(list(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), []) AS "Roles",
                  p.active AS "Active", p.locked_until AS "Locked until", p.last_login_at AS "Last sign-in"
           FROM people p LEFT JOIN person_roles r USING (person_id)
           GROUP BY ALL ORDER BY p.full_name"""
    ).df()
    table["Roles"] = [", ".join(Role(code).label for code in codes) for codes in table["Roles"]]
    return table


def create_person(
    con: duckdb.DuckDBPyConnection, actor: Actor, form: PersonCreate, password: str | None
) -> int:
    require(actor, Action.MANAGE_PEOPLE)
    if repo.fetch_value(con, "SELECT count(*) FROM people WHERE email = ?", [form.email]):
        raise InvalidInput(f"{form.email} already has an account.")
    values = form.model_dump(exclude={"roles"})
    if password:
        values["password_hash"] = hash_password(password)
    with transaction(con):
        person_id = repo.insert(con, "people", values, actor=actor)
        _write_roles(con, actor, person_id, form.roles)
    return person_id


def update_person(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    person_id: int,
    *,
    roles: list[Role],
    active: bool,
    new_password: str | None = None,
) -> None:
    """Roles, active and an optional new password, all or nothing: a refused password (or a rule about
    one's own account) saves none of them. Everything is checked before the one transaction."""
    require(actor, Action.MANAGE_PEOPLE)
    _check_own_account(actor, person_id, roles=roles, active=active)
    password_hash = hash_password(new_password) if new_password else None
    with transaction(con):
        _write_roles(con, actor, person_id, roles)
        if repo.fetch_value(con, "SELECT active FROM people WHERE person_id = ?", [person_id]) != active:
            _write_active(con, actor, person_id, active)
        if password_hash:
            _write_password(con, actor, person_id, password_hash)


def _check_own_account(
    actor: Actor, person_id: int, *, roles: list[Role] | None = None, active: bool = True
) -> None:
    if person_id != actor.person_id:
        return
    if roles is not None and Role.ADMIN not in roles:
        raise InvalidInput("You cannot remove your own administrator role; ask another administrator.")
    if not active:
        raise InvalidInput("You cannot deactivate your own account.")


def set_roles(con: duckdb.DuckDBPyConnection, actor: Actor, person_id: int, roles: list[Role]) -> None:
    require(actor, Action.MANAGE_PEOPLE)
    _check_own_account(actor, person_id, roles=roles)
    with transaction(con):
        _write_roles(con, actor, person_id, roles)


def _write_roles(con: duckdb.DuckDBPyConnection, actor: Actor, person_id: int, roles: list[Role]) -> None:
    before = sorted(
        r[0] for r in con.execute("SELECT role FROM person_roles WHERE person_id = ?", [person_id]).fetchall()
    )
    after = sorted({Role(r).value for r in roles})
    if before == after:
        return
    con.execute("DELETE FROM person_roles WHERE person_id = ?", [person_id])
    for role in after:
        con.execute("INSERT INTO person_roles VALUES (?, ?)", [person_id, role])
    repo.audit(
        con,
        actor=actor,
        table="person_roles",
        record_id=person_id,
        action="update",
        before={"roles": before},
        after={"roles": after},
    )


def set_active(con: duckdb.DuckDBPyConnection, actor: Actor, person_id: int, active: bool) -> None:
    require(actor, Action.MANAGE_PEOPLE)
    _check_own_account(actor, person_id, active=active)
    with transaction(con):
        _write_active(con, actor, person_id, active)


def _write_active(con: duckdb.DuckDBPyConnection, actor: Actor, person_id: int, active: bool) -> None:
    repo.update(con, "people", person_id, {"active": active}, actor=actor)
    if not active:
        sessions.end_all(con, person_id)


def reset_password(con: duckdb.DuckDBPyConnection, actor: Actor, person_id: int, password: str) -> None:
    require(actor, Action.MANAGE_PEOPLE)
    password_hash = hash_password(password)
    with transaction(con):
        _write_password(con, actor, person_id, password_hash)


def _write_password(con: duckdb.DuckDBPyConnection, actor: Actor, person_id: int, password_hash: str) -> None:
    repo.update(
        con,
        "people",
        person_id,
        {"password_hash": password_hash, "failed_logins": 0, "locked_until": None},
        actor=actor,
    )
    sessions.end_all(con, person_id)  # a browser that remembered the old sign-in signs in again


def audit_log(
    con: duckdb.DuckDBPyConnection, actor: Actor, *, limit: int = 500, table: str | None = None
) -> pd.DataFrame:
    require(actor, Action.VIEW_AUDIT)
    sql = """SELECT logged_at AS "When", coalesce(actor_email, 'system') AS "Who", action AS "Action",
                    table_name AS "Record type", record_id AS "Record", request_id AS "Request",
                    note AS "Note", before AS "Before", after AS "After"
             FROM audit_log"""
    params: list[object] = []
    if table:
        sql += " WHERE table_name = ?"
        params.append(table)
    sql += " ORDER BY audit_id DESC LIMIT ?"
    params.append(limit)
    return con.execute(sql, params).df()


def audit_csv(log: pd.DataFrame) -> bytes:
    """The audit log as CSV, with spreadsheet formulas neutralised (user text reaches it)."""
    from services.exports import to_csv_bytes

    return to_csv_bytes(log, list(log.columns))
