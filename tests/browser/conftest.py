"""Real-browser journeys: the app served by `streamlit run` on a free port with a private copy of
the demo database, driven by Playwright through Debian's chromium (no downloaded browsers)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.seed import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    def __init__(self, db: Path, port: int, process: subprocess.Popen, log: Path):
        self.db, self.port, self.process, self.log = db, port, process, log
        self.url = f"http://127.0.0.1:{port}"


@pytest.fixture
def app_server(demo_template: Path, tmp_path: Path) -> Iterator[AppServer]:
    db = tmp_path / "journey.duckdb"
    shutil.copy(demo_template, db)
    port = _free_port()
    env = {**os.environ, "EDTECH_DB": str(db), "EDTECH_ID_SECRET": "demo-test-secret"}
    log = tmp_path / "streamlit.log"
    log_file = log.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log_file.close()
            pytest.fail(f"the app did not start; log:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield AppServer(db, port, process, log)
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log_file.close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("chromium is not installed: apt-get install -y chromium (the browser journeys need it)")
    return path


@pytest.fixture
def browser_page(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        context.close()
        browser.close()


def sign_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base_url)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Sign out").wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="Email").wait_for()


def open_page(page, base_url: str, url_path: str) -> None:
    """Navigate within the same session by the sidebar link (keeps the page's own state; a reload would
    start a new browser session, signed in again from the remembered sign-in)."""
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').first.click()
    page.wait_for_load_state("networkidle")
