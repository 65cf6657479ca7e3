"""SOP step 4: the committee's review (pilots, 1-5 scores, pros/cons/gaps) and the technology
department's integration check ("determines if the program integrates with other district
platforms. Examples: SIS, Rostering Platforms").

Scores and integration checks are upserts on their natural keys (one score per candidate,
criterion and reviewer; one check per request, product and integration), so doing it again
updates the earlier answer instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from db import repo
from db.connection import transaction
from models.errors import InvalidInput, NotFound
from models.people import Actor
from models.purchasing import IntegrationCheckInput, PilotInput, ProsCons, ScoreInput
from services.criteria import get_candidate
from services.permissions import Action, require, require_on_request
from services.requests import requester_of


def _criterion_weighted_for(con: duckdb.DuckDBPyConnection, request_id: int, criterion_id: int) -> None:
    if not repo.fetch_value(
        con,
        "SELECT count(*) FROM request_criteria WHERE request_id = ? AND criterion_id = ?",
        [request_id, criterion_id],
    ):
        raise InvalidInput("That criterion is not one of this request's weighted criteria.")


def save_scores(con: duckdb.DuckDBPyConnection, actor: Actor, scores: list[ScoreInput]) -> int:
    """Save a reviewer's scores (all or nothing); an existing score by the same reviewer is updated."""
    require(actor, Action.SCORE_CANDIDATE)
    if not scores:
        raise InvalidInput("Enter at least one score.")
    request_of: dict[int, int] = {}
    for s in scores:
        candidate = get_candidate(con, s.candidate_id)
        if candidate["status"] != "active":
            raise InvalidInput(f"{candidate['product']} is no longer an active candidate.")
        _criterion_weighted_for(con, candidate["request_id"], s.criterion_id)
        request_of[s.candidate_id] = candidate["request_id"]
    saved = 0
    with transaction(con):
        for s in scores:
            request_id = request_of[s.candidate_id]
            existing = repo.fetch_value(
                con,
                "SELECT score_id FROM review_scores WHERE candidate_id = ? AND criterion_id = ?"
                " AND reviewer_id = ?",
                [s.candidate_id, s.criterion_id, actor.person_id],
            )
            values = {"score": s.score, "comment": s.comment, "scored_at": dt.datetime.now()}
            if existing is None:
                repo.insert(
                    con,
                    "review_scores",
                    {
                        "candidate_id": s.candidate_id,
                        "criterion_id": s.criterion_id,
                        "reviewer_id": actor.person_id,
                        **values,
                    },
                    actor=actor,
                    request_id=request_id,
                )
            else:
                repo.update(con, "review_scores", existing, values, actor=actor, request_id=request_id)
            saved += 1
    return saved


def save_score(con: duckdb.DuckDBPyConnection, actor: Actor, score: ScoreInput) -> None:
    save_scores(con, actor, [score])


def scores(con: duckdb.DuckDBPyConnection, request_id: int) -> pd.DataFrame:
    """Every score on the request: one row per candidate, criterion and reviewer."""
    return con.execute(
        """SELECT s.candidate_id, c.product_id, p.name AS product, s.criterion_id, cr.name AS criterion,
                  s.reviewer_id, pe.full_name AS reviewer, s.score, s.comment, s.scored_at
           FROM review_scores s JOIN candidates c USING (candidate_id) JOIN products p USING (product_id)
           JOIN criteria cr USING (criterion_id) JOIN people pe ON pe.person_id = s.reviewer_id
           WHERE c.request_id = ? ORDER BY p.name, cr.name, pe.full_name""",
        [request_id],
    ).df()


def my_scores(
    con: duckdb.DuckDBPyConnection, candidate_id: int, reviewer_id: int
) -> dict[int, dict[str, Any]]:
    rows = repo.fetch_all(
        con,
        "SELECT criterion_id, score, comment FROM review_scores WHERE candidate_id = ? AND reviewer_id = ?",
        [candidate_id, reviewer_id],
    )
    return {r["criterion_id"]: r for r in rows}


def add_pilot(con: duckdb.DuckDBPyConnection, actor: Actor, pilot: PilotInput) -> int:
    require(actor, Action.MANAGE_CANDIDATES)
    candidate = get_candidate(con, pilot.candidate_id)
    require_on_request(actor, Action.MANAGE_CANDIDATES, requester_of(con, candidate["request_id"]))
    with transaction(con):
        return repo.insert(con, "pilots", pilot.model_dump(), actor=actor, request_id=candidate["request_id"])


def pilots(con: duckdb.DuckDBPyConnection, request_id: int) -> pd.DataFrame:
    return con.execute(
        """SELECT pl.pilot_id, p.name AS product, pl.participants, pl.start_date, pl.end_date, pl.findings
           FROM pilots pl JOIN candidates c USING (candidate_id) JOIN products p USING (product_id)
           WHERE c.request_id = ? ORDER BY pl.start_date NULLS LAST, pl.pilot_id""",
        [request_id],
    ).df()


def save_pros_cons(con: duckdb.DuckDBPyConnection, actor: Actor, candidate_id: int, notes: ProsCons) -> None:
    require(actor, Action.MANAGE_CANDIDATES)
    candidate = get_candidate(con, candidate_id)
    require_on_request(actor, Action.MANAGE_CANDIDATES, requester_of(con, candidate["request_id"]))
    with transaction(con):
        repo.update(
            con,
            "candidates",
            candidate_id,
            notes.model_dump(),
            actor=actor,
            request_id=candidate["request_id"],
        )


def record_integration_check(
    con: duckdb.DuckDBPyConnection, actor: Actor, check: IntegrationCheckInput
) -> int:
    """Only the technology department; a second check of the same integration replaces the first."""
    require(actor, Action.VERIFY_INTEGRATION)
    if repo.get(con, "products", check.product_id) is None:
        raise NotFound(f"Product #{check.product_id} does not exist.")
    if check.request_id is not None and repo.get(con, "requests", check.request_id) is None:
        raise NotFound(f"Request #{check.request_id} does not exist.")
    values = {
        "result": check.result.value,
        "evidence": check.evidence,
        "checked_by": actor.person_id,
        "checked_at": dt.datetime.now(),
    }
    # DuckDB's `=` never matches NULL, so a district-wide check (no request) is looked up explicitly
    existing = repo.fetch_value(
        con,
        "SELECT check_id FROM integration_checks WHERE product_id = ? AND integration = ?"
        " AND request_id IS NOT DISTINCT FROM ?",
        [check.product_id, check.integration.value, check.request_id],
    )
    with transaction(con):
        if existing is None:
            return repo.insert(
                con,
                "integration_checks",
                {
                    "request_id": check.request_id,
                    "product_id": check.product_id,
                    "integration": check.integration.value,
                    **values,
                },
                actor=actor,
                request_id=check.request_id,
            )
        repo.update(con, "integration_checks", existing, values, actor=actor, request_id=check.request_id)
        return existing


def integration_checks(con: duckdb.DuckDBPyConnection, request_id: int) -> pd.DataFrame:
    """Checks for the request's candidates: this request's, and district-wide ones (no request)."""
    return con.execute(
        """SELECT ic.check_id, ic.product_id, p.name AS product, ic.integration, ic.result, ic.evidence,
                  pe.full_name AS checked_by, ic.checked_at, ic.request_id
           FROM integration_checks ic JOIN products p USING (product_id)
           JOIN people pe ON pe.person_id = ic.checked_by
           WHERE ic.product_id IN (SELECT product_id FROM candidates WHERE request_id = ?)
             AND (ic.request_id = ? OR ic.request_id IS NULL)
           ORDER BY p.name, ic.integration""",
        [request_id, request_id],
    ).df()
