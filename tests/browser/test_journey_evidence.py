"""Journey (issue 7): an approver reads a tool's usage and outcomes, decides to discontinue it, and
downloads the renewal brief; the contract stops auto-renewing."""

from __future__ import annotations

import os

from db.connection import open_database
from tests.browser.conftest import open_page, sign_in

APPROVER = "robert.hayes@d100.example.org"


def choose(page, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox by its label."""
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=option).first.click()


def test_usage_outcomes_then_decision_and_brief(app_server, browser_page, tmp_path):
    page = browser_page
    page.set_default_timeout(90_000)  # outcomes are computed on first open; CI machines are shared
    sign_in(page, app_server.url, APPROVER)

    open_page(page, app_server.url, "monitoring")
    page.get_by_role("heading", name="Usage & outcomes").wait_for()
    choose(page, "Tool", "ReadWell (Literacy Labs LLC)")
    page.get_by_text("Weekly active users").first.wait_for()
    page.get_by_text("License utilization").first.wait_for()
    shots = os.environ.get("EVIDENCE_SCREENSHOTS")  # a folder: look at the charts by eye
    if shots:
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=f"{shots}/usage-charts.png")
        page.locator(".js-plotly-plot").nth(1).scroll_into_view_if_needed()
        page.screenshot(path=f"{shots}/usage-heatmap.png")
    page.get_by_text("Outcomes", exact=True).click()
    page.get_by_text("ESSA evidence").first.wait_for()
    if shots:
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=f"{shots}/outcomes.png")
        page.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
        page.screenshot(path=f"{shots}/effect.png")
        page.get_by_text("Feedback & practices", exact=True).click()
        page.get_by_text("Notes on associated practices").wait_for()
        page.wait_for_timeout(1500)
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=f"{shots}/feedback.png")

    open_page(page, app_server.url, "decisions")
    page.get_by_role("heading", name="Reflect & decide").wait_for()
    choose(page, "Tool", "ReadWell (Literacy Labs LLC)")
    page.get_by_text("The evidence now").wait_for()
    # the demo's ReadWell contract auto-renews and its notice deadline has passed: the approver is told
    page.get_by_text("notice deadline passed").first.wait_for()
    page.get_by_test_id("stRadioGroup").get_by_text("Discontinue", exact=True).click()
    page.get_by_role("textbox", name="Rationale").fill(
        "Dosage stayed low and readers grew no faster than peers."
    )
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("recorded with its evidence snapshot").wait_for()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download renewal brief (HTML, print to PDF)").click()
    brief = tmp_path / "brief.html"
    download.value.save_as(brief)
    html = brief.read_text(encoding="utf-8")
    assert "Renewal brief: ReadWell" in html and "<svg" in html and "Discontinue" in html

    # the decision's contract note says the missed notice means a renewal; the contract keeps auto-renewal
    page.get_by_text("renews automatically on").first.wait_for(state="attached")
    with open_database(app_server.db, wait_seconds=30) as con:  # the app closes its connection between runs
        auto_renew = con.execute(
            "SELECT k.auto_renew FROM contracts k JOIN products p USING (product_id) WHERE p.name = 'ReadWell'"
        ).fetchone()[0]
    assert auto_renew is True
