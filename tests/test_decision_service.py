"""Step 5: approval only through the gate, denial and alternatives, the purchase checklist."""

from __future__ import annotations

import datetime as dt

import pytest

from models.enums import Integration, IntegrationResult, PrivacyStatus, Stage
from models.errors import GateFailed, InvalidInput, PermissionDenied
from models.purchasing import IntegrationCheckInput, PurchaseTaskUpdate, SoppaDecisionInput
from services import agreements, decision, intake, lifecycle, review
from services.comparison import GateState
from services.comparison_data import load_comparison
from tests.purchasing_factory import (
    TODAY,
    clear_gate,
    full_assessment,
    request_in_review,
    score_all,
    stage_of,
)


def _at_gate(con, people, **kw):
    request_id, cands, prods = request_in_review(con, people, **kw)
    score_all(con, people["reviewer"], cands["Alpha Math"], request_id, 4)
    score_all(con, people["reviewer2"], cands["Beta Math"], request_id, 3)
    decision.select_product(con, people["requester"], request_id, prods["Alpha Math"])
    lifecycle.transition(con, people["requester"], request_id, Stage.DECISION)
    return request_id, cands, prods


class TestApproval:
    def test_approval_while_a_gate_fails_raises_and_changes_nothing(self, con, people):
        request_id, _, _ = _at_gate(con, people)
        assert decision.gate_status(con, request_id)
        with pytest.raises(GateFailed, match="SOPPA"):
            decision.approve(con, people["approver"], request_id)
        assert stage_of(con, request_id) == Stage.DECISION
        assert decision.decisions(con, request_id).empty

    def test_failed_integration_blocks_even_when_soppa_is_clear(self, con, people):
        request_id, _, prods = _at_gate(con, people)
        clear_gate(con, people, request_id, prods["Alpha Math"])
        review.record_integration_check(
            con,
            people["technology"],
            IntegrationCheckInput(
                request_id=request_id,
                product_id=prods["Alpha Math"],
                integration=Integration.SIS,
                result=IntegrationResult.FAILED,
                evidence="No Skyward sync",
            ),
        )
        with pytest.raises(GateFailed, match="integrate"):
            decision.approve(con, people["approver"], request_id, today=TODAY)

    def test_approval_opens_the_purchase_checklist(self, con, people):
        request_id, _, prods = _at_gate(con, people)
        clear_gate(con, people, request_id, prods["Alpha Math"])
        assert decision.approve(con, people["approver"], request_id, today=TODAY) == Stage.PURCHASE
        assert len(decision.purchase_tasks(con, request_id)) == 5
        assert list(decision.decisions(con, request_id)["Decision"]) == ["approved"]

    def test_requester_cannot_approve_own_request(self, con, people):
        approver = people["approver"]
        request_id = intake.save_draft(con, approver, full_assessment())
        con.execute("UPDATE requests SET stage = 'decision' WHERE request_id = ?", [request_id])
        with pytest.raises(PermissionDenied, match="own request"):
            decision.approve(con, approver, request_id)
        with pytest.raises(PermissionDenied):
            decision.approve(con, people["requester"], request_id)

    def test_only_active_candidates_are_selected(self, con, people):
        request_id, cands, prods = request_in_review(con, people)
        con.execute("UPDATE candidates SET status = 'excluded' WHERE candidate_id = ?", [cands["Beta Math"]])
        with pytest.raises(InvalidInput, match="active candidate"):
            decision.select_product(con, people["requester"], request_id, prods["Beta Math"])


class TestDenial:
    def test_deny_needs_a_reason(self, con, people):
        request_id, _, _ = _at_gate(con, people)
        with pytest.raises(InvalidInput, match="reason"):
            decision.deny(con, people["approver"], request_id, " ")

    def test_send_back_without_the_refused_candidate(self, con, people):
        request_id, cands, prods = _at_gate(con, people)
        decision.send_back_without_candidate(con, people["approver"], request_id, "Not SOPPA compliant")
        assert stage_of(con, request_id) == Stage.REVIEW
        status = con.execute(
            "SELECT status FROM candidates WHERE candidate_id = ?", [cands["Alpha Math"]]
        ).fetchone()
        assert status == ("excluded",)
        assert con.execute(
            "SELECT selected_product_id FROM requests WHERE request_id = ?", [request_id]
        ).fetchone() == (None,)
        view = load_comparison(con, request_id)
        assert list(view.comparison.summary["candidate"]) == ["Beta Math"]

    def test_send_back_checks_before_writing(self, con, people):
        request_id, cands, _ = _at_gate(con, people)
        with pytest.raises(InvalidInput):
            decision.send_back_without_candidate(con, people["approver"], request_id, "")
        with pytest.raises(PermissionDenied):
            decision.send_back_without_candidate(con, people["reviewer"], request_id, "no")
        assert con.execute(
            "SELECT status FROM candidates WHERE candidate_id = ?", [cands["Alpha Math"]]
        ).fetchone() == ("active",)

    def test_deny_and_open_a_linked_alternative(self, con, people):
        request_id, _, _ = _at_gate(con, people)
        new_id = decision.deny_and_open_alternative(
            con, people["approver"], request_id, "Vendor refuses NDPA"
        )
        assert stage_of(con, request_id) == Stage.DENIED
        assert con.execute(
            "SELECT alternative_of, stage FROM requests WHERE request_id = ?", [new_id]
        ).fetchone() == (request_id, "criteria_soppa")


class TestPurchaseChecklist:
    def _approved(self, con, people):
        request_id, _, prods = _at_gate(con, people)
        clear_gate(con, people, request_id, prods["Alpha Math"])
        decision.approve(con, people["approver"], request_id, today=TODAY)
        return request_id

    def test_po_number_needed_and_completion_moves_to_catalog(self, con, people):
        request_id = self._approved(con, people)
        business = people["business"]
        tasks = decision.purchase_tasks(con, request_id)
        done = dt.date.today()
        po = next(t for t in tasks if t["task"] == "purchase_order")
        with pytest.raises(InvalidInput, match="purchase order number"):
            decision.update_task(con, business, po["task_id"], PurchaseTaskUpdate(done_date=done))
        results = []
        for task in tasks:
            ref = "PO-1234" if task["task"] == "purchase_order" else None
            results.append(
                decision.update_task(
                    con,
                    business,
                    task["task_id"],
                    PurchaseTaskUpdate(
                        owner_id=business.person_id, due_date=done, done_date=done, reference=ref
                    ),
                )
            )
        assert [r.moved_to for r in results] == [None] * 4 + [Stage.CATALOG]
        assert stage_of(con, request_id) == Stage.CATALOG

    def test_future_done_date_and_wrong_role_refused(self, con, people):
        request_id = self._approved(con, people)
        task = decision.purchase_tasks(con, request_id)[0]
        with pytest.raises(InvalidInput, match="future"):
            decision.update_task(
                con,
                people["business"],
                task["task_id"],
                PurchaseTaskUpdate(done_date=dt.date.today() + dt.timedelta(days=3)),
            )
        with pytest.raises(PermissionDenied):
            decision.update_task(con, people["reviewer"], task["task_id"], PurchaseTaskUpdate())


class TestGateVerdicts:
    def test_comparison_never_recommends_a_gate_failure(self, con, people):
        request_id, cands, prods = request_in_review(con, people)
        score_all(con, people["reviewer"], cands["Alpha Math"], request_id, 5)
        score_all(con, people["reviewer"], cands["Beta Math"], request_id, 3)
        agreements.record_soppa_decision(
            con,
            people["compliance"],
            SoppaDecisionInput(
                request_id=request_id,
                product_id=prods["Alpha Math"],
                status=PrivacyStatus.NOT_COMPLIANT,
                note="Sells data",
            ),
        )
        clear_gate(con, people, request_id, prods["Beta Math"])
        view = load_comparison(con, request_id, TODAY)
        summary = view.comparison.summary.set_index("candidate")
        assert summary.at["Alpha Math", "gate"] == GateState.FAILED and summary.at["Alpha Math", "rank"] == 1
        assert summary.at["Beta Math", "gate"] == GateState.PASSED
        assert view.comparison.recommended == "Beta Math"
        assert view.costs == {"Alpha Math": None, "Beta Math": None}


class TestSendToApprover:
    def test_selects_the_product_and_moves_to_the_gate(self, con, people):
        request_id, cands, prods = request_in_review(con, people)
        with pytest.raises(GateFailed, match="score"):
            decision.send_to_approver(con, people["requester"], request_id, prods["Beta Math"])
        score_all(con, people["reviewer"], cands["Beta Math"], request_id, 4)
        assert (
            decision.send_to_approver(con, people["requester"], request_id, prods["Beta Math"])
            == Stage.DECISION
        )
        assert con.execute(
            "SELECT selected_product_id FROM requests WHERE request_id = ?", [request_id]
        ).fetchone() == (prods["Beta Math"],)
