"""SOP step 1 (needs assessment): search what the district already has, save a draft, submit.

Why a module of its own: the intake page needs three things the request service does not do on its
own. It searches the catalog first ("an approved tool may already do this"), it saves the form and
its new action-plan items as one step, and it submits through the lifecycle so the step-1 gate (in
services/lifecycle.py, not here) decides what must be filled in.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from models.enums import Stage
from models.errors import InvalidInput
from models.people import Actor
from models.requests import ActionItem, NeedsAssessment
from services import lifecycle
from services import requests as request_service

# catalog statuses that mean "teachers may use this today"
USABLE_TOOL_STATUSES = ("approved", "core", "supplemental")


def grade_number(grade: str | int | None) -> int | None:
    """'K' -> 0, 'PK' -> -1, '5' -> 5; None or '' -> None. Raises InvalidInput for anything else."""
    if grade is None or grade == "":
        return None
    if isinstance(grade, int):
        value = grade
    else:
        text = grade.strip().upper()
        value = {"PK": -1, "PRE-K": -1, "K": 0, "KG": 0}.get(text)
        if value is None:
            try:
                value = int(text)
            except ValueError:
                raise InvalidInput(f"'{grade}' is not a grade; use PK, K or 1-12.") from None
    if not -1 <= value <= 12:
        raise InvalidInput(f"Grade {value} is outside PK-12.")
    return value


def find_existing_tools(
    con: duckdb.DuckDBPyConnection,
    *,
    keyword: str | None = None,
    subject: str | None = None,
    grade: str | int | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """Catalog tools (usable ones first) that match a keyword, a subject and a grade.

    Every word of the keyword must appear somewhere in the product's name, description or subjects,
    the vendor's name, or the catalog entry's purpose, keywords or subjects, as in the catalog's own
    search ("reading fluency" finds a tool whose subject is Reading and whose purpose says fluency);
    the subject in the product's or catalog entry's subjects; the grade against the product's range.
    """
    grade_value = grade_number(grade)
    clauses, params = ["1 = 1"], []
    haystack = (
        "lower(concat_ws(' ', p.name, p.description, p.subjects, v.name, c.purpose, c.keywords, c.subjects))"
    )
    for word in (keyword or "").lower().split():
        clauses.append(f"contains({haystack}, ?)")
        params.append(word)
    if subject and subject.strip():
        like = f"%{subject.strip().lower()}%"
        clauses.append("(lower(coalesce(p.subjects, '')) LIKE ? OR lower(coalesce(c.subjects, '')) LIKE ?)")
        params += [like, like]
    if grade_value is not None:
        clauses.append(
            "(p.grade_low IS NULL OR p.grade_low <= ?) AND (p.grade_high IS NULL OR p.grade_high >= ?)"
        )
        params += [grade_value, grade_value]
    placeholders = ", ".join("?" for _ in USABLE_TOOL_STATUSES)
    sql = f"""
        SELECT p.product_id, p.name AS "Tool", v.name AS "Vendor", c.tool_status AS tool_status,
               c.privacy_status AS privacy_status, coalesce(c.subjects, p.subjects) AS "Subjects",
               p.grade_low, p.grade_high, coalesce(c.purpose, p.description) AS "Purpose",
               c.tool_status IN ({placeholders}) AS usable
        FROM catalog_entries c JOIN products p USING (product_id) JOIN vendors v USING (vendor_id)
        WHERE {" AND ".join(clauses)}
        ORDER BY usable DESC, p.name
        LIMIT ?"""
    return con.execute(sql, [*USABLE_TOOL_STATUSES, *params, limit]).df()


def save_draft(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    form: NeedsAssessment,
    new_items: list[ActionItem] | None = None,
    *,
    request_id: int | None = None,
) -> int:
    """Create or update the draft and add the new action-plan items; return the request id.

    Every input is a validated model before anything is written, so a bad item cannot leave a
    half-saved draft; the request and its items are written in one transaction.
    """
    items = list(new_items or [])
    if request_id is None:
        return request_service.create_request(con, actor, form, items)
    request_service.update_request(con, actor, request_id, form, items)
    return request_id


def submit(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int) -> Stage:
    """Step 1 -> step 2, through the lifecycle gate (which lists everything still missing)."""
    return lifecycle.transition(con, actor, request_id, Stage.CRITERIA_SOPPA)


def submission_blockers(con: duckdb.DuckDBPyConnection, request_id: int) -> list[str]:
    """What the step-1 gate still wants, for showing next to the Submit button."""
    facts = lifecycle.gather_facts(con, request_id)
    return lifecycle.blockers(facts) if facts.stage == Stage.NEEDS_ASSESSMENT else []
