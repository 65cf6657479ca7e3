"""Step 7: contract documentation and the renewal clocks that come with it.

A contract's notice deadline is the last day the district can tell the vendor it will not renew:
`notice_deadline = end_date - notice_days` (defined once, here). The expiry view lists active
contracts whose end date or notice deadline falls within a window (30/60/90/120 days), plus notice
deadlines already missed while the contract still runs. The same dates go to an .ics calendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import duckdb
from icalendar import Calendar, Event

from db import repo
from db.connection import transaction
from models.catalog import ContractForm
from models.enums import PricingUnit
from models.errors import InvalidInput, NotFound
from models.people import Actor
from services import exports
from services.permissions import Action, require

EXPIRY_WINDOWS: tuple[int, ...] = (30, 60, 90, 120)
ACTIVE = "active"

EXPORT_COLUMNS: dict[str, str] = {
    "contract_id": "Contract #",
    "vendor_name": "Vendor",
    "product_name": "Product",
    "start_date": "Start",
    "end_date": "End",
    "term": "Term",
    "auto_renew": "Auto-renews",
    "notice_days": "Notice (days)",
    "notice_deadline": "Notice deadline",
    "annual_cost": "Annual cost",
    "quantity": "Quantity",
    "pricing_unit_label": "Pricing unit",
    "funding_source": "Funding source",
    "po_number": "Purchase order",
    "agreement_type": "Agreement",
    "document_url": "Document",
    "renewal_owner": "Renewal owner",
    "status": "Status",
}
MONEY_COLUMNS = ("annual_cost",)


def default_end(start: dt.date) -> dt.date:
    """The last day of a one-year term from `start` (the end date is the last day covered): 11/29/2026
    gives 11/28/2027, and 02/29/2028 gives 02/28/2029. One year on (11/29/2027) covered a year and a
    day and read as "13 months"."""
    try:
        return start.replace(year=start.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February: the term's last day is 28 February
        return start.replace(year=start.year + 1, day=28)


def notice_deadline(end_date: dt.date, notice_days: int) -> dt.date:
    """Last day to give notice of non-renewal."""
    return end_date - dt.timedelta(days=int(notice_days or 0))


def term_label(start: dt.date, end: dt.date) -> str:
    """'1 year', '3 years', '6 months', or days for short terms. Both days count: the end date is the
    last day covered, so 02/01-02/28 is one month, 02/01-02/14 14 days and 07/01-06/30 one year."""
    months = (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day else 0)
    days = (end - start).days + 1
    if days < 28 or months < 1:
        return f"{days} day" + ("s" if days != 1 else "")
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" + ("s" if years != 1 else "")
    return f"{months} month" + ("s" if months != 1 else "")


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    row["notice_deadline"] = notice_deadline(row["end_date"], row["notice_days"])
    row["term"] = term_label(row["start_date"], row["end_date"])
    unit = row.get("pricing_unit")
    row["pricing_unit_label"] = PricingUnit(unit).label if unit else None
    return row


_LIST_SQL = """
SELECT k.*, p.name AS product_name, v.name AS vendor_name, o.full_name AS renewal_owner,
       a.agreement_type, a.signed_date AS agreement_signed
FROM contracts k
JOIN products p ON p.product_id = k.product_id
JOIN vendors v ON v.vendor_id = k.vendor_id
LEFT JOIN people o ON o.person_id = k.renewal_owner_id
LEFT JOIN agreements a ON a.agreement_id = k.agreement_id
"""


def list_contracts(
    con: duckdb.DuckDBPyConnection, actor: Actor, *, product_id: int | None = None
) -> list[dict[str, Any]]:
    require(actor, Action.VIEW_PIPELINE)
    where, params = ("WHERE k.product_id = ?", [product_id]) if product_id else ("", [])
    rows = repo.fetch_all(con, f"{_LIST_SQL} {where} ORDER BY k.end_date, k.contract_id", params)
    return [_decorate(r) for r in rows]


def get_contract(con: duckdb.DuckDBPyConnection, actor: Actor, contract_id: int) -> dict[str, Any]:
    require(actor, Action.VIEW_PIPELINE)
    row = repo.fetch_one(con, f"{_LIST_SQL} WHERE k.contract_id = ?", [contract_id])
    if row is None:
        raise NotFound(f"Contract #{contract_id} does not exist.")
    return _decorate(row)


def save_contract(
    con: duckdb.DuckDBPyConnection, actor: Actor, form: ContractForm, contract_id: int | None = None
) -> int:
    """Record a new contract or correct one; the vendor is the product's vendor."""
    require(actor, Action.MANAGE_CONTRACTS)
    product = repo.get(con, "products", form.product_id)
    if product is None:
        raise NotFound(f"Product #{form.product_id} does not exist.")
    if form.agreement_id is not None:
        agreement = repo.get(con, "agreements", form.agreement_id)
        if agreement is None or agreement["vendor_id"] != product["vendor_id"]:
            raise InvalidInput("Linked agreement: choose an agreement with this product's vendor.")
    values = form.model_dump(mode="python")
    values["vendor_id"] = product["vendor_id"]
    values["pricing_unit"] = form.pricing_unit.value if form.pricing_unit else None
    same = con.execute(
        "SELECT contract_id FROM contracts WHERE product_id = ? AND start_date = ? AND end_date = ? "
        "AND status <> 'cancelled' AND contract_id IS DISTINCT FROM ? ORDER BY contract_id LIMIT 1",
        [form.product_id, form.start_date, form.end_date, contract_id],
    ).fetchone()
    if same:
        # a second Save of the same new contract inserted it again (three copies of one contract)
        raise InvalidInput(
            f"Contract #{same[0]} already covers {product['name']} from {form.start_date:%m/%d/%Y} to "
            f"{form.end_date:%m/%d/%Y}; choose it under 'Contract' to correct it."
        )
    with transaction(con):
        if contract_id is None:
            return repo.insert(con, "contracts", values, actor=actor, request_id=form.request_id)
        if repo.get(con, "contracts", contract_id) is None:
            raise NotFound(f"Contract #{contract_id} does not exist.")
        repo.update(con, "contracts", contract_id, values, actor=actor, request_id=form.request_id)
        return contract_id


def expiring(
    con: duckdb.DuckDBPyConnection, actor: Actor, today: dt.date, within_days: int = 120
) -> list[dict[str, Any]]:
    """Active, running contracts whose end date or notice deadline falls on or before
    today + within_days (a notice deadline already missed is included). Each row carries the next
    clock (`next_date`, `days_left`), a sentence (`alert`) and the smallest window it falls in."""
    horizon = today + dt.timedelta(days=within_days)
    out = []
    for r in list_contracts(con, actor):
        if r["status"] != ACTIVE or r["end_date"] < today:
            continue
        has_notice = r["notice_days"] > 0
        if r["end_date"] > horizon and not (has_notice and r["notice_deadline"] <= horizon):
            continue
        ends = "renews automatically" if r["auto_renew"] else "ends"
        if has_notice and r["notice_deadline"] < today:
            # `days_left` now counts to the end: say so, and what the missed notice means
            r["alert"] = (
                f"Notice deadline passed on {r['notice_deadline']:%m/%d/%Y}; {ends} {r['end_date']:%m/%d/%Y}"
            )
            r["next_date"] = r["end_date"]
        elif has_notice:
            r["alert"] = f"Give notice by {r['notice_deadline']:%m/%d/%Y} ({ends} {r['end_date']:%m/%d/%Y})"
            r["next_date"] = r["notice_deadline"]
        else:
            r["alert"] = f"Ends {r['end_date']:%m/%d/%Y}"
            r["next_date"] = r["end_date"]
        r["days_left"] = (r["next_date"] - today).days
        r["days_to_end"] = (r["end_date"] - today).days
        r["window"] = next((w for w in EXPIRY_WINDOWS if r["days_left"] <= w), None)
        out.append(r)
    return sorted(out, key=lambda r: (r["days_left"], r["contract_id"]))


def _uid(contract_id: int, what: str, district: str) -> str:
    digest = hashlib.sha256(district.encode()).hexdigest()[:10]
    return f"contract-{contract_id}-{what}@{digest}.edtech-purchasing"


def calendar_ics(
    rows: list[dict[str, Any]], *, district_name: str, stamp: dt.datetime | None = None
) -> bytes:
    """An iCalendar file with an all-day event for each notice deadline and each end date."""
    stamp = stamp or dt.datetime.now(dt.UTC)
    cal = Calendar()
    cal.add("prodid", "-//EdTech Purchasing//Contract renewals//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{district_name} contract deadlines")
    for r in rows:
        label = f"{r['product_name']} ({r['vendor_name']})"
        events = [("end", r["end_date"], f"Contract ends: {label}")]
        if r["notice_days"] > 0:
            events.insert(
                0, ("notice", r["notice_deadline"], f"Notice deadline ({r['notice_days']} days): {label}")
            )
        for what, day, summary in events:
            event = Event()
            event.add("uid", _uid(r["contract_id"], what, district_name))
            event.add("dtstamp", stamp)
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
            event.add("summary", summary)
            owner = r.get("renewal_owner") or "no renewal owner named"
            event.add(
                "description",
                f"Contract #{r['contract_id']}; auto-renews: "
                f"{'yes' if r['auto_renew'] else 'no'}; renewal owner: {owner}.",
            )
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return cal.to_ical()


def export_csv(rows: list[dict[str, Any]]) -> bytes:
    return exports.to_csv_bytes(rows, EXPORT_COLUMNS, money_columns=MONEY_COLUMNS)


def export_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return exports.to_xlsx_bytes(rows, EXPORT_COLUMNS, money_columns=MONEY_COLUMNS, sheet_name="Contracts")


def form_choices(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Products, agreements and possible renewal owners for the contract form."""
    return {
        "products": repo.fetch_all(
            con,
            "SELECT p.product_id, p.name, v.name AS vendor_name, p.vendor_id"
            " FROM products p JOIN vendors v USING (vendor_id) ORDER BY p.name",
        ),
        "agreements": repo.fetch_all(
            con,
            "SELECT agreement_id, vendor_id, product_id, agreement_type,"
            " signed_date FROM agreements ORDER BY agreement_id",
        ),
        "people": repo.fetch_all(
            con, "SELECT person_id, full_name FROM people WHERE active ORDER BY full_name"
        ),
    }
