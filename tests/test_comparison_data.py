"""Gate verdicts on the comparison use the lifecycle's step-5 checks plus the vendor's own answers."""

from __future__ import annotations

from models.enums import IntegrationResult, PrivacyStatus, Stage
from services import lifecycle
from services.comparison import GateState
from services.comparison_data import gate_verdict
from tests.purchasing_factory import TODAY


def _facts(**kw) -> lifecycle.GateFacts:
    return lifecycle.GateFacts(
        request_id=1, stage=Stage.REVIEW, requester_id=1, selected_product_id=7, today=TODAY, **kw
    )


class TestGateVerdict:
    def test_nothing_recorded_is_open_not_failed(self):
        verdict = gate_verdict(_facts(), [])
        assert verdict.state == GateState.OPEN and len(verdict.reasons) == 2

    def test_settled_no_is_failed(self):
        assert gate_verdict(_facts(soppa_status=PrivacyStatus.NOT_COMPLIANT), []).state == GateState.FAILED
        assert (
            gate_verdict(_facts(soppa_status=PrivacyStatus.PARENT_CONSENT_REQUIRED), []).state
            == GateState.FAILED
        )
        failed_check = _facts(
            soppa_status=PrivacyStatus.STAFF_USE_ONLY, integration_results=(IntegrationResult.FAILED,)
        )
        assert gate_verdict(failed_check, []).state == GateState.FAILED

    def test_vendor_saying_no_to_a_gate_criterion_fails(self):
        clear = _facts(
            soppa_status=PrivacyStatus.NOT_APPLICABLE, integration_results=(IntegrationResult.VERIFIED,)
        )
        assert gate_verdict(clear, []).state == GateState.PASSED
        verdict = gate_verdict(clear, ["SOPPA compliance"])
        assert verdict.state == GateState.FAILED and "does not meet 'SOPPA compliance'" in verdict.reasons[0]

    def test_pending_agreement_is_open(self):
        verdict = gate_verdict(
            _facts(
                soppa_status=PrivacyStatus.PENDING_AGREEMENT,
                integration_results=(IntegrationResult.VERIFIED,),
            ),
            [],
        )
        assert verdict.state == GateState.OPEN
