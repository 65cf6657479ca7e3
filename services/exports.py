"""CSV and XLSX downloads that are safe to open in a spreadsheet.

Anything people typed (a vendor name, a note) can end up in an export that someone opens in Excel.
A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) is read as a formula
("CSV injection"), so every text cell passes through `neutralise` first: it gets a leading
apostrophe, which spreadsheets show as plain text. Numbers are left alone. Money columns are
written as currency: a `$#,##0.00` number format in XLSX, `$1,234.50` text in CSV.

Shared by several areas; keep the public functions' signatures stable.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "$#,##0.00"
DATE_FORMAT = "mm/dd/yyyy"


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def money_text(value: Any) -> str:
    """$1,234.50 (and -$12.00); blank for a missing amount."""
    if value is None or value == "":
        return ""
    amount = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN from pandas means "no value"
        return None
    if isinstance(value, (set, frozenset, list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


def _rows(rows: Iterable[Mapping[str, Any]] | Any) -> list[Mapping[str, Any]]:
    """Accept a list of dicts or a pandas DataFrame."""
    to_dict = getattr(rows, "to_dict", None)
    if callable(to_dict):
        return list(to_dict("records"))
    return list(rows)


def to_csv_bytes(
    rows: Iterable[Mapping[str, Any]] | Any,
    columns: Sequence[str] | Mapping[str, str],
    *,
    money_columns: Iterable[str] = (),
) -> bytes:
    """UTF-8 CSV (with BOM so Excel reads accents). `columns` may map keys to header labels."""
    headers = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
    money = set(money_columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(label) for label in headers.values()])
    for row in _rows(rows):
        cells = []
        for key in headers:
            value = _plain(row.get(key))
            if key in money and isinstance(value, (int, float)):
                cells.append(money_text(value))
            elif isinstance(value, (dt.date, dt.datetime)):
                cells.append(value.isoformat())
            else:
                cells.append("" if value is None else neutralise(value))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx_bytes(
    rows: Iterable[Mapping[str, Any]] | Any,
    columns: Sequence[str] | Mapping[str, str],
    *,
    money_columns: Iterable[str] = (),
    sheet_name: str = "Export",
) -> bytes:
    """One-sheet workbook with a bold header, currency and date formats, text cells neutralised."""
    return to_xlsx_workbook([(sheet_name, rows, columns, money_columns)])


# (sheet name, rows, columns, money columns) for `to_xlsx_workbook`
SheetSpec = tuple[str, Iterable[Mapping[str, Any]] | Any, Sequence[str] | Mapping[str, str], Iterable[str]]


def to_xlsx_workbook(sheets: Sequence[SheetSpec]) -> bytes:
    """A workbook with one sheet per (name, rows, columns, money_columns), formatted as `to_xlsx_bytes`."""
    import xlsxwriter  # imported here: only downloads need it

    buffer = io.BytesIO()
    # strings_to_formulas=False: xlsxwriter must never turn text into a formula on its own
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    money_fmt = workbook.add_format({"num_format": MONEY_FORMAT})
    date_fmt = workbook.add_format({"num_format": DATE_FORMAT})
    used: set[str] = set()
    for sheet_name, rows, columns, money_columns in sheets:
        headers = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
        money = set(money_columns)
        sheet = workbook.add_worksheet(_sheet_title(sheet_name, used))
        for col, label in enumerate(headers.values()):
            sheet.write_string(0, col, str(neutralise(label)), bold)
        for r, row in enumerate(_rows(rows), start=1):
            for col, key in enumerate(headers):
                value = _plain(row.get(key))
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, col, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, col, value, money_fmt if key in money else None)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, col, value, date_fmt)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_fmt)
                else:
                    sheet.write_string(r, col, str(neutralise(str(value))))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    title, n = clean[:31], 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title
