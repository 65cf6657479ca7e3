"""Step 8: short- and long-term goals per approved tool, each with a measure, data source,
baseline, target, due date, an owner who follows up, and stakeholders.

A goal is for a tool the district approved: a catalog entry with an approved status, or an
approval decision on a request. Goals without an owner or target are refused by the form
(models/goals.py) and the database (NOT NULL) alike.
"""

from __future__ import annotations

from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from models.enums import ToolStatus
from models.errors import InvalidInput, NotFound
from models.goals import DATA_SOURCE_LABELS, HORIZON_LABELS, GoalForm
from models.people import Actor
from services.permissions import Action, require

APPROVED_TOOL_STATUSES = (ToolStatus.APPROVED.value, ToolStatus.CORE.value, ToolStatus.SUPPLEMENTAL.value)


def approved_products(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Tools the district approved (catalog status or an approval decision), with their request."""
    return repo.fetch_all(
        con,
        """SELECT p.product_id, p.name, v.name AS vendor_name,
                  (SELECT max(r.request_id) FROM requests r WHERE r.selected_product_id = p.product_id
                   AND r.stage NOT IN ('denied', 'withdrawn')) AS request_id
           FROM products p JOIN vendors v USING (vendor_id)
           WHERE p.product_id IN (SELECT product_id FROM catalog_entries WHERE tool_status IN (?, ?, ?))
              OR p.product_id IN (SELECT product_id FROM decisions WHERE decision = 'approved'
                                  AND product_id IS NOT NULL)
           ORDER BY lower(p.name)""",
        list(APPROVED_TOOL_STATUSES),
    )


def is_approved(con: duckdb.DuckDBPyConnection, product_id: int) -> bool:
    return any(p["product_id"] == product_id for p in approved_products(con))


def list_goals(con: duckdb.DuckDBPyConnection, actor: Actor, product_id: int) -> list[dict[str, Any]]:
    require(actor, Action.VIEW_PIPELINE)
    rows = repo.fetch_all(
        con,
        """SELECT g.*, o.full_name AS owner_name FROM goals g
           JOIN people o ON o.person_id = g.owner_id
           WHERE g.product_id = ? ORDER BY g.horizon DESC, g.due_date NULLS LAST, g.goal_id""",
        [product_id],
    )
    for r in rows:
        r["horizon_label"] = HORIZON_LABELS.get(r["horizon"], r["horizon"])
        r["data_source_label"] = DATA_SOURCE_LABELS.get(r["data_source_kind"], r["data_source_kind"])
    return rows


def save_goal(
    con: duckdb.DuckDBPyConnection, actor: Actor, form: GoalForm, goal_id: int | None = None
) -> int:
    require(actor, Action.MANAGE_GOALS)
    if repo.get(con, "products", form.product_id) is None:
        raise NotFound(f"Product #{form.product_id} does not exist.")
    if not is_approved(con, form.product_id):
        raise InvalidInput("Tool: goals are set for approved tools; this tool has not been approved.")
    owner = repo.get(con, "people", form.owner_id)
    if owner is None or not owner["active"]:
        raise InvalidInput("Owner (lead): choose an active person.")
    values = form.model_dump()
    with transaction(con):
        if goal_id is None:
            return repo.insert(con, "goals", values, actor=actor, request_id=form.request_id)
        existing = repo.get(con, "goals", goal_id)
        if existing is None or existing["product_id"] != form.product_id:
            raise NotFound(f"Goal #{goal_id} does not exist for this tool.")
        repo.update(con, "goals", goal_id, values, actor=actor, request_id=form.request_id)
        return goal_id


def people_choices(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return repo.fetch_all(con, "SELECT person_id, full_name FROM people WHERE active ORDER BY full_name")
