"""Database chores from the command line: `python manage.py init|backup DIR|restore DIR|reset-demo`.

`init` creates or migrates the database, seeds the demo district when it is empty and prints the
demo accounts. It is what `make run` calls before starting the app.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from db import repo
from db.connection import DatabaseBusy, connect_waiting
from db.migrate import apply_migrations
from settings import Settings


def init(settings: Settings) -> int:
    from demo.seed import DEMO_PASSWORD, seed_if_empty

    started = time.perf_counter()
    con = connect_waiting(settings.db_path, wait_seconds=settings.lock_wait_seconds)
    try:
        applied = apply_migrations(con)
        seeded = seed_if_empty(con, settings)
        demo = repo.fetch_value(con, "SELECT value FROM app_meta WHERE key = 'demo'") == "true"
        accounts = repo.fetch_all(
            con,
            """SELECT p.email, string_agg(r.role, ', ') AS roles FROM people p
            JOIN person_roles r USING (person_id) WHERE p.active GROUP BY p.email ORDER BY min(r.role)""",
        )
    finally:
        con.close()
    print(f"Database: {settings.db_path}")
    if applied:
        print(f"Applied migrations: {', '.join(applied)}")
    if seeded:
        print(f"Seeded the demo district in {time.perf_counter() - started:.1f} s.")
    if demo:
        print(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            print(f"  {account['email']:<40} {account['roles']}")
    return 0


def backup(settings: Settings, target: Path) -> int:
    if target.exists() and any(target.iterdir()):
        print(f"{target} is not empty; choose a new folder.", file=sys.stderr)
        return 2
    con = connect_waiting(settings.db_path, wait_seconds=settings.lock_wait_seconds)
    try:
        con.execute(f"EXPORT DATABASE '{_quoted(target)}' (FORMAT parquet)")
    finally:
        con.close()
    if settings.key_file.exists():
        shutil.copy2(settings.key_file, target / "student-id.key")
    print(f"Backed up {settings.db_path} to {target} (keep student-id.key secret).")
    return 0


def restore(settings: Settings, source: Path) -> int:
    if not (source / "schema.sql").exists():
        print(f"{source} is not a backup folder (no schema.sql).", file=sys.stderr)
        return 2
    if settings.db_path.exists():
        print(f"{settings.db_path} exists; move it away first, then restore.", file=sys.stderr)
        return 2
    con = connect_waiting(settings.db_path)
    try:
        con.execute(f"IMPORT DATABASE '{_quoted(source)}'")
    finally:
        con.close()
    if (source / "student-id.key").exists() and not settings.key_file.exists():
        shutil.copy2(source / "student-id.key", settings.key_file)
        settings.key_file.chmod(0o600)
    print(f"Restored {source} into {settings.db_path}.")
    return 0


def _quoted(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create or migrate the database; seed the demo when empty")
    sub.add_parser("backup", help="export the database to a folder").add_argument("folder", type=Path)
    sub.add_parser("restore", help="import a backup folder into a new database").add_argument(
        "folder", type=Path
    )
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        if args.command == "init":
            return init(settings)
        if args.command == "backup":
            return backup(settings, args.folder)
        return restore(settings, args.folder)
    except DatabaseBusy as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
