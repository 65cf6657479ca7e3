"""The SOP as a state machine: stages, allowed transitions, who may make them, and the gates.

This is the one place the purchasing rules live. A transition is allowed when (1) it is listed in
TRANSITIONS, (2) the actor holds the transition's permission, and (3) every gate check returns no
unmet condition. Gate checks are pure functions of `GateFacts`, gathered by one query module
(`gather_facts`), so the rules are unit-tested without a database.

The step-5 gate (SOP): "Technology department follows up ... to verify if the program is SOPPA
compliant and integrates with our current systems. If no, program can not be utilized and an
alternative needs to be examined."
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from models.enums import IntegrationResult, PrivacyStatus, Stage
from models.errors import GateFailed, InvalidInput, NotFound, PermissionDenied
from models.people import Actor
from services.permissions import Action, may_on_request, require, require_not_own

# SOPPA statuses that let a purchase proceed. "Staff use only" means no student data is collected,
# which the compliance officer treats like "not applicable".
SOPPA_CLEARED = frozenset(
    {PrivacyStatus.COMPLIANT, PrivacyStatus.NOT_APPLICABLE, PrivacyStatus.STAFF_USE_ONLY}
)

# SOPPA section 15(4): what a written agreement must state (see shared/domain/soppa.md).
AGREEMENT_CHECKLIST: dict[str, str] = {
    "states_data_categories": "the categories of covered information the operator receives",
    "states_product": "the product or service provided",
    "ferpa_school_official": "that the operator acts as a FERPA school official",
    "breach_cost_allocation": "how breach costs attributable to the operator are allocated",
    "deletion_terms": "deletion or transfer of covered information, with a timeframe",
    "public_posting_consent": "that the agreement will be posted publicly",
}

PIPELINE_ORDER: list[Stage] = [
    Stage.NEEDS_ASSESSMENT,
    Stage.CRITERIA_SOPPA,
    Stage.BUDGET,
    Stage.REVIEW,
    Stage.DECISION,
    Stage.PURCHASE,
    Stage.CATALOG,
    Stage.CONTRACT,
    Stage.GOALS,
    Stage.PLAN,
    Stage.MONITORING,
]
TERMINAL = frozenset({Stage.DENIED, Stage.WITHDRAWN, Stage.CLOSED})
WITHDRAWABLE = frozenset(PIPELINE_ORDER[: PIPELINE_ORDER.index(Stage.DECISION) + 1])


@dataclass(frozen=True)
class GateFacts:
    """Everything the gates look at, for one request."""

    request_id: int
    stage: Stage
    requester_id: int
    title: str = ""
    problem: str | None = None
    desired_outcome: str | None = None
    measures: str | None = None
    leader_id: int | None = None
    selected_product_id: int | None = None
    criteria_count: int = 0
    candidate_count: int = 0
    costed_candidate_count: int = 0
    scored_candidate_count: int = 0
    reviewer_count: int = 0
    soppa_status: PrivacyStatus | None = None
    agreement: dict[str, Any] | None = None
    integration_results: tuple[IntegrationResult, ...] = ()
    purchase_tasks_total: int = 0
    purchase_tasks_done: int = 0
    has_catalog_entry: bool = False
    has_contract: bool = False
    contract_has_owner: bool = False  # someone answers for the notice deadline (SOP step 7)
    valid_goal_count: int = 0
    plan: dict[str, Any] | None = None
    today: dt.date = field(default_factory=dt.date.today)


Check = Callable[[GateFacts], list[str]]


def check_needs_assessment(f: GateFacts) -> list[str]:
    missing = [
        label
        for label, value in (
            ("the problem or purpose", f.problem),
            ("the desired outcome (goal)", f.desired_outcome),
            ("how success will be measured", f.measures),
        )
        if not (value and str(value).strip())
    ]
    out = [f"Describe {m}." for m in missing]
    if f.leader_id is None:
        out.append("Name the project leader.")
    return out


def check_criteria(f: GateFacts) -> list[str]:
    out = []
    if f.criteria_count == 0:
        out.append("Choose at least one vendor criterion.")
    if f.candidate_count == 0:
        out.append("Add at least one candidate product.")
    return out


def check_budget(f: GateFacts) -> list[str]:
    if f.costed_candidate_count == 0:
        return ["Record a quote or cost scenario for at least one candidate."]
    return []


def check_review(f: GateFacts) -> list[str]:
    if f.scored_candidate_count == 0:
        return ["At least one committee reviewer must score a candidate."]
    return []


def agreement_problems(agreement: dict[str, Any] | None, today: dt.date) -> list[str]:
    """Why an agreement does not (yet) clear SOPPA section 15(4); empty when it does."""
    if agreement is None:
        return ["No written agreement is on file for this product."]
    out = []
    if agreement.get("agreement_type") == "None":
        out.append("The agreement type is 'None'.")
    if not agreement.get("signed_date"):
        out.append("The agreement has no signed date.")
    expiry = agreement.get("expiry_date")
    if expiry is not None and expiry < today:
        out.append(f"The agreement expired on {expiry:%m/%d/%Y}.")
    gaps = [text for column, text in AGREEMENT_CHECKLIST.items() if not agreement.get(column)]
    if gaps:
        out.append("The agreement does not state " + "; ".join(gaps) + ".")
    return out


def check_soppa(f: GateFacts) -> list[str]:
    if f.soppa_status is None:
        return ["The compliance officer has not recorded a SOPPA decision for the selected product."]
    if f.soppa_status not in SOPPA_CLEARED:
        return [
            f"SOPPA status is '{f.soppa_status.label}': the product cannot be used; examine an alternative."
        ]
    if f.soppa_status == PrivacyStatus.COMPLIANT:
        return agreement_problems(f.agreement, f.today)
    return []


def check_integration(f: GateFacts) -> list[str]:
    results = f.integration_results
    if not results:
        return ["The technology department has not checked integration (SIS, rostering, SSO, LTI)."]
    out = []
    if IntegrationResult.FAILED in results:
        out.append("An integration check failed: the product does not integrate with district systems.")
    if IntegrationResult.PENDING in results:
        out.append("An integration check is still pending.")
    return out


def check_selected(f: GateFacts) -> list[str]:
    return [] if f.selected_product_id else ["Select the product to purchase."]


def check_step5_gate(f: GateFacts) -> list[str]:
    selected = check_selected(f)
    if selected:
        return selected
    return check_soppa(f) + check_integration(f)


def check_purchase(f: GateFacts) -> list[str]:
    if f.purchase_tasks_total == 0:
        return ["The purchase checklist has not been created."]
    left = f.purchase_tasks_total - f.purchase_tasks_done
    return [f"{left} purchase checklist item(s) are not done."] if left else []


def check_catalog(f: GateFacts) -> list[str]:
    return [] if f.has_catalog_entry else ["Add the tool to the catalog."]


def check_contract(f: GateFacts) -> list[str]:
    if not f.has_contract:
        return ["Record the contract (dates, cost, renewal owner)."]
    if not f.contract_has_owner:
        return ["Name the contract's renewal owner: the person who watches its notice deadline."]
    return []


def check_goals(f: GateFacts) -> list[str]:
    return [] if f.valid_goal_count else ["Set at least one goal with a measure, target and owner."]


def check_plan(f: GateFacts) -> list[str]:
    plan = f.plan
    if plan is None:
        return ["Write the implementation and monitoring plan."]
    out = []
    if not (plan.get("participant_schools") or plan.get("participant_grades")):
        out.append("Name the plan's participants (schools or grades).")
    if plan.get("meaningful_effect") is None or plan.get("decision_probability") is None:
        out.append("Record the meaningful effect and the probability needed to act before data is in.")
    return out


def check_reason(f: GateFacts) -> list[str]:  # the reason itself is checked in `transition`
    return []


@dataclass(frozen=True)
class Transition:
    source: Stage
    target: Stage
    verb: str
    action: Action
    checks: tuple[Check, ...] = ()
    needs_reason: bool = False
    not_own: bool = False


def _forward(source: Stage, target: Stage, verb: str, action: Action, *checks: Check) -> Transition:
    return Transition(source, target, verb, action, checks)


TRANSITIONS: list[Transition] = [
    _forward(
        Stage.NEEDS_ASSESSMENT,
        Stage.CRITERIA_SOPPA,
        "Submit the needs assessment",
        Action.EDIT_REQUEST,
        check_needs_assessment,
    ),
    _forward(
        Stage.CRITERIA_SOPPA,
        Stage.BUDGET,
        "Criteria and candidates are set",
        Action.MANAGE_CRITERIA,
        check_criteria,
    ),
    _forward(Stage.BUDGET, Stage.REVIEW, "Budget parameters are set", Action.MANAGE_QUOTES, check_budget),
    _forward(Stage.REVIEW, Stage.DECISION, "Send to the approver", Action.MANAGE_CANDIDATES, check_review),
    Transition(
        Stage.DECISION, Stage.PURCHASE, "Approve", Action.DECIDE_REQUEST, (check_step5_gate,), not_own=True
    ),
    Transition(
        Stage.DECISION, Stage.DENIED, "Deny", Action.DECIDE_REQUEST, (), needs_reason=True, not_own=True
    ),
    Transition(
        Stage.DECISION,
        Stage.REVIEW,
        "Send back to review",
        Action.DECIDE_REQUEST,
        (),
        needs_reason=True,
        not_own=True,
    ),
    _forward(Stage.PURCHASE, Stage.CATALOG, "Purchase is complete", Action.MANAGE_PURCHASE, check_purchase),
    _forward(Stage.CATALOG, Stage.CONTRACT, "Tool is in the catalog", Action.MANAGE_CATALOG, check_catalog),
    _forward(Stage.CONTRACT, Stage.GOALS, "Contract is recorded", Action.MANAGE_CONTRACTS, check_contract),
    _forward(Stage.GOALS, Stage.PLAN, "Goals are set", Action.MANAGE_GOALS, check_goals),
    _forward(Stage.PLAN, Stage.MONITORING, "Start monitoring", Action.MANAGE_PLANS, check_plan),
    Transition(
        Stage.MONITORING,
        Stage.CLOSED,
        "Close (tool discontinued)",
        Action.DECIDE_RENEWAL,
        (),
        needs_reason=True,
    ),
] + [
    Transition(stage, Stage.WITHDRAWN, "Withdraw", Action.EDIT_REQUEST, (), needs_reason=True)
    for stage in WITHDRAWABLE
]

# What the next step is, in words, and which role usually takes it (home page's "next action").
NEXT_ACTION: dict[Stage, str] = {
    Stage.NEEDS_ASSESSMENT: "Requester completes and submits the needs assessment",
    Stage.CRITERIA_SOPPA: "Choose vendor criteria and candidates; compliance officer checks SOPPA",
    Stage.BUDGET: "Get quotes and model multi-year cost",
    Stage.REVIEW: "Committee scores candidates; technology checks integration",
    Stage.DECISION: "Approver approves, denies or sends back",
    Stage.PURCHASE: "Business office and IT complete the purchase checklist",
    Stage.CATALOG: "Technology adds the tool to the catalog",
    Stage.CONTRACT: "Business office records the contract",
    Stage.GOALS: "Leader sets short- and long-term goals",
    Stage.PLAN: "Leader writes the implementation and monitoring plan",
    Stage.MONITORING: "Monitor usage and outcomes; decide at the review date",
    Stage.DENIED: "Examine an alternative",
    Stage.WITHDRAWN: "None",
    Stage.CLOSED: "None",
}

# How many days a request may sit in a stage before the home page calls it overdue.
STAGE_SLA_DAYS: dict[Stage, int] = {
    Stage.NEEDS_ASSESSMENT: 30,
    Stage.CRITERIA_SOPPA: 21,
    Stage.BUDGET: 21,
    Stage.REVIEW: 30,
    Stage.DECISION: 10,
    Stage.PURCHASE: 30,
    Stage.CATALOG: 10,
    Stage.CONTRACT: 14,
    Stage.GOALS: 21,
    Stage.PLAN: 30,
}


def transitions_from(stage: Stage) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == stage]


def find_transition(source: Stage, target: Stage) -> Transition:
    for t in TRANSITIONS:
        if t.source == source and t.target == target:
            return t
    raise GateFailed(f"A request cannot move from '{source.label}' to '{target.label}'.")


def unmet(transition: Transition, facts: GateFacts) -> list[str]:
    reasons: list[str] = []
    for check in transition.checks:
        reasons.extend(check(facts))
    return reasons


def blockers(facts: GateFacts) -> list[str]:
    """What stops the request's main forward move right now (empty when it can move)."""
    forward = [
        t
        for t in transitions_from(facts.stage)
        if t.target in PIPELINE_ORDER and PIPELINE_ORDER.index(t.target) > PIPELINE_ORDER.index(facts.stage)
    ]
    return unmet(forward[0], facts) if forward else []


# -- database side ---------------------------------------------------------------------------


def gather_facts(
    con: duckdb.DuckDBPyConnection,
    request_id: int,
    today: dt.date | None = None,
    *,
    product_id: int | None = None,
) -> GateFacts:
    """The request's facts; `product_id` asks "what if this candidate were the selected one" (comparison)."""
    row = repo.get(con, "requests", request_id)
    if row is None:
        raise NotFound(f"Request #{request_id} does not exist.")
    q = repo.fetch_value
    product = product_id if product_id is not None else row["selected_product_id"]
    soppa = None
    agreement = None
    integration: tuple[IntegrationResult, ...] = ()
    has_catalog = has_contract = contract_has_owner = False
    plan = None
    if product is not None:
        decision = repo.fetch_one(
            con,
            "SELECT status, agreement_id FROM soppa_decisions WHERE product_id = ?"
            " ORDER BY decided_at DESC, decision_id DESC LIMIT 1",
            [product],
        )
        if decision:
            soppa = PrivacyStatus(decision["status"])
            if decision["agreement_id"] is not None:
                agreement = repo.get(con, "agreements", decision["agreement_id"])
        integration = tuple(
            IntegrationResult(r[0])
            for r in con.execute(
                "SELECT result FROM integration_checks WHERE product_id = ?"
                " AND (request_id = ? OR request_id IS NULL)",
                [product, request_id],
            ).fetchall()
        )
        has_catalog = bool(q(con, "SELECT count(*) FROM catalog_entries WHERE product_id = ?", [product]))
        has_contract = bool(q(con, "SELECT count(*) FROM contracts WHERE product_id = ?", [product]))
        contract_has_owner = bool(
            q(
                con,
                "SELECT count(*) FROM contracts WHERE product_id = ? AND renewal_owner_id IS NOT NULL",
                [product],
            )
        )
        plan = repo.fetch_one(con, "SELECT * FROM implementation_plans WHERE product_id = ?", [product])
    return GateFacts(
        request_id=request_id,
        stage=Stage(row["stage"]),
        requester_id=row["requester_id"],
        title=row["title"],
        problem=row["problem"],
        desired_outcome=row["desired_outcome"],
        measures=row["measures"],
        leader_id=row["leader_id"],
        selected_product_id=product,
        criteria_count=q(con, "SELECT count(*) FROM request_criteria WHERE request_id = ?", [request_id]),
        candidate_count=q(
            con, "SELECT count(*) FROM candidates WHERE request_id = ? AND status = 'active'", [request_id]
        ),
        costed_candidate_count=q(
            con,
            "SELECT count(DISTINCT c.product_id) FROM candidates c WHERE c.request_id = ? AND ("
            " EXISTS (SELECT 1 FROM quotes q WHERE q.product_id = c.product_id)"
            " OR EXISTS (SELECT 1 FROM cost_scenarios s WHERE s.product_id = c.product_id))",
            [request_id],
        ),
        scored_candidate_count=q(
            con,
            "SELECT count(DISTINCT s.candidate_id) FROM review_scores s"
            " JOIN candidates c USING (candidate_id) WHERE c.request_id = ?",
            [request_id],
        ),
        reviewer_count=q(
            con,
            "SELECT count(DISTINCT s.reviewer_id) FROM review_scores s"
            " JOIN candidates c USING (candidate_id) WHERE c.request_id = ?",
            [request_id],
        ),
        soppa_status=soppa,
        agreement=agreement,
        integration_results=integration,
        purchase_tasks_total=q(con, "SELECT count(*) FROM purchase_tasks WHERE request_id = ?", [request_id]),
        purchase_tasks_done=q(
            con,
            "SELECT count(*) FROM purchase_tasks WHERE request_id = ? AND done_date IS NOT NULL",
            [request_id],
        ),
        has_catalog_entry=has_catalog,
        has_contract=has_contract,
        contract_has_owner=contract_has_owner,
        valid_goal_count=q(
            con,
            "SELECT count(*) FROM goals WHERE (request_id = ? OR product_id = ?)"
            " AND target IS NOT NULL AND owner_id IS NOT NULL",
            [request_id, product],
        ),
        plan=plan,
        today=today or dt.date.today(),
    )


def may_take(actor: Actor | None, rule: Transition, requester_id: int | None) -> bool:
    """Whether the move is the actor's to offer: the role allows it, and someone who holds it only
    as a requester (no committee, approver or other role that grants it) moves or withdraws only
    their own request. Any requester could withdraw a colleague's request, a final state, and push
    it past budget."""
    return may_on_request(actor, rule.action, requester_id)


def transition(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    request_id: int,
    target: Stage | str,
    *,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Stage:
    """Move a request, or raise PermissionDenied / GateFailed / InvalidInput with a human message."""
    target = Stage(target)
    facts = gather_facts(con, request_id, today)
    rule = find_transition(facts.stage, target)
    require(actor, rule.action)
    if not may_take(actor, rule, facts.requester_id):  # the role was checked just above
        raise PermissionDenied(
            f"Only the person who made this request (or an approver or administrator) can "
            f"'{rule.verb.lower()}' it."
        )
    if rule.not_own:
        require_not_own(actor, facts.requester_id, rule.verb.lower())
    if rule.needs_reason and not (reason and reason.strip()):
        raise InvalidInput(f"'{rule.verb}' needs a reason; write one.")
    reasons = unmet(rule, facts)
    if reasons:
        raise GateFailed(f"Cannot '{rule.verb}' yet.", reasons)
    changes: dict[str, Any] = {
        "stage": target.value,
        "stage_entered_at": dt.datetime.now(),
        "updated_at": dt.datetime.now(),
    }
    if target == Stage.DENIED:
        changes["denial_reason"] = reason.strip() if reason else None
    if facts.stage == Stage.NEEDS_ASSESSMENT:
        changes["submitted_at"] = dt.datetime.now()
    with transaction(con):
        repo.update(
            con,
            "requests",
            request_id,
            changes,
            actor=actor,
            action="transition",
            request_id=request_id,
            note=f"{rule.verb}" + (f": {reason.strip()}" if reason else ""),
        )
        if rule.action == Action.DECIDE_REQUEST:
            decision = {Stage.PURCHASE: "approved", Stage.DENIED: "denied", Stage.REVIEW: "sent_back"}[target]
            repo.insert(
                con,
                "decisions",
                {
                    "request_id": request_id,
                    "product_id": facts.selected_product_id,
                    "decision": decision,
                    "reason": reason,
                    "decided_by": actor.person_id,
                },
                actor=actor,
                request_id=request_id,
            )
        if target == Stage.PURCHASE:
            _open_purchase_checklist(con, actor, request_id)
    return target


def _open_purchase_checklist(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int) -> None:
    """Step 5's coordination list, created once when the request is approved."""
    from models.enums import PurchaseTask

    existing = {
        r[0]
        for r in con.execute("SELECT task FROM purchase_tasks WHERE request_id = ?", [request_id]).fetchall()
    }
    due = dt.date.today() + dt.timedelta(days=14)
    for task in PurchaseTask:
        if task.value not in existing:
            repo.insert(
                con,
                "purchase_tasks",
                {"request_id": request_id, "task": task.value, "due_date": due},
                actor=actor,
                request_id=request_id,
            )
