"""Numbered migrations in db/migrations/*.sql, recorded by name in `schema_migrations`.

Each file runs once, in name order, inside its own transaction; re-running is a no-op. Called on app
start, by the ETL and by the demo seeder, so any entry point brings an old database up to date.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from db.connection import transaction

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[Path]:
    return sorted(directory.glob("*.sql"))


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    return [row[0] for row in con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]


def apply_migrations(
    con: duckdb.DuckDBPyConnection, *, upto: str | None = None, directory: Path = MIGRATIONS_DIR
) -> list[str]:
    """Apply every migration not yet applied (optionally only those named <= `upto`)."""
    done = set(applied_migrations(con))
    applied: list[str] = []
    for path in migration_files(directory):
        name = path.stem
        if name in done or (upto is not None and name > upto):
            continue
        with transaction(con):
            con.execute(path.read_text())
            con.execute("INSERT INTO schema_migrations (name) VALUES (?)", [name])
        applied.append(name)
    return applied
