"""Demo content for step 3: funding sources, vendor quotes and named cost scenarios.

Shows what the budget page is for: GeoExplorer (at step 3) has a yearly-renewal and a three-year option,
the three-year one leaning on a state grant that ends after two years (a funding cliff) and on
Title IV-A; StudyStack and LingoLeap (later steps) carry the quotes they were costed with.
Deterministic: fixed figures, dates relative to `world.today`; runs inside demo/seed.py's transaction,
so it writes through db.repo directly rather than through the services' own transactions.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from db import repo
from demo.world import DemoWorld
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
from services import scenarios
from services.costs.fiscal import next_fiscal_year
from services.enrollment import base_enrollment

C = CostCategory


def _source(
    con: duckdb.DuckDBPyConnection,
    world: DemoWorld,
    name: str,
    kind: FundingKind,
    last: int | None,
    note: str,
) -> FundingLine:
    source_id = repo.fetch_value(con, "SELECT source_id FROM funding_sources WHERE name = ?", [name])
    if source_id is None:
        source_id = repo.insert(
            con,
            "funding_sources",
            {
                "name": name,
                "kind": kind.value,
                "last_fiscal_year": last,
                "note": note,
            },
            actor=world.people["business"],
        )
    return FundingLine(source_id=source_id, source_name=name, kind=kind, last_fiscal_year=last, share_pct=0)


def _line(source: FundingLine, *, share: float | None = None, amount: float | None = None) -> FundingLine:
    return source.model_copy(update={"share_pct": share, "annual_amount": amount})


def _quotes(world: DemoWorld) -> dict[str, QuoteInput]:
    valid = world.today + dt.timedelta(days=60)
    p = world.products
    quotes = {}
    if "GeoExplorer" in p:
        quotes["GeoExplorer"] = QuoteInput(
            product_id=p["GeoExplorer"],
            request_id=world.requests.get("GeoExplorer"),
            label="MapWorks quote Q-2291 (grades 3-8)",
            pricing_unit=PricingUnit.PER_STUDENT,
            unit_price=6.50,
            coverage_pct=100,
            coverage_grade_low=3,
            coverage_grade_high=8,
            minimum_quantity=1000,
            term_years=3,
            escalator_pct=5,
            price_lock_years=3,
            multi_year_discount_pct=12,
            one_time_costs=(
                CostLine(name="Implementation & setup", category=C.IMPLEMENTATION, amount=1500),
                CostLine(name="Clever rostering & SSO", category=C.INTEGRATION, amount=800),
                CostLine(name="Initial teacher training (2 sessions)", category=C.TRAINING, amount=2400),
                CostLine(name="Data deletion verification at exit", category=C.EXIT, hours=6, hourly_rate=55),
            ),
            recurring_costs=(
                CostLine(name="Ongoing PD (coach)", category=C.TRAINING, amount=1200),
                CostLine(
                    name="Tech admin: rostering and support", category=C.STAFF_TIME, hours=30, hourly_rate=55
                ),
                CostLine(name="Teacher training time", category=C.STAFF_TIME, hours=60, hourly_rate=42),
            ),
            document_url="https://docs.example.org/quotes/mapworks-q-2291.pdf",
            valid_until=valid,
        )
    if "StudyStack" in p:
        quotes["StudyStack"] = QuoteInput(
            product_id=p["StudyStack"],
            request_id=world.requests.get("StudyStack"),
            label="StackEd campus quote",
            pricing_unit=PricingUnit.PER_SEAT,
            unit_price=4.00,
            quantity=1200,
            minimum_quantity=500,
            term_years=1,
            escalator_pct=3,
            recurring_costs=(
                CostLine(name="Library media staff time", category=C.STAFF_TIME, hours=20, hourly_rate=40),
            ),
            valid_until=world.today + dt.timedelta(days=20),
        )
    if "LingoLeap" in p:
        quotes["LingoLeap"] = QuoteInput(
            product_id=p["LingoLeap"],
            request_id=world.requests.get("LingoLeap"),
            label="Polyglot 2-year offer",
            pricing_unit=PricingUnit.PER_STUDENT,
            unit_price=18.00,
            coverage_pct=30,
            coverage_grade_low=6,
            coverage_grade_high=12,
            minimum_quantity=300,
            term_years=2,
            escalator_pct=4,
            price_lock_years=2,
            multi_year_discount_pct=5,
            one_time_costs=(CostLine(name="Headsets for language lab", category=C.HARDWARE, amount=6000),),
            recurring_costs=(CostLine(name="Vendor premium support", category=C.SUPPORT, amount=900),),
            valid_until=valid,
        )
    # rivals added by demo/review.py compete on the same request
    rivals = {
        "Atlas Adventures": (
            "GeoExplorer",
            dict(
                label="Cartography Kids district license",
                pricing_unit=PricingUnit.FLAT_DISTRICT,
                unit_price=15_500,
                escalator_pct=4,
            ),
        ),
        "MemoryLane": (
            "StudyStack",
            dict(
                label="Recall Labs seat quote",
                pricing_unit=PricingUnit.PER_SEAT,
                unit_price=3.50,
                quantity=1200,
                escalator_pct=6,
            ),
        ),
        "WorldTalk": (
            "LingoLeap",
            dict(
                label="Babel Schools offer",
                pricing_unit=PricingUnit.PER_STUDENT,
                unit_price=15.00,
                coverage_pct=30,
                coverage_grade_low=6,
                coverage_grade_high=12,
                escalator_pct=5,
            ),
        ),
    }
    for rival, (lead, terms) in rivals.items():
        if rival in p and lead in world.requests:
            quotes[rival] = QuoteInput(
                product_id=p[rival],
                request_id=world.requests[lead],
                valid_until=valid,
                one_time_costs=(CostLine(name="Onboarding webinar", category=C.TRAINING, amount=750),),
                **terms,
            )
    return quotes


def seed(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    business = world.people["business"]
    start = next_fiscal_year(world.today, world.settings.fiscal_year_start_month)
    general = _source(con, world, "General fund", FundingKind.GENERAL_FUND, None, "Operating budget")
    title4 = _source(
        con,
        world,
        f"Title IV-A FY{start}",
        FundingKind.TITLE_IV_A,
        start,
        "Student Support and Academic Enrichment",
    )
    grant = _source(
        con,
        world,
        "State digital learning grant",
        FundingKind.STATE_GRANT,
        start + 1,
        "Two-year competitive grant",
    )
    _source(con, world, "ESSER III", FundingKind.ESSER, 2024, "Ended September 2024")
    _source(
        con, world, "Oakwood Education Foundation", FundingKind.LOCAL_FOUNDATION, None, "Annual mini-grants"
    )

    def add(quote: QuoteInput, named: list[tuple[str, ScenarioParams]]) -> None:
        quote_id = repo.insert(
            con,
            "quotes",
            {**scenarios.quote_record(quote), "created_by": business.person_id},
            actor=business,
            request_id=quote.request_id,
        )
        row = repo.get(con, "quotes", quote_id)
        for name, params in named:
            scenario_id = repo.insert(
                con, "cost_scenarios", scenarios.scenario_record(row, name, params, business), actor=business
            )
            for position, line in enumerate(params.funding):
                repo.insert(
                    con,
                    "scenario_funding_lines",
                    scenarios.funding_line_record(scenario_id, line, position),
                    actor=business,
                    request_id=quote.request_id,
                )

    def students(low: int, high: int, fallback: int) -> int:
        return base_enrollment(con, start, low, high).students or fallback

    quotes = _quotes(world)
    if "GeoExplorer" in quotes:
        enrollment = EnrollmentParams(base_students=students(3, 8, 2300), growth_pct=-1.5)
        common = dict(
            start_fiscal_year=start,
            horizon_years=5,
            discount_rate_pct=3.0,
            utilization_pct=65,
            enrollment=enrollment,
        )
        add(
            quotes["GeoExplorer"],
            [
                (
                    "Yearly renewals",
                    ScenarioParams(
                        option=ContractOption.YEARLY, **common, funding=(_line(general, share=100),)
                    ),
                ),
                (
                    "3-year contract, grant-funded",
                    ScenarioParams(
                        option=ContractOption.MULTI_YEAR,
                        **common,
                        funding=(
                            _line(grant, share=60),
                            _line(title4, amount=3000),
                            _line(general, share=25),
                        ),
                    ),
                ),
                (
                    "2-year pilot, no lock",
                    ScenarioParams(
                        option=ContractOption.CUSTOM,
                        term_years=2,
                        price_lock_years=0,
                        multi_year_discount_pct=6,
                        **common,
                        funding=(_line(general, share=100),),
                    ),
                ),
            ],
        )
    if "StudyStack" in quotes:
        add(
            quotes["StudyStack"],
            [
                (
                    "Yearly renewals",
                    ScenarioParams(
                        option=ContractOption.YEARLY,
                        start_fiscal_year=start,
                        horizon_years=3,
                        utilization_pct=55,
                        enrollment=EnrollmentParams(base_students=students(6, 12, 1800)),
                        funding=(_line(general, share=100),),
                    ),
                )
            ],
        )
    for rival, low, high in (("Atlas Adventures", 3, 8), ("MemoryLane", 6, 12), ("WorldTalk", 6, 12)):
        if rival in quotes:
            add(
                quotes[rival],
                [
                    (
                        "Yearly renewals",
                        ScenarioParams(
                            option=ContractOption.YEARLY,
                            start_fiscal_year=start,
                            horizon_years=5,
                            enrollment=EnrollmentParams(base_students=students(low, high, 2000)),
                            funding=(_line(general, share=100),),
                        ),
                    )
                ],
            )
    if "LingoLeap" in quotes:
        add(
            quotes["LingoLeap"],
            [
                (
                    "2-year contract",
                    ScenarioParams(
                        option=ContractOption.MULTI_YEAR,
                        start_fiscal_year=start,
                        horizon_years=4,
                        enrollment=EnrollmentParams(base_students=students(6, 12, 1800), growth_pct=1.0),
                        funding=(_line(title4, share=40), _line(general, share=60)),
                    ),
                )
            ],
        )
