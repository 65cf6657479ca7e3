"""The import command, a stable interface for scripts and schedulers (docs/IMPORTS.md).

    python -m etl {roster|usage|assessments|feedback} PATH [--format NAME] [--tool NAME]
                  [--subject NAME] [--db PATH] [--json]
    python -m etl undo [--db PATH] [--json]
    python -m etl purge --older-than-years N [--db PATH] [--json]

Exit status: 0 imported (bad rows quarantined and counted), 1 refused and nothing written, 2 a usage
error (bad arguments, a missing path, a file that needs --tool/--subject). With --json the last line
of standard output is one JSON object. Messages are one line; tracebacks only with EDTECH_DEBUG=1.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, NoReturn

import duckdb
from pydantic import ValidationError

from db.connection import DatabaseBusy, connect_waiting
from db.migrate import apply_migrations
from etl import admin
from etl.formats import PROFILES
from etl.runner import UsageProblem, run_import
from etl.source import FileRefused
from models.errors import DomainError
from models.imports import ImportRequest
from settings import Settings, settings_problem

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
LOCK_WAIT_SECONDS = 120.0  # the app holds the file only for one script run; wait for it
BIG_FILE_BYTES = 20 << 20
ETL_MEMORY_LIMIT = "1GB"  # the goal: peak memory < 1.5 GB for a 10M-row year of usage


def _formats(kind: str) -> list[str]:
    return sorted(x.name for x in PROFILES if x.kind == kind and x.target != "roster")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error under --json still ends with its JSON line (a scheduler parsing
    the last line of `python -m etl usage --json` with no path got nothing)."""

    def __init__(self, *args: Any, wants_json: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wants_json = wants_json

    def error(self, message: str) -> NoReturn:
        if self.wants_json:
            self.print_usage(sys.stderr)
            print(f"{self.prog}: error: {message}", file=sys.stderr)
            print(json.dumps({"status": "usage_error", "error": message}))
            raise SystemExit(EXIT_USAGE)
        super().error(message)


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    wants_json = "--json" in (sys.argv[1:] if argv is None else argv)
    parser = _Parser(
        prog="python -m etl", description="Import district exports into DuckDB.", wants_json=wants_json
    )
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=functools.partial(_Parser, wants_json=wants_json)
    )
    for kind in ("roster", "usage", "assessments", "feedback"):
        p = sub.add_parser(kind, help=f"import a {kind} export")
        p.add_argument("path", type=Path)
        # checked in _import, not by argparse `choices`, so a wrong name still gets its JSON line
        p.add_argument("--format", metavar="NAME", help="one of: " + ", ".join(_formats(kind)))
        p.add_argument("--tool")
        p.add_argument("--subject")
        p.add_argument("--db", type=Path)
        p.add_argument("--json", action="store_true")
    undo = sub.add_parser("undo", help="undo the most recent import")
    undo.add_argument("--db", type=Path)
    undo.add_argument("--json", action="store_true")
    purge = sub.add_parser("purge", help="delete student-level rows older than N years")
    purge.add_argument("--older-than-years", type=int, required=True)
    purge.add_argument("--db", type=Path)
    purge.add_argument("--json", action="store_true")
    return parser


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str, *, error: bool = False) -> None:
    if not args.json:
        print(text, file=sys.stderr if error else sys.stdout)
        return
    if error:
        print(text, file=sys.stderr)
    print(json.dumps(payload, default=str))


class _ProgressPrinter:
    """Step progress on stderr; for big files a thread also polls DuckDB's own query progress."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.step = "starting"
        self.seconds: dict[str, float] = {}  # wall seconds per step, for --json (bench/bench_import.py)
        self._since = time.perf_counter()
        self.con: duckdb.DuckDBPyConnection | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, step: str, fraction: float) -> None:
        now = time.perf_counter()
        self.seconds[self.step] = round(self.seconds.get(self.step, 0.0) + now - self._since, 2)
        self.step, self._since = step, now
        if self.enabled:
            self._draw(fraction)

    _shown = 0.0

    def _draw(self, fraction: float) -> None:
        # never backwards: a file the fast lane hands to the full parse starts "reading" again at 10%
        fraction = self._shown = max(self._shown, fraction)
        filled = int(max(0.0, min(1.0, fraction)) * 30)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {self.step:<12}")
        sys.stderr.flush()
        if fraction >= 1.0:
            sys.stderr.write("\n")

    def start(self, con: duckdb.DuckDBPyConnection) -> None:
        if not self.enabled:
            return
        self.con = con
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.wait(0.5):
            try:
                query = self.con.query_progress() if self.con else -1
            except Exception:  # noqa: BLE001 - progress is best effort
                query = -1
            if query is not None and query >= 0 and self.step != "done":
                base = {"reading": 0.1, "validating": 0.5, "writing": 0.7}.get(self.step, 0.0)
                span = {"reading": 0.4, "validating": 0.2, "writing": 0.3}.get(self.step, 0.0)
                self._draw(base + span * query / 100)

    def stop(self) -> None:
        self._stop.set()


class SettingsProblem(Exception):
    """An EDTECH_ environment variable cannot be read: a usage error naming it."""


def _db_problem(db: Path) -> str | None:
    """What is wrong with a --db path before DuckDB opens it, in one line, or None."""
    if db.is_dir():
        return f"--db {db}: is a folder; give a database file (for example {db / 'district.duckdb'})."
    return None


def _new_database_warning(db: Path) -> str | None:
    """Said when --db names a file that does not exist yet: it is created (the contract), but a typo
    in the path would otherwise quietly start a new, empty database."""
    if db.exists():
        return None
    folder = "" if db.parent.exists() else f" (its folder {db.parent} was created too)"
    return (
        f"A new, empty database was created at {db}{folder}; check the path if you meant the app's database."
    )


def _opening_problem(db: Path, exc: Exception) -> str:
    """A --db DuckDB cannot open (not a database, no permission, a read-only place), in one line."""
    text = str(exc).lower()
    if "permission" in text or "not permitted" in text or "read-only" in text or "read only" in text:
        return f"--db {db}: cannot be written here (permission denied); give a path you can write to."
    if db.is_file() and ("not a valid duckdb database" in text or "database file" in text):
        return f"--db {db}: is not a DuckDB database; give the app's database file or a new path."
    first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    return f"--db {db}: cannot be opened ({first})."


class DatabaseProblem(Exception):
    """The --db path cannot be used: a usage error naming the path and what to fix."""


def _open(db: Path | None, *, waiting: bool = False) -> tuple[duckdb.DuckDBPyConnection, Settings]:
    try:
        settings = Settings(db=db) if db else Settings()
    except ValidationError as exc:
        raise SettingsProblem(settings_problem(exc)) from None
    if db is not None and (problem := _db_problem(Path(settings.db_path))):
        raise DatabaseProblem(problem)

    def say_waiting() -> None:
        if waiting:
            print(
                f"The database is in use by another program; waiting up to {LOCK_WAIT_SECONDS:.0f} s for it…",
                file=sys.stderr,
                flush=True,
            )

    try:
        con = connect_waiting(
            settings.db_path,
            wait_seconds=max(settings.lock_wait_seconds, LOCK_WAIT_SECONDS),
            on_wait=say_waiting,
        )
    except (duckdb.Error, OSError) as exc:  # DatabaseBusy (a RuntimeError) goes to main's handler
        raise DatabaseProblem(_opening_problem(Path(settings.db_path), exc)) from None
    try:
        con.execute(f"SET memory_limit = '{ETL_MEMORY_LIMIT}'")  # big aggregates spill to disk instead
        apply_migrations(con)
    except (duckdb.IOException, duckdb.PermissionException) as exc:
        con.close()
        raise DatabaseProblem(_opening_problem(Path(settings.db_path), exc)) from None
    return con, settings


def _base(args: argparse.Namespace) -> dict[str, Any]:
    """The fields every import's JSON line carries, even when nothing was imported."""
    if args.command in ("undo", "purge"):
        return {"command": args.command}
    return {
        "kind": args.command,
        "format": args.format,
        "file_name": args.path.name,
        "import_id": None,
        "rows_read": 0,
        "rows_imported": 0,
        "rows_rejected": 0,
        "rows_warned": 0,
        "already_imported": False,
        "warnings": [],
    }


def _import(args: argparse.Namespace) -> int:
    base = _base(args)
    if not args.path.exists():
        _emit(
            args,
            {**base, "status": "usage_error", "error": f"{args.path}: no such file or folder."},
            f"error: {args.path}: no such file or folder.",
            error=True,
        )
        return EXIT_USAGE
    problem = None
    if args.path.is_dir() and args.command != "roster":
        problem = f"{args.path}: is a folder; give a file (only rosters take a folder)."
    elif args.format and args.format not in _formats(args.command):
        known = ", ".join(_formats(args.command)) or "none (detected from the files)"
        problem = f"unknown {args.command} format '{args.format}'; the {args.command} formats are: {known}."
    if problem:
        _emit(args, {**base, "status": "usage_error", "error": problem}, f"error: {problem}", error=True)
        return EXIT_USAGE
    try:
        request = ImportRequest(
            kind=args.command, path=args.path, format=args.format, tool=args.tool, subject=args.subject
        )
    except ValueError as exc:
        _emit(args, {**base, "status": "usage_error", "error": str(exc)}, f"error: {exc}", error=True)
        return EXIT_USAGE
    size = (
        sum(p.stat().st_size for p in args.path.rglob("*"))
        if args.path.is_dir()
        else args.path.stat().st_size
    )
    progress = _ProgressPrinter(enabled=not args.json and size >= BIG_FILE_BYTES)
    started = time.perf_counter()
    created = _new_database_warning(args.db) if args.db is not None else None
    con, settings = _open(args.db, waiting=True)
    request = request.model_copy(update={"timezone": settings.district_timezone})
    try:
        progress.start(con)
        outcome = run_import(con, settings.student_id_secret(), request, progress=progress)
    except UsageProblem as exc:
        _emit(
            args, {**base, "status": "usage_error", "error": exc.message}, f"error: {exc.message}", error=True
        )
        return EXIT_USAGE
    except DomainError as exc:
        _emit(
            args, {**base, "status": "refused", "error": exc.message}, f"refused: {exc.message}", error=True
        )
        return EXIT_REFUSED
    finally:
        progress.stop()
        con.close()
    if created:
        outcome = outcome.model_copy(update={"warnings": [created, *outcome.warnings]})
    payload = {
        **outcome.model_dump(),
        "status": "already_imported" if outcome.already_imported else "imported",
        "seconds": round(time.perf_counter() - started, 2),
        "step_seconds": progress.seconds,
    }
    lines = [outcome.message, *outcome.warnings]
    if outcome.rows_rejected or outcome.rows_warned:
        lines.append(f"See the rejected rows: Import page, import #{outcome.import_id}.")
    _emit(args, payload, "\n".join(lines))
    return EXIT_OK


def _undo(args: argparse.Namespace) -> int:
    con, _ = _open(args.db, waiting=True)
    try:
        result = admin.undo_last_import(con, actor=None)
    except DomainError as exc:
        _emit(
            args,
            {"command": "undo", "status": "refused", "error": exc.message},
            f"refused: {exc.message}",
            error=True,
        )
        return EXIT_REFUSED
    finally:
        con.close()
    _emit(args, {"command": "undo", "status": "undone", **result}, result["message"])
    return EXIT_OK


def _purge(args: argparse.Namespace) -> int:
    con, _ = _open(args.db, waiting=True)
    try:
        deleted = admin.purge_older_than(con, args.older_than_years, actor=None)
    except DomainError as exc:
        _emit(
            args,
            {"command": "purge", "status": "usage_error", "error": exc.message},
            f"error: {exc.message}",
            error=True,
        )
        return EXIT_USAGE
    finally:
        con.close()
    text = f"Purged {sum(deleted.values()):,} student-level rows older than {args.older_than_years} years."
    payload = {
        "command": "purge",
        "status": "purged",
        "deleted": deleted,
        "rows_deleted": sum(deleted.values()),
    }
    _emit(args, payload, text)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser(argv).parse_args(argv)  # argparse exits 2 on a usage error
    try:
        if args.command == "undo":
            return _undo(args)
        if args.command == "purge":
            return _purge(args)
        return _import(args)
    except DatabaseBusy as exc:
        _emit(args, {**_base(args), "status": "busy", "error": str(exc)}, f"refused: {exc}", error=True)
        return EXIT_REFUSED
    except (SettingsProblem, DatabaseProblem) as exc:
        problem = str(exc)
        _emit(
            args, {**_base(args), "status": "usage_error", "error": problem}, f"error: {problem}", error=True
        )
        return EXIT_USAGE
    except FileRefused as exc:
        payload = {**_base(args), "status": "refused", "error": exc.message}
        _emit(args, payload, f"refused: {exc.message}", error=True)
        return EXIT_REFUSED
    except Exception as exc:  # noqa: BLE001 - one line for people, the traceback only on request
        if os.environ.get("EDTECH_DEBUG"):
            raise
        done = "nothing was imported" if args.command not in ("undo", "purge") else "nothing was changed"
        message = f"unexpected {type(exc).__name__}; {done} (EDTECH_DEBUG=1 shows details)."
        _emit(args, {**_base(args), "status": "error", "error": message}, f"error: {message}", error=True)
        return EXIT_REFUSED
