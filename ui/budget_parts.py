"""Widgets of the budget page: the quote form, the scenario editor and the funding editor.

Each reads widgets and returns a model from models/costs.py (or None while input is invalid, with the
errors shown inline, naming the field); nothing here computes costs or writes to the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from models.costs import (
    ContractOption,
    CostCategory,
    EnrollmentParams,
    EscalatorKind,
    FundingLine,
    QuoteInput,
    ScenarioParams,
    grade_label,
    tiers_text,
)
from models.enums import FundingKind, PricingUnit
from services.costs import ScenarioResult
from services.costs.tables import MONEY_COLUMNS
from ui.context import state_key
from ui.forms import show_validation_errors

NS = "budget"
_CATEGORY_BY_LABEL = {c.label: c for c in CostCategory if c != CostCategory.LICENSE}
_LINE_COLUMNS = ["Name", "Category", "Amount", "Hours", "Hourly rate"]


def money_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Column config showing every money column of a table as dollars."""
    return {c: st.column_config.NumberColumn(c, format="dollar") for c in frame.columns if c in MONEY_COLUMNS}


def _lines_frame(lines: tuple) -> pd.DataFrame:
    rows = [
        {
            "Name": ln.name,
            "Category": ln.category.label,
            "Amount": None if ln.hours else ln.amount,
            "Hours": ln.hours,
            "Hourly rate": ln.hourly_rate,
        }
        for ln in lines
    ]
    frame = pd.DataFrame(rows, columns=_LINE_COLUMNS)
    return frame.astype(
        {"Name": "string", "Category": "string", "Amount": "float", "Hours": "float", "Hourly rate": "float"}
    )


def _lines_editor(label: str, lines: tuple, key: str) -> pd.DataFrame:
    st.markdown(f"**{label}**")
    return st.data_editor(
        _lines_frame(lines),
        key=key,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config={
            "Name": st.column_config.TextColumn("Name", required=True),
            "Category": st.column_config.SelectboxColumn(
                "Category", options=list(_CATEGORY_BY_LABEL), required=True
            ),
            "Amount": st.column_config.NumberColumn("Amount ($)", min_value=0, format="dollar"),
            "Hours": st.column_config.NumberColumn("Staff hours", min_value=0),
            "Hourly rate": st.column_config.NumberColumn(
                "Loaded hourly rate ($)", min_value=0, format="dollar"
            ),
        },
    )


def _rows_to_lines(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        name = row.get("Name")
        if name is None or pd.isna(name) or not str(name).strip():
            continue

        def num(v: Any) -> float | None:
            return None if v is None or pd.isna(v) else float(v)

        hours, rate = num(row.get("Hours")), num(row.get("Hourly rate"))
        out.append(
            {
                "name": str(name).strip(),
                "category": _CATEGORY_BY_LABEL.get(str(row.get("Category")), "x"),
                "amount": num(row.get("Amount")) or 0.0,
                "hours": hours,
                "hourly_rate": rate,
            }
        )
    return out


def quote_form(
    product_id: int, request_id: int | None, current: QuoteInput | None, key: str
) -> QuoteInput | None:
    """The vendor's quote; returns a valid QuoteInput when submitted, else None."""
    q = current
    with st.form(state_key(NS, f"quote_form.{key}")):
        label = st.text_input(
            "Quote name", value=(q.label if q else "") or "", placeholder="e.g. Vendor quote Q-2291"
        )
        c1, c2, c3 = st.columns(3)
        units = PricingUnit.options()
        unit = c1.selectbox(
            "Pricing unit",
            units,
            index=units.index(q.pricing_unit) if q else 0,
            format_func=lambda v: PricingUnit(v).label,
        )
        price = c2.number_input(
            "Unit price per year ($)",
            value=float(q.unit_price) if q else 0.0,
            step=0.5,
            help="Negative prices are refused. With price tiers below, the first tier's price is used.",
        )
        quantity = c3.number_input(
            "Quantity (units)",
            value=q.quantity if q else None,
            step=1,
            help="Leave empty when seats follow enrollment (coverage rule).",
        )
        c1, c2, c3, c4 = st.columns(4)
        coverage = c1.number_input(
            "Coverage (% of students)",
            value=q.coverage_pct if q else None,
            step=5.0,
            help="Per-student or per-seat pricing: seats follow enrollment.",
        )
        grades = list(range(-1, 13))
        low = c2.selectbox(
            "From grade",
            grades,
            index=grades.index(q.coverage_grade_low) if q and q.coverage_grade_low is not None else 1,
            format_func=grade_label,
        )
        high = c3.selectbox(
            "To grade",
            grades,
            index=grades.index(q.coverage_grade_high) if q and q.coverage_grade_high is not None else 13,
            format_func=grade_label,
        )
        minimum = c4.number_input("Minimum quantity", value=q.minimum_quantity if q else 0, step=1)
        c1, c2, c3, c4, c5 = st.columns(5)
        cap = c1.number_input("Seat cap", value=q.seat_cap if q else None, step=1)
        term = c2.number_input("Term (years)", value=q.term_years if q else 1, step=1)
        escalator = c3.number_input("Annual escalator (%)", value=q.escalator_pct if q else 3.0, step=0.5)
        lock = c4.number_input("Price lock (years)", value=q.price_lock_years if q else 0, step=1)
        discount = c5.number_input(
            "Multi-year discount (%)", value=q.multi_year_discount_pct if q else 0.0, step=1.0
        )
        c1, c2, c3 = st.columns(3)
        kinds = [k.value for k in EscalatorKind]
        kind = c1.selectbox(
            "Escalator kind",
            kinds,
            index=kinds.index(q.escalator_kind) if q else 0,
            format_func=lambda v: EscalatorKind(v).label,
            help="Flat: the annual escalator above. CPI-linked: the assumed CPI below.",
        )
        cpi = c2.number_input(
            "Assumed CPI (%)",
            value=q.cpi_pct if q and q.cpi_pct is not None else 3.0,
            step=0.5,
            help="Used only for a CPI-linked escalator.",
        )
        escalator_cap = c3.number_input(
            "Escalator cap (%)",
            value=q.escalator_cap_pct if q else None,
            step=0.5,
            help="Leave empty for no cap; a cap bounds a flat or a CPI-linked escalator.",
        )
        tiers = st.text_input(
            "Price tiers (min units:price; …)",
            value=tiers_text(q.tiers) if q else "",
            placeholder="e.g. 0:12.50; 1000:11.00; 5000:9.75",
            help="Volume pricing: all units are priced at the tier the total quantity falls in. "
            "Leave empty for the flat unit price; with tiers the first tier's price is the unit price.",
        )
        one_time = _lines_editor(
            "One-time costs (year 1; exit costs fall in the last year)",
            q.one_time_costs if q else (),
            state_key(NS, f"one_time.{key}"),
        )
        recurring = _lines_editor(
            "Recurring non-license costs (every year)",
            q.recurring_costs if q else (),
            state_key(NS, f"recurring.{key}"),
        )
        c1, c2 = st.columns(2)
        document = c1.text_input("Quote document (link)", value=(q.document_url if q else "") or "")
        valid_until = c2.date_input("Valid until", value=q.valid_until if q else None)
        submitted = st.form_submit_button("Save quote", type="primary")
    if not submitted:
        return None
    data = {
        "product_id": product_id,
        "request_id": request_id,
        "label": label.strip() or None,
        "pricing_unit": unit,
        "unit_price": price,
        "quantity": quantity,
        "coverage_pct": coverage,
        "coverage_grade_low": low if coverage else None,
        "coverage_grade_high": high if coverage else None,
        "minimum_quantity": minimum,
        "seat_cap": cap,
        "term_years": term,
        "escalator_pct": escalator,
        "escalator_kind": kind,
        "cpi_pct": cpi if kind == EscalatorKind.CPI else None,
        "escalator_cap_pct": escalator_cap,
        "tiers": tiers,
        "price_lock_years": lock,
        "multi_year_discount_pct": discount,
        "one_time_costs": _rows_to_lines(one_time),
        "recurring_costs": _rows_to_lines(recurring),
        "document_url": document.strip() or None,
        "valid_until": valid_until if isinstance(valid_until, dt.date) else None,
    }
    try:
        return QuoteInput.model_validate(data)
    except ValidationError as exc:
        show_validation_errors(
            exc,
            {
                "form": "Quote",
                "tiers": "Price tiers",
                "cpi_pct": "Assumed CPI",
                "escalator_cap_pct": "Escalator cap",
            },
        )
        return None


def scenario_editor(
    quote: QuoteInput, base: ScenarioParams, key: str, enrollment_note: str
) -> ScenarioParams | None:
    """Sliders over a scenario's assumptions; the result recomputes on every change."""
    k = lambda name: state_key(NS, f"{name}.{key}")  # noqa: E731
    options = [o.value for o in ContractOption]
    c1, c2, c3 = st.columns(3)
    option = c1.radio(
        "Contract option",
        options,
        index=options.index(base.option),
        format_func=lambda v: ContractOption(v).label,
        key=k("option"),
    )
    start = c2.number_input(
        "First fiscal year",
        value=base.start_fiscal_year,
        step=1,
        key=k("start"),
        help="FY2027 = July 2026 - June 2027 (by default).",
    )
    horizon = _slider(c3, "Years to model", 1, 10, base.horizon_years, 1, k("horizon"))
    c1, c2, c3 = st.columns(3)
    escalator = _slider(
        c1,
        "Annual escalator (%)",
        0.0,
        20.0,
        _pick(base.escalator_pct, quote.escalator_pct),
        0.5,
        k("escalator"),
    )
    rate = _slider(c2, "Discount rate for NPV (%)", 0.0, 15.0, base.discount_rate_pct, 0.25, k("rate"))
    utilization = _slider(
        c3,
        "Assumed utilization (% of seats active)",
        5.0,
        100.0,
        base.utilization_pct,
        1.0,
        k("utilization"),
        help="New scenarios start from actual license utilization when usage is imported (step 10).",
    )
    overrides: dict[str, Any] = {}
    if option != ContractOption.YEARLY:
        c1, c2, c3 = st.columns(3)
        overrides["term_years"] = _slider(
            c1, "Term (years)", 1, 10, _pick(base.term_years, quote.term_years), 1, k("term")
        )
        overrides["price_lock_years"] = _slider(
            c2,
            "Price lock (years)",
            0,
            10,
            _pick(base.price_lock_years, quote.price_lock_years),
            1,
            k("lock"),
        )
        overrides["multi_year_discount_pct"] = _slider(
            c3,
            "Multi-year discount (%)",
            0.0,
            50.0,
            _pick(base.multi_year_discount_pct, quote.multi_year_discount_pct),
            0.5,
            k("discount"),
        )
    c1, c2 = st.columns(2)
    students = c1.number_input(
        "Students in the covered grades (first year)",
        value=base.enrollment.base_students,
        step=10,
        key=k("students"),
        help=enrollment_note,
    )
    growth = _slider(
        c2, "Enrollment growth per year (%)", -15.0, 15.0, base.enrollment.growth_pct, 0.5, k("growth")
    )
    data = {
        "option": option,
        "start_fiscal_year": start,
        "horizon_years": horizon,
        "escalator_pct": escalator,
        "discount_rate_pct": rate,
        "utilization_pct": utilization,
        **overrides,
        "enrollment": {"base_students": students, "growth_pct": growth},
        "funding": [line.model_dump() for line in base.funding],
    }
    try:
        return ScenarioParams.model_validate(data)
    except ValidationError as exc:
        show_validation_errors(exc, {"form": "Scenario"})
        return None


def _pick(override: Any, quoted: Any) -> Any:
    return quoted if override is None else override


def _slider(
    container: Any, label: str, low: Any, high: Any, value: Any, step: Any, key: str, **kwargs: Any
) -> Any:
    """A slider whose range always includes the saved value (a quote may carry a 30% escalator)."""
    kind = type(step)
    value = kind(value)
    return container.slider(
        label, kind(min(low, value)), kind(max(high, value)), value, step, key=key, **kwargs
    )


def default_params(
    quote: QuoteInput, start_fiscal_year: int, students: int, utilization_pct: float | None = None
) -> ScenarioParams:
    """A new scenario: the quote's own option, students on file, actual utilization when imported."""
    option = ContractOption.MULTI_YEAR if quote.term_years > 1 else ContractOption.YEARLY
    extra = {} if utilization_pct is None else {"utilization_pct": max(1.0, round(utilization_pct))}
    return ScenarioParams(
        option=option,
        start_fiscal_year=start_fiscal_year,
        enrollment=EnrollmentParams(base_students=students),
        **extra,
    )


def funding_editor(
    result: ScenarioResult, sources: list[dict[str, Any]], key: str
) -> list[FundingLine] | None:
    """The funding lines as an editable table; returns the lines when saved and valid."""
    by_name = {s["name"]: s for s in sources}
    rows = [
        {"Source": ln.source_name, "Share (%)": ln.share_pct, "Annual amount ($)": ln.annual_amount}
        for ln in result.params.funding
    ]
    frame = pd.DataFrame(rows, columns=["Source", "Share (%)", "Annual amount ($)"]).astype(
        {"Source": "string", "Share (%)": "float", "Annual amount ($)": "float"}
    )
    with st.form(state_key(NS, f"funding_form.{key}")):
        edited = st.data_editor(
            frame,
            key=state_key(NS, f"funding.{key}"),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                "Source": st.column_config.SelectboxColumn(
                    "Funding source", options=list(by_name), required=True
                ),
                "Share (%)": st.column_config.NumberColumn(
                    "Share of each year's cost (%)", min_value=0, max_value=100
                ),
                "Annual amount ($)": st.column_config.NumberColumn(
                    "Or a fixed amount per year", min_value=0, format="dollar"
                ),
            },
        )
        submitted = st.form_submit_button("Save funding", type="primary")
    if not submitted:
        return None
    lines = []
    for row in edited.to_dict("records"):
        name = row.get("Source")
        if name is None or pd.isna(name) or name not in by_name:
            continue
        source = by_name[name]
        share, amount = row.get("Share (%)"), row.get("Annual amount ($)")
        lines.append(
            {
                "source_id": source["source_id"],
                "source_name": name,
                "kind": FundingKind(source["kind"]),
                "last_fiscal_year": source["last_fiscal_year"],
                "share_pct": None if share is None or pd.isna(share) else float(share),
                "annual_amount": None if amount is None or pd.isna(amount) else float(amount),
            }
        )
    try:
        checked = ScenarioParams.model_validate({**result.params.model_dump(), "funding": lines})
    except ValidationError as exc:
        show_validation_errors(exc, {"form": "Funding"})
        return None
    return list(checked.funding)
