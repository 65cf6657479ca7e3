"""SOPPA section 27: the district's public posting, and every SOPPA clock, defined once.

The clocks (see shared/domain/soppa.md; the "verify" items are settings in `PostingRules`):
- a new agreement is posted within `posting_days` of signing, business or calendar days;
- the posting is updated within `update_window_days` of the start of each fiscal year and each
  calendar year (a publication recorded in `soppa_publications` on or after the start counts);
- parents of students affected by a breach are notified within `breach_notice_days` of the
  district learning of it (unless law enforcement asked for a delay);
- a parent's request to inspect is answered within `inspect_days`, to correct or delete within
  `correct_days`.
`overdue_items` gathers all of them for the home page. The rules are stored in app_meta under
`soppa.*` keys so the compliance officer can change them without a code change.

The public page is static HTML in which every value from the database passes through
`html.escape`, and only http(s) links become links.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Iterable
from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from models.errors import NotFound
from models.people import Actor
from models.soppa import AgreementPostingForm, PostingRules
from services import exports
from services.permissions import Action, require
from settings import Settings

repo.register_table("app_meta", "key")
repo.register_table("soppa_publications", "publication_id")

RULES_PREFIX = "soppa."
DUE_SOON_DAYS = 7  # an item whose due date is this close shows as "due soon"

DEFAULT_PARENT_RIGHTS = (
    "Under the Illinois Student Online Personal Protection Act (SOPPA), parents and guardians may "
    "inspect and review their child's covered information held by the district or an operator, "
    "request a paper or electronic copy, and request corrections of factual inaccuracies.\n\n"
    "To make a request, contact the district office in writing. Requests to inspect or copy are "
    "answered within 45 days (at most two requests per student per quarter); corrections are "
    "made within 90 days."
)
DEFAULT_DATA_USE = (
    "The district uses online tools for instruction, assessment and school operations. These "
    "tools may receive student information such as name, student id, grade, class enrollment and "
    "work done in the tool. It is used only to provide the service to the school, is shared only "
    "with operators that have a written agreement with the district, and is never sold."
)


# -- rules -------------------------------------------------------------------------------------


def load_rules(con: duckdb.DuckDBPyConnection) -> PostingRules:
    stored = dict(
        con.execute("SELECT key, value FROM app_meta WHERE key LIKE ?", [RULES_PREFIX + "%"]).fetchall()
    )
    values: dict[str, Any] = {"parent_rights_text": DEFAULT_PARENT_RIGHTS, "data_use_text": DEFAULT_DATA_USE}
    for name in PostingRules.model_fields:
        if RULES_PREFIX + name in stored:
            values[name] = stored[RULES_PREFIX + name]
    return PostingRules.model_validate(values)


def save_rules(con: duckdb.DuckDBPyConnection, actor: Actor, rules: PostingRules) -> None:
    require(actor, Action.MANAGE_SOPPA_REGISTERS)
    with transaction(con):
        for name, value in rules.model_dump().items():
            key, text = RULES_PREFIX + name, _stored(value)
            if repo.get(con, "app_meta", key) is None:
                repo.insert(con, "app_meta", {"key": key, "value": text}, actor=actor)
            else:
                repo.update(con, "app_meta", key, {"value": text}, actor=actor)


def _stored(value: object) -> str:
    """How a rule is kept in app_meta (text): booleans lower-case, dates one ISO date per line."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "\n".join(d.isoformat() for d in value)
    return str(value)


# -- clocks ------------------------------------------------------------------------------------


def add_business_days(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """`days` working days after `start`, skipping Saturdays, Sundays and the district's holidays."""
    closed = set(holidays)
    current, left = start, days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in closed:
            left -= 1
    return current


def agreement_posting_due(signed: dt.date, rules: PostingRules) -> dt.date:
    if rules.business_days:
        return add_business_days(signed, rules.posting_days, rules.holidays)
    return signed + dt.timedelta(days=rules.posting_days)


def breach_notice_due(learned_on: dt.date, rules: PostingRules) -> dt.date:
    return learned_on + dt.timedelta(days=rules.breach_notice_days)


def parent_request_due(received_on: dt.date, kind: str, rules: PostingRules) -> dt.date:
    days = rules.inspect_days if kind == "inspect" else rules.correct_days
    return received_on + dt.timedelta(days=days)


def update_periods(today: dt.date, fiscal_year_start_month: int) -> list[tuple[str, dt.date]]:
    """The most recent start of the fiscal year and of the calendar year, on or before today."""
    fy_year = today.year if today.month >= fiscal_year_start_month else today.year - 1
    fy_start = dt.date(fy_year, fiscal_year_start_month, 1)
    fy_label = (
        f"fiscal year {fy_year}-{str(fy_year + 1)[-2:]}"
        if fiscal_year_start_month > 1
        else f"fiscal year {fy_year}"
    )
    periods = [(fy_label, fy_start)]
    if fy_start != dt.date(today.year, 1, 1):
        periods.append((f"calendar year {today.year}", dt.date(today.year, 1, 1)))
    return sorted(periods, key=lambda p: p[1])


def breach_share(students_affected: int, enrollment_total: int | None) -> float | None:
    if not enrollment_total:
        return None
    return students_affected / enrollment_total


def breach_is_listed(share: float | None, rules: PostingRules) -> bool:
    """A breach below the share may be left off; with unknown enrollment it is listed."""
    return share is None or share >= rules.breach_min_share


def _severity(due: dt.date, today: dt.date) -> str | None:
    if today > due:
        return "overdue"
    if (due - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return None


def overdue_items(
    con: duckdb.DuckDBPyConnection, settings: Settings, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every SOPPA clock that is past due or due within a week: {what, due, severity, page}."""
    today = today or dt.date.today()
    rules = load_rules(con)
    items: list[dict[str, Any]] = []

    def add(what: str, due: dt.date, page: str = "pages/soppa.py") -> None:
        severity = _severity(due, today)
        if severity:
            items.append({"what": what, "due": due, "severity": severity, "page": page})

    for a in repo.fetch_all(
        con,
        """
            SELECT a.agreement_id, a.signed_date, v.name AS vendor, p.name AS product
            FROM agreements a JOIN vendors v USING (vendor_id)
            LEFT JOIN products p ON p.product_id = a.product_id
            WHERE a.signed_date IS NOT NULL AND a.posted_date IS NULL AND a.agreement_type <> 'None'""",
    ):
        add(
            f"Post the signed agreement with {a['vendor']}" + (f" ({a['product']})" if a["product"] else ""),
            agreement_posting_due(a["signed_date"], rules),
        )
    last = repo.fetch_value(con, "SELECT max(published_on) FROM soppa_publications")
    for label, start in update_periods(today, settings.fiscal_year_start_month):
        if last is None or last < start:
            add(
                f"Update the public SOPPA posting for the {label}",
                start + dt.timedelta(days=rules.update_window_days),
            )
    for b in repo.fetch_all(
        con,
        """
            SELECT b.breach_id, b.learned_on, v.name AS vendor FROM breaches b
            LEFT JOIN vendors v USING (vendor_id)
            WHERE b.parents_notified_on IS NULL AND NOT b.law_enforcement_delay""",
    ):
        add(
            f"Notify parents of breach #{b['breach_id']} ({b['vendor'] or 'operator unknown'})",
            breach_notice_due(b["learned_on"], rules),
        )
    for r in repo.fetch_all(
        con, "SELECT parent_request_id, received_on, kind FROM parent_requests WHERE completed_on IS NULL"
    ):
        add(
            f"Answer parent request #{r['parent_request_id']} ({r['kind']})",
            parent_request_due(r["received_on"], r["kind"], rules),
        )
    return sorted(items, key=lambda i: (i["severity"] != "overdue", i["due"]))


# -- agreement signing/posting dates ---------------------------------------------------------


def record_agreement_dates(
    con: duckdb.DuckDBPyConnection, actor: Actor, agreement_id: int, form: AgreementPostingForm
) -> None:
    require(actor, Action.MANAGE_SOPPA_REGISTERS)
    if repo.get(con, "agreements", agreement_id) is None:
        raise NotFound(f"Agreement #{agreement_id} does not exist.")
    with transaction(con):
        repo.update(con, "agreements", agreement_id, form.model_dump(), actor=actor)


# -- the public posting ------------------------------------------------------------------------

OPERATOR_COLUMNS: dict[str, str] = {
    "operator": "Operator",
    "product": "Product",
    "business_address": "Business address",
    "agreement_type": "Agreement",
    "signed_date": "Signed",
    "agreement_link": "Agreement copy",
    "data_elements": "Data elements",
    "subcontractors": "Subcontractors",
}
BREACH_COLUMNS: dict[str, str] = {
    "operator": "Operator",
    "dates": "Date or date range",
    "students_affected": "Students affected",
}


def posting_content(con: duckdb.DuckDBPyConnection, rules: PostingRules | None = None) -> dict[str, Any]:
    """What the public page lists: operators with signed agreements, and the breaches to list."""
    rules = rules or load_rules(con)
    operators = repo.fetch_all(
        con,
        """
        SELECT v.name AS operator, p.name AS product,
               coalesce(a.business_address, v.business_address) AS business_address,
               a.agreement_type, a.signed_date, coalesce(a.redacted_url, a.document_url) AS agreement_link,
               a.data_elements, a.subcontractors
        FROM agreements a JOIN vendors v USING (vendor_id)
        LEFT JOIN products p ON p.product_id = a.product_id
        WHERE a.signed_date IS NOT NULL AND a.agreement_type <> 'None'
        ORDER BY lower(v.name), lower(coalesce(p.name, ''))""",
    )
    breaches = []
    for b in repo.fetch_all(
        con,
        """SELECT b.*, v.name AS operator FROM breaches b
                                    LEFT JOIN vendors v USING (vendor_id) ORDER BY b.learned_on DESC""",
    ):
        share = breach_share(b["students_affected"], b["enrollment_total"])
        if breach_is_listed(share, rules):
            start, end = b["occurred_from"] or b["learned_on"], b["occurred_to"]
            b["dates"] = f"{start:%m/%d/%Y}" + (f" to {end:%m/%d/%Y}" if end and end != start else "")
            breaches.append(b)
    return {"operators": operators, "breaches": breaches, "rules": rules}


def _e(value: Any) -> str:
    if value is None or value == "":
        return "&mdash;"
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y")
    return html.escape(str(value), quote=True)


def _link(url: Any, text: str) -> str:
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'
    return "Available from the district office"


def _paragraphs(text: str) -> str:
    return "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def render_html(content: dict[str, Any], *, district_name: str, generated_on: dt.date) -> str:
    """A complete, accessible HTML page; every value is escaped."""
    rules: PostingRules = content["rules"]
    district = html.escape(district_name)
    op_rows = (
        "\n".join(
            "<tr>"
            + f'<th scope="row">{_e(o["operator"])}</th>'
            + f"<td>{_e(o['product'])}</td>"
            + f"<td>{_e(o['business_address'])}</td><td>{_e(o['agreement_type'])}</td>"
            + f"<td>{_e(o['signed_date'])}</td>"
            + f"<td>{_link(o['agreement_link'], 'Agreement with ' + str(o['operator']))}</td>"
            + f"<td>{_e(o['data_elements'])}</td><td>{_e(o['subcontractors'])}</td></tr>"
            for o in content["operators"]
        )
        or '<tr><td colspan="8">No agreements are on file.</td></tr>'
    )
    breach_rows = (
        "\n".join(
            f'<tr><th scope="row">{_e(b["operator"] or "Unknown operator")}</th><td>{_e(b["dates"])}</td>'
            f"<td>{_e(b['students_affected'])}</td></tr>"
            for b in content["breaches"]
        )
        or '<tr><td colspan="3">No breaches to report.</td></tr>'
    )
    op_heads = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in OPERATOR_COLUMNS.values())
    br_heads = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in BREACH_COLUMNS.values())
    share = f"{rules.breach_min_share:.0%}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{district}: student data privacy (SOPPA)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:72rem;margin:auto;padding:1rem;line-height:1.5}}
table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #767676;padding:.4rem;text-align:left;vertical-align:top}}
caption{{text-align:left;font-weight:bold;padding:.4rem 0}}</style>
</head>
<body>
<header><h1>{district}: student data privacy</h1>
<p>Posted under the Illinois Student Online Personal Protection Act (105 ILCS 85/27).
Last updated {generated_on:%m/%d/%Y}.</p></header>
<main>
<section aria-labelledby="data-use"><h2 id="data-use">What student data we collect and why</h2>
{_paragraphs(rules.data_use_text)}</section>
<section aria-labelledby="operators"><h2 id="operators">Operators with written agreements</h2>
<table><caption>Operators, their business addresses, agreements, data elements and subcontractors</caption>
<thead><tr>{op_heads}</tr></thead>
<tbody>
{op_rows}
</tbody></table></section>
<section aria-labelledby="rights"><h2 id="rights">Parents' rights</h2>
{_paragraphs(rules.parent_rights_text)}</section>
<section aria-labelledby="breaches"><h2 id="breaches">Data breaches</h2>
<p>Breaches affecting fewer than {share} of enrolled students may be left off this list.</p>
<table><caption>Breaches of covered information</caption>
<thead><tr>{br_heads}</tr></thead>
<tbody>
{breach_rows}
</tbody></table></section>
</main>
</body>
</html>
"""


def operators_csv(content: dict[str, Any]) -> bytes:
    return exports.to_csv_bytes(content["operators"], OPERATOR_COLUMNS)


def breaches_csv(content: dict[str, Any]) -> bytes:
    return exports.to_csv_bytes(content["breaches"], BREACH_COLUMNS)


def publish(
    con: duckdb.DuckDBPyConnection, actor: Actor, settings: Settings, today: dt.date | None = None
) -> str:
    """Generate the page, record the publication (it stops the update clocks) and mark every
    listed agreement that was not yet posted as posted today. Returns the HTML."""
    require(actor, Action.MANAGE_SOPPA_REGISTERS)
    today = today or dt.date.today()
    content = posting_content(con)
    page = render_html(content, district_name=settings.district_name, generated_on=today)
    with transaction(con):
        repo.insert(
            con,
            "soppa_publications",
            {
                "published_on": today,
                "published_by": actor.person_id,
                "operators_listed": len(content["operators"]),
                "breaches_listed": len(content["breaches"]),
                "html_sha256": hashlib.sha256(page.encode()).hexdigest(),
            },
            actor=actor,
        )
        for agreement_id in [
            r[0]
            for r in con.execute(
                "SELECT agreement_id FROM agreements WHERE signed_date IS NOT NULL AND posted_date IS NULL"
                " AND agreement_type <> 'None'"
            ).fetchall()
        ]:
            repo.update(
                con,
                "agreements",
                agreement_id,
                {"posted_date": today},
                actor=actor,
                note="posted on the public SOPPA page",
            )
    return page


def publications(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return repo.fetch_all(
        con,
        """SELECT s.*, p.full_name AS published_by_name FROM soppa_publications s
                                   LEFT JOIN people p ON p.person_id = s.published_by
                                   ORDER BY s.published_on DESC, s.publication_id DESC""",
    )
