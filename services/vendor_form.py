"""The vendor criteria form (SOP step 2: "Form is sent to vendors with listed criteria").

One form per candidate: an XLSX the vendor fills in (and a Markdown copy for email or PDF), then
imports back into `vendor_responses`. The XLSX carries a hidden, protected sheet with the request,
candidate, template version and the exact criteria rows, so a form for another request, or a form
whose rows were edited, is refused with a clear message before anything is written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import duckdb
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from db import repo
from db.connection import transaction
from models.errors import InvalidInput
from models.people import Actor
from services.criteria import get_candidate, request_criteria
from services.permissions import Action, require, require_on_request
from services.requests import get_request

TEMPLATE_VERSION = "vendor-criteria-v1"  # bump when the layout changes; old forms are then refused
FORM_SHEET = "Vendor criteria form"
META_SHEET = "form_meta"
MEETS_CHOICES = ("yes", "partial", "no", "unknown")
HEADER_ROW = 8  # rows 1-7 explain the form
COLUMNS = (
    "Criterion id",
    "Criterion",
    "What the district needs",
    "Weight %",
    "Meets? (yes / partial / no / unknown)",
    "Your response",
    "Evidence (link or document)",
)
_SHEET_PASSWORD = "district-form"  # not a secret: it only stops accidental edits of the locked cells


@dataclass(frozen=True)
class ImportResult:
    candidate_id: int
    rows_saved: int
    rows_blank: int


def _form_rows(con: duckdb.DuckDBPyConnection, request_id: int) -> list[dict[str, Any]]:
    crit = request_criteria(con, request_id)
    if crit.empty:
        raise InvalidInput("Choose and weight the criteria before generating the vendor form.")
    return crit.to_dict("records")


def generate_xlsx(con: duckdb.DuckDBPyConnection, request_id: int, candidate_id: int) -> bytes:
    request = get_request(con, request_id)
    candidate = get_candidate(con, candidate_id)
    if candidate["request_id"] != request_id:
        raise InvalidInput(f"Candidate #{candidate_id} is not a candidate of request #{request_id}.")
    rows = _form_rows(con, request_id)
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    ws["A1"] = "Vendor criteria form"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Need: {request['title']} (request #{request_id})"
    ws["A3"] = f"Vendor: {candidate['vendor']} · Product: {candidate['product']}"
    ws["A4"] = (
        "Fill in the three shaded columns for every criterion and return this file unchanged otherwise."
    )
    ws["A5"] = "Do not add, remove or reorder rows: the district checks the form before importing it."
    ws["A6"] = f"Template {TEMPLATE_VERSION}"
    for col, title in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=title)
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    meets = DataValidation(type="list", formula1='"' + ",".join(MEETS_CHOICES) + '"', allow_blank=True)
    ws.add_data_validation(meets)
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        ws.cell(row=i, column=1, value=int(row["criterion_id"]))
        ws.cell(row=i, column=2, value=row["name"])
        ws.cell(row=i, column=3, value=row["description"]).alignment = Alignment(wrap_text=True)
        ws.cell(row=i, column=4, value=round(float(row["weight"]), 1))
        for col in (5, 6, 7):
            cell = ws.cell(row=i, column=col)
            cell.fill = fill
            cell.protection = Protection(locked=False, hidden=cell.protection.hidden)
        meets.add(ws.cell(row=i, column=5))
    for col, width in zip("ABCDEFG", (10, 28, 60, 10, 18, 50, 40), strict=True):
        ws.column_dimensions[col].width = width
    ws.protection.sheet = True
    ws.protection.password = _SHEET_PASSWORD
    meta = wb.create_sheet(META_SHEET)
    meta.append(["request_id", request_id])
    meta.append(["candidate_id", candidate_id])
    meta.append(["template_version", TEMPLATE_VERSION])
    meta.append(["criteria", ",".join(str(int(r["criterion_id"])) for r in rows)])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    meta.protection.password = _SHEET_PASSWORD
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def generate_markdown(
    con: duckdb.DuckDBPyConnection, request_id: int, candidate_id: int | None = None
) -> str:
    """The same form as text, for an email body or a PDF printout."""
    request = get_request(con, request_id)
    rows = _form_rows(con, request_id)
    who = ""
    if candidate_id is not None:
        candidate = get_candidate(con, candidate_id)
        who = f"\n**Vendor:** {candidate['vendor']} · **Product:** {candidate['product']}\n"
    lines = [
        f"# Vendor criteria form: {request['title']}",
        "",
        f"Request #{request_id} · template {TEMPLATE_VERSION}",
        who,
        "For each criterion, say whether your product meets it (yes / partial / no), explain, and "
        "point to evidence (VPAT, signed data privacy agreement, integration documentation).",
        "",
        "| # | Criterion | What the district needs | Weight | Meets? | Response | Evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        need = str(row["description"] or "").replace("|", "/")
        gate = " (required)" if row["is_gate"] else ""
        lines.append(
            f"| {int(row['criterion_id'])} | {row['name']}{gate} | {need} | "
            f"{float(row['weight']):.0f}% |  |  |  |"
        )
    return "\n".join(lines) + "\n"


def _meta(wb: Any) -> dict[str, str]:
    if META_SHEET not in wb.sheetnames:
        raise InvalidInput(
            "This file is not a district vendor criteria form (its hidden form information is "
            "missing). Send the vendor a freshly generated form."
        )
    return {str(r[0]): str(r[1]) for r in wb[META_SHEET].iter_rows(values_only=True) if r and r[0]}


def read_form(
    con: duckdb.DuckDBPyConnection, request_id: int, data: bytes
) -> tuple[int, list[dict[str, Any]]]:
    """Validate a returned form and return (candidate_id, responses); raises InvalidInput."""
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx upload
        raise InvalidInput("The file could not be read as an Excel workbook (.xlsx).") from exc
    meta = _meta(wb)
    if meta.get("template_version") != TEMPLATE_VERSION:
        raise InvalidInput(
            f"This form uses template '{meta.get('template_version')}', but the district's current "
            f"template is '{TEMPLATE_VERSION}'. Send the vendor a freshly generated form."
        )
    if meta.get("request_id") != str(request_id):
        raise InvalidInput(
            f"This form belongs to request #{meta.get('request_id')}, not request #{request_id}. "
            "Import it on that request, or check you picked the right file."
        )
    candidate_id = int(meta["candidate_id"])
    candidate = get_candidate(con, candidate_id)
    if candidate["request_id"] != request_id:
        raise InvalidInput(f"Candidate #{candidate_id} is not a candidate of request #{request_id}.")
    expected = [int(x) for x in meta.get("criteria", "").split(",") if x]
    current = [int(c) for c in request_criteria(con, request_id)["criterion_id"]]
    if sorted(expected) != sorted(current):
        raise InvalidInput(
            "The request's criteria changed after this form was sent; send the vendor a new form."
        )
    if FORM_SHEET not in wb.sheetnames:
        raise InvalidInput(f"The sheet '{FORM_SHEET}' is missing: the template was changed.")
    ws = wb[FORM_SHEET]
    header = [ws.cell(row=HEADER_ROW, column=c).value for c in range(1, len(COLUMNS) + 1)]
    if tuple(header) != COLUMNS:
        raise InvalidInput("The form's columns were changed: the template was edited. Send a new form.")
    found: list[int] = []
    responses: list[dict[str, Any]] = []
    problems: list[str] = []
    for offset in range(len(expected)):
        row_no = HEADER_ROW + 1 + offset
        values = [ws.cell(row=row_no, column=c).value for c in range(1, len(COLUMNS) + 1)]
        try:
            criterion_id = int(values[0])
        except (TypeError, ValueError):
            criterion_id = -1
        found.append(criterion_id)
        meets_raw, response, evidence = values[4], values[5], values[6]
        meets = str(meets_raw).strip().lower() if meets_raw not in (None, "") else None
        if meets is not None and meets not in MEETS_CHOICES:
            problems.append(f"row {row_no}: 'Meets?' is '{meets_raw}'; use yes, partial, no or unknown")
        responses.append(
            {
                "criterion_id": criterion_id,
                "meets": meets,
                "response": str(response).strip() if response not in (None, "") else None,
                "evidence": str(evidence).strip() if evidence not in (None, "") else None,
            }
        )
    extra = ws.cell(row=HEADER_ROW + 1 + len(expected), column=2).value
    if found != expected or extra not in (None, ""):
        raise InvalidInput(
            "The form's criteria rows were added, removed or reordered: the template was "
            "changed. Send the vendor a new form."
        )
    if problems:
        raise InvalidInput("Nothing was imported. Fix these cells: " + "; ".join(problems) + ".")
    return candidate_id, responses


def import_form(con: duckdb.DuckDBPyConnection, actor: Actor, request_id: int, data: bytes) -> ImportResult:
    """Validate the whole form first, then save every answered row in one transaction (upsert)."""
    require(actor, Action.MANAGE_CANDIDATES)
    require_on_request(actor, Action.MANAGE_CANDIDATES, get_request(con, request_id)["requester_id"])
    candidate_id, responses = read_form(con, request_id, data)
    answered = [r for r in responses if r["meets"] or r["response"] or r["evidence"]]
    if not answered:
        raise InvalidInput("The form is empty: the vendor has not answered any criterion.")
    with transaction(con):
        for r in answered:
            values = {"meets": r["meets"] or "unknown", "response": r["response"], "evidence": r["evidence"]}
            existing = repo.fetch_value(
                con,
                "SELECT response_id FROM vendor_responses WHERE candidate_id = ? AND criterion_id = ?",
                [candidate_id, r["criterion_id"]],
            )
            if existing is None:
                repo.insert(
                    con,
                    "vendor_responses",
                    {"candidate_id": candidate_id, "criterion_id": r["criterion_id"], **values},
                    actor=actor,
                    request_id=request_id,
                )
            else:
                repo.update(con, "vendor_responses", existing, values, actor=actor, request_id=request_id)
    return ImportResult(candidate_id, len(answered), len(responses) - len(answered))
