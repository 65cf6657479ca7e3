"""Tiered (volume) pricing and the CPI-linked, capped escalator: hand-computed cases, bad input, DB."""

from __future__ import annotations

import json

import duckdb
import pytest
from pydantic import ValidationError

from models.costs import (
    ContractOption,
    EnrollmentParams,
    EscalatorKind,
    PriceTier,
    QuoteInput,
    ScenarioParams,
    parse_tiers,
    tiers_text,
)
from models.enums import PricingUnit
from services import scenarios
from services.costs.projection import (
    contract_terms,
    effective_escalator_pct,
    list_price_in_year,
    price_for_units,
    project_costs,
)
from tests.apphelp import run_page

TIERS = "0:12.50; 1000:11.00; 5000:9.75"


def quote(**changes) -> QuoteInput:
    data = {
        "product_id": 1,
        "pricing_unit": PricingUnit.PER_SEAT,
        "unit_price": 10.0,
        "quantity": 100,
    }
    return QuoteInput.model_validate({**data, **changes})


def params(*, option=ContractOption.YEARLY, horizon=3, by_year=(), base=100, **changes) -> ScenarioParams:
    return ScenarioParams(
        option=option,
        start_fiscal_year=2027,
        horizon_years=horizon,
        enrollment=EnrollmentParams(base_students=base, by_year=by_year),
        **changes,
    )


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[tuple, str]]:
    return [(e["loc"], e["msg"]) for e in exc.value.errors()]


class TestTierPrice:
    def test_text_parses_and_first_tier_is_the_unit_price(self):
        q = quote(tiers=TIERS)
        assert q.tiers == (
            PriceTier(min_units=0, unit_price=12.5),
            PriceTier(min_units=1000, unit_price=11.0),
            PriceTier(min_units=5000, unit_price=9.75),
        )
        assert q.unit_price == 12.5
        assert tiers_text(q.tiers) == "0:12.50; 1000:11.00; 5000:9.75"
        assert parse_tiers(tiers_text(q.tiers)) == q.tiers

    @pytest.mark.parametrize(
        ("units", "price"),
        [(0, 12.5), (999, 12.5), (1000, 11.0), (1001, 11.0), (4999, 11.0), (5000, 9.75), (80_000, 9.75)],
    )
    def test_boundary_is_inclusive_at_min_units(self, units, price):
        assert price_for_units(quote(tiers=TIERS), units) == price

    def test_no_tiers_is_the_flat_price(self):
        assert price_for_units(quote(unit_price=7.25), 5000) == 7.25

    def test_volume_pricing_prices_all_units_at_the_tier(self):
        # 1,000 seats: all at $11.00 = $11,000 (graduated pricing would give 999 x 12.50 + 1 x 11.00)
        years = project_costs(quote(quantity=1000, tiers=TIERS), params(horizon=1))
        assert years[0].unit_price == 11.0
        assert years[0].license == pytest.approx(11_000.0)

    def test_first_tier_may_start_at_the_minimum_quantity(self):
        q = quote(minimum_quantity=250, quantity=100, tiers="250:8; 1000:7")
        years = project_costs(q, params(horizon=1))
        assert (years[0].units, years[0].unit_price, years[0].license) == (250, 8.0, 2000.0)


class TestSeatsAcrossTiers:
    def test_growing_enrollment_crosses_a_tier(self):
        q = quote(quantity=None, coverage_pct=100, tiers=TIERS)
        years = project_costs(q, params(by_year=(900, 1000, 1100)))
        assert [y.units for y in years] == [900, 1000, 1100]
        assert [y.unit_price for y in years] == [12.5, 11.0, 11.0]
        assert [y.license for y in years] == pytest.approx([11_250.0, 11_000.0, 12_100.0])

    def test_escalator_applies_on_top_of_the_tier_price(self):
        q = quote(quantity=None, coverage_pct=100, tiers=TIERS, escalator_pct=4)
        years = project_costs(q, params(by_year=(900, 1000, 1100)))
        # t=1: 11.00 x 1.04 = 11.44 x 1000; t=2: 11.00 x 1.0816 = 11.8976 x 1100
        assert [y.list_price for y in years] == pytest.approx([12.5, 11.44, 11.8976])
        assert [y.license for y in years] == pytest.approx([11_250.0, 11_440.0, 13_087.36])

    def test_lock_and_discount_apply_to_the_years_tier(self):
        q = quote(
            quantity=None,
            coverage_pct=100,
            tiers=TIERS,
            escalator_pct=5,
            term_years=2,
            price_lock_years=2,
            multi_year_discount_pct=10,
        )
        years = project_costs(q, params(option=ContractOption.MULTI_YEAR, by_year=(900, 1200, 1200)))
        # t=0: 12.50 (lock) x 0.9; t=1: tier 11.00 (lock) x 0.9; t=2: after term, 11 x 1.05^2 = 12.1275
        assert [y.units for y in years] == [900, 1200, 1200]
        assert [y.list_price for y in years] == pytest.approx([12.5, 11.0, 12.1275])
        assert [y.unit_price for y in years] == pytest.approx([11.25, 9.9, 12.1275])

    def test_true_up_keeps_the_higher_tier_within_the_term(self):
        q = quote(quantity=None, coverage_pct=100, tiers=TIERS, term_years=3)
        years = project_costs(q, params(option=ContractOption.MULTI_YEAR, by_year=(1100, 900, 950)))
        assert [y.units for y in years] == [1100, 1100, 1100]
        assert [y.unit_price for y in years] == [11.0, 11.0, 11.0]

    def test_base_price_override_replaces_the_tiers(self):
        years = project_costs(quote(quantity=1000, tiers=TIERS), params(horizon=1), base_price=1.0)
        assert years[0].license == pytest.approx(1000.0)


class TestEscalator:
    def test_flat_default_is_unchanged(self):
        q = quote(escalator_pct=5)
        assert q.escalator_kind == EscalatorKind.FLAT
        assert effective_escalator_pct(q) == 5
        assert [y.list_price for y in project_costs(q, params())] == pytest.approx([10, 10.5, 11.025])

    def test_cap_binds_a_flat_escalator(self):
        q = quote(escalator_pct=5, escalator_cap_pct=3)
        assert effective_escalator_pct(q) == 3
        assert contract_terms(q, params()).escalator == pytest.approx(0.03)
        assert [y.list_price for y in project_costs(q, params())] == pytest.approx([10, 10.3, 10.609])

    def test_cap_above_the_escalator_does_not_bind(self):
        q = quote(escalator_pct=2, escalator_cap_pct=3)
        assert effective_escalator_pct(q) == 2
        assert [y.list_price for y in project_costs(q, params())] == pytest.approx([10, 10.2, 10.404])

    def test_cpi_kind_uses_the_assumed_cpi_capped(self):
        q = quote(escalator_kind="cpi", cpi_pct=4, escalator_cap_pct=3, escalator_pct=9)
        assert effective_escalator_pct(q) == 3
        assert [y.list_price for y in project_costs(q, params())] == pytest.approx([10, 10.3, 10.609])

    def test_cpi_kind_below_the_cap_and_uncapped(self):
        assert effective_escalator_pct(quote(escalator_kind="cpi", cpi_pct=2.5, escalator_cap_pct=3)) == 2.5
        q = quote(escalator_kind="cpi", cpi_pct=4, escalator_pct=9)
        assert effective_escalator_pct(q) == 4
        assert [y.list_price for y in project_costs(q, params())] == pytest.approx([10, 10.4, 10.816])

    def test_scenario_override_is_still_capped(self):
        q = quote(escalator_pct=2, escalator_cap_pct=3)
        assert contract_terms(q, params(escalator_pct=6)).escalator == pytest.approx(0.03)
        assert contract_terms(q, params(escalator_pct=1)).escalator == pytest.approx(0.01)

    def test_lock_rule_unchanged_with_cap(self):
        assert list_price_in_year(10, 1, 0.03, lock_years=2) == 10
        q = quote(escalator_pct=5, escalator_cap_pct=3, term_years=3, price_lock_years=2)
        years = project_costs(q, params(option=ContractOption.MULTI_YEAR))
        assert [y.list_price for y in years] == pytest.approx([10, 10, 10.609])

    def test_summary_text(self):
        assert quote(escalator_pct=3).escalator_text == "escalator 3%"
        text = quote(escalator_kind="cpi", cpi_pct=4, escalator_cap_pct=3).escalator_text
        assert text == "CPI-linked escalator (assumed 4%), capped at 3%"


class TestBadInput:
    @pytest.mark.parametrize(
        ("tiers", "words"),
        [
            ("1000:11; 0:12.5", "smallest min_units up"),
            ("0:12.5; 1000:11; 1000:10", "same quantity"),
            ("0:-1", "negative"),
            ("0:12.5; 1000", "min_units:price"),
            ("0:12.5; lots:11", "min_units:price"),
            ("5:12.5", "above the minimum quantity"),
        ],
    )
    def test_bad_tiers_name_the_field(self, tiers, words):
        with pytest.raises(ValidationError) as exc:
            quote(tiers=tiers)
        [(loc, msg)] = messages(exc)
        assert "tiers" in loc or msg.startswith("Value error, tiers:")
        assert words in msg

    def test_negative_tier_price_as_objects(self):
        with pytest.raises(ValidationError) as exc:
            quote(tiers=[{"min_units": 0, "unit_price": -2}])
        [(loc, msg)] = messages(exc)
        assert loc == ("tiers", 0, "unit_price")
        assert "greater than or equal to 0" in msg

    def test_tiers_refused_on_a_flat_district_license(self):
        with pytest.raises(ValidationError, match="tiers: a flat district license"):
            quote(pricing_unit=PricingUnit.FLAT_DISTRICT, quantity=None, tiers="0:1")

    @pytest.mark.parametrize("cap", [100.5, -1])
    def test_cap_outside_0_to_100(self, cap):
        with pytest.raises(ValidationError) as exc:
            quote(escalator_cap_pct=cap)
        assert [loc for loc, _ in messages(exc)] == [("escalator_cap_pct",)]

    def test_cpi_kind_needs_an_assumed_cpi(self):
        with pytest.raises(ValidationError, match="cpi_pct: a CPI-linked escalator needs"):
            quote(escalator_kind="cpi")

    def test_unknown_escalator_kind(self):
        with pytest.raises(ValidationError) as exc:
            quote(escalator_kind="monthly")
        assert [loc for loc, _ in messages(exc)] == [("escalator_kind",)]


@pytest.fixture
def product_id(con) -> int:
    vendor = con.execute("INSERT INTO vendors (name) VALUES ('Tiered Inc') RETURNING vendor_id").fetchone()[0]
    return con.execute(
        "INSERT INTO products (vendor_id, name) VALUES (?, 'Tiered') RETURNING product_id", [vendor]
    ).fetchone()[0]


class TestRoundTrip:
    def test_quote_with_tiers_and_capped_cpi(self, con, people, product_id):
        q = quote(
            product_id=product_id,
            quantity=None,
            coverage_pct=100,
            tiers=TIERS,
            escalator_kind="cpi",
            cpi_pct=4.2,
            escalator_cap_pct=3.5,
            term_years=3,
        )
        quote_id = scenarios.save_quote(con, people["business"], q)
        loaded = scenarios.get_quote(con, quote_id)
        assert loaded == q
        row = con.execute(
            "SELECT tiers, escalator_kind, cpi_pct, escalator_cap_pct FROM quotes WHERE quote_id = ?",
            [quote_id],
        ).fetchone()
        assert json.loads(row[0])[1] == {"min_units": 1000, "unit_price": 11.0}
        assert row[1:] == ("cpi", 4.2, 3.5)

        scenario_id = scenarios.save_scenario(
            con, people["business"], quote_id=quote_id, name="Tiers", params=params(by_year=(900, 1000, 1100))
        )
        saved = scenarios.load_scenario(con, scenario_id)
        assert project_costs(saved.quote, saved.params) == project_costs(q, params(by_year=(900, 1000, 1100)))

    def test_update_clears_tiers(self, con, people, product_id):
        quote_id = scenarios.save_quote(con, people["business"], quote(product_id=product_id, tiers=TIERS))
        flat = quote(product_id=product_id, unit_price=9.0)
        scenarios.save_quote(con, people["business"], flat, quote_id=quote_id)
        assert scenarios.get_quote(con, quote_id) == flat

    def test_row_from_before_0021_loads_as_flat(self, con, people, product_id):
        quote_id = scenarios.save_quote(
            con, people["business"], quote(product_id=product_id, escalator_pct=4)
        )
        con.execute("UPDATE quotes SET tiers = NULL, escalator_kind = NULL WHERE quote_id = ?", [quote_id])
        loaded = scenarios.get_quote(con, quote_id)
        assert (loaded.tiers, loaded.escalator_kind, loaded.escalator_cap_pct) == (
            (),
            EscalatorKind.FLAT,
            None,
        )
        assert effective_escalator_pct(loaded) == 4


class TestQuoteForm:
    """The budget page's quote form (AppTest on the demo district, as tests/test_costs_page.py)."""

    def _open(self, demo_db):
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            request_id = con.execute(
                "SELECT r.request_id FROM requests r JOIN candidates c USING (request_id)"
                " JOIN products p ON p.product_id = c.product_id WHERE p.name = 'GeoExplorer'"
            ).fetchone()[0]
        finally:
            con.close()
        at = run_page("pages/budget.py", as_role="business_office", query={"request": str(request_id)})
        product = next(sb for sb in at.selectbox if sb.label == "Candidate product")
        product.set_value(next(o for o in product.options if o.startswith("GeoExplorer"))).run()
        return at

    def test_bad_tiers_are_refused_naming_the_field(self, demo_db):
        at = self._open(demo_db)
        next(t for t in at.text_input if t.label.startswith("Price tiers")).set_value("1000:11; 0:12.5")
        next(b for b in at.button if b.label == "Save quote").click().run()
        assert not at.exception
        errors = " ".join(e.value for e in at.error)
        assert "tiers: list the tiers from the smallest min_units up" in errors

    def test_tiers_and_capped_cpi_are_saved_and_shown(self, demo_db):
        at = self._open(demo_db)
        next(t for t in at.text_input if t.label.startswith("Price tiers")).set_value(TIERS)
        next(s for s in at.selectbox if s.label == "Escalator kind").set_value("cpi")
        next(n for n in at.number_input if n.label == "Assumed CPI (%)").set_value(4.0)
        next(n for n in at.number_input if n.label == "Escalator cap (%)").set_value(3.0)
        next(b for b in at.button if b.label == "Save quote").click().run()
        assert not at.exception
        assert not at.error
        shown = " ".join(m.value for m in at.markdown)
        assert "CPI-linked escalator (assumed 4%), capped at 3%" in shown
        assert "1,000+ at" in shown
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            rows = con.execute(
                "SELECT escalator_kind, cpi_pct, escalator_cap_pct FROM quotes WHERE tiers IS NOT NULL"
                " AND json_array_length(tiers) = 3"
            ).fetchall()
        finally:
            con.close()
        assert rows == [("cpi", 4.0, 3.0)]
