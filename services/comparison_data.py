"""Gathers what the comparison page needs from the database and hands it to the pure maths in
services/comparison.py: weights, scores, each candidate's gate verdict and cost per student.

Gate verdicts reuse the step-5 checks of services/lifecycle.py (`check_soppa`, `check_integration`)
on each candidate's own facts, so "failing a gate" means exactly what the approval gate means. The
cost per student per year comes from the candidate's latest step-3 budget scenario
(services.scenarios.latest_scenario, evaluated by services.costs); without one the page says
"no budget model yet".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from db import repo
from models.enums import IntegrationResult, PrivacyStatus
from models.errors import DomainError
from services import lifecycle, scenarios
from services.comparison import Comparison, GateState, GateVerdict, compare
from services.costs import evaluate
from services.criteria import candidates as candidate_table
from services.criteria import request_criteria
from services.review import scores as score_table

# SOPPA statuses that settle the question "no" (as opposed to "not decided yet")
SOPPA_FAILED = frozenset({PrivacyStatus.NOT_COMPLIANT, PrivacyStatus.PARENT_CONSENT_REQUIRED})
NO_BUDGET_MODEL = "no budget model yet"


@dataclass
class ComparisonView:
    comparison: Comparison
    candidates: pd.DataFrame  # candidate rows incl. excluded ones
    weights: dict[str, float]  # criterion name -> percent
    gate_criteria: list[str]
    costs: dict[str, float | None]  # candidate name -> cost per student per year


def gate_verdict(facts: lifecycle.GateFacts, vendor_says_no: list[str]) -> GateVerdict:
    """FAILED when the answer is settled as no; OPEN while something is undecided; else PASSED."""
    reasons = lifecycle.check_soppa(facts) + lifecycle.check_integration(facts)
    reasons += [f"The vendor says it does not meet '{name}'." for name in vendor_says_no]
    failed = (
        facts.soppa_status in SOPPA_FAILED
        or IntegrationResult.FAILED in facts.integration_results
        or bool(vendor_says_no)
    )
    if failed:
        return GateVerdict(GateState.FAILED, tuple(reasons))
    return GateVerdict(GateState.OPEN if reasons else GateState.PASSED, tuple(reasons))


def cost_per_student(con: duckdb.DuckDBPyConnection, request_id: int, product_id: int) -> float | None:
    """Cost per student per year from the candidate's latest saved budget scenario (step 3), or None."""
    try:
        saved = scenarios.latest_scenario(con, request_id, product_id)
        if saved is None:
            return None
        return evaluate(saved.quote, saved.params).summary.cost_per_student
    except (DomainError, ValueError):  # a scenario that no longer validates: show "no budget model yet"
        return None


def load_comparison(
    con: duckdb.DuckDBPyConnection, request_id: int, today: dt.date | None = None
) -> ComparisonView:
    crit = request_criteria(con, request_id)
    weights = {str(r["name"]): float(r["weight"]) for r in crit.to_dict("records")}
    gate_criteria = [str(r["name"]) for r in crit.to_dict("records") if r["is_gate"]]
    cands = candidate_table(con, request_id)
    active = cands[cands["status"] == "active"]
    says_no = repo.fetch_all(
        con,
        """SELECT r.candidate_id, cr.name FROM vendor_responses r JOIN criteria cr USING (criterion_id)
                JOIN request_criteria rc ON rc.criterion_id = r.criterion_id AND rc.request_id = ?
                WHERE cr.is_gate AND r.meets = 'no'""",
        [request_id],
    )
    gates: dict[str, GateVerdict] = {}
    costs: dict[str, float | None] = {}
    for row in active.to_dict("records"):
        no = [r["name"] for r in says_no if r["candidate_id"] == row["candidate_id"]]
        gates[row["product"]] = gate_verdict(
            lifecycle.gather_facts(con, request_id, today, product_id=int(row["product_id"])), no
        )
        costs[row["product"]] = cost_per_student(con, request_id, int(row["product_id"]))
    raw = score_table(con, request_id)
    raw = raw[raw["candidate_id"].isin(active["candidate_id"])]
    scores = pd.DataFrame(
        {
            "candidate": raw["product"],
            "criterion": raw["criterion"],
            "reviewer": raw["reviewer"],
            "score": raw["score"],
        }
    )
    result = compare(scores, weights, gates, candidates=list(active["product"]))
    return ComparisonView(result, cands, weights, gate_criteria, costs)
