"""Step 2: the vendor criteria form goes out as XLSX/Markdown and comes back validated."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from models.errors import InvalidInput
from services import criteria, vendor_form
from tests.purchasing_factory import request_in_review


def _fill(data: bytes, answers: dict[int, tuple]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb[vendor_form.FORM_SHEET]
    for offset, values in answers.items():
        for col, value in zip((5, 6, 7), values, strict=False):
            ws.cell(row=vendor_form.HEADER_ROW + 1 + offset, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def setup(con, people):
    request_id, cands, _ = request_in_review(con, people)
    return request_id, cands["Alpha Math"]


class TestGenerate:
    def test_xlsx_has_locked_hidden_form_information(self, con, setup):
        request_id, cand = setup
        wb = load_workbook(io.BytesIO(vendor_form.generate_xlsx(con, request_id, cand)))
        meta = wb[vendor_form.META_SHEET]
        assert meta.sheet_state == "veryHidden" and meta.protection.sheet
        assert meta["B1"].value == request_id and meta["B3"].value == vendor_form.TEMPLATE_VERSION
        form = wb[vendor_form.FORM_SHEET]
        assert form.protection.sheet
        first = vendor_form.HEADER_ROW + 1  # the vendor can type only in the three answer columns
        assert [form.cell(row=first, column=c).protection.locked for c in range(1, 8)] == [
            True,
            True,
            True,
            True,
            False,
            False,
            False,
        ]

    def test_markdown_lists_every_criterion(self, con, setup):
        request_id, cand = setup
        text = vendor_form.generate_markdown(con, request_id, cand)
        assert "SOPPA compliance (required)" in text and "| Rostering |" in text
        assert "Alpha Math" in text

    def test_no_criteria_no_form(self, con, people, setup):
        request_id, cand = setup
        con.execute("DELETE FROM request_criteria WHERE request_id = ?", [request_id])
        with pytest.raises(InvalidInput, match="criteria"):
            vendor_form.generate_xlsx(con, request_id, cand)


class TestImport:
    def test_round_trip_saves_and_reimport_updates(self, con, people, setup):
        request_id, cand = setup
        filled = _fill(
            vendor_form.generate_xlsx(con, request_id, cand),
            {0: ("Yes", "IL-NDPA signed 2025", "https://x/ndpa.pdf"), 1: ("partial", "Clever only")},
        )
        result = vendor_form.import_form(con, people["requester"], request_id, filled)
        assert (result.candidate_id, result.rows_saved, result.rows_blank) == (cand, 2, 1)
        filled = _fill(vendor_form.generate_xlsx(con, request_id, cand), {0: ("no", "Changed our mind")})
        vendor_form.import_form(con, people["requester"], request_id, filled)
        responses = criteria.vendor_responses(con, request_id)
        assert len(responses) == 2
        assert responses.set_index("criterion").at["SOPPA compliance", "meets"] == "no"

    def test_form_for_another_request_is_refused(self, con, people, setup):
        request_id, cand = setup
        other, other_cands, _ = request_in_review(con, people, products=("Gamma Math",))
        data = _fill(vendor_form.generate_xlsx(con, other, other_cands["Gamma Math"]), {0: ("yes",)})
        with pytest.raises(InvalidInput, match=f"belongs to request #{other}, not request #{request_id}"):
            vendor_form.import_form(con, people["requester"], request_id, data)

    def test_changed_template_is_refused(self, con, people, setup):
        request_id, cand = setup
        wb = load_workbook(io.BytesIO(vendor_form.generate_xlsx(con, request_id, cand)))
        wb[vendor_form.META_SHEET]["B3"] = "vendor-criteria-v0"
        out = io.BytesIO()
        wb.save(out)
        with pytest.raises(InvalidInput, match="template"):
            vendor_form.import_form(con, people["requester"], request_id, out.getvalue())

    def test_reordered_rows_and_bad_cells_import_nothing(self, con, people, setup):
        request_id, cand = setup
        data = vendor_form.generate_xlsx(con, request_id, cand)
        wb = load_workbook(io.BytesIO(data))
        ws = wb[vendor_form.FORM_SHEET]
        row = vendor_form.HEADER_ROW + 1
        ws.cell(row=row, column=1).value, ws.cell(row=row + 1, column=1).value = (
            ws.cell(row=row + 1, column=1).value,
            ws.cell(row=row, column=1).value,
        )
        out = io.BytesIO()
        wb.save(out)
        with pytest.raises(InvalidInput, match="reordered"):
            vendor_form.import_form(con, people["requester"], request_id, out.getvalue())
        bad = _fill(data, {0: ("yes", "fine"), 1: ("maybe",)})
        with pytest.raises(InvalidInput, match="Nothing was imported"):
            vendor_form.import_form(con, people["requester"], request_id, bad)
        assert criteria.vendor_responses(con, request_id).empty

    def test_changed_criteria_and_junk_files_are_refused(self, con, people, setup):
        request_id, cand = setup
        data = _fill(vendor_form.generate_xlsx(con, request_id, cand), {0: ("yes",)})
        with pytest.raises(InvalidInput, match="Excel"):
            vendor_form.import_form(con, people["requester"], request_id, b"not a workbook")
        con.execute("DELETE FROM request_criteria WHERE request_id = ? AND weight < 35", [request_id])
        with pytest.raises(InvalidInput, match="criteria changed"):
            vendor_form.import_form(con, people["requester"], request_id, data)

    def test_empty_form_is_refused(self, con, people, setup):
        request_id, cand = setup
        with pytest.raises(InvalidInput, match="empty"):
            vendor_form.import_form(
                con, people["requester"], request_id, vendor_form.generate_xlsx(con, request_id, cand)
            )


def test_an_added_row_is_refused(con, people, setup):
    request_id, cand = setup
    wb = load_workbook(io.BytesIO(vendor_form.generate_xlsx(con, request_id, cand)))
    ws = wb[vendor_form.FORM_SHEET]
    last = vendor_form.HEADER_ROW + len(criteria.request_criteria(con, request_id))
    ws.cell(row=last + 1, column=1, value=99)
    ws.cell(row=last + 1, column=2, value="Our extra feature")
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InvalidInput, match="added"):
        vendor_form.import_form(con, people["requester"], request_id, out.getvalue())
