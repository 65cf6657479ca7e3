"""Step 6: the catalog, the one place a teacher finds which tools they may use and how.

Who sees what is decided here, once: staff see every entry; a teacher (no staff role) sees entries
whose visibility is `public` or `educator` and whose status is settled (not `pending`). Search and
filters run in Python over the visible rows: a district catalog is hundreds of rows, and this
keeps every rule in one readable function. Writes need MANAGE_CATALOG.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from db import repo
from db.connection import transaction
from models.catalog import CatalogEntryForm
from models.costs import grade_range_label
from models.enums import PrivacyStatus, Stage, ToolStatus
from models.errors import InvalidInput, NotFound
from models.people import Actor
from services.lifecycle import PIPELINE_ORDER, SOPPA_CLEARED
from services.permissions import Action, can, require

# Grade bands for the filter: name -> (lowest, highest) grade; -1 is pre-K, 0 is kindergarten.
GRADE_BANDS: dict[str, tuple[int, int]] = {
    "PreK-2": (-1, 2),
    "3-5": (3, 5),
    "6-8": (6, 8),
    "9-12": (9, 12),
}
TEACHER_VISIBILITY = ("public", "educator")
HIDDEN_FROM_TEACHERS = frozenset({ToolStatus.PENDING})
# Statuses that tell teachers they may use the tool.
IN_USE = frozenset({ToolStatus.APPROVED, ToolStatus.CORE, ToolStatus.SUPPLEMENTAL})
# Without a SOPPA decision the catalog can only say that none was made yet.
UNDECIDED = frozenset({PrivacyStatus.UNKNOWN, PrivacyStatus.PENDING_AGREEMENT})
# Request stages past the step-5 gate (approved for purchase; closed comes after monitoring).
PAST_GATE = frozenset(
    s.value for s in [*PIPELINE_ORDER[PIPELINE_ORDER.index(Stage.PURCHASE) :], Stage.CLOSED]
)
NO_ACCESS_TEXT = "Ask your building technology coordinator, or open a help-desk ticket, for an account."

# The privacy status shown is the compliance officer's latest SOPPA decision when there is one: a
# decision recorded after the card was written (a breach, an expired agreement) must show at once.
_ENTRY_SQL = """
SELECT c.* REPLACE (coalesce(s.status, c.privacy_status) AS privacy_status),
       p.name AS product_name, p.description, p.website, p.subjects AS product_subjects,
       p.grade_low, p.grade_high, v.name AS vendor_name, v.vendor_id,
       a.agreement_id, a.agreement_type, a.document_url AS agreement_url,
       a.redacted_url AS agreement_redacted_url
FROM catalog_entries c
JOIN products p USING (product_id)
JOIN vendors v ON v.vendor_id = p.vendor_id
LEFT JOIN LATERAL (
    SELECT g.* FROM agreements g
    WHERE g.product_id = p.product_id OR (g.product_id IS NULL AND g.vendor_id = p.vendor_id)
    ORDER BY (g.product_id IS NULL), g.signed_date DESC NULLS LAST, g.agreement_id DESC
    LIMIT 1
) a ON true
LEFT JOIN LATERAL (
    SELECT d.status FROM soppa_decisions d WHERE d.product_id = p.product_id
    ORDER BY d.decided_at DESC, d.decision_id DESC LIMIT 1
) s ON true
"""


def sees_everything(actor: Actor) -> bool:
    """Staff (anyone who may view the pipeline) see admin-only and pending entries too."""
    return can(actor, Action.VIEW_PIPELINE)


def _visible(actor: Actor, row: dict[str, Any]) -> bool:
    if sees_everything(actor):
        return True
    return row["visibility"] in TEACHER_VISIBILITY and row["tool_status"] not in HIDDEN_FROM_TEACHERS


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(",", ";").split(";") if part.strip()]


def _grade_or_none(value: Any) -> int | None:
    return None if value is None or value != value else int(value)  # NULL or NaN: unknown


def _card(row: dict[str, Any]) -> dict[str, Any]:
    """What one card shows, with the rules for access and agreement link applied."""
    row = dict(row)
    row["subject_list"] = _split(row.get("subjects") or row.get("product_subjects"))
    row["school_list"] = _split(row.get("schools"))
    # the card's own band when the technology department wrote one, else the product's range (the
    # request search shows the same range, so a tool does not read "Grades —" in one and "K-5" in the other)
    row["grades"] = (row.get("grade_band") or "").strip() or grade_range_label(
        _grade_or_none(row.get("grade_low")), _grade_or_none(row.get("grade_high"))
    )
    row["tool_status_label"] = ToolStatus(row["tool_status"]).label
    row["privacy_status_label"] = PrivacyStatus(row["privacy_status"]).label
    row["access"] = (
        f"Sign in with your district account: {row['sso_url']}"
        if row.get("sso_url")
        else row.get("access_instructions") or NO_ACCESS_TEXT
    )
    # the redacted copy is the one that may be shown beyond the compliance office
    row["agreement_link"] = row.get("agreement_redacted_url") or row.get("agreement_url")
    return row


def _matches(
    row: dict[str, Any],
    *,
    text: str | None,
    subject: str | None,
    grade_band: str | None,
    school: str | None,
    tool_statuses: set[str],
    privacy_statuses: set[str],
) -> bool:
    if text:
        haystack = " ".join(
            str(row.get(k) or "")
            for k in (
                "product_name",
                "vendor_name",
                "purpose",
                "keywords",
                "subjects",
                "product_subjects",
                "description",
                "audience",
            )
        ).lower()
        if not all(word in haystack for word in text.lower().split()):
            return False
    if subject and subject.lower() not in {s.lower() for s in row["subject_list"]}:
        return False
    if grade_band:
        low, high = GRADE_BANDS[grade_band]
        g_low = row.get("grade_low") if row.get("grade_low") is not None else -1
        g_high = row.get("grade_high") if row.get("grade_high") is not None else 12
        if g_high < low or g_low > high:
            return False
    if school and row["school_list"] and school not in row["school_list"]:
        return False  # an entry without schools is for every school
    if tool_statuses and row["tool_status"] not in tool_statuses:
        return False
    return not (privacy_statuses and row["privacy_status"] not in privacy_statuses)


def search_catalog(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    *,
    text: str | None = None,
    subject: str | None = None,
    grade_band: str | None = None,
    school: str | None = None,
    tool_statuses: list[str] | None = None,
    privacy_statuses: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Visible entries matching every filter given, most useful first (core, then by name)."""
    require(actor, Action.VIEW_CATALOG)
    if grade_band and grade_band not in GRADE_BANDS:
        grade_band = None
    rows = [_card(r) for r in repo.fetch_all(con, _ENTRY_SQL) if _visible(actor, r)]
    chosen = [
        r
        for r in rows
        if _matches(
            r,
            text=(text or "").strip() or None,
            subject=subject,
            grade_band=grade_band,
            school=school,
            tool_statuses=set(tool_statuses or ()),
            privacy_statuses=set(privacy_statuses or ()),
        )
    ]
    order = {
        s.value: i for i, s in enumerate([ToolStatus.CORE, ToolStatus.APPROVED, ToolStatus.SUPPLEMENTAL])
    }
    return sorted(chosen, key=lambda r: (order.get(r["tool_status"], 9), r["product_name"].lower()))


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Values for the filter boxes: subjects used in the catalog and the district's schools."""
    subjects: set[str] = set()
    for own, product in con.execute(
        "SELECT c.subjects, p.subjects FROM catalog_entries c JOIN products p USING (product_id)"
    ).fetchall():
        subjects.update(_split(own or product))
    schools = [r[0] for r in con.execute("SELECT name FROM schools ORDER BY name").fetchall()]
    return {"subjects": sorted(subjects), "schools": schools, "grade_bands": list(GRADE_BANDS)}


def get_entry(con: duckdb.DuckDBPyConnection, actor: Actor, product_id: int) -> dict[str, Any]:
    require(actor, Action.VIEW_CATALOG)
    row = repo.fetch_one(con, _ENTRY_SQL + " WHERE c.product_id = ?", [product_id])
    if row is None or not _visible(actor, row):
        raise NotFound(f"Product #{product_id} is not in the catalog (or not shown to your role).")
    return _card(row)


def entry_form_defaults(con: duckdb.DuckDBPyConnection, product_id: int) -> dict[str, Any]:
    """Current values for the edit form; for a new entry, sensible values from the product."""
    row = repo.fetch_one(con, "SELECT * FROM catalog_entries WHERE product_id = ?", [product_id])
    if row is not None:
        decided = latest_soppa_decision(con, product_id)
        return row | ({"privacy_status": decided.value} if decided else {})
    product = repo.get(con, "products", product_id)
    if product is None:
        raise NotFound(f"Product #{product_id} does not exist.")
    decision = latest_soppa_decision(con, product_id)
    return {
        "product_id": product_id,
        "subjects": product["subjects"],
        "purpose": product["description"],
        "privacy_status": (decision or PrivacyStatus.UNKNOWN).value,
        "tool_status": (ToolStatus.APPROVED if decision in SOPPA_CLEARED else ToolStatus.PENDING).value,
        "visibility": "educator",
    }


def latest_soppa_decision(con: duckdb.DuckDBPyConnection, product_id: int) -> PrivacyStatus | None:
    status = repo.fetch_value(
        con,
        "SELECT status FROM soppa_decisions WHERE product_id = ? ORDER BY decided_at DESC, decision_id DESC LIMIT 1",
        [product_id],
    )
    return PrivacyStatus(status) if status else None


def entry_problems(con: duckdb.DuckDBPyConnection, form: CatalogEntryForm) -> list[str]:
    """Why the entry would tell teachers something the records do not back (empty: it may be saved).

    The privacy status is the compliance officer's latest SOPPA decision, and a tool is listed for
    use only when SOPPA cleared it and, if it came through a request, the request passed the step-5
    gate: the technology department edits the card, not the decisions behind it."""
    problems = []
    decided = latest_soppa_decision(con, form.product_id)
    if decided is not None and form.privacy_status != decided:
        problems.append(
            f"Privacy status must be '{decided.label}', the compliance officer's SOPPA decision; "
            "it changes on Agreements & SOPPA."
        )
    elif decided is None and form.privacy_status not in UNDECIDED:
        problems.append(
            f"Privacy status cannot be '{form.privacy_status.label}': the compliance officer has not "
            "recorded a SOPPA decision for this product. Use 'Unknown' or 'Pending agreement'."
        )
    if form.tool_status in IN_USE:
        if decided not in SOPPA_CLEARED:
            problems.append(
                f"Tool status cannot be '{form.tool_status.label}' before SOPPA clears the product "
                f"(now: {decided.label if decided else 'no decision'}); list it as Pending, Not supported or Denied."
            )
        waiting = repo.fetch_all(
            con,
            "SELECT request_id, stage FROM requests WHERE selected_product_id = ? ORDER BY request_id",
            [form.product_id],
        )
        if waiting and not any(r["stage"] in PAST_GATE for r in waiting):
            numbers = ", ".join(f"#{r['request_id']}" for r in waiting)
            problems.append(
                f"Tool status cannot be '{form.tool_status.label}': request {numbers} for this product "
                "has not passed the step-5 approval gate. List it as Pending until it is approved."
            )
    return problems


def save_entry(con: duckdb.DuckDBPyConnection, actor: Actor, form: CatalogEntryForm) -> int:
    """Add the product to the catalog, or update its entry (one entry per product)."""
    require(actor, Action.MANAGE_CATALOG)
    if repo.get(con, "products", form.product_id) is None:
        raise NotFound(f"Product #{form.product_id} does not exist.")
    problems = entry_problems(con, form)
    if problems:
        raise InvalidInput(" ".join(problems))
    values = form.model_dump(mode="json")
    values["updated_at"] = dt.datetime.now()
    existing = repo.fetch_value(
        con, "SELECT entry_id FROM catalog_entries WHERE product_id = ?", [form.product_id]
    )
    with transaction(con):
        if existing is None:
            return repo.insert(con, "catalog_entries", values, actor=actor)
        values.pop("product_id")
        repo.update(con, "catalog_entries", existing, values, actor=actor)
        return existing


def products_for_catalog(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every product, marked with whether it already has an entry (for the add/edit picker)."""
    return repo.fetch_all(
        con,
        """SELECT p.product_id, p.name, v.name AS vendor_name, c.entry_id IS NOT NULL AS in_catalog
           FROM products p JOIN vendors v USING (vendor_id)
           LEFT JOIN catalog_entries c USING (product_id) ORDER BY p.name""",
    )


def product_of_request(con: duckdb.DuckDBPyConnection, request_id: int) -> int | None:
    """The product a request selected; NotFound for an unknown request."""
    row = repo.fetch_one(con, "SELECT selected_product_id FROM requests WHERE request_id = ?", [request_id])
    if row is None:
        raise NotFound(f"Request #{request_id} does not exist.")
    return row["selected_product_id"]
