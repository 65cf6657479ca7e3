"""Audited writes and plain parameterised reads.

Every insert, update and delete made on behalf of a person goes through `insert`, `update` or
`delete`, which record who, when, which record and the before/after values in `audit_log` in the
same transaction as the change. Table and column names come only from code: `_check_identifier`
refuses anything that is not a known table or a plain identifier.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from typing import Any

import duckdb

from models.people import Actor

# table -> primary-key column (tables with a single-column key that services write to)
TABLES: dict[str, str] = {
    "schools": "school_id",
    "people": "person_id",
    "vendors": "vendor_id",
    "products": "product_id",
    "requests": "request_id",
    "request_action_items": "item_id",
    "criteria": "criterion_id",
    "candidates": "candidate_id",
    "vendor_responses": "response_id",
    "agreements": "agreement_id",
    "soppa_decisions": "decision_id",
    "pilots": "pilot_id",
    "review_scores": "score_id",
    "integration_checks": "check_id",
    "quotes": "quote_id",
    "cost_scenarios": "scenario_id",
    "funding_sources": "source_id",
    "decisions": "decision_id",
    "purchase_tasks": "task_id",
    "catalog_entries": "entry_id",
    "contracts": "contract_id",
    "goals": "goal_id",
    "implementation_plans": "plan_id",
    "plan_milestones": "milestone_id",
    "practice_notes": "note_id",
    "evaluation_decisions": "decision_id",
    "breaches": "breach_id",
    "parent_requests": "parent_request_id",
    "import_log": "import_id",
}

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
# never copied into the audit trail
_SECRET_COLUMNS = {"password_hash"}


def register_table(table: str, pk: str) -> None:
    """Later migrations add tables: their service modules register them here."""
    TABLES[_check_identifier(table)] = _check_identifier(pk)


def _check_identifier(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def _pk(table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    return TABLES[table]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return value


def _audit_json(row: dict[str, Any] | None) -> str | None:
    if row is None:
        return None
    clean = {k: _jsonable(v) for k, v in row.items() if k not in _SECRET_COLUMNS}
    return json.dumps(clean, default=str)


def fetch_all(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> dict[str, Any] | None:
    rows = fetch_all(con, sql, params)
    return rows[0] if rows else None


def fetch_value(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def get(con: duckdb.DuckDBPyConnection, table: str, record_id: Any) -> dict[str, Any] | None:
    pk = _pk(table)
    return fetch_one(con, f"SELECT * FROM {table} WHERE {pk} = ?", [record_id])


def audit(
    con: duckdb.DuckDBPyConnection,
    *,
    actor: Actor | None,
    table: str,
    record_id: Any,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request_id: int | None = None,
    note: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO audit_log (actor_id, actor_email, table_name, record_id, action, request_id,"
        " before, after, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            actor.person_id if actor else None,
            actor.email if actor else "system",
            table,
            str(record_id),
            action,
            request_id,
            _audit_json(before),
            _audit_json(after),
            note,
        ],
    )


def insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    values: dict[str, Any],
    *,
    actor: Actor | None,
    request_id: int | None = None,
) -> Any:
    """Insert one row, audit it, return its primary key."""
    pk = _pk(table)
    columns = [_check_identifier(c) for c in values]
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) RETURNING {pk}"
    record_id = con.execute(sql, [_jsonable_param(v) for v in values.values()]).fetchone()[0]
    after = get(con, table, record_id)
    audit(
        con,
        actor=actor,
        table=table,
        record_id=record_id,
        action="insert",
        after=after,
        request_id=request_id if request_id is not None else (after or {}).get("request_id"),
    )
    return record_id


def update(
    con: duckdb.DuckDBPyConnection,
    table: str,
    record_id: Any,
    changes: dict[str, Any],
    *,
    actor: Actor | None,
    action: str = "update",
    request_id: int | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Update one row, audit only the columns that changed, return the row before the change."""
    pk = _pk(table)
    before = get(con, table, record_id)
    if before is None:
        raise LookupError(f"{table} {record_id} does not exist")
    changed = {k: v for k, v in changes.items() if _normalise(before.get(k)) != _normalise(v)}
    if not changed:
        return before
    assignments = ", ".join(f"{_check_identifier(c)} = ?" for c in changed)
    con.execute(
        f"UPDATE {table} SET {assignments} WHERE {pk} = ?",
        [_jsonable_param(v) for v in changed.values()] + [record_id],
    )
    after = get(con, table, record_id) or {}
    audit(
        con,
        actor=actor,
        table=table,
        record_id=record_id,
        action=action,
        before={k: before.get(k) for k in changed},
        after={k: after.get(k) for k in changed},
        request_id=request_id if request_id is not None else before.get("request_id"),
        note=note,
    )
    return before


def delete(
    con: duckdb.DuckDBPyConnection,
    table: str,
    record_id: Any,
    *,
    actor: Actor | None,
    request_id: int | None = None,
) -> dict[str, Any]:
    pk = _pk(table)
    before = get(con, table, record_id)
    if before is None:
        raise LookupError(f"{table} {record_id} does not exist")
    con.execute(f"DELETE FROM {table} WHERE {pk} = ?", [record_id])
    audit(
        con,
        actor=actor,
        table=table,
        record_id=record_id,
        action="delete",
        before=before,
        request_id=request_id if request_id is not None else before.get("request_id"),
    )
    return before


def _normalise(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _jsonable_param(value: Any) -> Any:
    """dicts and lists go to JSON columns as JSON text."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return value
