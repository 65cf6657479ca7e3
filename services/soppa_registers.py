"""The SOPPA breach register and parent-request log, with their clocks from services/soppa_posting.

Only the compliance officer writes (MANAGE_SOPPA_REGISTERS); staff may read. Dates in the future
are refused by the forms (models/soppa.py). A breach's share of enrollment uses the enrollment
recorded with it, or else the district's latest enrollment total at the time it is recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from models.errors import NotFound
from models.people import Actor
from models.soppa import PARENT_REQUEST_LABELS, BreachForm, ParentRequestForm
from services.permissions import Action, require
from services.soppa_posting import (
    breach_is_listed,
    breach_notice_due,
    breach_share,
    load_rules,
    parent_request_due,
)


def district_enrollment(con: duckdb.DuckDBPyConnection) -> int | None:
    """Students enrolled in the latest fiscal year on file (None when no enrollment is entered)."""
    total = repo.fetch_value(
        con,
        "SELECT sum(students) FROM enrollment WHERE fiscal_year = (SELECT max(fiscal_year) FROM enrollment)",
    )
    if total:
        return int(total)
    roster = repo.fetch_value(con, "SELECT count(*) FROM roster_students WHERE active")
    return int(roster) if roster else None


def _status(done: dt.date | None, due: dt.date, today: dt.date, paused: bool = False) -> str:
    if done is not None:
        return "done on time" if done <= due else f"done {(done - due).days} days late"
    if paused:
        return "delayed at law enforcement's request"
    if today > due:
        return f"overdue by {(today - due).days} days"
    return f"due in {(due - today).days} days"


def list_breaches(
    con: duckdb.DuckDBPyConnection, actor: Actor, today: dt.date | None = None
) -> list[dict[str, Any]]:
    require(actor, Action.VIEW_PIPELINE)
    today, rules = today or dt.date.today(), load_rules(con)
    rows = repo.fetch_all(
        con,
        """SELECT b.*, v.name AS operator FROM breaches b
                                  LEFT JOIN vendors v USING (vendor_id) ORDER BY b.learned_on DESC""",
    )
    for r in rows:
        r["share_of_enrollment"] = breach_share(r["students_affected"], r["enrollment_total"])
        r["listed_publicly"] = breach_is_listed(r["share_of_enrollment"], rules)
        r["notify_by"] = breach_notice_due(r["learned_on"], rules)
        r["clock"] = _status(r["parents_notified_on"], r["notify_by"], today, r["law_enforcement_delay"])
    return rows


def record_breach(
    con: duckdb.DuckDBPyConnection, actor: Actor, form: BreachForm, breach_id: int | None = None
) -> int:
    require(actor, Action.MANAGE_SOPPA_REGISTERS)
    values = form.model_dump()
    if values["enrollment_total"] is None:
        values["enrollment_total"] = district_enrollment(con)
    with transaction(con):
        if breach_id is None:
            return repo.insert(con, "breaches", values, actor=actor)
        if repo.get(con, "breaches", breach_id) is None:
            raise NotFound(f"Breach #{breach_id} does not exist.")
        repo.update(con, "breaches", breach_id, values, actor=actor)
        return breach_id


def list_parent_requests(
    con: duckdb.DuckDBPyConnection, actor: Actor, today: dt.date | None = None
) -> list[dict[str, Any]]:
    require(actor, Action.VIEW_PIPELINE)
    today, rules = today or dt.date.today(), load_rules(con)
    rows = repo.fetch_all(
        con,
        """SELECT r.*, v.name AS operator FROM parent_requests r
                                  LEFT JOIN vendors v USING (vendor_id)
                                  ORDER BY r.completed_on IS NOT NULL, r.received_on""",
    )
    for r in rows:
        r["kind_label"] = PARENT_REQUEST_LABELS.get(r["kind"], r["kind"])
        r["due"] = parent_request_due(r["received_on"], r["kind"], rules)
        r["clock"] = _status(r["completed_on"], r["due"], today)
    return rows


def record_parent_request(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    form: ParentRequestForm,
    parent_request_id: int | None = None,
) -> int:
    require(actor, Action.MANAGE_SOPPA_REGISTERS)
    values = form.model_dump()
    with transaction(con):
        if parent_request_id is None:
            return repo.insert(con, "parent_requests", values, actor=actor)
        if repo.get(con, "parent_requests", parent_request_id) is None:
            raise NotFound(f"Parent request #{parent_request_id} does not exist.")
        repo.update(con, "parent_requests", parent_request_id, values, actor=actor)
        return parent_request_id


def vendors(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return repo.fetch_all(con, "SELECT vendor_id, name FROM vendors ORDER BY lower(name)")


def agreements_for_posting(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Agreements with their signing/posting dates, for the posting-clock table."""
    return repo.fetch_all(
        con,
        """SELECT a.agreement_id, v.name AS operator, p.name AS product,
                                         a.agreement_type, a.signed_date, a.posted_date
                                  FROM agreements a JOIN vendors v USING (vendor_id)
                                  LEFT JOIN products p ON p.product_id = a.product_id
                                  ORDER BY a.posted_date IS NOT NULL, a.signed_date DESC NULLS LAST""",
    )
