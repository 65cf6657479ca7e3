"""Quotes, scenarios and funding lines saved in DuckDB: permission-checked, validated, audited."""

from __future__ import annotations

import pytest

from models.costs import (
    ContractOption,
    CostCategory,
    CostLine,
    EnrollmentParams,
    FundingLine,
    QuoteInput,
    ScenarioParams,
)
from models.enums import FundingKind, PricingUnit
from models.errors import InvalidInput, NotFound, PermissionDenied
from services import enrollment, funding_sources, scenarios
from services.costs import evaluate


@pytest.fixture
def product_id(con) -> int:
    vendor = con.execute("INSERT INTO vendors (name) VALUES ('Mathly Inc') RETURNING vendor_id").fetchone()[0]
    return con.execute(
        "INSERT INTO products (vendor_id, name) VALUES (?, 'Mathly') RETURNING product_id", [vendor]
    ).fetchone()[0]


def make_quote(product_id: int) -> QuoteInput:
    return QuoteInput(
        product_id=product_id,
        label="Mathly 2026 quote",
        pricing_unit=PricingUnit.PER_STUDENT,
        unit_price=12.5,
        coverage_pct=100,
        coverage_grade_low=3,
        coverage_grade_high=5,
        minimum_quantity=500,
        term_years=3,
        escalator_pct=4,
        price_lock_years=3,
        multi_year_discount_pct=8,
        one_time_costs=(CostLine(name="Rostering setup", category=CostCategory.INTEGRATION, amount=1500),),
        recurring_costs=(
            CostLine(name="Coach hours", category=CostCategory.STAFF_TIME, hours=20, hourly_rate=45),
        ),
    )


PARAMS = ScenarioParams(
    option=ContractOption.MULTI_YEAR,
    start_fiscal_year=2027,
    enrollment=EnrollmentParams(base_students=900, growth_pct=-2),
)


class TestQuotes:
    def test_round_trip_and_audit(self, con, people, product_id):
        quote = make_quote(product_id)
        quote_id = scenarios.save_quote(con, people["business"], quote)
        assert scenarios.get_quote(con, quote_id) == quote
        row = con.execute("SELECT coverage, created_by FROM quotes WHERE quote_id = ?", [quote_id]).fetchone()
        assert row == ("100% of grades 3-5", people["business"].person_id)
        audit = con.execute(
            "SELECT action, actor_email FROM audit_log WHERE table_name = 'quotes'"
        ).fetchall()
        assert audit == [("insert", "business@district.test")]

    def test_update_records_only_changes(self, con, people, product_id):
        quote_id = scenarios.save_quote(con, people["business"], make_quote(product_id))
        changed = make_quote(product_id).model_copy(update={"unit_price": 11.0})
        scenarios.save_quote(con, people["business"], changed, quote_id=quote_id)
        assert scenarios.get_quote(con, quote_id).unit_price == 11.0
        before = con.execute("SELECT before FROM audit_log WHERE action = 'update'").fetchone()[0]
        assert "unit_price" in before

    def test_teacher_cannot_save_quotes(self, con, people, product_id):
        with pytest.raises(PermissionDenied):
            scenarios.save_quote(con, people["teacher"], make_quote(product_id))
        assert con.execute("SELECT count(*) FROM quotes").fetchone()[0] == 0

    def test_unknown_product(self, con, people):
        with pytest.raises(NotFound):
            scenarios.save_quote(con, people["business"], make_quote(999))


class TestScenarios:
    def test_save_load_evaluates_the_same(self, con, people, product_id):
        quote_id = scenarios.save_quote(con, people["business"], make_quote(product_id))
        sid = scenarios.save_scenario(
            con, people["business"], quote_id=quote_id, name="3-year", params=PARAMS
        )
        saved = scenarios.load_scenario(con, sid)
        assert saved.params == PARAMS and saved.name == "3-year"
        assert evaluate(saved.quote, saved.params).summary == evaluate(make_quote(product_id), PARAMS).summary

    def test_names_are_unique_per_product(self, con, people, product_id):
        quote_id = scenarios.save_quote(con, people["business"], make_quote(product_id))
        scenarios.save_scenario(con, people["business"], quote_id=quote_id, name="3-year", params=PARAMS)
        with pytest.raises(InvalidInput, match="name"):
            scenarios.save_scenario(con, people["business"], quote_id=quote_id, name="3-YEAR ", params=PARAMS)
        with pytest.raises(InvalidInput, match="name"):
            scenarios.save_scenario(con, people["business"], quote_id=quote_id, name="  ", params=PARAMS)

    def test_duplicate_copies_funding_and_delete_removes_all(self, con, people, product_id):
        quote_id = scenarios.save_quote(con, people["business"], make_quote(product_id))
        sid = scenarios.save_scenario(
            con, people["business"], quote_id=quote_id, name="3-year", params=PARAMS
        )
        grant = funding_sources.save_funding_source(
            con,
            people["business"],
            name="State STEM grant",
            kind=FundingKind.STATE_GRANT,
            last_fiscal_year=2028,
        )
        scenarios.set_funding(
            con,
            people["business"],
            sid,
            [
                FundingLine(
                    source_id=grant,
                    source_name="State STEM grant",
                    kind=FundingKind.STATE_GRANT,
                    last_fiscal_year=2028,
                    share_pct=60,
                )
            ],
        )
        copy = scenarios.duplicate_scenario(con, people["requester"], sid, "3-year (copy)")
        loaded = scenarios.load_scenario(con, copy)
        assert loaded.params.funding[0].share_pct == 60 and loaded.params.funding[0].last_fiscal_year == 2028
        assert [s["name"] for s in scenarios.list_scenarios(con, product_id=product_id)] == [
            "3-year",
            "3-year (copy)",
        ]
        scenarios.delete_scenario(con, people["business"], copy)
        assert con.execute("SELECT count(*) FROM scenario_funding_lines").fetchone()[0] == 1
        assert (
            con.execute(
                "SELECT count(*) FROM audit_log WHERE table_name = 'scenario_funding_lines'"
                " AND action = 'delete'"
            ).fetchone()[0]
            == 1
        )

    def test_funding_needs_business_office_and_valid_split(self, con, people, product_id):
        quote_id = scenarios.save_quote(con, people["requester"], make_quote(product_id))
        sid = scenarios.save_scenario(
            con, people["requester"], quote_id=quote_id, name="Yearly", params=PARAMS
        )
        general = funding_sources.save_funding_source(
            con, people["admin"], name="General fund", kind=FundingKind.GENERAL_FUND
        )
        line = FundingLine(
            source_id=general, source_name="General fund", kind=FundingKind.GENERAL_FUND, share_pct=70
        )
        with pytest.raises(PermissionDenied):
            scenarios.set_funding(con, people["requester"], sid, [line])
        with pytest.raises(ValueError, match="funding"):
            scenarios.set_funding(con, people["business"], sid, [line, line])
        assert con.execute("SELECT count(*) FROM scenario_funding_lines").fetchone()[0] == 0

    def test_unsaved_source_refused(self, con, people, product_id):
        quote_id = scenarios.save_quote(con, people["business"], make_quote(product_id))
        sid = scenarios.save_scenario(
            con, people["business"], quote_id=quote_id, name="Yearly", params=PARAMS
        )
        loose = FundingLine(source_name="Bake sale", kind=FundingKind.OTHER, annual_amount=100)
        with pytest.raises(InvalidInput, match="Bake sale"):
            scenarios.set_funding(con, people["business"], sid, [loose])


class TestEnrollment:
    def test_entered_counts_feed_the_base(self, con, people):
        school = con.execute("INSERT INTO schools (name) VALUES ('Lincoln') RETURNING school_id").fetchone()[
            0
        ]
        for grade, n in ((3, 100), (4, 110), (5, 95), (6, 120)):
            enrollment.save_enrollment(
                con, people["business"], school_id=school, fiscal_year=2027, grade=grade, students=n
            )
        base = enrollment.base_enrollment(con, 2027, 3, 5)
        assert (base.students, base.source) == (305, "entered")
        assert enrollment.base_enrollment(con, 2029, 3, 5).fiscal_year == 2027  # latest year on file
        enrollment.save_enrollment(
            con, people["business"], school_id=school, fiscal_year=2027, grade=3, students=90
        )
        assert enrollment.base_enrollment(con, 2027, 3, 5).students == 295
        assert (
            con.execute("SELECT count(*) FROM audit_log WHERE table_name = 'enrollment'").fetchone()[0] == 5
        )

    @pytest.mark.parametrize(("students", "says"), [(-5, "negative"), (99_999_999_999, "at most 50,000")])
    def test_an_impossible_count_is_refused_and_nothing_changes(self, con, people, students, says):
        school = con.execute("INSERT INTO schools (name) VALUES ('Lincoln') RETURNING school_id").fetchone()[
            0
        ]
        with pytest.raises(InvalidInput, match=says):
            enrollment.save_enrollment(
                con, people["business"], school_id=school, fiscal_year=2027, grade=3, students=students
            )
        assert con.execute("SELECT count(*) FROM enrollment").fetchone()[0] == 0

    def test_roster_counts_are_not_overwritten(self, con, people):
        school = con.execute("INSERT INTO schools (name) VALUES ('Lincoln') RETURNING school_id").fetchone()[
            0
        ]
        con.execute("INSERT INTO enrollment VALUES (?, 2027, 3, 100, 'roster')", [school])
        with pytest.raises(InvalidInput, match="roster"):
            enrollment.save_enrollment(
                con, people["business"], school_id=school, fiscal_year=2027, grade=3, students=1
            )

    def test_no_data(self, con):
        assert enrollment.base_enrollment(con, 2027).source == "none"
