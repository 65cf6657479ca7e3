"""Funding sources the business office charges purchases to (general fund, Title IV-A, grants...).

Kept apart from scenarios because sources are district-wide and only the business office (and
administrators) may add them; each carries its last fiscal year so cost scenarios can warn about a
funding cliff (services/costs/funding.py).
"""

from __future__ import annotations

from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from models.enums import FundingKind
from models.errors import InvalidInput
from models.people import Actor
from services.permissions import Action, require


def list_funding_sources(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return repo.fetch_all(
        con, "SELECT source_id, name, kind, last_fiscal_year, note FROM funding_sources ORDER BY name"
    )


def save_funding_source(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    *,
    name: str,
    kind: FundingKind,
    last_fiscal_year: int | None = None,
    note: str | None = None,
) -> int:
    require(actor, Action.MANAGE_FUNDING)
    name = name.strip()
    if not name:
        raise InvalidInput("name: name the funding source, e.g. 'Title IV-A FY2027'.")
    if last_fiscal_year is not None and not 2000 <= last_fiscal_year <= 2100:
        raise InvalidInput("last_fiscal_year: enter a fiscal year such as 2028.")
    if repo.fetch_value(con, "SELECT count(*) FROM funding_sources WHERE lower(name) = lower(?)", [name]):
        raise InvalidInput(f"name: a funding source named '{name}' already exists.")
    with transaction(con):
        return repo.insert(
            con,
            "funding_sources",
            {
                "name": name,
                "kind": FundingKind(kind).value,
                "last_fiscal_year": last_fiscal_year,
                "note": note,
            },
            actor=actor,
        )
