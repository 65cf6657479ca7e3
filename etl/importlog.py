"""The import_log row of one import: opened (audited) inside the import's transaction, then finished."""

from __future__ import annotations

import duckdb

from db import repo
from etl.keys import KEYS
from etl.profiles import FormatProfile
from models.imports import ImportOutcome, ImportRequest
from models.people import Actor


class ImportNumber:
    """One import number for one file, taken when a lane first writes. The fast lane may roll back
    and hand the file to the full path; a sequence value is not given back by a rollback, so each
    lane taking its own made the first import of a database #2."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._number: int | None = None

    def get(self) -> int:
        if self._number is None:
            self._number = self._con.execute("SELECT nextval('seq_import')").fetchone()[0]
        return self._number


def open_entry(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    format: str,
    file_name: str,
    fingerprint: str,
    tool: str | None,
    subject: str | None,
    actor: Actor | None,
    import_id: int | None = None,
) -> int:
    """The import's log row, numbered `import_id` when given (see `ImportNumber`)."""
    return repo.insert(
        con,
        "import_log",
        {
            **({"import_id": import_id} if import_id is not None else {}),
            "kind": kind,
            "format": format,
            "file_name": file_name,
            "file_sha256": fingerprint,
            "tool": tool,
            "subject": subject,
            "imported_by": actor.email if actor else "etl",
        },
        actor=actor,
    )


def finish_entry(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    *,
    read: int,
    imported: int,
    rejected: int,
    warned: int,
    notes: str | None,
) -> None:
    con.execute(
        "UPDATE import_log SET rows_read = ?, rows_imported = ?, rows_rejected = ?, rows_warned = ?, "
        "notes = ?, finished_at = current_timestamp WHERE import_id = ?",
        [read, imported, rejected, warned, notes, import_id],
    )


def imported_outcome(
    req: ImportRequest,
    profile: FormatProfile | None,
    import_id: int,
    *,
    read: int,
    imported: int,
    rejected: int,
    warned: int,
    warnings: list[str],
    format_name: str | None = None,
    label: str | None = None,
    noun: str = "rows",
    replaced: int = 0,
    repeats: int = 0,
    stored: int | None = None,
) -> ImportOutcome:
    """What a finished import reports: a file's (both lanes: etl/fastpath.py and etl/runner.py) from
    its profile, a roster's (etl/oneroster.py) from `format_name`, `label` and `noun`.

    `repeats`: rejected rows that only repeat an earlier line (an i-Ready lesson line twice), named
    in the headline so the count does not read as errors. `stored`: rows written when later lines
    replaced earlier ones with the same key, so "Imported 9 of 13" is not read as 9 stored rows."""
    format_name = format_name or (profile.name if profile else req.kind)
    label = label or (profile.label if profile else format_name)
    rejected_text = f"{rejected:,} rejected"
    if repeats:
        rejected_text += f" ({repeats:,} of them {'a line' if repeats == 1 else 'lines'} repeating an earlier line, counted once)"
    stored_text = (
        f"; {stored:,} {'row' if stored == 1 else 'rows'} stored, as later lines replaced "
        f"{imported - stored:,} with the same key"
        if stored is not None and stored < imported
        else ""
    )
    return ImportOutcome(
        kind=req.kind,
        format=format_name,
        file_name=req.display_name,
        import_id=import_id,
        rows_read=read,
        rows_imported=imported,
        rows_rejected=rejected,
        rows_warned=warned,
        already_imported=False,
        warnings=warnings,
        message=f"Imported {imported:,} of {read:,} {noun} from {req.display_name} "
        f"({label}); {rejected_text}, {warned:,} with warnings{stored_text}"
        + (
            f"; {replaced:,} stored {'row' if replaced == 1 else 'rows'} of earlier imports "
            f"{'was' if replaced == 1 else 'were'} replaced."
            if replaced
            else "."
        ),
    )


def unrostered_warning(con: duckdb.DuckDBPyConnection) -> str | None:
    """For a usage import: what the pages will not show. Usage & outcomes counts rostered students
    only, so usage of students not on the roster is kept (Data quality lists it) but not counted there;
    importing 200,000 such rows otherwise changed nothing visible, with no word why."""
    missing, rostered = con.execute(
        f"SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM roster_students r "
        f"WHERE r.student_key = k.student_key)), (SELECT count(*) FROM roster_students) FROM {KEYS} k"
    ).fetchone()
    if not missing:
        return None
    if not rostered:
        return (
            "No roster has been imported yet: Usage & outcomes counts rostered students only, so this "
            "usage shows there once a roster (OneRoster) is imported."
        )
    return (
        f"{missing:,} {'student in this file is' if missing == 1 else 'students in this file are'} not on "
        "the roster: their usage is kept (Data quality "
        "lists it) but Usage & outcomes counts rostered students only."
    )
