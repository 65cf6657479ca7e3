"""A request walks the whole SOP through the service layer; every role can do only its own step."""

from __future__ import annotations

import datetime as dt

import pytest

from db import repo
from models.enums import Stage
from models.errors import GateFailed, InvalidInput, PermissionDenied
from models.requests import NeedsAssessment
from services import lifecycle, requests


def _product(con, name="MathQuest") -> int:
    vendor = con.execute(
        "INSERT INTO vendors (name) VALUES (?) RETURNING vendor_id", [name + " Inc"]
    ).fetchone()[0]
    return con.execute(
        "INSERT INTO products (vendor_id, name) VALUES (?, ?) RETURNING product_id", [vendor, name]
    ).fetchone()[0]


def _complete_form(**extra) -> NeedsAssessment:
    return NeedsAssessment(
        title="Math practice",
        problem="Gaps in fractions",
        desired_outcome="Growth",
        measures="MAP growth",
        **extra,
    )


def _to_decision(con, people) -> tuple[int, int]:
    """Create a request and walk it to step 5 with the data each step needs."""
    request_id = requests.create_request(con, people["requester"], _complete_form())
    lifecycle.transition(con, people["requester"], request_id, Stage.CRITERIA_SOPPA)
    product = _product(con)
    criterion = con.execute(
        "INSERT INTO criteria (name, category) VALUES ('Price x', 'cost') RETURNING criterion_id"
    ).fetchone()[0]
    con.execute("INSERT INTO request_criteria VALUES (?, ?, 1)", [request_id, criterion])
    candidate = con.execute(
        "INSERT INTO candidates (request_id, product_id) VALUES (?, ?) RETURNING candidate_id",
        [request_id, product],
    ).fetchone()[0]
    lifecycle.transition(con, people["reviewer"], request_id, Stage.BUDGET)
    con.execute(
        "INSERT INTO quotes (product_id, pricing_unit, unit_price) VALUES (?, 'per_student', 12)", [product]
    )
    lifecycle.transition(con, people["business"], request_id, Stage.REVIEW)
    con.execute(
        "INSERT INTO review_scores (candidate_id, criterion_id, reviewer_id, score) VALUES (?, ?, ?, 4)",
        [candidate, criterion, people["reviewer"].person_id],
    )
    lifecycle.transition(con, people["reviewer"], request_id, Stage.DECISION)
    con.execute("UPDATE requests SET selected_product_id = ? WHERE request_id = ?", [product, request_id])
    return request_id, product


def _clear_gate(con, people, request_id, product):
    agreement = repo.insert(
        con,
        "agreements",
        {
            "vendor_id": con.execute(
                "SELECT vendor_id FROM products WHERE product_id = ?", [product]
            ).fetchone()[0],
            "product_id": product,
            "agreement_type": "IL-NDPA",
            "signed_date": dt.date.today() - dt.timedelta(days=3),
            **{c: True for c in lifecycle.AGREEMENT_CHECKLIST},
        },
        actor=people["compliance"],
    )
    repo.insert(
        con,
        "soppa_decisions",
        {
            "request_id": request_id,
            "product_id": product,
            "agreement_id": agreement,
            "status": "compliant",
            "decided_by": people["compliance"].person_id,
        },
        actor=people["compliance"],
    )
    repo.insert(
        con,
        "integration_checks",
        {
            "request_id": request_id,
            "product_id": product,
            "integration": "rostering",
            "result": "verified",
            "checked_by": people["technology"].person_id,
        },
        actor=people["technology"],
    )


class TestWalkThroughTheSop:
    def test_a_request_reaches_monitoring_and_every_move_is_in_its_history(self, con, people):
        request_id, product = _to_decision(con, people)
        _clear_gate(con, people, request_id, product)
        lifecycle.transition(con, people["approver"], request_id, Stage.PURCHASE)
        tasks = con.execute(
            "SELECT count(*) FROM purchase_tasks WHERE request_id = ?", [request_id]
        ).fetchone()[0]
        assert tasks == 5  # approval opens the purchase checklist
        con.execute("UPDATE purchase_tasks SET done_date = current_date WHERE request_id = ?", [request_id])
        lifecycle.transition(con, people["business"], request_id, Stage.CATALOG)
        con.execute("INSERT INTO catalog_entries (product_id, tool_status) VALUES (?, 'approved')", [product])
        lifecycle.transition(con, people["technology"], request_id, Stage.CONTRACT)
        vendor = con.execute("SELECT vendor_id FROM products WHERE product_id = ?", [product]).fetchone()[0]
        con.execute(
            "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, annual_cost)"
            " VALUES (?, ?, DATE '2026-07-01', DATE '2027-06-30', 1000)",
            [product, vendor],
        )
        with pytest.raises(GateFailed, match="renewal owner"):  # nobody watches its notice deadline
            lifecycle.transition(con, people["business"], request_id, Stage.GOALS)
        con.execute(
            "UPDATE contracts SET renewal_owner_id = ? WHERE product_id = ?",
            [people["business"].person_id, product],
        )
        lifecycle.transition(con, people["business"], request_id, Stage.GOALS)
        con.execute(
            "INSERT INTO goals (product_id, request_id, horizon, description, measure, data_source_kind,"
            " target, owner_id) VALUES (?, ?, 'short', 'Use', 'Weekly use', 'usage', 80, ?)",
            [product, request_id, people["requester"].person_id],
        )
        lifecycle.transition(con, people["requester"], request_id, Stage.PLAN)
        con.execute(
            "INSERT INTO implementation_plans (product_id, extent, participant_schools, meaningful_effect,"
            " decision_probability) VALUES (?, 'pilot', 'Lincoln', 0.1, 0.8)",
            [product],
        )
        lifecycle.transition(con, people["requester"], request_id, Stage.MONITORING)

        assert requests.get_request(con, request_id)["stage"] == Stage.MONITORING.value
        moves = requests.history(con, request_id)
        assert (moves["Action"] == "transition").sum() == 10
        assert "Approve" in " ".join(moves["Note"].dropna())

    def test_requester_cannot_approve_their_own_request(self, con, people):
        approver_request = requests.create_request(con, people["approver"], _complete_form())
        with pytest.raises(PermissionDenied, match="own request"):
            con.execute("UPDATE requests SET stage = 'decision' WHERE request_id = ?", [approver_request])
            lifecycle.transition(con, people["approver"], approver_request, Stage.DENIED, reason="no")

    def test_approval_while_the_gate_fails_names_the_reasons_and_changes_nothing(self, con, people):
        request_id, _ = _to_decision(con, people)
        with pytest.raises(GateFailed) as err:
            lifecycle.transition(con, people["approver"], request_id, Stage.PURCHASE)
        assert "compliance officer" in err.value.message and "technology department" in err.value.message
        assert requests.get_request(con, request_id)["stage"] == Stage.DECISION.value
        assert con.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0

    def test_denial_needs_a_reason_and_keeps_it(self, con, people):
        request_id, _ = _to_decision(con, people)
        with pytest.raises(InvalidInput, match="reason"):
            lifecycle.transition(con, people["approver"], request_id, Stage.DENIED, reason="  ")
        lifecycle.transition(con, people["approver"], request_id, Stage.DENIED, reason="Not SOPPA compliant")
        request = requests.get_request(con, request_id)
        assert (request["stage"], request["denial_reason"]) == ("denied", "Not SOPPA compliant")

    def test_a_denied_request_opens_a_linked_alternative_with_its_needs_assessment(self, con, people):
        request_id, product = _to_decision(con, people)
        lifecycle.transition(con, people["approver"], request_id, Stage.DENIED, reason="Not compliant")
        alternative = requests.open_alternative(con, people["requester"], request_id)
        new = requests.get_request(con, alternative)
        assert new["alternative_of"] == request_id
        assert new["stage"] == Stage.CRITERIA_SOPPA.value
        assert new["problem"] == "Gaps in fractions"
        candidates = con.execute(
            "SELECT count(*) FROM candidates WHERE request_id = ?", [alternative]
        ).fetchone()[0]
        assert candidates == 0  # the denied product is not carried over

    def test_a_teacher_cannot_create_or_move_requests(self, con, people):
        with pytest.raises(PermissionDenied):
            requests.create_request(con, people["teacher"], _complete_form())
        request_id = requests.create_request(con, people["requester"], _complete_form())
        with pytest.raises(PermissionDenied):
            lifecycle.transition(con, people["teacher"], request_id, Stage.CRITERIA_SOPPA)

    def test_submitting_an_incomplete_draft_is_refused_with_what_to_fill_in(self, con, people):
        request_id = requests.create_request(con, people["requester"], NeedsAssessment(title="Draft idea"))
        with pytest.raises(GateFailed) as err:
            lifecycle.transition(con, people["requester"], request_id, Stage.CRITERIA_SOPPA)
        assert "problem or purpose" in err.value.message
        assert requests.get_request(con, request_id)["stage"] == Stage.NEEDS_ASSESSMENT.value

    def test_another_requester_cannot_edit_my_request(self, con, people):
        request_id = requests.create_request(con, people["requester"], NeedsAssessment(title="Mine"))
        with pytest.raises(PermissionDenied):
            requests.update_request(con, people["requester2"], request_id, NeedsAssessment(title="Theirs"))

    def test_another_requester_cannot_withdraw_or_move_my_request(self, con, people):
        """Any requester could withdraw a colleague's request (a final state) or push it on."""
        request_id = requests.create_request(con, people["requester"], _complete_form())
        lifecycle.transition(con, people["requester"], request_id, Stage.CRITERIA_SOPPA)
        facts = lifecycle.gather_facts(con, request_id)
        withdraw = lifecycle.find_transition(Stage.CRITERIA_SOPPA, Stage.WITHDRAWN)
        assert not lifecycle.may_take(people["requester2"], withdraw, facts.requester_id)  # not offered
        with pytest.raises(PermissionDenied, match="Only the person who made this request"):
            lifecycle.transition(con, people["requester2"], request_id, Stage.WITHDRAWN, reason="not mine")
        assert lifecycle.gather_facts(con, request_id).stage == Stage.CRITERIA_SOPPA
        # the requester, and an approver, still can
        assert lifecycle.may_take(people["requester"], withdraw, facts.requester_id)
        assert lifecycle.may_take(people["approver"], withdraw, facts.requester_id)
        lifecycle.transition(
            con, people["requester"], request_id, Stage.WITHDRAWN, reason="found a free tool"
        )
        assert lifecycle.gather_facts(con, request_id).stage == Stage.WITHDRAWN

    def test_pipeline_flags_overdue_and_lists_blockers(self, con, people):
        request_id = requests.create_request(con, people["requester"], NeedsAssessment(title="Old draft"))
        con.execute(
            "UPDATE requests SET stage_entered_at = current_timestamp - INTERVAL 45 DAY WHERE request_id = ?",
            [request_id],
        )
        row = requests.pipeline(con).set_index("Request").loc[request_id]
        assert bool(row["Overdue"]) and row["Days in stage"] == 45
        assert "Describe the problem" in row["Blockers"]
