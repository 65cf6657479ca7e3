"""How long recomputing cost scenarios takes, so sliders on the budget page feel instant.

Goal (issue #4): 5 scenarios x 10 years recomputed in <= 50 ms. Measures the engine alone
(`evaluate`), and what one slider move on the budget page recomputes: the five scenarios with their
comparison, chart and year tables, plus one tornado and one break-even discount.
Run: `.venv/bin/python bench/bench_costs.py` (exits 1 when over the goal).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.costs import (  # noqa: E402
    ContractOption,
    CostCategory,
    CostLine,
    EnrollmentParams,
    FundingLine,
    QuoteInput,
    ScenarioParams,
)
from models.enums import FundingKind, PricingUnit  # noqa: E402
from services.costs import evaluate  # noqa: E402
from services.costs.analysis import break_even_discount, tornado  # noqa: E402
from services.costs.tables import category_long, comparison_table, cumulative_long, year_table  # noqa: E402

GOAL_MS = 50.0
RUNS = 200

QUOTE = QuoteInput(
    product_id=1,
    pricing_unit=PricingUnit.PER_STUDENT,
    unit_price=6.5,
    coverage_pct=100,
    minimum_quantity=1000,
    term_years=3,
    escalator_pct=5,
    price_lock_years=3,
    multi_year_discount_pct=12,
    one_time_costs=(
        CostLine(name="Setup", category=CostCategory.IMPLEMENTATION, amount=1500),
        CostLine(name="Exit", category=CostCategory.EXIT, amount=330),
    ),
    recurring_costs=(
        CostLine(name="PD", category=CostCategory.TRAINING, amount=1200),
        CostLine(name="Admin", category=CostCategory.STAFF_TIME, hours=30, hourly_rate=55),
    ),
)
FUNDING = (
    FundingLine(
        source_id=1, source_name="Grant", kind=FundingKind.STATE_GRANT, last_fiscal_year=2029, share_pct=60
    ),
    FundingLine(source_id=2, source_name="Title IV-A", kind=FundingKind.TITLE_IV_A, annual_amount=3000),
    FundingLine(source_id=3, source_name="General fund", kind=FundingKind.GENERAL_FUND, share_pct=25),
)


def scenarios() -> list[tuple[str, ScenarioParams]]:
    base = dict(
        start_fiscal_year=2028,
        horizon_years=10,
        discount_rate_pct=3.0,
        funding=FUNDING,
        enrollment=EnrollmentParams(base_students=2300, growth_pct=-1.5),
    )
    return [
        ("Yearly", ScenarioParams(option=ContractOption.YEARLY, **base)),
        ("3-year", ScenarioParams(option=ContractOption.MULTI_YEAR, **base)),
        ("5-year", ScenarioParams(option=ContractOption.CUSTOM, term_years=5, price_lock_years=5, **base)),
        (
            "2-year",
            ScenarioParams(option=ContractOption.CUSTOM, term_years=2, multi_year_discount_pct=6, **base),
        ),
        (
            "Growth",
            ScenarioParams(
                option=ContractOption.MULTI_YEAR,
                **{**base, "enrollment": EnrollmentParams(base_students=2300, growth_pct=2.0)},
            ),
        ),
    ]


def time_ms(work) -> tuple[float, float]:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def engine_only() -> None:
    for name, params in scenarios():
        evaluate(QUOTE, params, name)


def slider_move() -> None:
    results = [evaluate(QUOTE, params, name) for name, params in scenarios()]
    comparison_table(results)
    category_long(results)
    cumulative_long(results)
    for result in results:
        year_table(result)
    tornado(QUOTE, results[1].params)
    break_even_discount(QUOTE, results[1].params)


def main() -> int:
    engine_only()  # warm imports and caches
    worst = 0.0
    for label, work in (
        ("engine: 5 scenarios x 10 years", engine_only),
        ("page: + tables, tornado, break-even", slider_move),
    ):
        median, p95 = time_ms(work)
        worst = max(worst, p95) if work is engine_only else worst
        print(f"{label:<40} median {median:7.2f} ms   p95 {p95:7.2f} ms   (goal <= {GOAL_MS:.0f} ms)")
    ok = worst <= GOAL_MS
    print("PASS" if ok else "FAIL", f"- engine p95 {worst:.2f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
