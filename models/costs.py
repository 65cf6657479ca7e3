"""Step 3 inputs: a vendor quote and the assumptions of a cost scenario, validated before anything runs.

Why pydantic models: the budget page, the demo seed and the tests all build the same objects, and a bad
value (a negative price, an escalator over 100%, a zero-year term, a missing quantity, funding shares
over 100%) is refused here with a message that names the field, so nothing invalid is modeled or saved.
Percentages are entered and stored as percents (5 means 5%); services/costs turns them into rates.

Tiered pricing: a quote may list price tiers (`tiers`), each a `min_units` and a `unit_price`. They must
be sorted by min_units with no duplicates, and the first tier must start at or below the quote's minimum
quantity (0 always works), so every quantity the model can bill has a price. An empty list means the flat
`unit_price`; with tiers, `unit_price` is set to the first tier's price (the headline "from" price). The
tiers can also be typed as text, "0:12.50; 1000:11.00; 5000:9.75" (min_units:price pairs). How a tier is
picked (volume pricing) is defined in services/costs/projection.py.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.enums import FundingKind, PricingUnit

MAX_YEARS = 15


class CostCategory(StrEnum):
    """Cost lines after CoSN's total cost of ownership; `indirect` marks the often-unbudgeted ones."""

    LICENSE = "license"
    IMPLEMENTATION = "implementation"
    INTEGRATION = "integration"
    HARDWARE = "hardware"
    SUPPORT = "support"
    TRAINING = "training"
    STAFF_TIME = "staff_time"
    EXIT = "exit"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]

    @property
    def indirect(self) -> bool:
        return self in (CostCategory.STAFF_TIME, CostCategory.EXIT)


_CATEGORY_LABELS = {
    CostCategory.LICENSE: "Subscription / licenses",
    CostCategory.IMPLEMENTATION: "Implementation & setup",
    CostCategory.INTEGRATION: "Integration (SIS, rostering, SSO)",
    CostCategory.HARDWARE: "Hardware & devices",
    CostCategory.SUPPORT: "Vendor support",
    CostCategory.TRAINING: "Professional development",
    CostCategory.STAFF_TIME: "Staff time (indirect)",
    CostCategory.EXIT: "Exit: migration & deletion (indirect)",
}


class ContractOption(StrEnum):
    """How the purchase is contracted. The rules of each live in services/costs/projection.py."""

    YEARLY = "yearly"  # renew every year at the escalated list price
    MULTI_YEAR = "multi_year"  # the quote's term, discount and price lock
    CUSTOM = "custom"  # the quote's terms with the user's own overrides

    @property
    def label(self) -> str:
        return {"yearly": "Yearly renewals", "multi_year": "Multi-year contract", "custom": "Custom option"}[
            self.value
        ]


class BudgetBasis(StrEnum):
    """What a budget limit applies to in "what would it take"."""

    EACH_YEAR = "each_year"
    TOTAL = "total"
    NPV = "npv"

    @property
    def label(self) -> str:
        return {
            "each_year": "every year's cost",
            "total": "total over the horizon",
            "npv": "net present value",
        }[self.value]


class EscalatorKind(StrEnum):
    """How the annual escalator is set: a flat percent, or linked to CPI (an assumed CPI percent)."""

    FLAT = "flat"
    CPI = "cpi"

    @property
    def label(self) -> str:
        return {"flat": "Flat %", "cpi": "CPI-linked"}[self.value]


class PriceTier(BaseModel):
    """From `min_units` units up (to the next tier), every unit costs `unit_price` a year."""

    model_config = ConfigDict(frozen=True)

    min_units: int = Field(ge=0, le=10_000_000)
    unit_price: float = Field(ge=0, le=10_000_000, description="Dollars per unit per year")


def parse_tiers(text: str) -> tuple[PriceTier, ...]:
    """ "0:12.50; 1000:11.00" -> tiers (order is checked by QuoteInput). Raises ValueError."""
    return tuple(PriceTier(**pair) for pair in _tier_pairs(text))


def _tier_pairs(text: str) -> list[dict[str, float]]:
    tiers: list[dict[str, float]] = []
    for part in (p.strip() for p in text.replace("\n", ";").split(";")):
        if not part:
            continue
        units, sep, price = part.partition(":")
        if not sep:
            raise ValueError(f"tiers: '{part}' is not min_units:price (e.g. 0:12.50; 1000:11.00)")
        try:
            min_units = int(units.strip().replace(",", ""))
            unit_price = float(price.strip().lstrip("$").replace(",", ""))
        except ValueError:
            raise ValueError(f"tiers: '{part}' is not min_units:price (e.g. 0:12.50; 1000:11.00)") from None
        if min_units < 0 or unit_price < 0:
            raise ValueError(f"tiers: '{part}' has a negative quantity or price")
        tiers.append({"min_units": min_units, "unit_price": unit_price})
    return tiers


def tiers_text(tiers: tuple[PriceTier, ...]) -> str:
    """The text form parse_tiers reads: "0:12.50; 1000:11.00"."""
    return "; ".join(f"{t.min_units}:{t.unit_price:.2f}" for t in tiers)


class CostLine(BaseModel):
    """One non-license cost: a fixed amount, or staff hours x a loaded hourly rate."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    category: CostCategory
    amount: float = Field(default=0.0, ge=0, description="Dollars (per year if recurring)")
    hours: float | None = Field(default=None, ge=0, le=100_000)
    hourly_rate: float | None = Field(default=None, ge=0, le=1_000)

    @model_validator(mode="after")
    def _hours_times_rate(self) -> CostLine:
        if (self.hours is None) != (self.hourly_rate is None):
            raise ValueError("hours and hourly_rate: give both, or neither")
        if self.hours is not None and self.hourly_rate is not None:
            object.__setattr__(self, "amount", round(self.hours * self.hourly_rate, 2))
        return self


class QuoteInput(BaseModel):
    """A vendor quote for one candidate product (SOP step 3: "seeks a quote")."""

    model_config = ConfigDict(frozen=True)

    product_id: int
    request_id: int | None = None
    label: str | None = Field(default=None, max_length=200)
    pricing_unit: PricingUnit
    unit_price: float = Field(ge=0, le=10_000_000, description="Dollars per unit per year")
    quantity: int | None = Field(default=None, ge=0, le=10_000_000)
    coverage_pct: float | None = Field(default=None, gt=0, le=100, description="Share of enrolled students")
    coverage_grade_low: int | None = Field(default=None, ge=-1, le=12)
    coverage_grade_high: int | None = Field(default=None, ge=-1, le=12)
    minimum_quantity: int = Field(default=0, ge=0, le=10_000_000)
    seat_cap: int | None = Field(default=None, ge=1, le=10_000_000)
    term_years: int = Field(default=1, ge=1, le=10)
    escalator_pct: float = Field(default=0.0, ge=0, le=100)
    escalator_kind: EscalatorKind = EscalatorKind.FLAT
    cpi_pct: float | None = Field(default=None, ge=0, le=100, description="Assumed CPI, for a CPI escalator")
    escalator_cap_pct: float | None = Field(default=None, ge=0, le=100, description="Bounds the escalator")
    tiers: tuple[PriceTier, ...] = ()
    price_lock_years: int = Field(default=0, ge=0, le=10)
    multi_year_discount_pct: float = Field(default=0.0, ge=0, le=100)
    one_time_costs: tuple[CostLine, ...] = ()
    recurring_costs: tuple[CostLine, ...] = ()
    document_url: str | None = Field(default=None, max_length=1000)
    valid_until: dt.date | None = None

    @field_validator("tiers", mode="before")
    @classmethod
    def _tiers_from_text(cls, value: object) -> object:
        if value is None:
            return ()
        if isinstance(value, str):
            return _tier_pairs(value)
        return value

    @model_validator(mode="after")
    def _tiers_and_escalator(self) -> QuoteInput:
        if self.escalator_kind == EscalatorKind.CPI and self.cpi_pct is None:
            raise ValueError("cpi_pct: a CPI-linked escalator needs the assumed CPI (e.g. 3%)")
        if not self.tiers:
            return self
        if self.pricing_unit == PricingUnit.FLAT_DISTRICT:
            raise ValueError("tiers: a flat district license has no per-unit tiers; use the unit price")
        starts = [t.min_units for t in self.tiers]
        if len(set(starts)) != len(starts):
            raise ValueError("tiers: two tiers start at the same quantity; each min_units must be unique")
        if starts != sorted(starts):
            raise ValueError("tiers: list the tiers from the smallest min_units up")
        if starts[0] > self.minimum_quantity:
            raise ValueError(
                f"tiers: the first tier starts at {starts[0]:,} units, above the minimum quantity "
                f"({self.minimum_quantity:,}); start it at 0 or at the minimum so every quantity has a price"
            )
        object.__setattr__(self, "unit_price", self.tiers[0].unit_price)
        return self

    @property
    def escalator_text(self) -> str:
        """ "escalator 3%", "CPI (assumed 4%) capped at 3%"."""
        if self.escalator_kind == EscalatorKind.CPI:
            text = f"CPI-linked escalator (assumed {self.cpi_pct:g}%)"
        else:
            text = f"escalator {self.escalator_pct:g}%"
        return text + (
            f", capped at {self.escalator_cap_pct:g}%" if self.escalator_cap_pct is not None else ""
        )

    @model_validator(mode="after")
    def _quantity_rule(self) -> QuoteInput:
        follows = self.pricing_unit in (PricingUnit.PER_STUDENT, PricingUnit.PER_SEAT)
        if self.coverage_pct is not None and not follows:
            raise ValueError("coverage_pct: a coverage rule applies to per-student or per-seat pricing only")
        if (
            self.pricing_unit != PricingUnit.FLAT_DISTRICT
            and self.quantity is None
            and self.coverage_pct is None
        ):
            raise ValueError("quantity: enter how many units, or a coverage rule (e.g. 100% of grades 3-5)")
        if self.seat_cap is not None and self.seat_cap < self.minimum_quantity:
            raise ValueError("seat_cap: the cap is below the minimum quantity")
        low, high = self.coverage_grade_low, self.coverage_grade_high
        if low is not None and high is not None and low > high:
            raise ValueError("coverage_grade_high: the last grade comes before the first")
        return self

    @property
    def coverage_text(self) -> str:
        """How people say the coverage rule: "100% of grades 3-5"."""
        if self.coverage_pct is None:
            return ""
        grades = ""
        if self.coverage_grade_low is not None and self.coverage_grade_high is not None:
            grades = (
                f" of grades {grade_label(self.coverage_grade_low)}-{grade_label(self.coverage_grade_high)}"
            )
        return f"{self.coverage_pct:g}%{grades or ' of enrolled students'}"


def grade_label(grade: int) -> str:
    """Grades as the district writes them: -1 is PK, 0 is K."""
    return {-1: "PK", 0: "K"}.get(grade, str(grade))


def grade_range_label(low: int | None, high: int | None) -> str:
    """A product's grade range as the district writes it ('K-5', 'PK-12', '9'); '' when unknown."""
    if low is None and high is None:
        return ""
    low = -1 if low is None else int(low)
    high = 12 if high is None else int(high)
    return grade_label(low) if low == high else f"{grade_label(low)}-{grade_label(high)}"


class EnrollmentParams(BaseModel):
    """Students in the covered grades: a base year and a growth rate, or a number per year."""

    model_config = ConfigDict(frozen=True)

    base_students: int = Field(ge=0, le=10_000_000)
    growth_pct: float = Field(default=0.0, ge=-50, le=50, description="Annual change, often negative")
    by_year: tuple[int, ...] = Field(default=(), description="Entered per year; overrides the growth")

    @model_validator(mode="after")
    def _no_negatives(self) -> EnrollmentParams:
        if any(n < 0 for n in self.by_year):
            raise ValueError("by_year: enrollment cannot be negative")
        return self


class FundingLine(BaseModel):
    """Part of each year's cost charged to one funding source, as a share or a fixed amount per year."""

    model_config = ConfigDict(frozen=True)

    source_id: int | None = None
    source_name: str = Field(min_length=1, max_length=200)
    kind: FundingKind
    last_fiscal_year: int | None = Field(default=None, ge=2000, le=2100)
    share_pct: float | None = Field(default=None, ge=0, le=100)
    annual_amount: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _share_or_amount(self) -> FundingLine:
        if (self.share_pct is None) == (self.annual_amount is None):
            raise ValueError("share_pct: give a share of the cost or an annual amount, not both or neither")
        return self


class ScenarioParams(BaseModel):
    """The assumptions of one scenario; the quote supplies prices, these say how they play out."""

    model_config = ConfigDict(frozen=True)

    option: ContractOption = ContractOption.MULTI_YEAR
    start_fiscal_year: int = Field(ge=2000, le=2100)
    horizon_years: int = Field(default=5, ge=1, le=MAX_YEARS)
    # overrides of the quote's terms (None = the quote's value); used by the custom option
    term_years: int | None = Field(default=None, ge=1, le=10)
    escalator_pct: float | None = Field(default=None, ge=0, le=100)
    price_lock_years: int | None = Field(default=None, ge=0, le=10)
    multi_year_discount_pct: float | None = Field(default=None, ge=0, le=100)
    discount_rate_pct: float = Field(default=3.0, ge=0, le=50, description="For NPV")
    utilization_pct: float = Field(default=70.0, gt=0, le=100, description="Assumed active share of seats")
    enrollment: EnrollmentParams
    funding: tuple[FundingLine, ...] = ()

    @model_validator(mode="after")
    def _funding_total(self) -> ScenarioParams:
        shares = sum(line.share_pct or 0 for line in self.funding)
        if shares > 100 + 1e-9:
            raise ValueError(f"funding: shares add up to {shares:g}%, more than 100%")
        return self


class SensitivityRanges(BaseModel):
    """How far each tornado input moves down and up from the scenario's value (in points)."""

    model_config = ConfigDict(frozen=True)

    escalator_points: float = Field(default=3.0, ge=0, le=50)
    growth_points: float = Field(default=3.0, ge=0, le=50)
    utilization_points: float = Field(default=20.0, ge=0, le=100)
    discount_rate_points: float = Field(default=2.0, ge=0, le=50)

    def describe(self) -> str:
        return (
            f"Each input moves alone: escalator ±{self.escalator_points:g} points, enrollment growth "
            f"±{self.growth_points:g} points a year, utilization ±{self.utilization_points:g} points, discount "
            f"rate ±{self.discount_rate_points:g} points. Utilization changes what each active user costs, "
            "not what the district pays."
        )
