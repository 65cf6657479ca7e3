"""Which requests a purchasing page offers in its picker, and the one-line label for each.

Pages accept `?request=N`; without it they list the requests at the stages they serve. The query
is tiny, but five pages share it, so it lives here once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from db import repo
from models.enums import Stage


def requests_at(con: duckdb.DuckDBPyConnection, stages: Iterable[Stage | str]) -> list[dict[str, Any]]:
    wanted = [Stage(s).value for s in stages]
    if not wanted:
        return []
    placeholders = ", ".join("?" for _ in wanted)
    return repo.fetch_all(
        con,
        f"SELECT request_id, title, stage FROM requests WHERE stage IN ({placeholders})"
        " ORDER BY request_id DESC",
        wanted,
    )


def request_label(row: dict[str, Any]) -> str:
    return f"#{row['request_id']} · {row['title']} ({Stage(row['stage']).label})"
