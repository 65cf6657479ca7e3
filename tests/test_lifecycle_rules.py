"""The SOP's gates as pure rules: each unmet condition is named in words a requester understands."""

from __future__ import annotations

import datetime as dt

import pytest

from models.enums import IntegrationResult, PrivacyStatus, Role, Stage
from services import lifecycle
from services.lifecycle import GateFacts

TODAY = dt.date(2026, 11, 28)
COMPLETE_AGREEMENT = {
    "agreement_type": "IL-NDPA",
    "signed_date": dt.date(2026, 1, 5),
    "expiry_date": dt.date(2029, 1, 5),
    **{column: True for column in lifecycle.AGREEMENT_CHECKLIST},
}


def facts(**overrides) -> GateFacts:
    base = dict(
        request_id=1,
        stage=Stage.DECISION,
        requester_id=1,
        selected_product_id=7,
        soppa_status=PrivacyStatus.COMPLIANT,
        agreement=dict(COMPLETE_AGREEMENT),
        integration_results=(IntegrationResult.VERIFIED, IntegrationResult.NOT_APPLICABLE),
        today=TODAY,
    )
    base.update(overrides)
    return GateFacts(**base)


class TestStepFiveGate:
    def test_compliant_and_integrated_passes(self):
        assert lifecycle.check_step5_gate(facts()) == []

    @pytest.mark.parametrize("status", [PrivacyStatus.NOT_APPLICABLE, PrivacyStatus.STAFF_USE_ONLY])
    def test_no_student_data_needs_no_agreement(self, status):
        assert lifecycle.check_step5_gate(facts(soppa_status=status, agreement=None)) == []

    @pytest.mark.parametrize(
        "status",
        [
            PrivacyStatus.NOT_COMPLIANT,
            PrivacyStatus.PENDING_AGREEMENT,
            PrivacyStatus.UNKNOWN,
            PrivacyStatus.PARENT_CONSENT_REQUIRED,
        ],
    )
    def test_other_privacy_statuses_block_and_point_to_an_alternative(self, status):
        reasons = lifecycle.check_step5_gate(facts(soppa_status=status))
        assert len(reasons) == 1 and "alternative" in reasons[0]

    def test_missing_soppa_decision_blocks(self):
        assert "compliance officer" in lifecycle.check_step5_gate(facts(soppa_status=None))[0]

    def test_expired_agreement_blocks(self):
        agreement = dict(COMPLETE_AGREEMENT, expiry_date=TODAY - dt.timedelta(days=1))
        assert any("expired" in r for r in lifecycle.check_step5_gate(facts(agreement=agreement)))

    def test_incomplete_checklist_names_every_missing_clause(self):
        agreement = dict(COMPLETE_AGREEMENT, ferpa_school_official=False, deletion_terms=False)
        (reason,) = lifecycle.check_step5_gate(facts(agreement=agreement))
        assert "FERPA school official" in reason and "deletion" in reason

    def test_failed_or_pending_integration_blocks(self):
        failed = lifecycle.check_step5_gate(facts(integration_results=(IntegrationResult.FAILED,)))
        pending = lifecycle.check_step5_gate(facts(integration_results=(IntegrationResult.PENDING,)))
        missing = lifecycle.check_step5_gate(facts(integration_results=()))
        assert "does not integrate" in failed[0]
        assert "pending" in pending[0]
        assert "technology department" in missing[0]

    def test_no_selected_product_blocks_first(self):
        assert lifecycle.check_step5_gate(facts(selected_product_id=None)) == [
            "Select the product to purchase."
        ]


class TestOtherGates:
    def test_needs_assessment_lists_each_missing_field(self):
        reasons = lifecycle.check_needs_assessment(facts(stage=Stage.NEEDS_ASSESSMENT, problem="x"))
        assert reasons == [
            "Describe the desired outcome (goal).",
            "Describe how success will be measured.",
            "Name the project leader.",
        ]

    def test_blank_text_counts_as_missing(self):
        reasons = lifecycle.check_needs_assessment(
            facts(problem="  ", desired_outcome="y", measures="z", leader_id=3)
        )
        assert reasons == ["Describe the problem or purpose."]

    def test_purchase_counts_open_items(self):
        assert lifecycle.check_purchase(facts(purchase_tasks_total=5, purchase_tasks_done=3)) == [
            "2 purchase checklist item(s) are not done."
        ]
        assert lifecycle.check_purchase(facts(purchase_tasks_total=5, purchase_tasks_done=5)) == []

    def test_a_contract_needs_a_renewal_owner(self):
        assert lifecycle.check_contract(facts(has_contract=False)) == [
            "Record the contract (dates, cost, renewal owner)."
        ]
        assert "renewal owner" in lifecycle.check_contract(facts(has_contract=True))[0]
        assert lifecycle.check_contract(facts(has_contract=True, contract_has_owner=True)) == []

    def test_plan_requires_preregistration(self):
        plan = {"participant_schools": "A", "meaningful_effect": None, "decision_probability": 0.8}
        assert "before data is in" in lifecycle.check_plan(facts(plan=plan))[0]

    def test_blockers_follow_the_forward_move(self):
        assert lifecycle.blockers(facts(stage=Stage.CRITERIA_SOPPA)) == [
            "Choose at least one vendor criterion.",
            "Add at least one candidate product.",
        ]


class TestTransitionTable:
    def test_every_pipeline_stage_but_the_last_has_a_forward_move(self):
        for here, there in zip(lifecycle.PIPELINE_ORDER, lifecycle.PIPELINE_ORDER[1:], strict=False):
            assert lifecycle.find_transition(here, there).target == there

    def test_no_move_out_of_a_terminal_stage(self):
        for stage in lifecycle.TERMINAL:
            assert lifecycle.transitions_from(stage) == []

    def test_decisions_belong_to_approvers_and_not_to_the_requester(self):
        for target in (Stage.PURCHASE, Stage.DENIED, Stage.REVIEW):
            rule = lifecycle.find_transition(Stage.DECISION, target)
            assert rule.not_own
            from services.permissions import PERMISSIONS

            assert PERMISSIONS[rule.action] == frozenset({Role.APPROVER})

    def test_unlisted_move_is_refused(self):
        from models.errors import GateFailed

        with pytest.raises(GateFailed, match="cannot move"):
            lifecycle.find_transition(Stage.NEEDS_ASSESSMENT, Stage.PURCHASE)
