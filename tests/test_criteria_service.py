"""Step 2: the criteria library, per-request weights (normalized, with a message), candidates."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models.errors import InvalidInput, PermissionDenied
from models.purchasing import ProductCreate, VendorCreate
from services import criteria, intake
from tests.purchasing_factory import full_assessment, library_ids, product


class TestLibrary:
    def test_default_library_is_seeded_with_soppa_as_a_gate(self, con):
        lib = criteria.criteria_library(con)
        names = set(lib["name"])
        for expected in (
            "SOPPA compliance",
            "SIS integration",
            "Rostering",
            "Single sign-on",
            "LTI 1.3",
            "Accessibility (WCAG 2.1 AA / VPAT)",
            "Languages",
            "Data hosting and security",
            "Support and training",
            "Price",
        ):
            assert expected in names
        gates = lib[lib["is_gate"]]
        assert list(gates["name"]) == ["SOPPA compliance"]
        assert "PowerSchool" in lib.set_index("name").at["SIS integration", "description"]


class TestNormalizeWeights:
    def test_weights_adding_to_100_are_kept(self):
        result = criteria.normalize_weights({1: 50, 2: 30, 3: 20})
        assert result.message is None and result.weights == {1: 50.0, 2: 30.0, 3: 20.0}

    def test_weights_not_adding_up_are_scaled_and_said(self):
        result = criteria.normalize_weights({1: 2, 2: 1, 3: 1})
        assert result.weights == pytest.approx({1: 50.0, 2: 25.0, 3: 25.0})
        assert "add up to 4%" in result.message and "scaled" in result.message

    def test_zero_or_negative_weights_are_refused(self):
        with pytest.raises(InvalidInput, match="add up to 0"):
            criteria.normalize_weights({1: 0, 2: 0})
        with pytest.raises(InvalidInput, match="negative"):
            criteria.normalize_weights({1: -5, 2: 10})
        with pytest.raises(InvalidInput, match="at least one"):
            criteria.normalize_weights({})


class TestRequestCriteria:
    def test_set_weights_replaces_and_normalizes(self, con, people):
        request_id = intake.save_draft(con, people["requester"], full_assessment())
        a, b, c = library_ids(con, "SOPPA compliance", "Rostering", "Price")
        first = criteria.set_request_criteria(con, people["requester"], request_id, {a: 30, b: 30, c: 20})
        assert "80%" in first.message
        stored = criteria.request_criteria(con, request_id).set_index("criterion_id")["weight"]
        assert stored.sum() == pytest.approx(100)
        criteria.set_request_criteria(con, people["requester"], request_id, {a: 60, b: 40})
        assert set(criteria.request_criteria(con, request_id)["criterion_id"]) == {a, b}
        assert (
            con.execute("SELECT count(*) FROM audit_log WHERE table_name = 'request_criteria'").fetchone()[0]
            == 2
        )

    def test_bad_weights_leave_the_old_ones(self, con, people):
        request_id = intake.save_draft(con, people["requester"], full_assessment())
        a, b = library_ids(con, "SOPPA compliance", "Rostering")
        criteria.set_request_criteria(con, people["requester"], request_id, {a: 50, b: 50})
        with pytest.raises(InvalidInput):
            criteria.set_request_criteria(con, people["requester"], request_id, {a: 0, 9999: 0})
        with pytest.raises(InvalidInput, match="Unknown criterion"):
            criteria.set_request_criteria(con, people["requester"], request_id, {a: 50, 9999: 50})
        assert len(criteria.request_criteria(con, request_id)) == 2

    def test_compliance_officer_cannot_set_weights(self, con, people):
        request_id = intake.save_draft(con, people["requester"], full_assessment())
        (a,) = library_ids(con, "Price")
        with pytest.raises(PermissionDenied):
            criteria.set_request_criteria(con, people["compliance"], request_id, {a: 100})


class TestCandidates:
    def test_vendor_and_product_created_inline(self, con, people):
        vendor_id = criteria.create_vendor(con, people["requester"], VendorCreate(name=" Quest Learning "))
        with pytest.raises(InvalidInput, match="already exists"):
            criteria.create_vendor(con, people["requester"], VendorCreate(name="quest learning"))
        product_id = criteria.create_product(
            con, people["requester"], ProductCreate(vendor_id=vendor_id, name="MathQuest")
        )
        with pytest.raises(InvalidInput, match="already has"):
            criteria.create_product(
                con, people["requester"], ProductCreate(vendor_id=vendor_id, name="mathquest")
            )
        assert product_id

    def test_a_new_vendor_and_product_are_added_as_a_candidate_all_or_nothing(self, con, people):
        requester = people["requester"]
        request_id = intake.save_draft(con, requester, full_assessment())
        counts = (
            "SELECT (SELECT count(*) FROM vendors), (SELECT count(*) FROM products), "
            "(SELECT count(*) FROM candidates)"
        )
        before = con.execute(counts).fetchone()
        product_id = criteria.add_new_product(
            con,
            requester,
            request_id,
            ProductCreate(vendor_id=0, name="Reading Ranch", grade_low=0, grade_high=5),
            VendorCreate(name="Ranch Learning"),
        )
        after = (before[0] + 1, before[1] + 1, before[2] + 1)
        assert con.execute(counts).fetchone() == after
        assert con.execute(
            "SELECT v.name, c.request_id FROM products p JOIN vendors v USING (vendor_id) "
            "JOIN candidates c USING (product_id) WHERE p.product_id = ?",
            [product_id],
        ).fetchall() == [("Ranch Learning", request_id)]
        vendor_id = con.execute("SELECT vendor_id FROM vendors WHERE name = 'Ranch Learning'").fetchone()[0]
        with pytest.raises(InvalidInput, match="already exists"):  # a taken vendor name: no product either
            criteria.add_new_product(
                con,
                requester,
                request_id,
                ProductCreate(vendor_id=0, name="Other"),
                VendorCreate(name="ranch learning"),
            )
        with pytest.raises(InvalidInput, match="already has"):  # a taken product name
            criteria.add_new_product(
                con, requester, request_id, ProductCreate(vendor_id=vendor_id, name="reading ranch")
            )
        assert con.execute(counts).fetchone() == after

    def test_product_grades_must_be_in_order(self):
        with pytest.raises(ValidationError):
            ProductCreate(vendor_id=1, name="X tool", grade_low=8, grade_high=3)

    def test_add_exclude_and_readd_candidate(self, con, people):
        request_id = intake.save_draft(con, people["requester"], full_assessment())
        product_id = product(con, people["requester"], "Quest", "MathQuest")
        cand = criteria.add_candidate(con, people["requester"], request_id, product_id)
        assert criteria.add_candidate(con, people["requester"], request_id, product_id) == cand
        criteria.set_candidate_status(con, people["reviewer"], cand, "excluded")
        assert criteria.candidates(con, request_id, include_excluded=False).empty
        assert criteria.add_candidate(con, people["requester"], request_id, product_id) == cand
        assert list(criteria.candidates(con, request_id)["status"]) == ["active"]
