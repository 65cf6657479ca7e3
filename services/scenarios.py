"""Saved quotes, cost scenarios and their funding lines (SOP step 3), kept in DuckDB.

Why a service: every write is permission-checked (quotes and scenarios: MANAGE_QUOTES; who pays:
MANAGE_FUNDING), validated by the models in models/costs.py, and audited through db.repo inside one
transaction. Reads hand back the same pydantic models the cost engine (services/costs) takes, so a
saved scenario recomputes exactly as it was modeled.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from models.costs import CostLine, FundingLine, PriceTier, QuoteInput, ScenarioParams
from models.errors import InvalidInput, NotFound
from models.people import Actor
from services.permissions import Action, require, require_on_request
from services.requests import requester_of

repo.register_table("scenario_funding_lines", "line_id")

_QUOTE_COLUMNS = (
    "product_id",
    "request_id",
    "label",
    "pricing_unit",
    "unit_price",
    "quantity",
    "coverage_pct",
    "coverage_grade_low",
    "coverage_grade_high",
    "minimum_quantity",
    "seat_cap",
    "term_years",
    "escalator_pct",
    "escalator_kind",
    "cpi_pct",
    "escalator_cap_pct",
    "price_lock_years",
    "multi_year_discount_pct",
    "document_url",
    "valid_until",
)


@dataclass(frozen=True)
class SavedScenario:
    scenario_id: int
    name: str
    quote_id: int
    request_id: int | None
    product_id: int
    quote: QuoteInput
    params: ScenarioParams


# Quotes ------------------------------------------------------------------------------------------


def quote_record(quote: QuoteInput) -> dict[str, Any]:
    """The quotes row for a quote (the demo seeder writes these inside its own transaction)."""
    data = quote.model_dump(mode="json")
    values = {k: data[k] for k in _QUOTE_COLUMNS}
    values["valid_until"] = quote.valid_until
    values["coverage"] = quote.coverage_text or None
    values["one_time_costs"] = data["one_time_costs"]
    values["recurring_costs"] = data["recurring_costs"]
    values["tiers"] = data["tiers"]
    return values


def save_quote(
    con: duckdb.DuckDBPyConnection, actor: Actor, quote: QuoteInput, *, quote_id: int | None = None
) -> int:
    """Insert a quote, or update `quote_id`; returns the quote's id."""
    require(actor, Action.MANAGE_QUOTES)
    if repo.get(con, "products", quote.product_id) is None:
        raise NotFound(f"Product #{quote.product_id} does not exist.")
    stored = None if quote_id is None else repo.get(con, "quotes", quote_id)
    if quote_id is not None and stored is None:
        raise NotFound(f"Quote #{quote_id} does not exist.")
    for request_id in {quote.request_id, (stored or {}).get("request_id")}:  # the new and the stored
        _require_own_request(con, actor, request_id)
    values = quote_record(quote)
    with transaction(con):
        if quote_id is None:
            values["created_by"] = actor.person_id
            return repo.insert(con, "quotes", values, actor=actor, request_id=quote.request_id)
        values["updated_at"] = dt.datetime.now()
        repo.update(con, "quotes", quote_id, values, actor=actor, request_id=quote.request_id)
        return quote_id


def _lines(raw: Any) -> tuple[CostLine, ...]:
    if raw is None:
        return ()
    items = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(CostLine.model_validate(item) for item in items)


def _tiers(raw: Any) -> tuple[PriceTier, ...]:
    if raw is None:
        return ()
    items = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(PriceTier.model_validate(item) for item in items)


def quote_from_row(row: dict[str, Any]) -> QuoteInput:
    values = {k: row.get(k) for k in _QUOTE_COLUMNS}
    values["unit_price"] = float(row["unit_price"])
    values["minimum_quantity"] = row.get("minimum_quantity") or 0
    values["one_time_costs"] = _lines(row.get("one_time_costs"))
    values["recurring_costs"] = _lines(row.get("recurring_costs"))
    values["tiers"] = _tiers(row.get("tiers"))
    values["escalator_kind"] = row.get("escalator_kind") or "flat"
    return QuoteInput.model_validate(values)


def get_quote(con: duckdb.DuckDBPyConnection, quote_id: int) -> QuoteInput:
    row = repo.get(con, "quotes", quote_id)
    if row is None:
        raise NotFound(f"Quote #{quote_id} does not exist.")
    return quote_from_row(row)


def list_quotes(
    con: duckdb.DuckDBPyConnection, *, request_id: int | None = None, product_id: int | None = None
) -> list[dict[str, Any]]:
    """Quotes for a request and/or product, newest first, with the product and vendor names."""
    return repo.fetch_all(
        con,
        """SELECT q.quote_id, q.request_id, q.product_id, coalesce(q.label, 'Quote #' || q.quote_id) AS label,
                  p.name AS product, v.name AS vendor, q.pricing_unit, q.unit_price, q.term_years,
                  q.valid_until, q.created_at
           FROM quotes q JOIN products p USING (product_id) JOIN vendors v ON v.vendor_id = p.vendor_id
           WHERE (CAST(? AS INTEGER) IS NULL OR q.request_id = ? OR q.request_id IS NULL)
             AND (CAST(? AS INTEGER) IS NULL OR q.product_id = ?)
           ORDER BY q.created_at DESC, q.quote_id DESC""",
        [request_id, request_id, product_id, product_id],
    )


# Scenarios ---------------------------------------------------------------------------------------


def _check_name(
    con: duckdb.DuckDBPyConnection, name: str, quote: dict[str, Any], scenario_id: int | None
) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("name: give the scenario a name, e.g. 'Three-year contract'.")
    if len(name) > 120:
        raise InvalidInput("name: keep the scenario name under 120 characters.")
    clash = repo.fetch_value(
        con,
        "SELECT scenario_id FROM cost_scenarios WHERE lower(name) = lower(?) AND product_id = ?"
        " AND request_id IS NOT DISTINCT FROM ? AND scenario_id IS DISTINCT FROM ?",
        [name, quote["product_id"], quote["request_id"], scenario_id],
    )
    if clash is not None:
        raise InvalidInput(f"name: a scenario named '{name}' already exists for this product.")
    return name


def scenario_record(
    quote_row: dict[str, Any], name: str, params: ScenarioParams, actor: Actor
) -> dict[str, Any]:
    """The cost_scenarios row (the demo seeder writes these too); funding lines are rows of their own."""
    return {
        "request_id": quote_row["request_id"],
        "product_id": quote_row["product_id"],
        "quote_id": quote_row["quote_id"],
        "name": name,
        "params": params.model_dump(mode="json", exclude={"funding"}),
        "created_by": actor.person_id,
    }


def funding_line_record(scenario_id: int, line: FundingLine, position: int) -> dict[str, Any]:
    return {
        "scenario_id": scenario_id,
        "source_id": line.source_id,
        "share_pct": line.share_pct,
        "annual_amount": line.annual_amount,
        "position": position,
    }


def save_scenario(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    *,
    quote_id: int,
    name: str,
    params: ScenarioParams,
    scenario_id: int | None = None,
) -> int:
    """Save a scenario's assumptions (funding lines are saved by `set_funding`)."""
    require(actor, Action.MANAGE_QUOTES)
    quote = repo.get(con, "quotes", quote_id)
    if quote is None:
        raise NotFound(f"Quote #{quote_id} does not exist.")
    stored = None if scenario_id is None else repo.get(con, "cost_scenarios", scenario_id)
    for request_id in {quote["request_id"], (stored or {}).get("request_id")}:  # the new and the stored
        _require_own_request(con, actor, request_id)
    name = _check_name(con, name, quote, scenario_id)
    record = scenario_record(quote, name, params, actor)
    with transaction(con):
        if scenario_id is None:
            return repo.insert(con, "cost_scenarios", record, actor=actor)
        if stored is None:
            raise NotFound(f"Scenario #{scenario_id} does not exist.")
        changes = {k: record[k] for k in ("name", "params", "quote_id")}
        repo.update(
            con, "cost_scenarios", scenario_id, {**changes, "updated_at": dt.datetime.now()}, actor=actor
        )
        return scenario_id


def _replace_lines(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    scenario_id: int,
    lines: Sequence[FundingLine],
    request_id: int | None,
) -> None:
    """Inside the caller's transaction: the scenario's funding lines become `lines`."""
    old = repo.fetch_all(
        con, "SELECT line_id FROM scenario_funding_lines WHERE scenario_id = ?", [scenario_id]
    )
    for row in old:
        repo.delete(con, "scenario_funding_lines", row["line_id"], actor=actor, request_id=request_id)
    for position, line in enumerate(lines):
        record = funding_line_record(scenario_id, line, position)
        repo.insert(con, "scenario_funding_lines", record, actor=actor, request_id=request_id)


def set_funding(
    con: duckdb.DuckDBPyConnection, actor: Actor, scenario_id: int, lines: Sequence[FundingLine]
) -> None:
    """Replace a scenario's funding lines; every line must name a saved funding source."""
    require(actor, Action.MANAGE_FUNDING)
    scenario = load_scenario(con, scenario_id)
    # re-validate the whole scenario so shares over 100% are refused before anything is written
    ScenarioParams.model_validate(
        {**scenario.params.model_dump(), "funding": [ln.model_dump() for ln in lines]}
    )
    for line in lines:
        if line.source_id is None or repo.get(con, "funding_sources", line.source_id) is None:
            raise InvalidInput(f"funding: '{line.source_name}' is not a saved funding source; add it first.")
    with transaction(con):
        _replace_lines(con, actor, scenario_id, lines, scenario.request_id)


def _funding_lines(con: duckdb.DuckDBPyConnection, scenario_id: int) -> list[FundingLine]:
    rows = repo.fetch_all(
        con,
        """SELECT l.source_id, s.name AS source_name, s.kind, s.last_fiscal_year, l.share_pct,
                  l.annual_amount
           FROM scenario_funding_lines l JOIN funding_sources s USING (source_id)
           WHERE l.scenario_id = ? ORDER BY l.position, l.line_id""",
        [scenario_id],
    )
    for row in rows:
        if row["annual_amount"] is not None:
            row["annual_amount"] = float(row["annual_amount"])
    return [FundingLine.model_validate(row) for row in rows]


def load_scenario(con: duckdb.DuckDBPyConnection, scenario_id: int) -> SavedScenario:
    row = repo.get(con, "cost_scenarios", scenario_id)
    if row is None:
        raise NotFound(f"Scenario #{scenario_id} does not exist. Pick one from the list.")
    stored = json.loads(row["params"]) if isinstance(row["params"], str) else row["params"]
    params = ScenarioParams.model_validate({**stored, "funding": _funding_lines(con, scenario_id)})
    return SavedScenario(
        scenario_id=scenario_id,
        name=row["name"],
        quote_id=row["quote_id"],
        request_id=row["request_id"],
        product_id=row["product_id"],
        quote=get_quote(con, row["quote_id"]),
        params=params,
    )


def list_scenarios(
    con: duckdb.DuckDBPyConnection, *, request_id: int | None = None, product_id: int | None = None
) -> list[dict[str, Any]]:
    return repo.fetch_all(
        con,
        """SELECT s.scenario_id, s.name, s.quote_id, s.request_id, s.product_id, p.name AS product,
                  s.updated_at
           FROM cost_scenarios s JOIN products p USING (product_id)
           WHERE (CAST(? AS INTEGER) IS NULL OR s.request_id = ?)
             AND (CAST(? AS INTEGER) IS NULL OR s.product_id = ?)
           ORDER BY p.name, s.scenario_id""",
        [request_id, request_id, product_id, product_id],
    )


def latest_scenario(con: duckdb.DuckDBPyConnection, request_id: int, product_id: int) -> SavedScenario | None:
    """The most recently saved scenario of a candidate (for comparisons beside quality scores)."""
    scenario_id = repo.fetch_value(
        con,
        "SELECT scenario_id FROM cost_scenarios WHERE product_id = ? AND (request_id = ? OR request_id IS NULL)"
        " ORDER BY request_id NULLS LAST, updated_at DESC, scenario_id DESC LIMIT 1",
        [product_id, request_id],
    )
    return None if scenario_id is None else load_scenario(con, scenario_id)


def _require_own_request(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int | None) -> None:
    """A quote or scenario of a request is that request's requester's (and the budget roles') to
    change; one for no request is open to every role that manages quotes."""
    if request_id is not None:
        require_on_request(actor, Action.MANAGE_QUOTES, requester_of(con, request_id))


def duplicate_scenario(con: duckdb.DuckDBPyConnection, actor: Actor, scenario_id: int, new_name: str) -> int:
    """A copy to vary, under a new name, with the same funding lines."""
    require(actor, Action.MANAGE_QUOTES)
    original = load_scenario(con, scenario_id)
    _require_own_request(con, actor, original.request_id)
    quote = repo.get(con, "quotes", original.quote_id) or {}
    name = _check_name(con, new_name, quote, None)
    with transaction(con):
        new_id = repo.insert(
            con, "cost_scenarios", scenario_record(quote, name, original.params, actor), actor=actor
        )
        _replace_lines(con, actor, new_id, original.params.funding, original.request_id)
    return new_id


def delete_scenario(con: duckdb.DuckDBPyConnection, actor: Actor, scenario_id: int) -> None:
    require(actor, Action.MANAGE_QUOTES)
    scenario = load_scenario(con, scenario_id)
    _require_own_request(con, actor, scenario.request_id)
    with transaction(con):
        _replace_lines(con, actor, scenario_id, [], scenario.request_id)
        repo.delete(con, "cost_scenarios", scenario_id, actor=actor)


def requests_for_budget(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Open requests, those at step 3 first, for the budget page's picker."""
    return repo.fetch_all(
        con,
        """SELECT request_id, title, stage FROM requests
           WHERE stage NOT IN ('denied', 'withdrawn', 'closed')
           ORDER BY stage <> 'budget', request_id""",
    )
