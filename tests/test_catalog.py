"""Step 6: who sees which catalog entry, search and filters, and who may write."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models.catalog import CatalogEntryForm
from models.errors import InvalidInput, NotFound, PermissionDenied
from services import catalog
from tests import steps69_factory as f


@pytest.fixture
def shelf(con):
    v = f.vendor(con)
    ids = {
        "MathQuest": f.product(con, v, "MathQuest", subjects="Math", grades=(3, 8)),
        "ReadWell": f.product(con, v, "ReadWell", subjects="Reading; ELA", grades=(0, 5)),
        "SciSim": f.product(con, v, "SciSim", subjects="Science", grades=(9, 12)),
        "AdminTool": f.product(con, v, "AdminTool", subjects="Math"),
        "Pending": f.product(con, v, "PendingTool", subjects="Math"),
    }
    f.entry(con, ids["MathQuest"], status="core", keywords="fractions; fluency")
    f.entry(con, ids["ReadWell"], status="supplemental", visibility="public", schools="Lincoln Elementary")
    f.entry(con, ids["SciSim"], status="not_supported", privacy="not_compliant")
    f.entry(con, ids["AdminTool"], visibility="admin")
    f.entry(con, ids["Pending"], status="pending")
    return ids


def names(rows):
    return [r["product_name"] for r in rows]


def soppa(con, people, product_id: int, status: str, request_id: int | None = None) -> None:
    con.execute(
        "INSERT INTO soppa_decisions (product_id, request_id, status, decided_by) VALUES (?, ?, ?, ?)",
        [product_id, request_id, status, people["compliance"].person_id],
    )


class TestVisibility:
    def test_teacher_sees_public_and_educator_entries_only(self, con, people, shelf):
        shown = names(catalog.search_catalog(con, people["teacher"]))
        assert "AdminTool" not in shown and "PendingTool" not in shown
        assert set(shown) == {"MathQuest", "ReadWell", "SciSim"}

    def test_staff_see_everything(self, con, people, shelf):
        assert len(catalog.search_catalog(con, people["technology"])) == 5

    def test_teacher_cannot_open_admin_entry_by_id(self, con, people, shelf):
        with pytest.raises(NotFound):
            catalog.get_entry(con, people["teacher"], shelf["AdminTool"])

    def test_core_tools_come_first(self, con, people, shelf):
        assert names(catalog.search_catalog(con, people["teacher"]))[0] == "MathQuest"


class TestSearchAndFilters:
    def test_keyword_search(self, con, people, shelf):
        assert names(catalog.search_catalog(con, people["teacher"], text="Fractions")) == ["MathQuest"]

    def test_subject_filter(self, con, people, shelf):
        assert names(catalog.search_catalog(con, people["teacher"], subject="ELA")) == ["ReadWell"]

    def test_grade_band_overlaps_product_grades(self, con, people, shelf):
        assert set(names(catalog.search_catalog(con, people["teacher"], grade_band="PreK-2"))) == {"ReadWell"}
        assert names(catalog.search_catalog(con, people["teacher"], grade_band="9-12")) == ["SciSim"]

    def test_entry_without_schools_is_for_every_school(self, con, people, shelf):
        shown = set(names(catalog.search_catalog(con, people["teacher"], school="Oak Ridge")))
        assert "ReadWell" not in shown and "MathQuest" in shown

    def test_status_and_privacy_filters(self, con, people, shelf):
        assert names(catalog.search_catalog(con, people["teacher"], tool_statuses=["not_supported"])) == [
            "SciSim"
        ]
        assert names(catalog.search_catalog(con, people["teacher"], privacy_statuses=["not_compliant"])) == [
            "SciSim"
        ]


class TestCard:
    def test_card_links_redacted_agreement_and_access(self, con, people, shelf):
        vendor_id = con.execute(
            "SELECT vendor_id FROM products WHERE product_id = ?", [shelf["MathQuest"]]
        ).fetchone()[0]
        f.agreement(con, vendor_id, shelf["MathQuest"], redacted="https://docs.example.org/r.pdf")
        card = catalog.get_entry(con, people["teacher"], shelf["MathQuest"])
        assert card["agreement_link"] == "https://docs.example.org/r.pdf"
        assert card["access"] == catalog.NO_ACCESS_TEXT
        assert card["privacy_status_label"] == "Compliant (agreement signed)"

    def test_grades_are_the_cards_band_else_the_products_range(self, con, people, shelf):
        """A card without its own band shows the product's range, as the request search does (the
        demo's FlashCardz read "Grades —" on its card and "3-8" in the search)."""
        con.execute(
            "UPDATE catalog_entries SET grade_band = 'Grades 4-6' WHERE product_id = ?", [shelf["MathQuest"]]
        )
        con.execute(
            "UPDATE products SET grade_low = -1, grade_high = 12 WHERE product_id = ?", [shelf["AdminTool"]]
        )
        con.execute(
            "UPDATE products SET grade_low = NULL, grade_high = NULL WHERE product_id = ?", [shelf["Pending"]]
        )
        staff = people["technology"]
        assert catalog.get_entry(con, staff, shelf["MathQuest"])["grades"] == "Grades 4-6"
        assert catalog.get_entry(con, staff, shelf["ReadWell"])["grades"] == "K-5"
        assert catalog.get_entry(con, staff, shelf["AdminTool"])["grades"] == "PK-12"
        assert catalog.get_entry(con, staff, shelf["Pending"])["grades"] == ""


class TestWrites:
    def test_teacher_cannot_write(self, con, people, shelf):
        with pytest.raises(PermissionDenied):
            catalog.save_entry(con, people["teacher"], CatalogEntryForm(product_id=shelf["MathQuest"]))

    def test_technology_adds_then_edits_one_entry_per_product(self, con, people):
        product_id = f.product(con, f.vendor(con, "New Co"), "NewTool")
        soppa(con, people, product_id, "compliant")
        form = CatalogEntryForm(
            product_id=product_id,
            privacy_status="compliant",
            purpose="Practice",
            sso_url="https://clever.com/in/x",
        )
        entry_id = catalog.save_entry(con, people["technology"], form)
        again = catalog.save_entry(con, people["technology"], form.model_copy(update={"purpose": "Drills"}))
        assert again == entry_id
        assert (
            con.execute("SELECT purpose FROM catalog_entries WHERE entry_id = ?", [entry_id]).fetchone()[0]
            == "Drills"
        )
        assert (
            con.execute("SELECT count(*) FROM audit_log WHERE table_name = 'catalog_entries'").fetchone()[0]
            == 2
        )

    def test_the_card_cannot_claim_what_the_records_do_not_say(self, con, people):
        """The technology department writes the card; the SOPPA decision and the step-5 gate decide
        whether teachers are told a tool is approved and compliant."""
        tech = people["technology"]
        product_id = f.product(con, f.vendor(con, "Chat Co"), "ChatTutor")

        def card(tool_status: str, privacy_status: str) -> CatalogEntryForm:
            return CatalogEntryForm(
                product_id=product_id, tool_status=tool_status, privacy_status=privacy_status
            )

        approved = card("approved", "compliant")
        with pytest.raises(InvalidInput, match="has not recorded a SOPPA decision"):
            catalog.save_entry(con, tech, approved)
        soppa(con, people, product_id, "not_compliant")
        with pytest.raises(InvalidInput, match="must be 'Not compliant'"):
            catalog.save_entry(con, tech, approved)
        with pytest.raises(InvalidInput, match="before SOPPA clears the product"):
            catalog.save_entry(con, tech, card("approved", "not_compliant"))
        assert catalog.save_entry(con, tech, card("denied", "not_compliant"))  # what teachers should see

        soppa(con, people, product_id, "compliant")  # cleared, but its request waits at the gate
        request_id = con.execute(
            "INSERT INTO requests (title, requester_id, stage, selected_product_id) "
            "VALUES ('ChatTutor', ?, 'decision', ?) RETURNING request_id",
            [people["requester"].person_id, product_id],
        ).fetchone()[0]
        with pytest.raises(InvalidInput, match=f"request #{request_id} .* has not passed the step-5"):
            catalog.save_entry(con, tech, approved)
        assert catalog.save_entry(con, tech, card("pending", "compliant"))
        con.execute("UPDATE requests SET stage = 'catalog' WHERE request_id = ?", [request_id])
        assert catalog.save_entry(con, tech, approved)

    def test_a_later_soppa_decision_shows_on_the_card_at_once(self, con, people, shelf):
        soppa(con, people, shelf["MathQuest"], "not_compliant")  # e.g. after a breach
        card = catalog.get_entry(con, people["teacher"], shelf["MathQuest"])
        assert card["privacy_status"] == "not_compliant"
        assert catalog.entry_form_defaults(con, shelf["MathQuest"])["privacy_status"] == "not_compliant"

    def test_links_must_be_web_addresses(self):
        with pytest.raises(ValidationError) as exc:
            CatalogEntryForm(product_id=1, sso_url="javascript:alert(1)")
        assert "sso_url" in str(exc.value)

    def test_unknown_request_is_not_found(self, con):
        with pytest.raises(NotFound):
            catalog.product_of_request(con, 999)
