"""Builders for the step 1-5 tests: a request with criteria, candidates and gate records.

Plain functions (not fixtures) so each test states what it starts from.
"""

from __future__ import annotations

import datetime as dt

from models.enums import Integration, IntegrationResult, PrivacyStatus, Stage
from models.people import Actor
from models.purchasing import (
    AgreementForm,
    IntegrationCheckInput,
    ProductCreate,
    ScoreInput,
    SoppaDecisionInput,
    VendorCreate,
)
from models.requests import NeedsAssessment
from services import agreements, criteria, intake, review

TODAY = dt.date(2026, 11, 2)


def full_assessment(title: str = "Math practice for grades 3-5", **extra) -> NeedsAssessment:
    values = dict(
        title=title,
        problem="Too few students reach grade-level fluency.",
        impact="Teachers spend hours building practice sets.",
        desired_outcome="Fluency growth above typical.",
        measures="MAP growth; weekly usage",
        subject="Math",
        grade_band="3-5",
        students_affected=600,
    )
    values.update(extra)
    return NeedsAssessment(**values)


def product(con, actor: Actor, vendor: str, name: str, **extra) -> int:
    vendor_id = con.execute("SELECT vendor_id FROM vendors WHERE name = ?", [vendor]).fetchone()
    vendor_id = vendor_id[0] if vendor_id else criteria.create_vendor(con, actor, VendorCreate(name=vendor))
    return criteria.create_product(con, actor, ProductCreate(vendor_id=vendor_id, name=name, **extra))


def library_ids(con, *names: str) -> list[int]:
    rows = dict(con.execute("SELECT name, criterion_id FROM criteria").fetchall())
    return [rows[n] for n in names]


def request_in_review(
    con,
    people: dict[str, Actor],
    *,
    products=("Alpha Math", "Beta Math"),
    weights: dict[str, float] | None = None,
) -> tuple[int, dict[str, int], dict[str, int]]:
    """A submitted request with weighted criteria and candidates, moved to review (budget skipped).

    Returns (request_id, {product: candidate_id}, {product: product_id}).
    """
    requester = people["requester"]
    request_id = intake.save_draft(con, requester, full_assessment())
    intake.submit(con, requester, request_id)
    weights = weights or {"SOPPA compliance": 40, "Rostering": 30, "Price": 30}
    ids = library_ids(con, *weights)
    criteria.set_request_criteria(con, requester, request_id, dict(zip(ids, weights.values(), strict=True)))
    cands, prods = {}, {}
    for name in products:
        prods[name] = product(con, requester, f"{name} Inc.", name)
        cands[name] = criteria.add_candidate(con, requester, request_id, prods[name])
    con.execute("UPDATE requests SET stage = 'review' WHERE request_id = ?", [request_id])
    return request_id, cands, prods


def score_all(con, reviewer: Actor, candidate_id: int, request_id: int, value: int) -> None:
    crit = criteria.request_criteria(con, request_id)
    review.save_scores(
        con,
        reviewer,
        [
            ScoreInput(candidate_id=candidate_id, criterion_id=int(c), score=value)
            for c in crit["criterion_id"]
        ],
    )


def complete_agreement(vendor_id: int, product_id: int | None = None, **extra) -> AgreementForm:
    values = dict(
        vendor_id=vendor_id,
        product_id=product_id,
        agreement_type="IL-NDPA",
        signed_date=TODAY - dt.timedelta(days=30),
        expiry_date=TODAY + dt.timedelta(days=700),
        data_elements="Name; student ID; grade",
        states_data_categories=True,
        states_product=True,
        ferpa_school_official=True,
        breach_cost_allocation=True,
        deletion_terms=True,
        deletion_days=60,
        public_posting_consent=True,
    )
    values.update(extra)
    return AgreementForm(**values)


def clear_gate(con, people: dict[str, Actor], request_id: int, product_id: int) -> None:
    """Agreement, compliant decision and verified integration checks for one product."""
    vendor_id = con.execute("SELECT vendor_id FROM products WHERE product_id = ?", [product_id]).fetchone()[0]
    agreement_id = agreements.save_agreement(
        con, people["compliance"], complete_agreement(vendor_id, product_id), today=TODAY
    )
    agreements.record_soppa_decision(
        con,
        people["compliance"],
        SoppaDecisionInput(
            request_id=request_id,
            product_id=product_id,
            status=PrivacyStatus.COMPLIANT,
            agreement_id=agreement_id,
            note="IL-NDPA signed",
        ),
        today=TODAY,
    )
    for integration in Integration:
        review.record_integration_check(
            con,
            people["technology"],
            IntegrationCheckInput(
                request_id=request_id,
                product_id=product_id,
                integration=integration,
                result=IntegrationResult.VERIFIED,
                evidence="Tested in sandbox",
            ),
        )


def stage_of(con, request_id: int) -> Stage:
    return Stage(con.execute("SELECT stage FROM requests WHERE request_id = ?", [request_id]).fetchone()[0])
