"""Builders for the step 6-9 and SOPPA tests: vendors, products, catalog entries, agreements.

Plain SQL inserts (not the services) so each test starts from exactly the rows it names.
"""

from __future__ import annotations

import datetime as dt

TODAY = dt.date(2026, 11, 2)  # a Monday


def vendor(con, name: str = "Quest Learning", address: str | None = "1 Main St, Chicago, IL") -> int:
    return con.execute(
        "INSERT INTO vendors (name, business_address) VALUES (?, ?) RETURNING vendor_id", [name, address]
    ).fetchone()[0]


def product(
    con, vendor_id: int, name: str, *, subjects: str = "Math", grades: tuple[int, int] = (3, 8)
) -> int:
    return con.execute(
        "INSERT INTO products (vendor_id, name, subjects, grade_low, grade_high, description)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING product_id",
        [vendor_id, name, subjects, grades[0], grades[1], f"{name} description"],
    ).fetchone()[0]


def entry(
    con,
    product_id: int,
    *,
    status: str = "approved",
    visibility: str = "educator",
    privacy: str = "compliant",
    schools: str | None = None,
    keywords: str | None = None,
) -> int:
    return con.execute(
        "INSERT INTO catalog_entries (product_id, tool_status, visibility, privacy_status, schools, keywords,"
        " purpose) VALUES (?, ?, ?, ?, ?, ?, 'For practice') RETURNING entry_id",
        [product_id, status, visibility, privacy, schools, keywords],
    ).fetchone()[0]


def agreement(
    con,
    vendor_id: int,
    product_id: int | None,
    *,
    signed: dt.date | None = TODAY,
    posted: dt.date | None = None,
    kind: str = "IL-NDPA",
    redacted: str | None = None,
    document: str | None = "https://docs.example.org/a.pdf",
) -> int:
    return con.execute(
        "INSERT INTO agreements (vendor_id, product_id, agreement_type, signed_date, posted_date, document_url,"
        " redacted_url, data_elements, subcontractors) VALUES (?, ?, ?, ?, ?, ?, ?, 'Name; grade', 'AWS')"
        " RETURNING agreement_id",
        [vendor_id, product_id, kind, signed, posted, document, redacted],
    ).fetchone()[0]


def approved_tool(con, name: str = "MathQuest") -> int:
    """A product with an approved catalog entry (what goals and plans need)."""
    product_id = product(con, vendor(con, f"{name} Inc."), name)
    entry(con, product_id, status="core")
    return product_id
