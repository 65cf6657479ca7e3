"""Use cases of the Import page: import an uploaded file, history, rejected rows, undo, data quality.

Why a service: the page stays thin and the permission rule (Action.IMPORT_DATA) is enforced here, not
by hiding the page. The import itself is `etl.runner.run_import`, the same code as `python -m etl`.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from db import repo
from etl import admin
from etl.formats import PROFILES
from etl.runner import Progress, run_import
from models.enums import ToolStatus
from models.errors import InvalidInput
from models.imports import DEFAULT_TIMEZONE, ImportOutcome, ImportRequest
from models.people import Actor
from services import exports
from services.permissions import Action, require

MAX_UPLOAD_BYTES = 1 << 30


def format_choices(kind: str) -> list[str]:
    """Formats a person can pick for a kind ('' = detect from the header)."""
    return [p.name for p in PROFILES if p.kind == kind and p.target != "roster"]


def format_labels() -> dict[str, str]:
    return {p.name: p.label for p in PROFILES}


def import_upload(
    con: duckdb.DuckDBPyConnection,
    secret: bytes,
    *,
    actor: Actor,
    kind: str,
    file_name: str,
    data: bytes | BinaryIO,
    format: str | None = None,
    tool: str | None = None,
    subject: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Save the upload to a private temp folder and run the import. Rosters come as a .zip.
    `timezone` is the district's (settings.district_timezone): times written in another zone are
    read on its clock.

    `data` may be the bytes or a file object (Streamlit's upload): a file object is streamed to disk,
    so a 450 MB export is not held twice in the server's memory."""
    require(actor, Action.IMPORT_DATA)
    size = len(data) if isinstance(data, bytes) else data.seek(0, io.SEEK_END)
    if not size:
        raise InvalidInput(f"{file_name}: the file is empty.")
    if size > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"{file_name}: larger than 1 GB; use `python -m etl` on the server instead.")
    safe_name = Path(file_name).name or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="edtech-upload-") as tmp:
        path = Path(tmp) / safe_name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            data.seek(0)
            with path.open("wb") as out:
                shutil.copyfileobj(data, out, 1 << 22)
        # a damaged zip still starts like one: the importer then says it is damaged
        if kind == "roster" and not (zipfile.is_zipfile(path) or _starts_like_a_zip(path)):
            raise InvalidInput("Upload a OneRoster .zip (users.csv, orgs.csv, ... zipped together).")
        request = ImportRequest(
            kind=kind,
            path=path,
            format=format or None,
            tool=tool or None,
            subject=subject or None,
            file_name=safe_name,
            timezone=timezone,
        )
        kwargs: dict[str, Any] = {"actor": actor}
        if progress is not None:
            kwargs["progress"] = progress
        return run_import(con, secret, request, **kwargs)


def history(con: duckdb.DuckDBPyConnection, *, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    require(actor, Action.IMPORT_DATA)
    return admin.import_history(con, limit)


def finished_since(
    con: duckdb.DuckDBPyConnection, *, actor: Actor, file_name: str, since: dt.datetime
) -> dict[str, Any] | None:
    """This person's import of `file_name` that finished after `since` (the page's run that started it
    was cut short by another click), or None when it did not finish: nothing of it was stored."""
    require(actor, Action.IMPORT_DATA)
    return repo.fetch_one(
        con,
        "SELECT * FROM import_log WHERE imported_by = ? AND file_name = ? AND started_at >= ? "
        "AND finished_at IS NOT NULL ORDER BY import_id DESC LIMIT 1",
        [actor.email, file_name, since - dt.timedelta(seconds=1)],
    )


REJECTS_SHOWN = 1_000  # rows in the page's table
REJECTS_DOWNLOADED = 100_000  # rows in its CSV download (~6 MB)
REJECT_HEADERS = {
    "line_number": "Line",
    "column_name": "Column",
    "reason": "Reason",
    "value_masked": "Value as read (masked)",
    "severity": "Rejected or warning",
}


def rejects(
    con: duckdb.DuckDBPyConnection, import_id: int, *, actor: Actor, limit: int = REJECTS_SHOWN
) -> tuple[list[dict[str, Any]], int]:
    """The first `limit` rejected rows and warnings of an import, by line, and how many there are in
    all (the page showed 1,000 of 1,203 without a word about the other 203)."""
    require(actor, Action.IMPORT_DATA)
    return admin.import_rejects(con, import_id, limit), admin.reject_count(con, import_id)


def rejects_csv(con: duckdb.DuckDBPyConnection, import_id: int, *, actor: Actor) -> bytes:
    """Up to REJECTS_DOWNLOADED rejected rows and warnings as CSV (values masked as on the page)."""
    require(actor, Action.IMPORT_DATA)
    return exports.to_csv_bytes(admin.import_rejects(con, import_id, REJECTS_DOWNLOADED), REJECT_HEADERS)


def last_import(con: duckdb.DuckDBPyConnection, *, actor: Actor) -> dict[str, Any] | None:
    require(actor, Action.IMPORT_DATA)
    return admin.last_import(con)


def undo_last(con: duckdb.DuckDBPyConnection, *, actor: Actor) -> dict[str, Any]:
    require(actor, Action.IMPORT_DATA)
    return admin.undo_last_import(con, actor=actor)


def shadow_tools(con: duckdb.DuckDBPyConnection, *, actor: Actor) -> list[dict[str, Any]]:
    """Tools seen in usage that no vetted catalog entry names: the 'shadow' tools (view usage_tool_vetting)."""
    require(actor, Action.IMPORT_DATA)
    return repo.fetch_all(
        con,
        "SELECT tool, usage_rows, students, minutes, first_used, last_used "
        "FROM usage_tool_vetting WHERE NOT vetted ORDER BY students DESC, tool",
    )


def refused_tools_in_use(con: duckdb.DuckDBPyConnection, *, actor: Actor) -> list[dict[str, Any]]:
    """Tools in usage that the district refused: a catalog entry denied, 'not supported' or 'use an
    alternative', or a latest SOPPA decision of not compliant. The vetting view counts them as
    vetted (they were reviewed), yet students using them is what the compliance officer must see."""
    require(actor, Action.IMPORT_DATA)
    rows = repo.fetch_all(
        con,
        """
        SELECT u.tool, u.students, u.minutes, u.first_used, u.last_used, c.tool_status, s.status AS soppa
        FROM usage_tool_vetting u
        JOIN products p ON lower(trim(p.name)) = lower(trim(u.tool))
        LEFT JOIN catalog_entries c ON c.product_id = p.product_id
        LEFT JOIN LATERAL (
            SELECT d.status FROM soppa_decisions d WHERE d.product_id = p.product_id
            ORDER BY d.decided_at DESC, d.decision_id DESC LIMIT 1
        ) s ON true
        WHERE c.tool_status IN ('denied', 'not_supported', 'use_alternative') OR s.status = 'not_compliant'
        ORDER BY u.students DESC, u.tool
        """,
    )
    for row in rows:
        why = []
        if row["tool_status"] in ("denied", "not_supported", "use_alternative"):
            why.append(f"catalog: {ToolStatus(row['tool_status']).label}")
        if row["soppa"] == "not_compliant":
            why.append("SOPPA: not compliant")
        row["why"] = "; ".join(why)
    return rows


def unrostered_usage(con: duckdb.DuckDBPyConnection, *, actor: Actor) -> list[dict[str, Any]]:
    """Usage by students who are not on the roster, per tool (view usage_unrostered)."""
    require(actor, Action.IMPORT_DATA)
    return repo.fetch_all(
        con, "SELECT tool, usage_rows, students, minutes FROM usage_unrostered ORDER BY usage_rows DESC, tool"
    )


def data_quality(con: duckdb.DuckDBPyConnection, *, actor: Actor) -> dict[str, Any]:
    """Headline data-quality numbers, each defined by the query beside it."""
    require(actor, Action.IMPORT_DATA)
    row = (
        repo.fetch_one(
            con,
            """
        SELECT (SELECT count(*) FROM usage_daily) AS usage_rows,
               (SELECT count(*) FROM usage_rows WHERE import_id IS NULL) AS usage_rows_outside_imports,
               (SELECT coalesce(sum(usage_rows), 0) FROM usage_unrostered) AS unrostered_rows,
               (SELECT count(*) FROM roster_students WHERE active) AS rostered_students,
               (SELECT count(*) FROM usage_tool_vetting WHERE NOT vetted) AS shadow_tools,
               (SELECT coalesce(sum(rows_rejected), 0) FROM import_log WHERE status = 'imported') AS rejected_rows
    """,
        )
        or {}
    )
    return row


def _starts_like_a_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"
