"""Small Playwright helpers for driving Streamlit widgets in the browser journeys.

Streamlit keeps every tab's widgets in the page (hidden tabs included), so lookups keep to what is
visible. Selectboxes are comboboxes: click, type to filter, click the option.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import open_page


def visible(locator):
    return locator.filter(visible=True).first


def select_option(page, label: str, text: str, *, scope=None) -> None:
    """Pick the first option containing `text` in the selectbox labelled `label`."""
    box = visible((scope or page).get_by_label(label, exact=True))
    box.click()
    page.keyboard.type(text)  # the open list may relabel the input: type into what has focus
    page.get_by_role("option", name=text).first.click()  # a substring match


def click_tab(page, name: str) -> None:
    """Click a tab once the rerun drawing the page is over (until then old and new tabs coexist)."""
    tab = page.get_by_role("tab", name=name, exact=True)
    deadline = time.monotonic() + 60
    while True:
        expect(tab).to_have_count(1, timeout=60_000)
        try:  # a rerun may start between the count and the click: look again rather than fail
            tab.click(timeout=2_000)
            return
        except PlaywrightError:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(250)


def fill(page, label: str, value: object, *, scope=None) -> None:
    """Fill the visible text, text-area or number input labelled `label`."""
    visible((scope or page).get_by_label(label, exact=True)).fill(str(value))


def fill_date(page, label: str, day: dt.date, *, scope=None) -> None:
    """Type a date (MM/DD/YYYY) into a Streamlit date_input and close its calendar."""
    box = visible((scope or page).get_by_label(label, exact=True))
    box.click()
    box.press("ControlOrMeta+a")
    box.press_sequentially(day.strftime("%m/%d/%Y"))
    box.press("Escape")


def form_with_button(page, button: str):
    """The st.form that holds the submit button named `button`."""
    return page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=button, exact=True))


def alert(page, text: str):
    """An st.success/info/warning/error box containing `text` (markdown bold is flattened)."""
    return page.get_by_test_id("stAlert").filter(has_text=text).first


def open_request(
    page,
    base_url: str,
    url_path: str,
    request_id: int,
    label: str = "Choose a request",
    *,
    heading: bool = True,
) -> None:
    """Open a step page from the sidebar and pick the request in its chooser (the page then shows
    '#N · title' as a heading, unless `heading` is False)."""
    open_page(page, base_url, url_path)
    select_option(page, label, f"#{request_id} · ")
    if heading:
        page.get_by_role("heading", name=re.compile(f"^#{request_id} · ")).first.wait_for()
    else:
        wait_idle(page)


def expand(page, title: str, inside_label: str) -> None:
    """Open the st.expander `title` until the widget `inside_label` shows (a rerun may redraw it shut)."""
    inside = page.get_by_label(inside_label, exact=True)
    for _ in range(5):
        wait_idle(page)
        if inside.first.is_visible():
            return
        page.get_by_text(title, exact=True).last.click()
        try:
            inside.first.wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 - try again after the rerun
            continue
    inside.first.wait_for()


def wait_idle(page, settle_ms: int = 400) -> None:
    """Let the app finish its rerun: the status widget shows while a script runs, and the previous
    run's elements stay in the page, marked stale, until the new run has replaced them."""
    page.wait_for_timeout(settle_ms)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=60_000)


def wait_grid_rows(page, grid, rows: int, *, tab: str | None = None, timeout_s: float = 60) -> None:
    """Wait until an st.dataframe shows `rows` rows. The grid is a canvas with no text in the DOM, but it
    grows by 35px a row below a 35px header, so its height tells the row count. A rerun may show the
    first tab again: `tab` is clicked whenever it is not the selected one."""
    deadline = time.monotonic() + timeout_s
    shown = None
    while time.monotonic() < deadline:
        tabs = page.get_by_role("tab", name=tab or "", exact=True)
        if tab is not None and tabs.count() != 1:  # a rerun is drawing the page: old and new tabs
            page.wait_for_timeout(250)
            continue
        try:  # a rerun may start between the count and these calls: look again rather than fail
            if tab is not None and tabs.get_attribute("aria-selected", timeout=2_000) != "true":
                tabs.click(timeout=2_000)
            box = grid.bounding_box(timeout=2_000) if grid.count() == 1 else None
        except PlaywrightError:
            page.wait_for_timeout(250)
            continue
        shown = None if box is None else round((box["height"] - 2) / 35) - 1
        if shown == rows:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the grid shows {shown} row(s), not {rows}")


def toggle_grid_checkbox(page, grid_index: int, row: int, *, column_x: int = 0) -> None:
    """Tick a boolean cell of an st.data_editor (a canvas): select the cell, then press space.

    Streamlit's grid draws a 35px header and 35px rows; `column_x` is the cell's x offset."""
    grid = page.get_by_test_id("stDataFrame").nth(grid_index)
    grid.scroll_into_view_if_needed()
    # the page may still be scrolling or laying out: a click at a stale position was lost (CI saw
    # "Saved 2 criteria" for 3), so wait until the grid stands still
    box = grid.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(100)
        settled = grid.bounding_box()
        if settled == box:
            break
        box = settled
    page.mouse.click(box["x"] + column_x + 20, box["y"] + 35 + row * 35 + 17)
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    wait_idle(page)


class screenshot_on_failure:
    """`with screenshot_on_failure(page, path):` saves what the browser showed when a step failed."""

    def __init__(self, page, path) -> None:
        self.page, self.path = page, path

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is not None:
            try:
                self.page.screenshot(path=str(self.path), full_page=True)
                print(f"screenshot of the failure: {self.path}")
            except Exception:  # noqa: BLE001 - the original failure matters more
                pass
        return False
