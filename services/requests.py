"""Requests (the unit of the product): create, edit, read across all steps, history, pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from db import repo
from db.connection import transaction
from models.enums import Role, Stage
from models.errors import InvalidInput, NotFound, PermissionDenied
from models.people import Actor
from models.requests import ActionItem, NeedsAssessment
from services import lifecycle
from services.permissions import Action, require

EDITABLE_STAGES = frozenset({Stage.NEEDS_ASSESSMENT, Stage.CRITERIA_SOPPA, Stage.BUDGET, Stage.REVIEW})


def requester_of(con: duckdb.DuckDBPyConnection, request_id: int | None) -> int | None:
    """Who made the request (None for no request, or one that does not exist)."""
    if request_id is None:
        return None
    return repo.fetch_value(con, "SELECT requester_id FROM requests WHERE request_id = ?", [request_id])


def get_request(con: duckdb.DuckDBPyConnection, request_id: int) -> dict[str, Any]:
    row = repo.fetch_one(
        con,
        """SELECT r.*, p.full_name AS requester_name, l.full_name AS leader_name, s.name AS school_name,
                  pr.name AS selected_product_name
           FROM requests r JOIN people p ON p.person_id = r.requester_id
           LEFT JOIN people l ON l.person_id = r.leader_id
           LEFT JOIN schools s ON s.school_id = r.school_id
           LEFT JOIN products pr ON pr.product_id = r.selected_product_id
           WHERE r.request_id = ?""",
        [request_id],
    )
    if row is None:
        raise NotFound(f"Request #{request_id} does not exist. Pick one from the pipeline.")
    return row


def create_request(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    form: NeedsAssessment,
    items: list[ActionItem] | None = None,
) -> int:
    """A new draft (step 1) and its action-plan items, written in one transaction."""
    require(actor, Action.CREATE_REQUEST)
    values = form.model_dump()
    values["requester_id"] = actor.person_id
    if values.get("leader_id") is None:
        values["leader_id"] = actor.person_id
    with transaction(con):
        request_id = repo.insert(con, "requests", values, actor=actor)
        _insert_items(con, actor, request_id, items or [])
    return request_id


def _require_editor(actor: Actor, request: dict[str, Any]) -> None:
    require(actor, Action.EDIT_REQUEST)
    if request["requester_id"] != actor.person_id and not actor.has(Role.ADMIN, Role.APPROVER):
        raise PermissionDenied("Only the requester (or an approver or administrator) can edit this request.")
    if Stage(request["stage"]) not in EDITABLE_STAGES:
        raise InvalidInput(
            f"The request is at '{Stage(request['stage']).label}'; the needs assessment is frozen after review."
        )


def update_request(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    request_id: int,
    form: NeedsAssessment,
    items: list[ActionItem] | None = None,
) -> None:
    """Edit the needs assessment and add new action-plan items, in one transaction."""
    request = get_request(con, request_id)
    _require_editor(actor, request)
    changes = form.model_dump()
    if changes.get("leader_id") is None:
        changes.pop("leader_id")
    changes["updated_at"] = dt.datetime.now()
    with transaction(con):
        repo.update(con, "requests", request_id, changes, actor=actor)
        _insert_items(con, actor, request_id, items or [])


def add_action_item(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, item: ActionItem) -> int:
    request = get_request(con, request_id)
    _require_editor(actor, request)
    with transaction(con):
        return _insert_items(con, actor, request_id, [item])[0]


def _insert_items(
    con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, items: list[ActionItem]
) -> list[int]:
    return [
        repo.insert(
            con,
            "request_action_items",
            {"request_id": request_id, **item.model_dump()},
            actor=actor,
            request_id=request_id,
        )
        for item in items
    ]


def action_items(con: duckdb.DuckDBPyConnection, request_id: int) -> pd.DataFrame:
    return con.execute(
        "SELECT item_id, who, what, due_date, done_date FROM request_action_items"
        " WHERE request_id = ? ORDER BY coalesce(due_date, DATE '9999-12-31'), item_id",
        [request_id],
    ).df()


def open_alternative(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int) -> int:
    """After a denial: a linked new request that keeps the needs assessment (SOP step 5, 'if no')."""
    require(actor, Action.CREATE_REQUEST)
    original = get_request(con, request_id)
    if Stage(original["stage"]) != Stage.DENIED:
        raise InvalidInput("An alternative is examined after a request is denied.")
    keep = [name for name in NeedsAssessment.model_fields if name != "title"]  # the whole assessment
    values = {k: original[k] for k in keep}
    values.update(
        title=f"Alternative to: {original['title']}"[:200],
        requester_id=actor.person_id,
        alternative_of=request_id,
        stage=Stage.CRITERIA_SOPPA.value,
        submitted_at=dt.datetime.now(),
    )
    with transaction(con):
        new_id = repo.insert(con, "requests", values, actor=actor)
        # carry the chosen criteria over; the denied product is not a candidate of the new request
        con.execute(
            "INSERT INTO request_criteria SELECT ?, criterion_id, weight FROM request_criteria"
            " WHERE request_id = ?",
            [new_id, request_id],
        )
    return new_id


def history(con: duckdb.DuckDBPyConnection, request_id: int) -> pd.DataFrame:
    """The request's audit trail: every change to it and to the records that belong to it."""
    return con.execute(
        """SELECT logged_at AS "When", coalesce(actor_email, 'system') AS "Who", action AS "Action",
                  table_name AS "Record type", record_id AS "Record", note AS "Note",
                  before AS "Before", after AS "After"
           FROM audit_log WHERE request_id = ? ORDER BY audit_id DESC""",
        [request_id],
    ).df()


def request_options(con: duckdb.DuckDBPyConnection, stages: list[Stage] | None = None) -> dict[str, int]:
    """'#id · title (stage)' -> id, for pickers; `stages` keeps only the requests a step page serves."""
    wanted = [Stage(s).value for s in stages or []]
    where = f" WHERE stage IN ({', '.join('?' for _ in wanted)})" if wanted else ""
    return {
        f"#{r[0]} · {r[1]} ({Stage(r[2]).label})": r[0]
        for r in con.execute(
            f"SELECT request_id, title, stage FROM requests{where} ORDER BY request_id DESC", wanted
        ).fetchall()
    }


PIPELINE_COLUMNS = [
    "Request",
    "Title",
    "Stage",
    "stage",
    "Step",
    "school_id",
    "School",
    "Department",
    "Leader",
    "Product",
    "Days in stage",
    "Overdue",
    "Next action",
    "Blockers",
]


def pipeline(con: duckdb.DuckDBPyConnection, *, today: dt.date | None = None) -> pd.DataFrame:
    """Every request by stage with owner, days in stage, next action, blockers and overdue flag."""
    today = today or dt.date.today()
    rows = repo.fetch_all(
        con,
        """SELECT r.request_id, r.title, r.stage, r.stage_entered_at, r.department, r.school_id,
                  s.name AS school, p.full_name AS requester, l.full_name AS leader,
                  pr.name AS product, r.alternative_of
           FROM requests r JOIN people p ON p.person_id = r.requester_id
           LEFT JOIN people l ON l.person_id = r.leader_id
           LEFT JOIN schools s ON s.school_id = r.school_id
           LEFT JOIN products pr ON pr.product_id = r.selected_product_id
           ORDER BY r.request_id""",
    )
    out = []
    for row in rows:
        stage = Stage(row["stage"])
        days = (today - row["stage_entered_at"].date()).days
        sla = lifecycle.STAGE_SLA_DAYS.get(stage)
        blockers = (
            []
            if stage in lifecycle.TERMINAL
            else lifecycle.blockers(lifecycle.gather_facts(con, row["request_id"], today))
        )
        out.append(
            {
                "Request": row["request_id"],
                "Title": row["title"],
                "Stage": stage.label,
                "stage": stage.value,
                "Step": stage.sop_step,
                "school_id": row["school_id"],
                "School": row["school"] or "District-wide",
                "Department": row["department"] or "",
                "Leader": row["leader"] or row["requester"],
                "Product": row["product"] or "",
                "Days in stage": days,
                "Overdue": bool(sla is not None and days > sla),
                "Next action": lifecycle.NEXT_ACTION[stage],
                "Blockers": " ".join(blockers),
            }
        )
    return pd.DataFrame(out, columns=PIPELINE_COLUMNS)


def filter_pipeline(
    rows: pd.DataFrame,
    *,
    stages: list[str] | None = None,
    school_ids: list[int] | None = None,
    departments: list[str] | None = None,
    include_closed: bool = False,
) -> pd.DataFrame:
    """Narrow the pipeline; withdrawn and closed requests only on demand (denied ones stay visible)."""
    keep = pd.Series(True, index=rows.index)
    if not include_closed:
        keep &= ~rows["stage"].isin([Stage.WITHDRAWN.value, Stage.CLOSED.value])
    if stages:
        keep &= rows["stage"].isin(stages)
    if school_ids:
        keep &= rows["school_id"].isin(school_ids)
    if departments:
        keep &= rows["Department"].isin(departments)
    return rows[keep]
