"""SOPPA agreements and the compliance officer's decision (SOP steps 2 and 5).

An agreement record holds what soppa.md lists for an operator; the section 15(4) checklist and the
"is it in force" rule are `services.lifecycle.agreement_problems` (the one home of the gate), reused
here so the compliance officer cannot record "compliant" on an agreement the step-5 gate would
refuse. An agreement a vendor already signed is offered for reuse (IL-NDPA Exhibit E adoption).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from db import repo
from db.connection import transaction
from models.enums import AgreementType, PrivacyStatus
from models.errors import InvalidInput, NotFound
from models.people import Actor
from models.purchasing import AgreementForm, SoppaDecisionInput
from services.lifecycle import AGREEMENT_CHECKLIST, agreement_problems
from services.permissions import Action, require

# columns copied when an agreement is adopted for another product of the same vendor
_ADOPTED_COLUMNS = (
    "data_elements",
    "subcontractors",
    "business_address",
    *AGREEMENT_CHECKLIST,
    "deletion_days",
    "expiry_date",
    "document_url",
    "redacted_url",
)


def _check_dates(form: AgreementForm, today: dt.date) -> None:
    if form.signed_date and form.signed_date > today:
        raise InvalidInput(
            f"The signed date {form.signed_date:%m/%d/%Y} is in the future; record the agreement once "
            "it is signed (leave the date empty while it is pending)."
        )


def save_agreement(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    form: AgreementForm,
    *,
    agreement_id: int | None = None,
    today: dt.date | None = None,
) -> int:
    require(actor, Action.MANAGE_AGREEMENTS)
    _check_dates(form, today or dt.date.today())
    if repo.get(con, "vendors", form.vendor_id) is None:
        raise NotFound(f"Vendor #{form.vendor_id} does not exist.")
    if form.product_id is not None:
        product = repo.get(con, "products", form.product_id)
        if product is None or product["vendor_id"] != form.vendor_id:
            raise InvalidInput("The product is not one of this vendor's products.")
    values = form.model_dump(mode="python")
    values["agreement_type"] = form.agreement_type.value
    with transaction(con):
        if agreement_id is None:
            return repo.insert(con, "agreements", values, actor=actor)
        if repo.get(con, "agreements", agreement_id) is None:
            raise NotFound(f"Agreement #{agreement_id} does not exist.")
        repo.update(con, "agreements", agreement_id, values, actor=actor)
        return agreement_id


def agreements(con: duckdb.DuckDBPyConnection, *, vendor_id: int | None = None) -> pd.DataFrame:
    sql = """SELECT a.*, v.name AS vendor, p.name AS product FROM agreements a
             JOIN vendors v USING (vendor_id) LEFT JOIN products p ON p.product_id = a.product_id"""
    params: list[Any] = []
    if vendor_id is not None:
        sql += " WHERE a.vendor_id = ?"
        params.append(vendor_id)
    return con.execute(sql + " ORDER BY v.name, a.signed_date DESC NULLS LAST", params).df()


def vendor_agreements(con: duckdb.DuckDBPyConnection, vendor_id: int) -> list[dict[str, Any]]:
    """The vendor's agreements as plain rows (dates as dates, missing values as None) for forms."""
    return repo.fetch_all(
        con,
        "SELECT a.*, p.name AS product FROM agreements a LEFT JOIN products p ON p.product_id = a.product_id"
        " WHERE a.vendor_id = ? ORDER BY a.signed_date DESC NULLS LAST, a.agreement_id DESC",
        [vendor_id],
    )


def in_force(agreement: dict[str, Any], today: dt.date) -> bool:
    """In force = clears section 15(4) today (signed, not expired, checklist complete)."""
    return not agreement_problems(agreement, today)


def reusable_agreements(
    con: duckdb.DuckDBPyConnection, vendor_id: int, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """The vendor's agreements in force: offered for reuse instead of negotiating a new one."""
    today = today or dt.date.today()
    return [r for r in vendor_agreements(con, vendor_id) if in_force(r, today)]


def adopt_agreement(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    agreement_id: int,
    product_id: int,
    *,
    today: dt.date | None = None,
) -> int:
    """Exhibit E style: record the vendor's agreement in force as covering this product too."""
    require(actor, Action.MANAGE_AGREEMENTS)
    today = today or dt.date.today()
    source = repo.get(con, "agreements", agreement_id)
    if source is None:
        raise NotFound(f"Agreement #{agreement_id} does not exist.")
    problems = agreement_problems(source, today)
    if problems:
        raise InvalidInput("This agreement cannot be reused: " + " ".join(problems))
    product = repo.get(con, "products", product_id)
    if product is None or product["vendor_id"] != source["vendor_id"]:
        raise InvalidInput("An agreement can only be reused for a product of the same vendor.")
    values = {k: source[k] for k in _ADOPTED_COLUMNS}
    values.update(
        vendor_id=source["vendor_id"],
        product_id=product_id,
        agreement_type=AgreementType.EXHIBIT_E.value,
        signed_date=today,
    )
    with transaction(con):
        return repo.insert(con, "agreements", values, actor=actor)


def record_soppa_decision(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    decision: SoppaDecisionInput,
    *,
    today: dt.date | None = None,
) -> int:
    """Only the compliance officer; 'compliant' needs an agreement for the vendor that is in force."""
    require(actor, Action.RECORD_SOPPA)
    today = today or dt.date.today()
    product = repo.get(con, "products", decision.product_id)
    if product is None:
        raise NotFound(f"Product #{decision.product_id} does not exist.")
    if decision.request_id is not None and repo.get(con, "requests", decision.request_id) is None:
        raise NotFound(f"Request #{decision.request_id} does not exist.")
    agreement = None
    if decision.agreement_id is not None:
        agreement = repo.get(con, "agreements", decision.agreement_id)
        if agreement is None:
            raise NotFound(f"Agreement #{decision.agreement_id} does not exist.")
        if agreement["vendor_id"] != product["vendor_id"]:
            raise InvalidInput("The agreement is with another vendor than the product's.")
    if decision.status == PrivacyStatus.COMPLIANT:
        problems = agreement_problems(agreement, today)
        if problems:
            raise InvalidInput(
                "'Compliant' needs a signed agreement in force with a complete checklist. "
                + " ".join(problems)
            )
    if (
        decision.status
        in (
            PrivacyStatus.NOT_COMPLIANT,
            PrivacyStatus.PARENT_CONSENT_REQUIRED,
            PrivacyStatus.STAFF_USE_ONLY,
            PrivacyStatus.NOT_APPLICABLE,
        )
        and not decision.note
    ):
        raise InvalidInput(f"Explain the decision '{decision.status.label}' in the note.")
    values = {
        "request_id": decision.request_id,
        "product_id": decision.product_id,
        "agreement_id": decision.agreement_id,
        "status": decision.status.value,
        "note": decision.note,
        "decided_by": actor.person_id,
    }
    with transaction(con):
        return repo.insert(con, "soppa_decisions", values, actor=actor, request_id=decision.request_id)


def latest_soppa(con: duckdb.DuckDBPyConnection, product_id: int) -> dict[str, Any] | None:
    """The product's current SOPPA status: the latest decision (the same rule the gate reads)."""
    return repo.fetch_one(
        con,
        """SELECT d.*, pe.full_name AS decided_by_name FROM soppa_decisions d
           JOIN people pe ON pe.person_id = d.decided_by WHERE d.product_id = ?
           ORDER BY d.decided_at DESC, d.decision_id DESC LIMIT 1""",
        [product_id],
    )


def soppa_history(con: duckdb.DuckDBPyConnection, product_id: int) -> pd.DataFrame:
    return con.execute(
        """SELECT d.decided_at AS "When", d.status AS "Status", d.note AS "Note",
                  d.agreement_id AS "Agreement", pe.full_name AS "By", d.request_id AS "Request"
           FROM soppa_decisions d JOIN people pe ON pe.person_id = d.decided_by
           WHERE d.product_id = ? ORDER BY d.decided_at DESC, d.decision_id DESC""",
        [product_id],
    ).df()


def agreement_gaps(
    con: duckdb.DuckDBPyConnection, agreement_id: int, today: dt.date | None = None
) -> list[str]:
    """Why the saved agreement would not (yet) support a 'compliant' decision; empty when it would."""
    return agreement_problems(repo.get(con, "agreements", agreement_id), today or dt.date.today())


def checklist_labels() -> dict[str, str]:
    """Section 15(4) items as shown on the form (wording from services.lifecycle)."""
    return dict(AGREEMENT_CHECKLIST)
