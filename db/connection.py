"""Short-lived DuckDB connections that wait politely for the file lock.

DuckDB lets one process hold a database file read-write. The app therefore opens the file for
one script run and closes it right after, and both the app and `python -m etl` retry for a few
seconds when the other process holds the lock, instead of failing. Within one process DuckDB
shares the open database between connections, so concurrent Streamlit sessions each get their own
connection to the same instance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class DatabaseBusy(RuntimeError):
    """Another process (usually an import) holds the database file for longer than we waited."""


def connect(database: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a database; `":memory:"` works for tests. Creates the parent folder of a file path."""
    if str(database) != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(database), read_only=read_only)


def is_lock_error(exc: BaseException) -> bool:
    """Another process holds the file, or (within this process) another thread is closing the last
    connection to it while this one opens it: DuckDB then says 'Unique file handle conflict ...
    already attached' (seen about once in 300 page loads with four browsers). Both pass: retry."""
    text = str(exc)
    if isinstance(exc, duckdb.IOException):
        return "lock" in text.lower()
    return isinstance(exc, duckdb.ResourceInUseException) and "already attached" in text


def connect_waiting(
    database: str | Path,
    *,
    wait_seconds: float = 15.0,
    read_only: bool = False,
    on_wait: Callable[[], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Connect, retrying with backoff while another process holds the file lock; `on_wait` is called
    once, when the first attempt finds the file locked (the import command says it is waiting)."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return connect(database, read_only=read_only)
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            if not is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    "The database is in use by another program (an import, the app's own import, or a "
                    "program holding it open to read it, such as a BI tool): close that program's "
                    "connection, or wait for it, and try again."
                ) from exc
            if on_wait is not None:
                on_wait()
                on_wait = None  # said once
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextmanager
def open_database(
    database: str | Path, *, wait_seconds: float = 15.0, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect_waiting(database, wait_seconds=wait_seconds, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK and re-raise. Nothing is half-written.

    DuckDB answers COMMIT with success but rolls back when a statement inside the transaction
    failed; because every error propagates here, we never reach COMMIT after a failure.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
