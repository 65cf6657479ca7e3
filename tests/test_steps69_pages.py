"""AppTest for the step 6-9 pages on the demo district: catalog (the teacher's home), contracts,
SOPPA posting, goals and plan; bad ids get a friendly message; a teacher reads but cannot write."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from demo.seed import DEMO_PASSWORD
from models.catalog import CatalogEntryForm
from models.errors import DomainError, PermissionDenied
from services import catalog
from services.auth import load_actor
from tests.apphelp import ROOT, db_row, email_for_role, person_id, run_page, texts

_row = db_row


def _product_id(db, name: str) -> int:
    return _row(db, "SELECT product_id FROM products WHERE name = ?", [name])[0]


class TestCatalogPage:
    def test_teacher_lands_on_the_catalog_after_sign_in(self, demo_db):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.text_input[0].input(email_for_role("teacher"))
        at.text_input[1].input(DEMO_PASSWORD)
        at.button[0].click().run()
        assert not at.exception
        assert "Tool catalog" in texts(at)

    def test_teacher_sees_cards_but_not_admin_entries_or_the_editor(self, demo_db):
        at = run_page("pages/catalog.py", as_role="teacher")
        assert not at.exception
        page = texts(at)
        assert "MathQuest" in page and "How to get access" in page
        assert "Quizzical" not in page  # admin-only and pending in the demo
        assert not any("Add or edit" in e.label for e in at.expander)
        assert "Ask your building leader" in page

    def test_teacher_cannot_write_through_the_service(self, demo_db):
        teacher_id = person_id(email_for_role("teacher"))
        product_id = _product_id(demo_db, "MathQuest")
        con = duckdb.connect(str(demo_db))
        try:
            teacher = load_actor(con, teacher_id)
            with pytest.raises(PermissionDenied):
                catalog.save_entry(con, teacher, CatalogEntryForm(product_id=product_id))
        finally:
            con.close()

    def test_search_filters_the_cards(self, demo_db):
        at = run_page("pages/catalog.py", as_role="teacher")
        at.text_input(key="catalog.text").input("coding").run()
        page = texts(at)
        assert "CodeCraft" in page and "MathQuest" not in page

    def test_technology_sees_the_editor_and_saves(self, demo_db):
        newsela = _product_id(demo_db, "Newsela")
        at = run_page("pages/catalog.py", as_role="technology", query={"product": str(newsela)})
        assert not at.exception
        assert "Quizzical" in texts(at)
        at.text_area[0].input("Current-events reading at five levels")
        submit = [b for b in at.button if "Save catalog entry" in b.label][0]
        submit.click().run()
        assert not at.exception
        assert any("Saved the catalog entry" in t.value for t in at.toast)
        # the page is drawn again with the saved entry: no stale "not in the catalog" banner
        assert "is not in the catalog" not in texts(at)

    def test_request_link_opens_the_editor_on_its_product(self, demo_db):
        (request_id,) = _row(
            demo_db, "SELECT request_id FROM requests WHERE stage = 'catalog' ORDER BY request_id LIMIT 1"
        )
        at = run_page("pages/catalog.py", as_role="technology", query={"request": str(request_id)})
        assert not at.exception
        assert at.selectbox(key="catalog.edit_product").value is not None
        assert "is not in the catalog" in texts(at)

    def test_a_tool_that_failed_soppa_cannot_be_listed_as_approved(self, demo_db):
        (request_id,) = _row(demo_db, "SELECT request_id FROM requests WHERE title LIKE 'ChatTutor%'")
        at = run_page("pages/catalog.py", as_role="technology", query={"request": str(request_id)})
        privacy = next(s for s in at.selectbox if s.label == "Privacy status")
        assert privacy.disabled and privacy.value == "not_compliant"  # the SOPPA decision, not editable
        status = next(s for s in at.selectbox if s.label == "Tool status")
        status.set_value("approved")
        next(b for b in at.button if b.label == "Save catalog entry").click().run()
        assert not at.exception
        assert any("before SOPPA clears the product" in e.value for e in at.error)
        teacher = run_page("pages/catalog.py", as_role="teacher")
        assert "ChatTutor" not in texts(teacher)

    def test_a_teacher_learns_nothing_about_requests_from_a_link(self, demo_db):
        first, last = _row(demo_db, "SELECT min(request_id), max(request_id) FROM requests")
        pages = [
            texts(run_page("pages/catalog.py", as_role="teacher", query={"request": str(r)}))
            for r in (first, last, 99999)
        ]
        assert all("for staff who work on purchase requests" in page for page in pages)
        assert pages[0] == pages[1] == pages[2]  # an existing request reads like one that does not exist

    @pytest.mark.parametrize("query", [{"product": "99999"}, {"request": "99999"}, {"product": "abc"}])
    def test_unknown_ids_get_a_friendly_message(self, demo_db, query):
        at = run_page("pages/catalog.py", as_role="teacher", query=query)
        assert not at.exception
        assert "Showing the whole catalog" in texts(at) or "not a number" in texts(at)


class TestContractsPage:
    def test_business_office_sees_expiry_and_downloads(self, demo_db):
        at = run_page("pages/contracts.py", as_role="business_office")
        assert not at.exception
        assert "Contracts" in texts(at)
        assert len(at.dataframe) >= 2
        assert "ReadWell" in at.dataframe[0].value.to_string()

    def test_bad_dates_show_inline_errors(self, demo_db):
        at = run_page("pages/contracts.py", as_role="business_office")
        at.date_input[1].set_value(at.date_input[0].value)  # end = start
        [b for b in at.button if "Save contract" in b.label][0].click().run()
        assert not at.exception
        assert any("End date" in e.value for e in at.error)

    def test_a_saved_contract_opens_for_correction_so_saving_again_does_not_copy_it(self, demo_db):
        """Save, then Save again (to add the renewal owner) made contracts #8 and #9 of one contract."""
        before = _row(demo_db, "SELECT count(*) FROM contracts")[0]
        at = run_page("pages/contracts.py", as_role="business_office")
        at.date_input[0].set_value(dt.date(2031, 7, 1))
        at.date_input[1].set_value(dt.date(2032, 6, 30))
        save = [b for b in at.button if "Save contract" in b.label][0]
        save.click().run()
        assert not at.exception and not at.error
        assert _row(demo_db, "SELECT count(*) FROM contracts")[0] == before + 1
        saved = _row(demo_db, "SELECT max(contract_id) FROM contracts")[0]
        assert at.selectbox(key="contracts.editing").value == saved  # the form now edits it
        [b for b in at.button if "Save contract" in b.label][0].click().run()
        assert not at.exception
        assert _row(demo_db, "SELECT count(*) FROM contracts")[0] == before + 1

    def test_a_second_new_contract_with_the_same_product_and_dates_is_refused(self, con, people):
        from models.catalog import ContractForm
        from services import contracts
        from tests import steps69_factory as f

        product = f.product(con, f.vendor(con), "MathQuest")
        form = ContractForm(
            product_id=product,
            start_date=dt.date(2027, 7, 1),
            end_date=dt.date(2028, 6, 30),
            annual_cost=1000,
        )
        first = contracts.save_contract(con, people["business"], form)
        with pytest.raises(DomainError, match=f"Contract #{first} already covers MathQuest"):
            contracts.save_contract(con, people["business"], form)
        assert contracts.save_contract(con, people["business"], form, first) == first  # editing it is fine

    def test_teacher_is_kept_out(self, demo_db):
        at = run_page("pages/contracts.py", as_role="teacher")
        assert "does not give access" in texts(at)

    def test_unknown_request(self, demo_db):
        at = run_page("pages/contracts.py", as_role="business_office", query={"request": "424242"})
        assert not at.exception and "does not exist" in texts(at)


class TestSoppaPage:
    def test_compliance_officer_sees_clocks_and_registers(self, demo_db):
        at = run_page("pages/soppa.py", as_role="compliance_officer")
        assert not at.exception
        page = texts(at)
        assert "Notify parents of breach" in page and "Answer parent request" in page
        assert "Only the compliance officer" not in page

    def test_future_signing_date_is_refused(self, demo_db):
        at = run_page("pages/soppa.py", as_role="compliance_officer")
        import datetime as dt

        at.date_input[0].set_value(dt.date.today() + dt.timedelta(days=5))
        [b for b in at.button if b.label == "Save dates"][0].click().run()
        assert any("cannot be in the future" in e.value for e in at.error)

    def test_district_holidays_are_saved_or_the_bad_date_is_named(self, demo_db):
        at = run_page("pages/soppa.py", as_role="compliance_officer")
        box = [t for t in at.text_area if t.label.startswith("District holidays")][0]
        box.set_value("2026-11-26\nThanksgiving")
        [b for b in at.button if b.label == "Save settings"][0].click().run()
        assert any("'Thanksgiving' is not a date" in e.value for e in at.error)
        box = [t for t in at.text_area if t.label.startswith("District holidays")][0]
        box.set_value("11/27/2026\n2026-11-26")
        [b for b in at.button if b.label == "Save settings"][0].click().run()
        assert not at.error and any("Saved" in m.value for m in at.success)
        at = run_page("pages/soppa.py", as_role="compliance_officer")
        box = [t for t in at.text_area if t.label.startswith("District holidays")][0]
        assert box.value == "2026-11-26\n2026-11-27"
        assert "2 district holidays" in texts(at)

    def test_other_staff_read_only(self, demo_db):
        at = run_page("pages/soppa.py", as_role="approver")
        assert not at.exception
        assert "Only the compliance officer" in texts(at)


class TestGoalsPlanPage:
    def test_plan_with_locked_rule_and_timeline(self, demo_db):
        at = run_page(
            "pages/goals_plan.py",
            as_role="requester",
            query={"product": str(_product_id(demo_db, "MathQuest"))},
        )
        assert not at.exception
        page = texts(at)
        assert "Goals (step 8)" in page and "locked" in page
        assert at.get("plotly_chart")

    def test_goal_without_owner_shows_an_inline_error(self, demo_db):
        at = run_page(
            "pages/goals_plan.py",
            as_role="requester",
            query={"product": str(_product_id(demo_db, "CodeCraft"))},
        )
        at.text_input[0].input("Every student codes weekly")
        at.text_input[1].input("Weekly coders")
        at.number_input[1].set_value(90.0)
        [b for b in at.button if b.label == "Add goal"][0].click().run()
        assert not at.exception
        assert any("Owner (lead)" in e.value for e in at.error)
        # what was typed stays for the fix; after the save the form is empty for the next goal
        assert [at.text_input[0].value, at.text_input[1].value] == [
            "Every student codes weekly",
            "Weekly coders",
        ]
        owner = next(s for s in at.selectbox if s.label == "Owner (lead)")
        owner.set_value(owner.options[1])
        [b for b in at.button if b.label == "Add goal"][0].click().run()
        assert not at.exception and not at.error
        assert "Goal added." in [t.value for t in at.toast]
        assert [at.text_input[0].value, at.text_input[1].value] == ["", ""]

    def test_unapproved_product_gets_a_message(self, demo_db):
        at = run_page(
            "pages/goals_plan.py",
            as_role="approver",
            query={"product": str(_product_id(demo_db, "ChatTutor AI"))},
        )
        assert not at.exception and "not an approved tool" in texts(at)


class TestHomeHook:
    def test_home_shows_soppa_deadlines_and_reviews(self, demo_db):
        at = run_page("pages/home.py", as_role="compliance_officer")
        assert not at.exception
        page = texts(at)
        assert "SOPPA deadlines and plan reviews" in page
        assert "Answer parent request" in page and "Plan review" in page
