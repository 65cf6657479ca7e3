"""Issue 2 item 9: `python -m etl` writes while the app is serving people, and the app shows the new
data on the next page view, without a restart."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.browser.conftest import ROOT, open_page, sign_in

APPROVER = "robert.hayes@d100.example.org"


def _usage_csv(path):
    rows = ["student_id,tool,date,minutes,sessions"]
    for i in range(60):  # summer days: no demo usage then, so every row is new
        rows.append(f"{710000 + i},MathQuest,2026-07-{1 + i % 28:02d},{10 + i % 20},1")
    path.write_text("\n".join(rows) + "\n")


def _usage_line(page) -> int:
    text = page.get_by_text(re.compile(r"[\d,]+ usage rows from")).first.inner_text()
    return int(text.split(" usage rows")[0].replace(",", ""))


def _open_mathquest(page, base_url):
    open_page(page, base_url, "request")
    page.get_by_role("heading", name="Request", exact=True).wait_for()
    page.get_by_role("combobox", name="Open a request").click()
    page.keyboard.type("MathQuest")
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Steps").wait_for()
    page.get_by_text("Step 10").first.click()


def test_import_while_the_app_is_in_use(app_server, browser_page, tmp_path):
    page = browser_page
    sign_in(page, app_server.url, APPROVER)
    _open_mathquest(page, app_server.url)
    before = _usage_line(page)

    csv = tmp_path / "summer_usage.csv"
    _usage_csv(csv)
    result = subprocess.run(
        [sys.executable, "-m", "etl", "usage", str(csv), "--db", str(app_server.db), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"EDTECH_ID_SECRET": "demo-test-secret", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["rows_imported"] == 60 and summary["rows_rejected"] == 0

    open_page(page, app_server.url, "")  # away and back: the next page view reads the new rows
    page.get_by_role("heading", name="Purchasing pipeline").wait_for()
    _open_mathquest(page, app_server.url)
    assert _usage_line(page) == before + 60
