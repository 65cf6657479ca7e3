"""Step 9: the implementation and monitoring plan, its milestones, and the preregistration lock.

The plan stores what step 10 needs to judge the tool: participants (the adoption denominator),
the dosage expectation (minutes per week over N weeks, share of weeks) and the active-user
threshold. The meaningful effect (in standard deviations, the scale of Hedges' g) and the
probability needed to act are recorded once, before outcome data is looked at: after
`preregister` sets `preregistered_at` they cannot be changed by anyone. That is stricter than
"until outcome data exists", on purpose: it removes any doubt about when the data was seen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from models.errors import InvalidInput, NotFound
from models.goals import MILESTONE_LABELS, MilestoneForm, PlanForm, PreregistrationForm
from models.people import Actor
from services.permissions import Action, require

# Review frequency -> days between reviews (the plan's next review moves by this after a review).
REVIEW_FREQUENCIES: dict[str, int] = {
    "Monthly": 30,
    "Every 6 weeks": 42,
    "Quarterly": 91,
    "Twice a year": 182,
    "Yearly": 365,
}
SEPARATOR = "; "


def _join(values: list[Any]) -> str | None:
    return SEPARATOR.join(str(v) for v in values) if values else None


def split_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def get_plan(con: duckdb.DuckDBPyConnection, actor: Actor, product_id: int) -> dict[str, Any] | None:
    require(actor, Action.VIEW_PIPELINE)
    row = repo.fetch_one(con, "SELECT * FROM implementation_plans WHERE product_id = ?", [product_id])
    if row is not None:
        row["schools_list"] = split_list(row["participant_schools"])
        row["grades_list"] = [int(g) for g in split_list(row["participant_grades"])]
        row["locked"] = row["preregistered_at"] is not None
    return row


def save_plan(con: duckdb.DuckDBPyConnection, actor: Actor, form: PlanForm) -> int:
    """Create or update the tool's plan. The preregistered numbers are not part of this form."""
    require(actor, Action.MANAGE_PLANS)
    if repo.get(con, "products", form.product_id) is None:
        raise NotFound(f"Product #{form.product_id} does not exist.")
    if form.review_frequency and form.review_frequency not in REVIEW_FREQUENCIES:
        raise InvalidInput("Review frequency: choose one of " + ", ".join(REVIEW_FREQUENCIES) + ".")
    known = {r[0] for r in con.execute("SELECT name FROM schools").fetchall()}
    unknown = [s for s in form.participant_schools if s not in known]
    if unknown:
        raise InvalidInput("Participating schools: unknown school " + ", ".join(unknown) + ".")
    values = form.model_dump()
    values["participant_schools"] = _join(form.participant_schools)
    values["participant_grades"] = _join(form.participant_grades)
    existing = repo.fetch_value(
        con, "SELECT plan_id FROM implementation_plans WHERE product_id = ?", [form.product_id]
    )
    with transaction(con):
        if existing is None:
            return repo.insert(con, "implementation_plans", values, actor=actor, request_id=form.request_id)
        values.pop("product_id")
        repo.update(con, "implementation_plans", existing, values, actor=actor, request_id=form.request_id)
        return existing


def preregister(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    product_id: int,
    form: PreregistrationForm,
    now: dt.datetime | None = None,
) -> None:
    """Record the meaningful effect and probability needed to act, once; afterwards locked."""
    require(actor, Action.MANAGE_PLANS)
    plan = repo.fetch_one(con, "SELECT * FROM implementation_plans WHERE product_id = ?", [product_id])
    if plan is None:
        raise NotFound("Write the plan first; the decision rule is recorded with it.")
    if plan["preregistered_at"] is not None:
        raise InvalidInput(
            f"Meaningful effect: locked since {plan['preregistered_at']:%m/%d/%Y %H:%M}, when it was "
            "preregistered. It cannot change once set, so the decision rule stays the one chosen "
            "before any outcome data was seen."
        )
    with transaction(con):
        repo.update(
            con,
            "implementation_plans",
            plan["plan_id"],
            {
                "meaningful_effect": form.meaningful_effect,
                "decision_probability": form.decision_probability,
                "preregistered_at": now or dt.datetime.now(),
            },
            actor=actor,
            note="preregistered the decision rule",
        )


def record_review_done(
    con: duckdb.DuckDBPyConnection, actor: Actor, product_id: int, today: dt.date | None = None
) -> dt.date:
    """A review happened: move the next review by the plan's frequency (30 days if none is set)."""
    require(actor, Action.MANAGE_PLANS)
    plan = repo.fetch_one(con, "SELECT * FROM implementation_plans WHERE product_id = ?", [product_id])
    if plan is None:
        raise NotFound(f"Product #{product_id} has no plan.")
    today = today or dt.date.today()
    next_date = today + dt.timedelta(days=REVIEW_FREQUENCIES.get(plan["review_frequency"] or "", 30))
    with transaction(con):
        repo.update(
            con,
            "implementation_plans",
            plan["plan_id"],
            {"next_review_date": next_date},
            actor=actor,
            note="review done",
        )
    return next_date


# -- milestones (also training sessions and survey schedule) ----------------------------------


def milestones(con: duckdb.DuckDBPyConnection, plan_id: int) -> list[dict[str, Any]]:
    rows = repo.fetch_all(
        con, "SELECT * FROM plan_milestones WHERE plan_id = ? ORDER BY start_date, milestone_id", [plan_id]
    )
    for r in rows:
        r["kind_label"] = MILESTONE_LABELS.get(r["kind"], r["kind"])
        r["finish"] = r["end_date"] or r["start_date"]
    return rows


def save_milestone(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    plan_id: int,
    form: MilestoneForm,
    milestone_id: int | None = None,
) -> int:
    require(actor, Action.MANAGE_PLANS)
    if repo.get(con, "implementation_plans", plan_id) is None:
        raise NotFound(f"Plan #{plan_id} does not exist.")
    values = {"plan_id": plan_id, **form.model_dump()}
    with transaction(con):
        if milestone_id is None:
            return repo.insert(con, "plan_milestones", values, actor=actor)
        existing = repo.get(con, "plan_milestones", milestone_id)
        if existing is None or existing["plan_id"] != plan_id:
            raise NotFound(f"Milestone #{milestone_id} is not part of this plan.")
        repo.update(con, "plan_milestones", milestone_id, values, actor=actor)
        return milestone_id


def timeline_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a Gantt-style chart: a one-day item still gets a visible bar (end is exclusive)."""
    return [
        {
            "Item": r["name"],
            "Kind": r["kind_label"],
            "Start": r["start_date"],
            "Finish": (r["end_date"] or r["start_date"]) + dt.timedelta(days=1),
            "Done": "done" if r["completed_on"] else "open",
        }
        for r in rows
    ]


def upcoming_reviews(
    con: duckdb.DuckDBPyConnection, today: dt.date | None = None, within_days: int = 30
) -> list[dict[str, Any]]:
    """Plan reviews and review milestones due by today + within_days (past ones are overdue)."""
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=within_days)
    rows = repo.fetch_all(
        con,
        """SELECT p.product_id, pr.name AS product, 'Plan review' AS what, p.next_review_date AS due,
                  p.request_id
           FROM implementation_plans p JOIN products pr USING (product_id)
           WHERE p.next_review_date IS NOT NULL AND p.next_review_date <= ?
           UNION ALL
           SELECT p.product_id, pr.name, m.name, m.start_date, p.request_id
           FROM plan_milestones m JOIN implementation_plans p USING (plan_id)
           JOIN products pr ON pr.product_id = p.product_id
           WHERE m.kind = 'review' AND m.completed_on IS NULL AND m.start_date <= ?
           ORDER BY due""",
        [horizon, horizon],
    )
    for r in rows:
        r["severity"] = "overdue" if r["due"] < today else "upcoming"
        r["days_left"] = (r["due"] - today).days
    return rows
