"""services/exports.py: which cells are neutralised, and how money is written."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from services import exports


class TestNeutralise:
    @pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
    def test_formula_triggers_get_an_apostrophe(self, text):
        assert exports.neutralise(text) == "'" + text

    @pytest.mark.parametrize("value", ["plain", "a=b", "", 12, -5.5, None])
    def test_other_values_are_untouched(self, value):
        assert exports.neutralise(value) == value


class TestMoney:
    def test_money_text(self):
        assert exports.money_text(1234.5) == "$1,234.50"
        assert exports.money_text(-12) == "-$12.00"
        assert exports.money_text(None) == ""

    def test_csv_from_dataframe_with_missing_values(self):
        frame = pd.DataFrame([{"name": "-bad", "cost": 10.0}, {"name": "ok", "cost": float("nan")}])
        text = exports.to_csv_bytes(frame, {"name": "Name", "cost": "Cost"}, money_columns=["cost"]).decode(
            "utf-8-sig"
        )
        assert text.splitlines() == ["Name,Cost", "'-bad,$10.00", "ok,"]

    def test_xlsx_header_cells_are_neutralised_too(self):
        data = exports.to_xlsx_bytes([{"a": 1}], {"a": "=HEADER"})
        assert openpyxl.load_workbook(io.BytesIO(data)).active["A1"].value == "'=HEADER"
