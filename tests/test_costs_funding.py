"""Funding per fiscal year: shares and amounts, unfunded gaps, cliffs and the costs.md warnings."""

from __future__ import annotations

import pytest

from models.costs import ContractOption, EnrollmentParams, FundingLine, QuoteInput, ScenarioParams
from models.enums import FundingKind, PricingUnit
from services.costs import evaluate
from services.costs.funding import E_RATE_NOTE, ESSER_NOTE, SUPPLEMENT_NOTE, TITLE_IV_A_NOTE


def result(*lines: FundingLine, horizon: int = 4):
    q = QuoteInput(product_id=1, pricing_unit=PricingUnit.FLAT_DISTRICT, unit_price=10_000)
    p = ScenarioParams(
        option=ContractOption.YEARLY,
        start_fiscal_year=2027,
        horizon_years=horizon,
        enrollment=EnrollmentParams(base_students=500),
        funding=lines,
    )
    return evaluate(q, p)


def line(name: str, kind: FundingKind, *, share=None, amount=None, last=None) -> FundingLine:
    return FundingLine(
        source_name=name, kind=kind, share_pct=share, annual_amount=amount, last_fiscal_year=last
    )


class TestAssignment:
    def test_share_and_amount_and_unfunded(self):
        r = result(
            line("General fund", FundingKind.GENERAL_FUND, share=50),
            line("Foundation", FundingKind.LOCAL_FOUNDATION, amount=3000),
        )
        year = r.funding.years[0]
        assert year.by_source == {"General fund": 5000, "Foundation": 3000}
        assert year.unfunded == 2000 and year.funded == 8000
        assert r.funding.unfunded_total == 8000

    def test_grant_cliff(self):
        r = result(line("State grant", FundingKind.STATE_GRANT, share=100, last=2028))
        assert [y.unfunded for y in r.funding.years] == [0, 0, 10_000, 10_000]
        assert r.funding.first_unfunded_year == 2029
        cliff = next(w for w in r.funding.warnings if w.startswith("Funding cliff"))
        assert "State grant ends after FY2028" in cliff and "FY2030" in cliff and "$20,000" in cliff

    def test_overfunding_is_flagged(self):
        r = result(
            line("General fund", FundingKind.GENERAL_FUND, share=100),
            line("Foundation", FundingKind.LOCAL_FOUNDATION, amount=1000),
            horizon=1,
        )
        assert r.funding.years[0].overfunded == 1000
        assert any("more than the cost" in w for w in r.funding.warnings)

    def test_nothing_assigned(self):
        r = result()
        assert r.funding.unfunded_total == pytest.approx(40_000)
        assert any("No funding assigned" in w for w in r.funding.warnings)


class TestNotes:
    def test_title_iv_a_and_supplement_notes(self):
        warnings = result(line("Title IV-A", FundingKind.TITLE_IV_A, share=20)).funding.warnings
        assert TITLE_IV_A_NOTE in warnings and SUPPLEMENT_NOTE in warnings

    def test_e_rate_does_not_pay_for_software(self):
        assert E_RATE_NOTE in result(line("E-Rate", FundingKind.E_RATE, share=10)).funding.warnings

    def test_esser_has_ended(self):
        assert (
            ESSER_NOTE in result(line("ESSER III", FundingKind.ESSER, share=10, last=2024)).funding.warnings
        )

    def test_general_fund_alone_raises_no_note(self):
        assert result(line("General fund", FundingKind.GENERAL_FUND, share=100)).funding.warnings == []
