"""Issue 6 in a real browser: the technology department uploads exports on the Import page, reads the
rejected rows of the file it just imported, and undoes imports one confirmation at a time; a teacher
who follows a link to the page is told it is not theirs."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import open_page, sign_in

TECHNOLOGY = "devon.wright@d100.example.org"
TEACHER = "emily.rivera@d100.example.org"
HEADER = "student_id,tool,date,minutes,sessions"


def _upload(page, path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for()
    page.get_by_role("button", name="Import", exact=True).click()


def test_upload_read_the_rejects_of_that_file_and_undo_twice(app_server, browser_page, tmp_path):
    page = browser_page
    first = tmp_path / "summer_a.csv"
    first.write_text(f"{HEADER}\n710001,MathQuest,2026-07-06,12,1\n")
    second = tmp_path / "summer_b.csv"
    second.write_text(
        f"{HEADER}\n710002,MathQuest,2026-07-07,15,1\n710003,MathQuest,not a date,5,1\n"
        "710004,MathQuest,2026-07-07,2000,1\n"
    )
    sign_in(page, app_server.url, TECHNOLOGY)
    open_page(page, app_server.url, "imports")
    page.get_by_role("heading", name="Import data").wait_for()

    _upload(page, first)
    page.get_by_text(re.compile(r"Imported 1 of 1 rows from summer_a\.csv")).wait_for(timeout=60_000)
    _upload(page, second)
    page.get_by_text(re.compile(r"Imported 1 of 3 rows from summer_b\.csv.*2 rejected")).wait_for(
        timeout=60_000
    )
    # the rejects shown are those of the file just imported, not of the one before
    chooser = page.get_by_label("Rejected rows and warnings of import")
    expect(chooser).to_have_value(re.compile(r"summer_b\.csv"))

    page.get_by_text(re.compile(r"Undo the last import \(#\d+ · summer_b\.csv\)")).click()
    page.get_by_text("I understand").click()
    expect(page.get_by_role("checkbox", name="I understand")).to_be_checked()
    undo = page.get_by_role("button", name="Undo last import")
    expect(undo).to_be_enabled()
    undo.click()
    page.get_by_text(re.compile(r"Undid import #\d+ \(summer_b\.csv\): 1 rows removed")).wait_for()

    # the import before it is offered next, and needs its own confirmation
    page.get_by_text(re.compile(r"Undo the last import \(#\d+ · summer_a\.csv\)")).click()
    expect(page.get_by_role("checkbox", name="I understand")).not_to_be_checked()
    expect(page.get_by_role("button", name="Undo last import")).to_be_disabled()


def test_a_teacher_following_a_link_to_the_import_page_is_told_it_is_not_theirs(app_server, browser_page):
    page = browser_page
    sign_in(page, app_server.url, TEACHER)
    page.goto(f"{app_server.url}/imports")  # a new page load: signed in again from the remembered sign-in
    page.get_by_text("Your role does not give access to this page").wait_for()
    expect(page.get_by_text("Page not found")).to_have_count(0)
