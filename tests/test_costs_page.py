"""The budget page under AppTest on the demo district: quotes, scenarios, comparison, funding."""

from __future__ import annotations

import duckdb
import pytest

from tests.apphelp import run_page, texts


def request_of(db, product: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT r.request_id FROM requests r JOIN candidates c USING (request_id)"
            " JOIN products p ON p.product_id = c.product_id WHERE p.name = ?",
            [product],
        ).fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def geo(demo_db) -> str:
    return str(request_of(demo_db, "GeoExplorer"))


def open_geo(geo: str, role: str = "business_office"):
    """The GeoExplorer request with GeoExplorer (not its rival) picked."""
    at = run_page("pages/budget.py", as_role=role, query={"request": geo})
    product = next(sb for sb in at.selectbox if sb.label == "Candidate product")
    product.set_value(next(o for o in product.options if o.startswith("GeoExplorer"))).run()
    return at


class TestBudgetPage:
    def test_demo_request_shows_scenarios_and_warnings(self, geo):
        at = open_geo(geo)
        assert not at.exception
        text = texts(at)
        assert "Budget & cost scenarios" in text
        assert "Net present value" in text
        funding = next(sb for sb in at.selectbox if (sb.key or "").startswith("budget.fund_scenario"))
        funding.set_value(next(o for o in funding.options if "grant" in o)).run()
        assert not at.exception
        text = texts(at).replace("\\", "")  # messages are Markdown-escaped
        assert "Funding cliff" in text  # the 3-year option leans on a grant that ends
        assert "Title IV-A" in text and "Unfunded over 5 years" in text
        compare = at.dataframe
        assert any("3-year contract, grant-funded" in str(df.value) for df in compare)
        assert at.get("plotly_chart")

    def test_bad_request_parameter_gets_a_message(self, demo_db):
        at = run_page("pages/budget.py", as_role="business_office", query={"request": "abc"})
        assert not at.exception
        assert "not a number" in texts(at)
        at = run_page("pages/budget.py", as_role="business_office", query={"request": "99999"})
        assert not at.exception
        assert "not an open request" in texts(at)

    def test_slider_recomputes(self, geo):
        at = open_geo(geo)
        before = [m.value for m in at.metric]
        slider = next(s for s in at.slider if s.label.startswith("Annual escalator"))
        slider.set_value(12.0).run()
        assert not at.exception
        assert [m.value for m in at.metric] != before

    def test_teacher_is_turned_away(self, demo_db):
        at = run_page("pages/budget.py", as_role="teacher")
        assert not at.exception
        assert "does not give access" in texts(at)

    def test_reviewer_reads_without_forms(self, geo):
        at = open_geo(geo, "committee_reviewer")
        assert not at.exception
        assert not [b for b in at.button if b.label == "Save"]
        assert "Only the business office" in texts(at)

    def test_a_requester_reads_a_colleagues_request_without_forms_and_edits_their_own(self, geo, demo_db):
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            owner, other = con.execute(
                "SELECT (SELECT p.email FROM requests r JOIN people p ON p.person_id = r.requester_id "
                "WHERE r.request_id = ?), (SELECT min(p.email) FROM people p JOIN person_roles x USING (person_id) "
                "WHERE x.role = 'requester' AND p.person_id <> (SELECT requester_id FROM requests WHERE request_id = ?) "
                "AND p.person_id NOT IN (SELECT person_id FROM person_roles WHERE role <> 'requester'))",
                [int(geo), int(geo)],
            ).fetchone()
        finally:
            con.close()

        def forms(email):
            at = run_page("pages/budget.py", as_email=email, query={"request": geo})
            assert not at.exception
            return {b.label for b in at.button} & {"Save quote", "Save"}

        assert other and forms(other) == set()
        assert forms(owner) == {"Save quote", "Save"}

    def test_save_scenario_with_a_duplicate_name_is_refused(self, geo):
        at = open_geo(geo)
        name = next(t for t in at.text_input if t.label == "Scenario name")
        name.set_value("Yearly renewals").run()
        next(b for b in at.button if b.label == "Save").click().run()
        assert not at.exception
        assert "already exists" in texts(at)

    def test_save_new_scenario(self, geo, demo_db):
        at = open_geo(geo)
        next(t for t in at.text_input if t.label == "Scenario name").set_value("Board option").run()
        next(b for b in at.button if b.label == "Save").click().run()
        assert not at.exception
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            assert (
                con.execute("SELECT count(*) FROM cost_scenarios WHERE name = 'Board option'").fetchone()[0]
                == 1
            )
        finally:
            con.close()

    def test_bad_quote_is_refused_inline_and_not_saved(self, geo, demo_db):
        at = open_geo(geo)
        price = next(n for n in at.number_input if n.label == "Unit price per year ($)")
        price.set_value(-5.0)
        next(n for n in at.number_input if n.label == "Term (years)").set_value(0)
        next(b for b in at.button if b.label == "Save quote").click().run()
        assert not at.exception
        errors = " ".join(e.value for e in at.error)
        assert "Unit price" in errors and "Term years" in errors
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            assert (
                con.execute("SELECT count(*) FROM quotes WHERE unit_price < 0 OR term_years = 0").fetchone()[
                    0
                ]
                == 0
            )
        finally:
            con.close()

    def test_enrollment_on_file_is_shown(self, geo):
        at = open_geo(geo)
        assert not at.exception
        assert any(e.label.startswith("Enrollment behind the seats") for e in at.expander)
