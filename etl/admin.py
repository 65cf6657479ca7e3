"""Import housekeeping shared by the CLI and services/imports.py: history, rejects, undo, purge.

Why here and not in the page: the same undo and purge run from a scheduler (`python -m etl purge`)
and from the Import page; permission checks live in services/imports.py, which calls these.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from etl.loaders import drop_unused_refs, undo_rows
from models.errors import DomainError
from models.people import Actor

# Student-level tables and the date that ages each row (purge deletes rows older than N years).
STUDENT_LEVEL_DATES: dict[str, str] = {
    "usage_rows": "usage_date",
    "usage_rows_superseded": "usage_date",
    "usage_summary": "as_of_date",
    "usage_summary_superseded": "as_of_date",
    "assessment_results": "test_date",
    "assessment_results_superseded": "test_date",
}


def import_history(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict[str, Any]]:
    return repo.fetch_all(
        con,
        "SELECT import_id, kind, format, file_name, tool, subject, rows_read, rows_imported, "
        "rows_rejected, rows_warned, status, imported_by, started_at, undone_at, notes "
        "FROM import_log ORDER BY import_id DESC LIMIT ?",
        [limit],
    )


def reject_count(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    """Rejected rows and warnings recorded for the import (one per row and column)."""
    return int(repo.fetch_value(con, "SELECT count(*) FROM import_rejects WHERE import_id = ?", [import_id]))


def import_rejects(con: duckdb.DuckDBPyConnection, import_id: int, limit: int = 1000) -> list[dict[str, Any]]:
    return repo.fetch_all(
        con,
        "SELECT line_number, column_name, reason, value_masked, severity FROM import_rejects "
        "WHERE import_id = ? ORDER BY line_number, column_name LIMIT ?",
        [import_id, limit],
    )


def last_import(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    return repo.fetch_one(
        con, "SELECT * FROM import_log WHERE status = 'imported' ORDER BY import_id DESC LIMIT 1"
    )


def undo_last_import(con: duckdb.DuckDBPyConnection, *, actor: Actor | None) -> dict[str, Any]:
    """Remove what the most recent import wrote and restore what it replaced, in one transaction."""
    last = last_import(con)
    if last is None:
        raise DomainError("There is no import to undo.")
    with transaction(con):
        removed, restored = undo_rows(con, last["import_id"])
        repo.update(
            con,
            "import_log",
            last["import_id"],
            {"status": "undone", "undone_at": dt.datetime.now()},
            actor=actor,
            note=f"undo: {removed} rows removed",
        )
    return {
        "import_id": last["import_id"],
        "file_name": last["file_name"],
        "rows_removed": removed,
        "rows_restored": restored,
        "message": undo_message(last["import_id"], last["file_name"], removed, restored),
    }


def undo_message(import_id: int, file_name: str, removed: int, restored: int) -> str:
    """What an undo did, in the words the page and the command both print."""
    back = ""
    if restored:
        back = f"; {restored:,} earlier {'row it had replaced is' if restored == 1 else 'rows it had replaced are'} back"
    return f"Undid import #{import_id} ({file_name}): {removed:,} rows removed{back}."


MAX_PURGE_YEARS = 100  # a year the calendar cannot go back to (2026) is a typo for the years to keep


def purge_older_than(
    con: duckdb.DuckDBPyConnection, years: int, *, actor: Actor | None, today: dt.date | None = None
) -> dict[str, int]:
    """Delete student-level rows older than `years` years (SOPPA: keep no longer than needed)."""
    if years < 1:
        raise DomainError("Keep at least one year of data (--older-than-years 1 or more).")
    if years > MAX_PURGE_YEARS:
        raise DomainError(
            f"--older-than-years {years} is more than {MAX_PURGE_YEARS} years; give the number of years to keep."
        )
    today = today or dt.date.today()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    deleted: dict[str, int] = {}
    with transaction(con):
        for table, column in STUDENT_LEVEL_DATES.items():
            count = con.execute(f"SELECT count(*) FROM {table} WHERE {column} < ?", [cutoff]).fetchone()[0]
            con.execute(f"DELETE FROM {table} WHERE {column} < ?", [cutoff])
            deleted[table.replace("usage_rows", "usage_daily")] = count  # the name readers know
        inactive = con.execute(
            "SELECT count(*) FROM roster_students WHERE NOT active AND updated_at < ?", [cutoff]
        ).fetchone()[0]
        con.execute("DELETE FROM roster_students WHERE NOT active AND updated_at < ?", [cutoff])
        deleted["roster_students (inactive)"] = inactive
        drop_unused_refs(con)
        repo.audit(
            con,
            actor=actor,
            table="usage_daily",
            record_id=f"before {cutoff}",
            action="delete",
            note=f"purge of student-level rows older than {years} years: {sum(deleted.values())} rows",
        )
    return deleted
