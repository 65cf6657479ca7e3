"""Journey (issue 2): a requester signs in, writes a request, sees it on the pipeline; another role
signs in and sees only what that role may do."""

from __future__ import annotations

from tests.browser.conftest import open_page, sign_in, sign_out

REQUESTER = "maria.lopez@d100.example.org"
APPROVER = "robert.hayes@d100.example.org"
TEACHER = "emily.rivera@d100.example.org"


def test_request_to_pipeline_then_other_roles(app_server, browser_page):
    page = browser_page
    sign_in(page, app_server.url, REQUESTER)
    page.get_by_role("heading", name="Purchasing pipeline").wait_for()

    open_page(page, app_server.url, "new_request")
    page.get_by_role("textbox", name="Title (required)").fill("Fraction fluency practice for grade 5")
    page.get_by_role("textbox", name="Problem or purpose").fill("Grade 5 students miss fraction benchmarks.")
    page.get_by_role("textbox", name="Desired outcome (goal)").fill("70% meet the spring fraction benchmark.")
    page.get_by_role("textbox", name="How will success be measured?").fill("NWEA MAP fractions goal score")
    page.get_by_role("button", name="Submit request").click()
    page.get_by_text("submitted: it moves to step 2").wait_for()

    open_page(page, app_server.url, "")
    page.get_by_role("heading", name="Purchasing pipeline").wait_for()
    page.get_by_text("Fraction fluency practice for grade 5").first.wait_for(state="attached")
    # a requester has no administration menu and no approver-only pages
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_text("People & roles").count() == 0
    assert nav.get_by_text("Audit log").count() == 0
    sign_out(page)

    sign_in(page, app_server.url, APPROVER)
    page.get_by_text("Fraction fluency practice for grade 5").first.wait_for(state="attached")
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Audit log").count() == 1
    sign_out(page)

    sign_in(page, app_server.url, TEACHER)
    page.get_by_role("heading", name="Tool catalog").wait_for()  # a teacher lands on the catalog
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_text("Pipeline").count() == 0  # the catalog is the teacher's only page
    assert nav.get_by_text("New request").count() == 0
    assert page.get_by_role("heading", name="Purchasing pipeline").count() == 0


def test_a_local_sign_in_survives_a_reload_until_signing_out(app_server, browser_page):
    page = browser_page
    sign_in(page, app_server.url, APPROVER)
    open_page(page, app_server.url, "catalog")
    page.reload()
    page.get_by_role("button", name="Sign out").wait_for()  # still signed in, no form
    assert page.get_by_role("textbox", name="Password").count() == 0

    other = page.context.new_page()  # a link opened in a new tab
    other.goto(f"{app_server.url}/contracts")
    other.get_by_role("button", name="Sign out").wait_for()

    sign_out(page)
    assert [c["name"] for c in page.context.cookies()].count("edtech_session") == 0
    page.reload()
    page.get_by_role("textbox", name="Email").wait_for()
    other.reload()  # the other tab's copy of the session ended too
    other.get_by_role("textbox", name="Email").wait_for()
