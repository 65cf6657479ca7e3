"""SOP step 5: the approver's decision and the purchase coordination that follows it.

The gate itself (SOPPA compliant and integrates with district systems) and the moves between stages
are services/lifecycle.py's; this module adds what surrounds them: choosing the product to put to
the gate, "examine an alternative" after a no, and the purchase checklist (IT notified, funding,
PO, accounts, contract and agreement), which moves the request on to the catalog once complete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from db import repo
from db.connection import transaction
from models.enums import PurchaseTask, Stage
from models.errors import InvalidInput, NotFound, PermissionDenied
from models.people import Actor
from models.purchasing import PurchaseTaskUpdate
from services import lifecycle
from services.permissions import Action, require, require_not_own, require_on_request
from services.requests import get_request, open_alternative

SELECTABLE_STAGES = frozenset({Stage.REVIEW, Stage.DECISION})
# a task that cannot be marked done without its reference
REFERENCE_REQUIRED = {PurchaseTask.PURCHASE_ORDER: "the purchase order number"}


def select_product(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, product_id: int) -> None:
    """Put one active candidate forward to the step-5 gate."""
    require(actor, Action.MANAGE_CANDIDATES)
    request = get_request(con, request_id)
    require_on_request(actor, Action.MANAGE_CANDIDATES, request["requester_id"])
    if Stage(request["stage"]) not in SELECTABLE_STAGES:
        raise InvalidInput(
            f"The product is chosen during review; this request is at '{Stage(request['stage']).label}'."
        )
    status = repo.fetch_value(
        con, "SELECT status FROM candidates WHERE request_id = ? AND product_id = ?", [request_id, product_id]
    )
    if status != "active":
        raise InvalidInput("Only an active candidate of this request can be selected.")
    with transaction(con):
        repo.update(
            con,
            "requests",
            request_id,
            {"selected_product_id": product_id, "updated_at": dt.datetime.now()},
            actor=actor,
        )


def send_to_approver(
    con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, product_id: int | None = None
) -> Stage:
    """Step 4 -> 5: put `product_id` forward (when given) and hand the request to the approver.

    Selecting first is harmless if the move is refused: a chosen product is a valid state in review.
    """
    if product_id is not None:
        select_product(con, actor, request_id, product_id)
    return lifecycle.transition(con, actor, request_id, Stage.DECISION)


def gate_status(con: duckdb.DuckDBPyConnection, request_id: int, today: dt.date | None = None) -> list[str]:
    """What stops approval now (empty: the step-5 gate passes)."""
    return lifecycle.check_step5_gate(lifecycle.gather_facts(con, request_id, today))


def approve(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    request_id: int,
    *,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Stage:
    return lifecycle.transition(con, actor, request_id, Stage.PURCHASE, reason=reason, today=today)


def deny(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, reason: str) -> Stage:
    return lifecycle.transition(con, actor, request_id, Stage.DENIED, reason=reason)


def send_back(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, reason: str) -> Stage:
    return lifecycle.transition(con, actor, request_id, Stage.REVIEW, reason=reason)


def send_back_without_candidate(
    con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, reason: str
) -> Stage:
    """'Examine an alternative' within the same request: back to review, the refused product excluded.

    Permission, ownership and the reason are checked before anything is written, so the stage move
    (the lifecycle's own transaction) only fails for reasons that leave nothing behind.
    """
    require(actor, Action.DECIDE_REQUEST)
    request = get_request(con, request_id)
    require_not_own(actor, request["requester_id"], "send back")
    if not (reason and reason.strip()):
        raise InvalidInput("Say why the product cannot be used (the reason is kept with the decision).")
    product_id = request["selected_product_id"]
    stage = send_back(con, actor, request_id, reason)
    if product_id is not None:
        with transaction(con):
            candidate = repo.fetch_value(
                con,
                "SELECT candidate_id FROM candidates WHERE request_id = ? AND product_id = ?",
                [request_id, product_id],
            )
            if candidate is not None:
                repo.update(
                    con,
                    "candidates",
                    candidate,
                    {"status": "excluded"},
                    actor=actor,
                    request_id=request_id,
                    note=reason,
                )
            repo.update(
                con,
                "requests",
                request_id,
                {"selected_product_id": None},
                actor=actor,
                note="Excluded after the step-5 gate",
            )
    return stage


def deny_and_open_alternative(
    con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, reason: str
) -> int:
    """Deny, then open a linked new request that keeps the needs assessment and criteria."""
    require(actor, Action.CREATE_REQUEST)  # checked first so the denial is not left alone
    deny(con, actor, request_id, reason)
    return open_alternative(con, actor, request_id)


def decisions(con: duckdb.DuckDBPyConnection, request_id: int) -> pd.DataFrame:
    return con.execute(
        """SELECT d.decided_at AS "When", d.decision AS "Decision", p.name AS "Product",
                  d.reason AS "Reason", pe.full_name AS "By"
           FROM decisions d JOIN people pe ON pe.person_id = d.decided_by
           LEFT JOIN products p ON p.product_id = d.product_id
           WHERE d.request_id = ? ORDER BY d.decided_at DESC, d.decision_id DESC""",
        [request_id],
    ).df()


# -- purchase coordination ----------------------------------------------------------------------


@dataclass(frozen=True)
class TaskResult:
    moved_to: Stage | None  # set when completing the checklist moved the request on
    message: str


def purchase_tasks(con: duckdb.DuckDBPyConnection, request_id: int) -> list[dict[str, Any]]:
    rows = repo.fetch_all(
        con,
        """SELECT t.*, pe.full_name AS owner_name FROM purchase_tasks t
                LEFT JOIN people pe ON pe.person_id = t.owner_id WHERE t.request_id = ?""",
        [request_id],
    )
    order = {task.value: i for i, task in enumerate(PurchaseTask)}
    return sorted(rows, key=lambda r: order.get(r["task"], 99))


def update_task(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    task_id: int,
    form: PurchaseTaskUpdate,
    *,
    today: dt.date | None = None,
) -> TaskResult:
    """Save one checklist item; when the last one is done the request moves on to the catalog."""
    require(actor, Action.MANAGE_PURCHASE)
    today = today or dt.date.today()
    task = repo.get(con, "purchase_tasks", task_id)
    if task is None:
        raise NotFound(f"Checklist item #{task_id} does not exist.")
    request = get_request(con, task["request_id"])
    if Stage(request["stage"]) != Stage.PURCHASE:
        raise InvalidInput("The purchase checklist can be changed only while the request is at purchase.")
    if form.done_date is not None and form.done_date > today:
        raise InvalidInput("The done date is in the future; record it when the step is done.")
    needed = REFERENCE_REQUIRED.get(PurchaseTask(task["task"]))
    if form.done_date is not None and needed and not form.reference:
        raise InvalidInput(f"Enter {needed} before marking '{PurchaseTask(task['task']).label}' done.")
    if form.owner_id is not None and repo.get(con, "people", form.owner_id) is None:
        raise NotFound(f"Person #{form.owner_id} does not exist.")
    with transaction(con):
        repo.update(
            con, "purchase_tasks", task_id, form.model_dump(), actor=actor, request_id=task["request_id"]
        )
    left = repo.fetch_value(
        con,
        "SELECT count(*) FROM purchase_tasks WHERE request_id = ? AND done_date IS NULL",
        [task["request_id"]],
    )
    if left:
        return TaskResult(None, f"Saved. {left} checklist item(s) left.")
    try:
        stage = lifecycle.transition(con, actor, task["request_id"], Stage.CATALOG)
    except PermissionDenied:
        return TaskResult(
            None, "Saved. The checklist is complete; someone who manages purchases moves it on."
        )
    return TaskResult(stage, "The checklist is complete: the request moved on to the catalog (step 6).")


def owner_choices(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """People who usually own checklist items: business office, technology, approvers."""
    return repo.fetch_all(
        con,
        """SELECT DISTINCT p.person_id, p.full_name FROM people p JOIN person_roles r USING (person_id)
                WHERE p.active AND r.role IN ('business_office', 'technology', 'approver')
                ORDER BY p.full_name""",
    )
