"""SOP step 10's last act: decide a tool's future per review cycle, freeze the evidence, tell the contract.

Why: the SOP asks leaders to "reflect, share data and decide next steps". A decision (renew,
expand, modify, discontinue) is recorded once per tool per review cycle with its rationale and a
frozen JSON snapshot of the evidence as it stood (already suppressed, so it can be shared), and it
feeds the contract: discontinue turns auto-renewal off, the others flag the contract for the
business office's renewal. The renewal brief (services/renewal_brief.py) is rendered from the
snapshot, so the brief always shows what the committee saw.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

import duckdb
import pandas as pd

from db import repo
from db.connection import transaction
from models.enums import EvaluationDecision
from models.errors import InvalidInput, NotFound
from models.evaluation import RenewalDecisionCreate
from models.people import Actor
from services import suppression
from services.contracts import notice_deadline
from services.goal_progress import GoalProgress
from services.metrics import UsageReport, compare_years
from services.monitoring import FeedbackReport, OutcomeReport, ToolSetup
from services.permissions import Action, require

SNAPSHOT_VERSION = 1

CONTRACT_EFFECT = {
    EvaluationDecision.RENEW: "Flagged to renew at the current scope.",
    EvaluationDecision.EXPAND: "Flagged to renew with more licenses or schools.",
    EvaluationDecision.MODIFY: "Flagged to renegotiate before renewal (scope, price or terms).",
    EvaluationDecision.DISCONTINUE: "Auto-renewal turned off: do not renew; give notice by the deadline.",
}


def _clean(value: Any) -> Any:
    """JSON-safe: NaN -> None, dates -> ISO text, numpy scalars -> Python."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and value != value:
        return None
    return value


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None or frame.empty else _clean(frame.to_dict("records"))


def _count_as_shown(count: int, threshold: int) -> int | str:
    """A student count in the snapshot: the number, or '<10' when it is a small cell."""
    return suppression.display_count(count, threshold) if suppression.is_small(count, threshold) else count


def build_snapshot(
    *,
    setup: ToolSetup,
    usage: UsageReport | None,
    outcome: OutcomeReport | None,
    feedback: FeedbackReport | None,
    goals: list[GoalProgress],
    notes: list[dict[str, Any]],
    district: str,
    generated_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Everything the committee sees, as shown (suppressed display values, never student rows)."""
    snap: dict[str, Any] = {
        "version": SNAPSHOT_VERSION,
        "generated_at": (generated_at or dt.datetime.now()).isoformat(timespec="seconds"),
        "district": district,
        "threshold": setup.rules.threshold,
        "tool": {
            "product_id": setup.product["product_id"],
            "name": setup.tool,
            "vendor": setup.product.get("vendor"),
            "subjects": setup.product.get("subjects"),
        },
        "contract": None
        if setup.contract is None
        else _clean(
            {
                k: setup.contract.get(k)
                for k in (
                    "contract_id",
                    "start_date",
                    "end_date",
                    "annual_cost",
                    "quantity",
                    "auto_renew",
                    "notice_days",
                    "status",
                )
            }
        ),
        "plan": None
        if setup.plan is None
        else _clean(
            {
                k: setup.plan.get(k)
                for k in (
                    "extent",
                    "recommended_minutes_per_week",
                    "recommended_weeks",
                    "fidelity_share_of_weeks",
                    "active_user_min_minutes",
                    "meaningful_effect",
                    "decision_probability",
                )
            }
        ),
    }
    if usage is not None:
        snap["usage"] = {
            "school_year": usage.year.label,
            "weeks_observed": usage.weeks_observed,
            "metrics": [
                {
                    "key": m.key,
                    "label": m.label,
                    "display": m.display,
                    "definition": m.definition,
                    "missing": m.missing,
                }
                for m in usage.metrics.values()
            ],
            "weekly_active_users": _records(usage.weekly[["week", "active_users", "suppressed"]]),
            "school_grade": {} if usage.heatmap is None else _clean(usage.heatmap.display.to_dict()),
            "this_vs_last": _records(compare_years(usage)),
        }
    if outcome is not None:
        effect = outcome.effect
        snap["outcomes"] = {
            "subject": outcome.subject,
            "window": outcome.window_label,
            "message": outcome.message,
            "growth": _records(outcome.growth),
            "by_band": _records(outcome.by_band),
            "equivalence": [_clean(r.__dict__) for r in outcome.equivalence],
            "matched_pairs": _count_as_shown(outcome.n_matched_pairs, setup.rules.threshold),
            "effect": None if effect is None else _clean(effect.__dict__),
            "verdict": _clean(outcome.verdict.__dict__),
            "dose_response": None if outcome.dose is None else _clean(outcome.dose.__dict__),
        }
    if feedback is not None:
        snap["feedback"] = {
            "school_year": usage.year.label if usage is not None else None,
            "total_responses": feedback.total_responses,
            "likert": _records(feedback.likert.drop(columns=["score"], errors="ignore")),
            "over_time": _records(feedback.over_time.drop(columns=["value"], errors="ignore")),
        }
    snap["goals"] = [_clean(g.__dict__) for g in goals]
    snap["practice_notes"] = [
        _clean({"note": n["note"], "author": n.get("author"), "created_at": n.get("created_at")})
        for n in notes
    ]
    return _clean(snap)


def review_cycle_for(today: dt.date, start_month: int = 7) -> str:
    """The review cycle a decision made today belongs to: the school year, e.g. "2025-26"."""
    start = today.year if today.month >= start_month else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def active_contract(con: duckdb.DuckDBPyConnection, product_id: int) -> dict[str, Any] | None:
    """The contract a step-10 decision applies to: the tool's active one that ends last."""
    return repo.fetch_one(
        con,
        """SELECT contract_id, auto_renew, end_date, notice_days FROM contracts
           WHERE product_id = ? AND status = 'active' ORDER BY end_date DESC LIMIT 1""",
        [product_id],
    )


def missed_notice(contract: dict[str, Any] | None, today: dt.date) -> str | None:
    """For an auto-renewing contract whose notice deadline has passed: what discontinuing now means.
    Turning auto-renewal off in the records would not change the signed terms, so it is not done."""
    if not contract or not contract["auto_renew"]:
        return None
    deadline = notice_deadline(contract["end_date"], contract["notice_days"])
    if deadline >= today:
        return None
    return (
        f"The notice deadline passed on {deadline:%m/%d/%Y}: the contract renews automatically on "
        f"{contract['end_date']:%m/%d/%Y} unless the vendor agrees to end it. Contact the vendor now; "
        "auto-renewal stays on in the records until the contract is changed."
    )


def record_decision(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    form: RenewalDecisionCreate,
    snapshot: dict[str, Any],
    today: dt.date | None = None,
) -> int:
    """Record the decision with its frozen evidence and apply it to the tool's current contract."""
    today = today or dt.date.today()
    require(actor, Action.DECIDE_RENEWAL)
    if repo.get(con, "products", form.product_id) is None:
        raise NotFound(f"There is no tool #{form.product_id}.")
    if snapshot.get("tool", {}).get("product_id") != form.product_id:
        raise InvalidInput("The evidence shown is for another tool; reload the page and decide again.")
    existing = repo.fetch_one(
        con,
        "SELECT decision_id, decision FROM evaluation_decisions WHERE product_id = ? AND review_cycle = ?",
        [form.product_id, form.review_cycle],
    )
    if existing:
        raise InvalidInput(
            f"This tool already has a {existing['decision']} decision for "
            f"{form.review_cycle} (#{existing['decision_id']}). One decision per review cycle."
        )
    contract = active_contract(con, form.product_id)
    missed = missed_notice(contract, today) if form.decision == EvaluationDecision.DISCONTINUE else None
    effect = missed or (CONTRACT_EFFECT[form.decision] if contract else "No active contract to update.")
    with transaction(con):
        decision_id = repo.insert(
            con,
            "evaluation_decisions",
            {
                "product_id": form.product_id,
                "review_cycle": form.review_cycle,
                "decision": form.decision.value,
                "rationale": form.rationale,
                "evidence_snapshot": json.dumps(_clean(snapshot)),
                "decided_by": actor.person_id,
                "contract_id": contract["contract_id"] if contract else None,
                "contract_action": effect,
            },
            actor=actor,
        )
        if (
            contract
            and form.decision == EvaluationDecision.DISCONTINUE
            and contract["auto_renew"]
            and not missed
        ):
            repo.update(
                con,
                "contracts",
                contract["contract_id"],
                {"auto_renew": False},
                actor=actor,
                note=f"Step 10 decision #{decision_id}: discontinue",
            )
    return int(decision_id)


def list_decisions(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    product_id: int | None = None,
) -> list[dict[str, Any]]:
    require(actor, Action.VIEW_EVIDENCE)
    return repo.fetch_all(
        con,
        """SELECT d.decision_id, d.product_id, p.name AS tool, d.review_cycle, d.decision,
                       d.rationale, d.contract_action, d.decided_at, pe.full_name AS decided_by
                FROM evaluation_decisions d JOIN products p USING (product_id)
                LEFT JOIN people pe ON pe.person_id = d.decided_by
                WHERE ? IS NULL OR d.product_id = ?
                ORDER BY d.decided_at DESC, d.decision_id DESC""",
        [product_id, product_id],
    )


def get_decision(con: duckdb.DuckDBPyConnection, actor: Actor, decision_id: int) -> dict[str, Any]:
    """One decision with its snapshot parsed back into a dict."""
    require(actor, Action.VIEW_EVIDENCE)
    row = repo.fetch_one(
        con,
        """SELECT d.*, p.name AS tool, pe.full_name AS decided_by_name
                FROM evaluation_decisions d JOIN products p USING (product_id)
                LEFT JOIN people pe ON pe.person_id = d.decided_by WHERE d.decision_id = ?""",
        [decision_id],
    )
    if row is None:
        raise NotFound(f"There is no decision #{decision_id}.")
    snapshot = row["evidence_snapshot"]
    row["evidence_snapshot"] = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
    return row
