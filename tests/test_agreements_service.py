"""Steps 2 and 5: agreement records, reuse of an agreement in force, the compliance officer's decision."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.enums import PrivacyStatus
from models.errors import InvalidInput, PermissionDenied
from models.purchasing import SoppaDecisionInput
from services import agreements
from tests.purchasing_factory import TODAY, complete_agreement, product


@pytest.fixture
def tool(con, people):
    product_id = product(con, people["admin"], "Quest Learning", "MathQuest")
    vendor_id = con.execute("SELECT vendor_id FROM products WHERE product_id = ?", [product_id]).fetchone()[0]
    return vendor_id, product_id


class TestAgreements:
    def test_only_compliance_keeps_agreements(self, con, people, tool):
        vendor_id, product_id = tool
        with pytest.raises(PermissionDenied):
            agreements.save_agreement(con, people["technology"], complete_agreement(vendor_id, product_id))

    def test_signed_in_the_future_is_an_error(self, con, people, tool):
        vendor_id, product_id = tool
        form = complete_agreement(vendor_id, product_id, signed_date=TODAY + dt.timedelta(days=1))
        with pytest.raises(InvalidInput, match="in the future"):
            agreements.save_agreement(con, people["compliance"], form, today=TODAY)
        assert agreements.agreements(con).empty

    @pytest.mark.parametrize("field", ["document_url", "redacted_url"])
    def test_links_are_web_addresses(self, tool, field):
        """The redacted copy is linked from the public SOPPA page: as on contracts and catalog cards,
        only http(s) addresses are kept."""
        vendor_id, product_id = tool
        for bad in ("javascript:alert(1)", "S:/Contracts/dpa.pdf", "https://x.org/a b.pdf"):
            with pytest.raises(ValidationError, match="web address"):
                complete_agreement(vendor_id, product_id, **{field: bad})
        good = complete_agreement(vendor_id, product_id, **{field: " https://d100.example.org/dpa.pdf "})
        assert getattr(good, field) == "https://d100.example.org/dpa.pdf"

    def test_expiry_before_signing_is_refused_by_the_form(self, tool):
        vendor_id, product_id = tool
        with pytest.raises(ValidationError, match="expiry"):
            complete_agreement(vendor_id, product_id, expiry_date=TODAY - dt.timedelta(days=90))

    def test_product_must_belong_to_the_vendor(self, con, people, tool):
        vendor_id, _ = tool
        other = product(con, people["admin"], "Other Co", "OtherTool")
        with pytest.raises(InvalidInput, match="not one of this vendor"):
            agreements.save_agreement(
                con, people["compliance"], complete_agreement(vendor_id, other), today=TODAY
            )

    def test_update_keeps_one_record(self, con, people, tool):
        vendor_id, product_id = tool
        aid = agreements.save_agreement(
            con, people["compliance"], complete_agreement(vendor_id, product_id), today=TODAY
        )
        agreements.save_agreement(
            con,
            people["compliance"],
            complete_agreement(vendor_id, product_id, subcontractors="AWS"),
            agreement_id=aid,
            today=TODAY,
        )
        table = agreements.agreements(con, vendor_id=vendor_id)
        assert len(table) == 1 and table.iloc[0]["subcontractors"] == "AWS"

    def test_agreement_in_force_is_offered_for_reuse_and_adopted(self, con, people, tool):
        vendor_id, product_id = tool
        aid = agreements.save_agreement(
            con, people["compliance"], complete_agreement(vendor_id, product_id), today=TODAY
        )
        agreements.save_agreement(
            con,
            people["compliance"],
            complete_agreement(vendor_id, None, ferpa_school_official=False),
            today=TODAY,
        )  # incomplete: not offered
        offered = agreements.reusable_agreements(con, vendor_id, TODAY)
        assert [a["agreement_id"] for a in offered] == [aid]
        second = product(con, people["admin"], "Quest Learning", "ScienceQuest")
        adopted = agreements.adopt_agreement(con, people["compliance"], aid, second, today=TODAY)
        row = con.execute(
            "SELECT agreement_type, product_id, signed_date FROM agreements WHERE agreement_id = ?", [adopted]
        ).fetchone()
        assert row == ("Exhibit E adoption", second, TODAY)

    def test_expired_agreement_is_not_reusable(self, con, people, tool):
        vendor_id, product_id = tool
        aid = agreements.save_agreement(
            con, people["compliance"], complete_agreement(vendor_id, product_id), today=TODAY
        )
        later = TODAY + dt.timedelta(days=800)
        assert agreements.reusable_agreements(con, vendor_id, later) == []
        with pytest.raises(InvalidInput, match="expired"):
            agreements.adopt_agreement(con, people["compliance"], aid, product_id, today=later)


class TestSoppaDecision:
    def test_only_the_compliance_officer_records_soppa(self, con, people, tool):
        _, product_id = tool
        decision = SoppaDecisionInput(product_id=product_id, status=PrivacyStatus.PENDING_AGREEMENT)
        for handle in ("requester", "technology", "approver", "admin"):
            with pytest.raises(PermissionDenied):
                agreements.record_soppa_decision(con, people[handle], decision)
        agreements.record_soppa_decision(con, people["compliance"], decision)
        assert agreements.latest_soppa(con, product_id)["status"] == "pending_agreement"

    def test_compliant_needs_an_agreement_in_force_with_complete_checklist(self, con, people, tool):
        vendor_id, product_id = tool
        officer = people["compliance"]
        with pytest.raises(InvalidInput, match="No written agreement"):
            agreements.record_soppa_decision(
                con,
                officer,
                SoppaDecisionInput(product_id=product_id, status=PrivacyStatus.COMPLIANT),
                today=TODAY,
            )
        partial = agreements.save_agreement(
            con, officer, complete_agreement(vendor_id, product_id, breach_cost_allocation=False), today=TODAY
        )
        with pytest.raises(InvalidInput, match="breach costs"):
            agreements.record_soppa_decision(
                con,
                officer,
                SoppaDecisionInput(
                    product_id=product_id, status=PrivacyStatus.COMPLIANT, agreement_id=partial
                ),
                today=TODAY,
            )
        full = agreements.save_agreement(con, officer, complete_agreement(vendor_id, product_id), today=TODAY)
        agreements.record_soppa_decision(
            con,
            officer,
            SoppaDecisionInput(product_id=product_id, status=PrivacyStatus.COMPLIANT, agreement_id=full),
            today=TODAY,
        )
        assert agreements.latest_soppa(con, product_id)["agreement_id"] == full
        assert len(agreements.soppa_history(con, product_id)) == 1

    def test_agreement_of_another_vendor_is_refused(self, con, people, tool):
        _, product_id = tool
        other = product(con, people["admin"], "Other Co", "OtherTool")
        other_vendor = con.execute("SELECT vendor_id FROM products WHERE product_id = ?", [other]).fetchone()[
            0
        ]
        aid = agreements.save_agreement(
            con, people["compliance"], complete_agreement(other_vendor, other), today=TODAY
        )
        with pytest.raises(InvalidInput, match="another vendor"):
            agreements.record_soppa_decision(
                con,
                people["compliance"],
                SoppaDecisionInput(product_id=product_id, status=PrivacyStatus.COMPLIANT, agreement_id=aid),
                today=TODAY,
            )

    def test_a_no_needs_a_note(self, con, people, tool):
        _, product_id = tool
        with pytest.raises(InvalidInput, match="note"):
            agreements.record_soppa_decision(
                con,
                people["compliance"],
                SoppaDecisionInput(product_id=product_id, status=PrivacyStatus.NOT_COMPLIANT, note="  "),
            )
