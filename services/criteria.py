"""SOP step 2: the criteria a request's vendors are judged on, their weights, and the candidates.

Weights are stored per request as percentages that add up to 100. People type whatever weights
feel right; `normalize_weights` scales them to 100% and says so, so a comparison never silently
depends on weights that add up to 80 or 130.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from db import repo
from db.connection import transaction
from models.errors import InvalidInput, NotFound
from models.people import Actor
from models.purchasing import ProductCreate, VendorCreate
from services.permissions import Action, require, require_on_request
from services.requests import get_request, requester_of

WEIGHT_TOTAL = 100.0  # weights are percentages of the whole decision
_TOLERANCE = 0.01


@dataclass(frozen=True)
class NormalizedWeights:
    weights: dict[int, float]  # criterion_id -> percent, summing to 100
    entered_total: float
    message: str | None  # set when the entered weights were rescaled


def normalize_weights(entered: dict[int, float]) -> NormalizedWeights:
    """Scale weights to 100%; refuse negatives and an all-zero set (nothing to compare on)."""
    if not entered:
        raise InvalidInput("Choose at least one criterion.")
    negative = [cid for cid, w in entered.items() if w is None or w < 0]
    if negative:
        raise InvalidInput("A weight cannot be negative or empty.")
    total = float(sum(entered.values()))
    if total <= 0:
        raise InvalidInput("The weights add up to 0; give at least one criterion a weight above 0.")
    if abs(total - WEIGHT_TOTAL) <= _TOLERANCE:
        return NormalizedWeights({c: float(w) for c, w in entered.items()}, total, None)
    scaled = {c: float(w) * WEIGHT_TOTAL / total for c, w in entered.items()}
    message = (
        f"The weights you entered add up to {total:g}%, not 100%; they were scaled proportionally "
        "so they add up to 100%."
    )
    return NormalizedWeights(scaled, total, message)


def criteria_library(con: duckdb.DuckDBPyConnection, *, active_only: bool = True) -> pd.DataFrame:
    return con.execute(
        "SELECT criterion_id, name, category, description, default_weight, is_gate FROM criteria"
        + (" WHERE active" if active_only else "")
        + " ORDER BY is_gate DESC, category, name"
    ).df()


def request_criteria(con: duckdb.DuckDBPyConnection, request_id: int) -> pd.DataFrame:
    """The request's chosen criteria with their weights (percent)."""
    return con.execute(
        """SELECT c.criterion_id, c.name, c.category, c.description, c.is_gate, rc.weight
           FROM request_criteria rc JOIN criteria c USING (criterion_id)
           WHERE rc.request_id = ? ORDER BY c.is_gate DESC, rc.weight DESC, c.name""",
        [request_id],
    ).df()


def set_request_criteria(
    con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, entered: dict[int, float]
) -> NormalizedWeights:
    """Replace the request's criteria and weights (normalized) in one transaction."""
    require(actor, Action.MANAGE_CRITERIA)
    require_on_request(actor, Action.MANAGE_CRITERIA, get_request(con, request_id)["requester_id"])
    result = normalize_weights(entered)
    known = {r[0] for r in con.execute("SELECT criterion_id FROM criteria").fetchall()}
    unknown = sorted(set(result.weights) - known)
    if unknown:
        raise InvalidInput(f"Unknown criterion id(s): {unknown}.")
    before = {
        r[0]: r[1]
        for r in con.execute(
            "SELECT criterion_id, weight FROM request_criteria WHERE request_id = ?", [request_id]
        ).fetchall()
    }
    with transaction(con):
        # request_criteria has a two-column key, so it is written directly and audited by hand
        con.execute("DELETE FROM request_criteria WHERE request_id = ?", [request_id])
        for criterion_id, weight in result.weights.items():
            con.execute("INSERT INTO request_criteria VALUES (?, ?, ?)", [request_id, criterion_id, weight])
        repo.audit(
            con,
            actor=actor,
            table="request_criteria",
            record_id=request_id,
            action="update",
            before={str(k): v for k, v in before.items()},
            after={str(k): v for k, v in result.weights.items()},
            request_id=request_id,
            note=result.message,
        )
    return result


# -- vendors, products, candidates ------------------------------------------------------------


def products(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return repo.fetch_all(
        con,
        "SELECT p.product_id, p.name, v.vendor_id, v.name AS vendor FROM products p"
        " JOIN vendors v USING (vendor_id) ORDER BY p.name, v.name",
    )


def create_vendor(con: duckdb.DuckDBPyConnection, actor: Actor, form: VendorCreate) -> int:
    require(actor, Action.MANAGE_CANDIDATES)
    _check_vendor_name(con, form)
    with transaction(con):
        return repo.insert(con, "vendors", form.model_dump(), actor=actor)


def _check_vendor_name(con: duckdb.DuckDBPyConnection, form: VendorCreate) -> None:
    taken = repo.fetch_value(con, "SELECT vendor_id FROM vendors WHERE lower(name) = lower(?)", [form.name])
    if taken is not None:
        raise InvalidInput(f"A vendor named '{form.name}' already exists; pick it from the list.")


def create_product(con: duckdb.DuckDBPyConnection, actor: Actor, form: ProductCreate) -> int:
    require(actor, Action.MANAGE_CANDIDATES)
    _check_product(con, form)
    with transaction(con):
        return repo.insert(con, "products", form.model_dump(), actor=actor)


def _check_product(con: duckdb.DuckDBPyConnection, form: ProductCreate) -> None:
    if repo.get(con, "vendors", form.vendor_id) is None:
        raise NotFound(f"Vendor #{form.vendor_id} does not exist.")
    taken = repo.fetch_value(
        con,
        "SELECT product_id FROM products WHERE vendor_id = ? AND lower(name) = lower(?)",
        [form.vendor_id, form.name],
    )
    if taken is not None:
        raise InvalidInput(f"This vendor already has a product named '{form.name}'; pick it from the list.")


def add_new_product(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    request_id: int,
    product: ProductCreate,
    new_vendor: VendorCreate | None = None,
) -> int:
    """Create a product (and its vendor, when `new_vendor` is given; `product.vendor_id` is then
    ignored) and add it as a candidate of the request, all or nothing: a refused product must not
    leave a new vendor behind (its name would then be 'taken' on the next try). Returns the product."""
    require(actor, Action.MANAGE_CANDIDATES)
    require_on_request(actor, Action.MANAGE_CANDIDATES, get_request(con, request_id)["requester_id"])
    if new_vendor is not None:
        _check_vendor_name(con, new_vendor)
    else:
        _check_product(con, product)
    with transaction(con):
        vendor_id = (
            repo.insert(con, "vendors", new_vendor.model_dump(), actor=actor)
            if new_vendor is not None
            else product.vendor_id
        )
        product_id = repo.insert(
            con, "products", {**product.model_dump(), "vendor_id": vendor_id}, actor=actor
        )
        repo.insert(con, "candidates", {"request_id": request_id, "product_id": product_id}, actor=actor)
    return product_id


def add_candidate(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, product_id: int) -> int:
    """Add a product to the request's candidates; re-adding an excluded one makes it active again."""
    require(actor, Action.MANAGE_CANDIDATES)
    require_on_request(actor, Action.MANAGE_CANDIDATES, get_request(con, request_id)["requester_id"])
    if repo.get(con, "products", product_id) is None:
        raise NotFound(f"Product #{product_id} does not exist.")
    existing = repo.fetch_one(
        con,
        "SELECT candidate_id, status FROM candidates WHERE request_id = ? AND product_id = ?",
        [request_id, product_id],
    )
    with transaction(con):
        if existing:
            if existing["status"] != "active":
                repo.update(con, "candidates", existing["candidate_id"], {"status": "active"}, actor=actor)
            return existing["candidate_id"]
        return repo.insert(
            con, "candidates", {"request_id": request_id, "product_id": product_id}, actor=actor
        )


def set_candidate_status(
    con: duckdb.DuckDBPyConnection, actor: Actor, candidate_id: int, status: str
) -> None:
    """'excluded' keeps the candidate's scores for the record but takes it out of the running."""
    require(actor, Action.MANAGE_CANDIDATES)
    if status not in ("active", "excluded", "withdrawn"):
        raise InvalidInput(f"Unknown candidate status '{status}'.")
    candidate = repo.get(con, "candidates", candidate_id)
    if candidate is None:
        raise NotFound(f"Candidate #{candidate_id} does not exist.")
    require_on_request(actor, Action.MANAGE_CANDIDATES, requester_of(con, candidate["request_id"]))
    with transaction(con):
        repo.update(con, "candidates", candidate_id, {"status": status}, actor=actor)


def candidates(
    con: duckdb.DuckDBPyConnection, request_id: int, *, include_excluded: bool = True
) -> pd.DataFrame:
    return con.execute(
        """SELECT c.candidate_id, c.product_id, p.name AS product, v.vendor_id, v.name AS vendor,
                  p.collects_student_data, c.status, c.pros, c.cons, c.gaps
           FROM candidates c JOIN products p USING (product_id) JOIN vendors v USING (vendor_id)
           WHERE c.request_id = ?"""
        + ("" if include_excluded else " AND c.status = 'active'")
        + " ORDER BY c.status, p.name",
        [request_id],
    ).df()


def get_candidate(con: duckdb.DuckDBPyConnection, candidate_id: int) -> dict[str, Any]:
    row = repo.fetch_one(
        con,
        """SELECT c.*, p.name AS product, v.vendor_id, v.name AS vendor FROM candidates c
           JOIN products p USING (product_id) JOIN vendors v USING (vendor_id) WHERE c.candidate_id = ?""",
        [candidate_id],
    )
    if row is None:
        raise NotFound(f"Candidate #{candidate_id} does not exist.")
    return row


def vendor_responses(con: duckdb.DuckDBPyConnection, request_id: int) -> pd.DataFrame:
    return con.execute(
        """SELECT p.name AS product, cr.name AS criterion, r.meets, r.response, r.evidence, r.received_at
           FROM vendor_responses r JOIN candidates c USING (candidate_id)
           JOIN products p USING (product_id) JOIN criteria cr USING (criterion_id)
           WHERE c.request_id = ? ORDER BY p.name, cr.name""",
        [request_id],
    ).df()
