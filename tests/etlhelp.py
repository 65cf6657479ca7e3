"""Helpers for the importer tests: write small export files and run one import against a test DB."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.runner import run_import
from models.imports import ImportOutcome, ImportRequest
from services.privacy import student_key

SECRET = b"test-secret"
ROOT = Path(__file__).resolve().parents[1]


def _samples() -> Path:
    """The synthetic samples in ../shared/formats/samples beside the clone (CI lays shared/ there)."""
    for candidate in (ROOT.parent / "shared" / "formats" / "samples", Path("/work/shared/formats/samples")):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "../shared/formats/samples is missing: the importer tests read the shared samples"
    )


SAMPLES = _samples()


def write(path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write `text` (lines joined with `newline`); no final newline unless the text has one."""
    data = text.replace("\n", newline).encode(encoding)
    path.write_bytes(data)
    return path


def imp(con: duckdb.DuckDBPyConnection, kind: str, path: Path, **options) -> ImportOutcome:
    return run_import(con, SECRET, ImportRequest(kind=kind, path=path, **options))


def key(local_id: str) -> str:
    return student_key(SECRET, local_id)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def rejects(con: duckdb.DuckDBPyConnection, import_id: int, severity: str = "rejected") -> list[tuple]:
    return rows(
        con,
        "SELECT line_number, column_name, reason, value_masked FROM import_rejects "
        "WHERE import_id = ? AND severity = ? ORDER BY line_number, column_name",
        [import_id, severity],
    )


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Every row of every table the importers write, to prove a refused file changed nothing."""
    tables = [
        "import_log",
        "import_rejects",
        "usage_daily",
        "usage_summary",
        "assessment_results",
        "feedback_responses",
        "roster_students",
        "roster_teachers",
        "usage_facts_superseded",
        "student_refs",
        "usage_tools",
        "usage_schools",
    ]
    return {t: sorted(map(repr, rows(con, f"SELECT * FROM {t}"))) for t in tables}
