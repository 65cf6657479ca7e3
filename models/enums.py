"""Every status list in one place. The database CHECK constraints mirror these (tests/test_schema.py).

Each enum's value is what is stored; `label` is what people read.
"""

from __future__ import annotations

from enum import StrEnum


class LabeledEnum(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())

    @classmethod
    def options(cls) -> list[str]:
        return [member.value for member in cls]


class Role(LabeledEnum):
    REQUESTER = "requester"
    COMMITTEE_REVIEWER = "committee_reviewer"
    COMPLIANCE_OFFICER = "compliance_officer"
    TECHNOLOGY = "technology"
    BUSINESS_OFFICE = "business_office"
    APPROVER = "approver"
    TEACHER = "teacher"
    ADMIN = "admin"


class Stage(LabeledEnum):
    """The SOP's steps as stages of a request (services/lifecycle.py holds the rules)."""

    NEEDS_ASSESSMENT = "needs_assessment"  # step 1
    CRITERIA_SOPPA = "criteria_soppa"  # step 2
    BUDGET = "budget"  # step 3
    REVIEW = "review"  # step 4
    DECISION = "decision"  # step 5, the gate
    PURCHASE = "purchase"  # step 5, purchase coordination
    CATALOG = "catalog"  # step 6
    CONTRACT = "contract"  # step 7
    GOALS = "goals"  # step 8
    PLAN = "plan"  # step 9
    MONITORING = "monitoring"  # step 10
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

    @property
    def sop_step(self) -> int | None:
        return _SOP_STEP.get(self)


_SOP_STEP = {
    Stage.NEEDS_ASSESSMENT: 1,
    Stage.CRITERIA_SOPPA: 2,
    Stage.BUDGET: 3,
    Stage.REVIEW: 4,
    Stage.DECISION: 5,
    Stage.PURCHASE: 5,
    Stage.CATALOG: 6,
    Stage.CONTRACT: 7,
    Stage.GOALS: 8,
    Stage.PLAN: 9,
    Stage.MONITORING: 10,
}


class PrivacyStatus(LabeledEnum):
    COMPLIANT = "compliant"
    STAFF_USE_ONLY = "staff_use_only"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"
    PENDING_AGREEMENT = "pending_agreement"
    NOT_COMPLIANT = "not_compliant"
    PARENT_CONSENT_REQUIRED = "parent_consent_required"


class ToolStatus(LabeledEnum):
    PENDING = "pending"
    APPROVED = "approved"
    CORE = "core"
    SUPPLEMENTAL = "supplemental"
    USE_ALTERNATIVE = "use_alternative"
    NOT_SUPPORTED = "not_supported"
    DENIED = "denied"


class AgreementType(LabeledEnum):
    IL_NDPA = "IL-NDPA"
    EXHIBIT_E = "Exhibit E adoption"
    VENDOR_DPA = "Vendor DPA"
    NONE = "None"


class Integration(LabeledEnum):
    SIS = "sis"
    ROSTERING = "rostering"
    SSO = "sso"
    LTI = "lti"


class IntegrationResult(LabeledEnum):
    VERIFIED = "verified"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"
    PENDING = "pending"


class DecisionKind(LabeledEnum):
    APPROVED = "approved"
    DENIED = "denied"
    SENT_BACK = "sent_back"


class PurchaseTask(LabeledEnum):
    IT_NOTIFIED = "it_notified"
    FUNDING_CONFIRMED = "funding_confirmed"
    PURCHASE_ORDER = "purchase_order"
    ACCOUNTS_PROVISIONED = "accounts_provisioned"
    CONTRACT_SIGNED = "contract_signed"


class PricingUnit(LabeledEnum):
    PER_STUDENT = "per_student"
    PER_SEAT = "per_seat"
    PER_TEACHER = "per_teacher"
    PER_SCHOOL = "per_school"
    FLAT_DISTRICT = "flat_district"


class FundingKind(LabeledEnum):
    """Kinds of funding source (funding_sources.kind); step 3 warns about some (services/costs)."""

    GENERAL_FUND = "general_fund"
    TITLE_I_A = "title_i_a"
    TITLE_II_A = "title_ii_a"
    TITLE_IV_A = "title_iv_a"
    IDEA = "idea"
    E_RATE = "e_rate"
    STATE_GRANT = "state_grant"
    PRIVATE_GRANT = "private_grant"
    LOCAL_FOUNDATION = "local_foundation"
    ESSER = "esser"
    OTHER = "other"


class EvaluationDecision(LabeledEnum):
    RENEW = "renew"
    EXPAND = "expand"
    MODIFY = "modify"
    DISCONTINUE = "discontinue"


_LABELS = {
    "requester": "Requester",
    "committee_reviewer": "Committee reviewer",
    "compliance_officer": "Compliance officer",
    "technology": "Technology department",
    "business_office": "Business office",
    "approver": "Approver",
    "teacher": "Teacher",
    "admin": "Administrator",
    "needs_assessment": "1 · Needs assessment",
    "criteria_soppa": "2 · Vendor criteria & SOPPA",
    "budget": "3 · Budget",
    "review": "4 · Vendor review",
    "decision": "5 · Gate & decision",
    "purchase": "5 · Purchase coordination",
    "catalog": "6 · Catalog",
    "contract": "7 · Contract",
    "goals": "8 · Goals",
    "plan": "9 · Implementation plan",
    "monitoring": "10 · Monitoring",
    "denied": "Denied",
    "withdrawn": "Withdrawn",
    "closed": "Closed",
    "compliant": "Compliant (agreement signed)",
    "staff_use_only": "Staff use only (no student data)",
    "not_applicable": "Not applicable",
    "pending_agreement": "Pending agreement",
    "not_compliant": "Not compliant",
    "parent_consent_required": "Parent consent required",
    "use_alternative": "Use an alternative",
    "not_supported": "Not supported",
    "sis": "SIS",
    "rostering": "Rostering (Clever / ClassLink / OneRoster)",
    "sso": "Single sign-on",
    "lti": "LTI 1.3",
    "sent_back": "Sent back",
    "it_notified": "IT notified",
    "funding_confirmed": "Funding access confirmed",
    "purchase_order": "Purchase order issued",
    "accounts_provisioned": "Accounts provisioned",
    "contract_signed": "Contract reviewed & agreement signed",
    "per_student": "Per student",
    "per_seat": "Per seat",
    "per_teacher": "Per teacher",
    "per_school": "Per school / site",
    "flat_district": "Flat district license",
    "general_fund": "General / operating fund",
    "title_i_a": "Title I-A",
    "title_ii_a": "Title II-A",
    "title_iv_a": "Title IV-A",
    "idea": "IDEA",
    "e_rate": "E-Rate",
    "esser": "ESSER (ended 2024)",
}
