"""Journey (issue 3): a request, two candidates scored by two reviewers, comparison, compliance and
integration decisions, approval (refused first while the step-5 gate fails), checklist done.

Everything goes through the UI as the role that does it in the SOP; only the final assertions read
the database (read-only)."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from db.connection import open_database
from models.enums import PurchaseTask
from tests.browser.conftest import open_page, sign_in, sign_out
from tests.browser.ui_helpers import (
    alert,
    click_tab,
    expand,
    fill,
    fill_date,
    form_with_button,
    open_request,
    screenshot_on_failure,
    select_option,
    toggle_grid_checkbox,
    wait_grid_rows,
)

DOMAIN = "@d100.example.org"
REQUESTER, COMPLIANCE, TECHNOLOGY, APPROVER = (
    f"{h}{DOMAIN}" for h in ("maria.lopez", "karen.oneil", "devon.wright", "robert.hayes")
)
REVIEWERS = {
    f"priya.patel{DOMAIN}": {"Fraction Forge": (5, 4, 4), "NumberNest": (3, 3, 2)},
    f"tom.baker{DOMAIN}": {"Fraction Forge": (4, 4, 5), "NumberNest": (3, 2, 3)},
}
TITLE = "Fraction practice with instant feedback (grades 4-6)"
CANDIDATES = [
    ("Fraction Forge", "Forge Learning Co.", "12 Anvil Way, Springfield, IL 62701"),
    ("NumberNest", "Nest EdTech LLC", "40 Oak St, Peoria, IL 61602"),
]

INTEGRATION_CHECKS = [
    ("Rostering (Clever / ClassLink / OneRoster)", "Verified", "Clever test district: nightly sync OK"),
    ("Single sign-on", "Verified", "Google SSO with two student test accounts"),
]


def create_request(page, url: str) -> int:
    open_page(page, url, "new_request")
    fill(page, "Title (required)", TITLE)
    fill(page, "Problem or purpose", "Only 41% of grade 4-6 students meet the fractions benchmark.")
    fill(page, "Desired outcome (goal)", "60% meet the spring fractions benchmark.")
    fill(page, "How will success be measured?", "NWEA MAP fractions goal score; weekly minutes of practice")
    page.get_by_role("button", name="Submit request").click()
    done = alert(page, "submitted: it moves to step 2")
    done.wait_for()
    return int(re.search(r"Request #(\d+) submitted", done.inner_text()).group(1))


def choose_criteria_and_candidates(page, url: str, rid: int) -> None:
    open_request(page, url, "criteria", rid)
    page.get_by_role("heading", name="Criteria and weights").wait_for()
    # the library grid starts with the gate criterion ticked; tick rows 2 and 3 of "Use" as well
    # (ordered gate first, then by category: Languages, Accessibility, Price, ...)
    toggle_grid_checkbox(page, 0, 2)
    toggle_grid_checkbox(page, 0, 3)
    page.get_by_role("button", name="Save criteria").click()
    alert(page, "Saved 3 criteria.").wait_for()
    alert(page, "scaled").wait_for()  # 20 + 10 + 10 = 40%: normalized, and the page says so

    for product, vendor, address in CANDIDATES:
        expand(page, "Product not listed? Create the vendor and product", "Product name")
        fill(page, "New vendor name", vendor)
        fill(page, "Vendor business address", address)
        fill(page, "Product name", product)
        fill(page, "Subjects", "Math")
        page.get_by_role("button", name="Create product and add as candidate").click()
        alert(page, f"{product} added as a candidate.").wait_for()
    page.get_by_role("button", name="Criteria and candidates are set").click()
    alert(page, "Moved to step 3 (budget).").wait_for()


def record_quote(page, url: str, rid: int) -> None:
    open_request(page, url, "budget", rid, label="Request", heading=False)
    page.get_by_label("Candidate product", exact=True).first.wait_for()
    fill(page, "Quote name", "Forge quote Q-1042")
    select_option(page, "Pricing unit", "Per student")
    fill(page, "Unit price per year ($)", "9.5")
    fill(page, "Quantity (units)", "450")
    page.get_by_role("button", name="Save quote").click()
    page.get_by_text("Add another quote").wait_for()


def move_forward(page, url: str, rid: int, verb: str, then: str) -> None:
    """The Request page's "Move forward" tab: press the move named `verb`, wait for stage `then`."""
    open_request(page, url, "request", rid, label="Open a request")
    click_tab(page, "Move forward")
    page.get_by_role("button", name=verb, exact=True).click()
    page.get_by_text(re.compile(f"in {then} since")).wait_for()


def score_candidates(page, url: str, rid: int, scores: dict[str, tuple[int, ...]]) -> None:
    open_request(page, url, "review", rid)
    for product, values in scores.items():
        page.get_by_test_id("stRadioGroup").get_by_text(product, exact=True).click()
        page.get_by_text(f"Score {product} on each criterion").wait_for()
        form = form_with_button(page, "Save score")
        boxes = form.locator("input[type=number]")
        expect(boxes).to_have_count(len(values))  # the other candidate's form goes once the rerun ends
        for box, value in zip(boxes.all(), values, strict=True):
            box.fill(str(value))
        form.get_by_text("Comment on Price").wait_for()
        fill(page, "Comment on Price", f"{product}: price fits the budget", scope=form)
        page.get_by_role("button", name="Save score").click()
        alert(page, f"Saved {len(values)} score(s) for {product}.").wait_for()


def compare_and_send(page, url: str, rid: int) -> None:
    open_request(page, url, "compare", rid)
    alert(page, "Recommended: Fraction Forge").wait_for()
    for product, _, _ in CANDIDATES:  # both candidates are on the page with their (still open) gate
        page.get_by_text(re.compile(rf"^{product} gate open")).wait_for()
    page.get_by_role("heading", name="Weighted totals by reviewer").wait_for()
    select_option(page, "Product", "Fraction Forge")
    page.get_by_role("button", name="Send to the approver").click()
    alert(page, "Sent to the approver (step 5) with Fraction Forge selected.").wait_for()


def record_agreement_and_soppa(page, url: str, rid: int) -> None:
    open_request(page, url, "agreements", rid)
    alert(page, "No SOPPA decision recorded for this product yet.").wait_for()
    click_tab(page, "Agreement")
    today = dt.date.today()
    fill_date(page, "Signed date", today - dt.timedelta(days=20))
    fill_date(page, "Expiry date", today.replace(year=today.year + 3))
    fill(page, "Data elements (Exhibit B)", "Student name, student ID, grade, class roster, item responses")
    fill(page, "Subcontractors (third parties)", "Amazon Web Services (hosting)")
    fill(page, "Operator business address", CANDIDATES[0][2])
    form = form_with_button(page, "Save agreement")
    boxes = form.get_by_role("checkbox")
    assert boxes.count() == 6  # the section 15(4) checklist
    for box in boxes.all():  # the label draws over the input: click its text
        form.get_by_text(box.get_attribute("aria-label"), exact=True).click()
        assert box.is_checked()
    fill(page, "Deletion within (days)", "60", scope=form)
    fill(page, "Document link", "https://dpa.example.org/forge-il-ndpa.pdf", scope=form)
    page.get_by_role("button", name="Save agreement").click()
    saved = alert(page, "saved.")
    saved.wait_for()
    agreement_id = re.search(r"Agreement #(\d+) saved", saved.inner_text()).group(1)
    assert page.get_by_text("Not yet enough for 'compliant'").count() == 0

    click_tab(page, "Record SOPPA decision")
    select_option(page, "SOPPA status", "Compliant (agreement signed)")
    select_option(page, "Agreement", f"#{agreement_id} · IL-NDPA")
    fill(
        page,
        "Note",
        "IL-NDPA signed; checklist complete.",
        scope=form_with_button(page, "Record SOPPA decision"),
    )
    page.get_by_role("button", name="Record SOPPA decision").click()
    alert(page, "Current SOPPA status: Compliant").wait_for()


def record_integration(page, url: str, rid: int) -> None:
    open_request(page, url, "review", rid)
    page.get_by_test_id("stRadioGroup").get_by_text("Fraction Forge", exact=True).click()
    for done, (kind, result, evidence) in enumerate(INTEGRATION_CHECKS, start=1):
        click_tab(page, "Integration check")
        select_option(page, "Integration", kind)
        select_option(page, "Result", result)
        fill(page, "Evidence", evidence)
        page.get_by_role("button", name="Save integration check").click()
        panel = page.get_by_role("tabpanel", name="Integration check")
        wait_grid_rows(page, panel.get_by_test_id("stDataFrame"), done, tab="Integration check")


def complete_checklist(page) -> None:
    tasks = [task.label for task in PurchaseTask]  # IT notified, funding, PO, accounts, contract
    for i, label in enumerate(tasks):
        left = len(tasks) - i - 1
        form = form_with_button(page, f"Save {label}")
        if label == PurchaseTask.PURCHASE_ORDER.label:
            fill(page, "PO number", "PO-2026-0412", scope=form)
        select_option(page, "Owner", "Linda Nguyen", scope=form)
        fill_date(page, "Done date", dt.date.today(), scope=form)
        form.get_by_role("button", name=f"Save {label}").click()
        message = f"Saved. {left} checklist item(s) left." if left else "The checklist is complete"
        alert(page, message).wait_for()


def test_request_to_approval_and_purchase_checklist(app_server, browser_page, tmp_path):
    page, url = browser_page, app_server.url
    page.set_default_timeout(60_000)
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        sign_in(page, url, REQUESTER)
        rid = create_request(page, url)
        choose_criteria_and_candidates(page, url, rid)
        record_quote(page, url, rid)
        move_forward(page, url, rid, "Budget parameters are set", then="4 · Vendor review")
        sign_out(page)

        for reviewer, scores in REVIEWERS.items():
            sign_in(page, url, reviewer)
            score_candidates(page, url, rid, scores)
            if reviewer.startswith("tom"):
                compare_and_send(page, url, rid)
            sign_out(page)

        sign_in(page, url, APPROVER)  # the gate fails: no SOPPA decision, no integration check yet
        open_request(page, url, "decision", rid)
        alert(page, "The gate does not pass yet").wait_for()
        page.get_by_role("button", name="Approve", exact=True).click()
        refused = alert(page, "Cannot approve yet")
        refused.wait_for()
        assert "compliance officer has not recorded" in refused.inner_text()
        sign_out(page)

        sign_in(page, url, COMPLIANCE)
        record_agreement_and_soppa(page, url, rid)
        sign_out(page)
        sign_in(page, url, TECHNOLOGY)
        record_integration(page, url, rid)
        sign_out(page)

        sign_in(page, url, APPROVER)
        open_request(page, url, "decision", rid)
        alert(page, "The gate passes for Fraction Forge").wait_for()
        fill(page, "Approval note (optional)", "Highest scored; SOPPA and integration verified.")
        page.get_by_role("button", name="Approve", exact=True).click()
        alert(page, "Approved. The purchase checklist is open below.").wait_for()
        complete_checklist(page)

    with open_database(app_server.db, wait_seconds=30, read_only=True) as con:
        stage = con.execute("SELECT stage FROM requests WHERE request_id = ?", [rid]).fetchone()[0]
        scored = con.execute(
            "SELECT count(DISTINCT s.reviewer_id), count(DISTINCT s.candidate_id) FROM review_scores s"
            " JOIN candidates c USING (candidate_id) WHERE c.request_id = ?",
            [rid],
        ).fetchone()
        approved = con.execute(
            "SELECT count(*) FROM decisions d JOIN products p USING (product_id)"
            " WHERE d.request_id = ? AND d.decision = 'approved' AND p.name = 'Fraction Forge'",
            [rid],
        ).fetchone()[0]
    assert stage == "catalog"
    assert scored == (2, 2)
    assert approved == 1
