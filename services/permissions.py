"""Who may do what: the one table of permissions, enforced by services (pages only hide buttons).

`require(actor, Action.X)` raises PermissionDenied with a message naming the roles that may act.
Rules about *which* request a role may touch (e.g. a requester cannot approve their own request)
live next to the action in the service that performs it, using `require_not_own`.
"""

from __future__ import annotations

from enum import StrEnum

from models.enums import Role
from models.errors import PermissionDenied
from models.people import Actor


class Action(StrEnum):
    VIEW_CATALOG = "view_catalog"
    VIEW_PIPELINE = "view_pipeline"
    CREATE_REQUEST = "create_request"
    EDIT_REQUEST = "edit_request"
    MANAGE_CRITERIA = "manage_criteria"
    MANAGE_CANDIDATES = "manage_candidates"
    RECORD_SOPPA = "record_soppa"
    MANAGE_AGREEMENTS = "manage_agreements"
    VERIFY_INTEGRATION = "verify_integration"
    MANAGE_QUOTES = "manage_quotes"
    MANAGE_FUNDING = "manage_funding"
    SCORE_CANDIDATE = "score_candidate"
    DECIDE_REQUEST = "decide_request"
    MANAGE_PURCHASE = "manage_purchase"
    MANAGE_CATALOG = "manage_catalog"
    MANAGE_CONTRACTS = "manage_contracts"
    MANAGE_GOALS = "manage_goals"
    MANAGE_PLANS = "manage_plans"
    IMPORT_DATA = "import_data"
    VIEW_EVIDENCE = "view_evidence"
    DECIDE_RENEWAL = "decide_renewal"
    MANAGE_SOPPA_REGISTERS = "manage_soppa_registers"
    MANAGE_PEOPLE = "manage_people"
    VIEW_AUDIT = "view_audit"


R = Role
_STAFF = {
    R.REQUESTER,
    R.COMMITTEE_REVIEWER,
    R.COMPLIANCE_OFFICER,
    R.TECHNOLOGY,
    R.BUSINESS_OFFICE,
    R.APPROVER,
    R.ADMIN,
}

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_CATALOG: frozenset(_STAFF | {R.TEACHER}),
    Action.VIEW_PIPELINE: frozenset(_STAFF),
    Action.CREATE_REQUEST: frozenset({R.REQUESTER, R.APPROVER, R.ADMIN}),
    Action.EDIT_REQUEST: frozenset({R.REQUESTER, R.APPROVER, R.ADMIN}),
    Action.MANAGE_CRITERIA: frozenset({R.REQUESTER, R.COMMITTEE_REVIEWER, R.APPROVER, R.ADMIN}),
    Action.MANAGE_CANDIDATES: frozenset({R.REQUESTER, R.COMMITTEE_REVIEWER, R.APPROVER, R.ADMIN}),
    Action.RECORD_SOPPA: frozenset({R.COMPLIANCE_OFFICER}),
    Action.MANAGE_AGREEMENTS: frozenset({R.COMPLIANCE_OFFICER}),
    Action.VERIFY_INTEGRATION: frozenset({R.TECHNOLOGY}),
    Action.MANAGE_QUOTES: frozenset({R.REQUESTER, R.BUSINESS_OFFICE, R.APPROVER, R.ADMIN}),
    Action.MANAGE_FUNDING: frozenset({R.BUSINESS_OFFICE, R.ADMIN}),
    Action.SCORE_CANDIDATE: frozenset({R.COMMITTEE_REVIEWER}),
    Action.DECIDE_REQUEST: frozenset({R.APPROVER}),
    Action.MANAGE_PURCHASE: frozenset({R.BUSINESS_OFFICE, R.TECHNOLOGY, R.APPROVER}),
    Action.MANAGE_CATALOG: frozenset({R.TECHNOLOGY, R.ADMIN}),
    Action.MANAGE_CONTRACTS: frozenset({R.BUSINESS_OFFICE, R.ADMIN}),
    Action.MANAGE_GOALS: frozenset({R.REQUESTER, R.APPROVER, R.ADMIN}),
    Action.MANAGE_PLANS: frozenset({R.REQUESTER, R.APPROVER, R.TECHNOLOGY, R.ADMIN}),
    Action.IMPORT_DATA: frozenset({R.TECHNOLOGY, R.ADMIN}),
    Action.VIEW_EVIDENCE: frozenset(_STAFF),
    Action.DECIDE_RENEWAL: frozenset({R.APPROVER}),
    Action.MANAGE_SOPPA_REGISTERS: frozenset({R.COMPLIANCE_OFFICER}),
    Action.MANAGE_PEOPLE: frozenset({R.ADMIN}),
    Action.VIEW_AUDIT: frozenset({R.ADMIN, R.COMPLIANCE_OFFICER, R.APPROVER}),
}


def can(actor: Actor | None, action: Action) -> bool:
    return actor is not None and bool(actor.roles & PERMISSIONS[action])


def require(actor: Actor | None, action: Action) -> Actor:
    if actor is None:
        raise PermissionDenied("Sign in first.")
    if not can(actor, action):
        allowed = ", ".join(sorted(r.label for r in PERMISSIONS[action]))
        raise PermissionDenied(
            f"Your role cannot {action.value.replace('_', ' ')}. Roles that can: {allowed}."
        )
    return actor


def only_as_requester(actor: Actor | None, action: Action) -> bool:
    """Whether the actor holds `action` through the requester role alone (no committee, business
    office, approver or other role that grants it)."""
    return actor is not None and (actor.roles & PERMISSIONS[action]) == {R.REQUESTER}


def may_on_request(actor: Actor | None, action: Action, requester_id: int | None) -> bool:
    """Whether the actor may take `action` on a request someone made (pages show or hide its forms)."""
    return can(actor, action) and not (only_as_requester(actor, action) and actor.person_id != requester_id)


def require_on_request(actor: Actor | None, action: Action, requester_id: int | None) -> Actor:
    """`require`, and someone who holds the action only as a requester acts only on their own
    request: a colleague's criteria, candidates, quotes and scenarios are the colleague's and the
    committee's to change."""
    require(actor, action)
    assert actor is not None
    if not may_on_request(actor, action, requester_id):
        others = ", ".join(sorted(r.label for r in PERMISSIONS[action] - {R.REQUESTER}))
        raise PermissionDenied(
            f"This is a colleague's request: only the person who made it, or someone with one of the "
            f"roles {others}, can {action.value.replace('_', ' ')} on it."
        )
    return actor


def require_not_own(actor: Actor, owner_id: int | None, what: str) -> None:
    """Separation of duties: nobody decides on their own request."""
    if owner_id is not None and actor.person_id == owner_id:
        raise PermissionDenied(f"You cannot {what} your own request; another approver must.")
