"""AppTest: "Usage & outcomes" and "Reflect & decide" on the demo district and on an empty one."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from db.connection import connect
from db.migrate import apply_migrations
from models.enums import Role
from services import monitoring
from tests.apphelp import db_row, run_page, texts
from tests.conftest import make_person


def product_id(db, name: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT product_id FROM products WHERE name = ?", [name]).fetchone()[0]
    finally:
        con.close()


def all_cells(at) -> str:
    return "\n".join(df.value.astype(str).to_csv() for df in at.dataframe)


class TestMonitoringPage:
    def test_usage_and_outcomes_for_a_tool_from_the_link(self, demo_db):
        pid = product_id(demo_db, "MathQuest")
        at = run_page("pages/monitoring.py", as_role="approver", query={"tool": str(pid)})
        assert not at.exception
        shown = texts(at)
        assert "Usage & outcomes" in shown and "MathQuest" in at.selectbox[0].format_func(
            at.selectbox[0].value
        )
        for label in (
            "Active users",
            "License utilization",
            "Adoption",
            "Dosage fidelity",
            "Cost per active user",
            "Minutes per active student per week",
        ):
            assert label in shown, label
        assert "at least 5 minutes" in shown  # the active-user definition sits beside the number
        assert len(at.get("plotly_chart")) == 2  # weekly active users, school x grade
        at.radio(key="monitoring.section").set_value("Outcomes").run()
        assert not at.exception
        shown = texts(at)
        for label in (
            "Hedges' g",
            "Minimum detectable effect",
            "ESSA evidence",
            "Probability the tool raised",
        ):
            assert label in shown, label
        assert "Tier 2" in shown  # MathQuest carries a real effect in the demo
        assert len(at.get("plotly_chart")) == 3  # growth, growth by band, effect

    def test_goals_show_progress_from_imported_data(self, demo_db):
        pid = product_id(demo_db, "MathQuest")
        at = run_page("pages/monitoring.py", as_role="approver", query={"tool": str(pid)})
        at.radio(key="monitoring.section").set_value("Goals").run()
        assert not at.exception
        assert "80% of participating students use MathQuest weekly" in texts(at)
        assert len(at.get("progress")) == 2

    def test_without_a_tool_the_page_opens_on_the_all_tools_overview(self, demo_db):
        at = run_page("pages/monitoring.py", as_role="approver")
        assert not at.exception
        tools = at.dataframe[0].value["Tool"].tolist()
        assert "MathQuest" in tools and "Kahoot! (not vetted)" in tools
        assert len(at.get("plotly_chart")) == 1

    def test_small_cells_are_suppressed_on_the_page(self, demo_db):
        pid = product_id(demo_db, "MathQuest")
        at = run_page("pages/monitoring.py", as_role="approver", query={"tool": str(pid)})
        at.radio(key="monitoring.section").set_value("Feedback & practices").run()
        # the latest school year's survey has no pilot question
        latest = at.selectbox(key="monitoring.year").value
        assert f"Survey responses submitted in school year {latest.label}" in texts(at)
        assert "The vendor's training prepared me" not in all_cells(at)
        (asked,) = db_row(
            demo_db,
            "SELECT min(submitted_at)::DATE FROM feedback_responses WHERE question LIKE 'The vendor%'",
        )
        from services.metrics import SchoolYear

        at.selectbox(key="monitoring.year").set_value(SchoolYear.of(asked, latest.start_month)).run()
        # the pilot survey question (October 2025) was answered by 6 teachers: its counts show "<10"
        assert "<10" in all_cells(at)
        assert "The vendor's training prepared me" in all_cells(at)

    def test_small_matched_groups_show_no_counts_or_baseline_shares(self, demo_db, monkeypatch):
        """When the matched groups are small (here: every group counts as small), their counts read
        '<10' and the ELL/IEP/FRL shares of their members are not shown."""
        from services import suppression

        monkeypatch.setattr(suppression, "is_small", lambda count, threshold: bool(count) and count < 5000)
        pid = product_id(demo_db, "MathQuest")
        at = run_page("pages/monitoring.py", as_role="approver", query={"tool": str(pid)})
        at.radio(key="monitoring.section").set_value("Outcomes").run()
        assert not at.exception
        shown = texts(at)
        assert "<10 users and <10 matched non-users" in shown
        assert "baseline comparison" in shown and "is not shown" in shown
        assert not any("WWC baseline equivalence" in df.value.columns for df in at.dataframe)

    def test_unknown_tool_in_the_link_falls_back_with_a_message(self, demo_db):
        at = run_page("pages/monitoring.py", as_role="approver", query={"tool": "99999"})
        assert not at.exception
        assert any("99999" in w.value for w in at.warning)

    def test_teacher_has_no_access(self, demo_db):
        at = run_page("pages/monitoring.py", as_role="teacher")
        assert any("does not give access" in e.value for e in at.error)


@pytest.mark.parametrize(
    ("page", "key"), [("pages/monitoring.py", "monitoring.tool"), ("pages/decisions.py", "decisions.tool")]
)
def test_the_request_pages_step_10_links_open_that_requests_tool(demo_db, page, key):
    """The request page links every step with ?request=N; step 10's pages are per tool and had
    opened on another tool (an approver could record ReadWell's decision on MathQuest)."""
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        request_id, product = con.execute(
            "SELECT request_id, selected_product_id FROM requests WHERE title LIKE 'ReadWell%'"
        ).fetchone()
    finally:
        con.close()
    at = run_page(page, as_role="approver", query={"request": str(request_id)})
    assert not at.exception
    assert at.selectbox(key=key).value == product


class TestDecisionsPage:
    def test_approver_discontinues_and_learns_the_missed_notice_means_a_renewal(self, demo_db):
        """The demo's ReadWell contract auto-renews and its notice deadline has passed: discontinuing
        now cannot turn auto-renewal off, and the approver is told so before and after deciding."""
        pid = product_id(demo_db, "ReadWell")
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            end, notice = con.execute(
                "SELECT end_date, notice_days FROM contracts WHERE product_id = ?", [pid]
            ).fetchone()
        finally:
            con.close()
        assert end - dt.timedelta(days=notice) < dt.date.today() <= end  # the seed's situation
        at = run_page("pages/decisions.py", as_role="approver", query={"tool": str(pid)})
        assert not at.exception
        assert any("notice deadline passed" in w.value for w in at.warning)
        effects = " ".join(c.value for c in at.caption if "What each decision does" in c.value)
        assert "Auto-renewal stays on" in effects and "Auto-renewal turned off" not in effects
        at.radio[0].set_value("discontinue")
        at.text_area[0].input("Low dosage and no growth difference; move the budget to phonics.")
        next(b for b in at.button if b.label == "Record decision").click()
        at.run()
        assert not at.exception
        assert any("recorded" in s.value for s in at.success)
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            decision, snapshot, action = con.execute(
                "SELECT decision, evidence_snapshot, contract_action FROM evaluation_decisions WHERE product_id = ?",
                [pid],
            ).fetchone()
            auto_renew = con.execute(
                "SELECT auto_renew FROM contracts WHERE product_id = ?", [pid]
            ).fetchone()[0]
        finally:
            con.close()
        assert decision == "discontinue" and auto_renew is True
        assert f"renews automatically on {end:%m/%d/%Y}" in action
        assert '"usage"' in snapshot and '"outcomes"' in snapshot
        labels = [d.label for d in at.get("download_button")]
        assert any("renewal brief" in label for label in labels)

    def test_a_short_rationale_is_refused_in_plain_words(self, demo_db):
        pid = product_id(demo_db, "i-Ready")
        at = run_page("pages/decisions.py", as_role="approver", query={"tool": str(pid)})
        at.text_area[0].input("Good.")
        next(b for b in at.button if b.label == "Record decision").click()
        at.run()
        assert not at.exception and not at.success
        assert "**Rationale**: needs at least 10 characters" in at.error[0].value
        assert "String should" not in at.error[0].value

    def test_without_a_tool_it_opens_on_the_next_renewal_decision(self, demo_db):
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            tools = monitoring.list_tools(con)
        finally:
            con.close()
        due = monitoring.next_decision(tools, dt.date.today())
        assert due is not None  # the demo has contracts whose notice deadline is ahead
        at = run_page("pages/decisions.py", as_role="approver")
        assert not at.exception
        box = at.selectbox(key="decisions.tool")
        assert box.value == due
        decide_by = next(t["decide_by"] for t in tools if t["product_id"] == due)
        assert f"decide by {decide_by:%m/%d/%Y}" in box.format_func(due)

    @pytest.mark.parametrize("link", ["99999", "-1", "1_0", "\u0663"])
    def test_a_link_to_no_such_tool_says_so_before_showing_another(self, demo_db, link):
        """A stale or odd ?tool= must not open another tool's renewal decision unannounced
        ('1_0' would be read as 10 and the Arabic-Indic digit three as 3 by int())."""
        at = run_page("pages/decisions.py", as_role="approver", query={"tool": link})
        assert not at.exception
        assert at.warning and ("has no usage" in at.warning[0].value or "not a number" in at.warning[0].value)

    def test_earlier_decision_and_its_brief_are_listed(self, demo_db):
        pid = product_id(demo_db, "i-Ready")
        at = run_page("pages/decisions.py", as_role="committee_reviewer", query={"tool": str(pid)})
        assert not at.exception
        assert "Only approvers record renewal decisions" in texts(at)
        assert "renew" in all_cells(at)
        assert len(at.get("download_button")) == 2  # draft brief and the past decision's brief


class TestEmptyDistrict:
    @pytest.fixture
    def empty_db(self, tmp_path, monkeypatch):
        path = tmp_path / "empty.duckdb"
        con = connect(path)
        apply_migrations(con)
        make_person(con, "boss@district.test", Role.APPROVER)
        con.close()
        monkeypatch.setenv("EDTECH_DB", str(path))
        monkeypatch.setenv("EDTECH_ID_SECRET", "x")
        return path

    def test_pages_say_what_to_do_next(self, empty_db):
        for page in ("pages/monitoring.py", "pages/decisions.py"):
            at = run_page(page, as_email="boss@district.test")
            assert not at.exception
            assert "Import usage on the Import data page" in texts(at)
