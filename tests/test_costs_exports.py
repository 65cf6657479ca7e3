"""Scenario downloads: a comparison sheet plus one per scenario, currency formats, no formula cells."""

from __future__ import annotations

import io

import openpyxl

from models.costs import ContractOption, EnrollmentParams, QuoteInput, ScenarioParams
from models.enums import PricingUnit
from services.costs import evaluate
from services.costs.exports import scenarios_csv, scenarios_xlsx


def results():
    quote = QuoteInput(
        product_id=1,
        pricing_unit=PricingUnit.PER_STUDENT,
        unit_price=10,
        coverage_pct=100,
        term_years=3,
        multi_year_discount_pct=10,
    )
    base = dict(start_fiscal_year=2027, horizon_years=3, enrollment=EnrollmentParams(base_students=100))
    return [
        evaluate(quote, ScenarioParams(option=ContractOption.YEARLY, **base), "Yearly renewals"),
        evaluate(quote, ScenarioParams(option=ContractOption.MULTI_YEAR, **base), '=HYPERLINK("x")'),
    ]


class TestXlsx:
    def test_comparison_and_a_sheet_per_scenario(self):
        book = openpyxl.load_workbook(io.BytesIO(scenarios_xlsx(results())))
        assert book.sheetnames[0] == "Comparison" and len(book.sheetnames) == 3
        sheet = book["Yearly renewals"]
        header = [c.value for c in sheet[1]]
        assert header[:2] == ["Fiscal year", "Period"]
        assert sheet["A2"].value == "FY2027" and sheet["B2"].value == "July 2026 - June 2027"
        total = sheet.cell(row=2, column=header.index("Total") + 1)
        assert total.value == 1000 and "$" in total.number_format

    def test_formula_looking_names_are_neutralised(self):
        book = openpyxl.load_workbook(io.BytesIO(scenarios_xlsx(results())))
        comparison = book["Comparison"]
        names = [comparison.cell(row=r, column=1).value for r in (2, 3)]
        assert names[1].startswith("'=")
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f"


class TestCsv:
    def test_every_year_with_money_as_currency(self):
        text = scenarios_csv(results()).decode("utf-8-sig")
        lines = text.strip().splitlines()
        assert lines[0].startswith("Scenario,Fiscal year,Period")
        assert len(lines) == 1 + 6
        assert "$1,000.00" in lines[1] and "FY2027" in lines[1]
        assert lines[4].startswith("\"'=HYPERLINK")  # quoted by csv, apostrophe first
