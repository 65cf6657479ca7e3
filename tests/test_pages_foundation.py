"""AppTest: sign-in, the per-role menu, the pipeline, the request page, people and audit pages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from demo.seed import DEMO_PASSWORD
from tests.apphelp import ROOT, email_for_role, run_page, texts

STAFF_ROLES = [
    "requester",
    "committee_reviewer",
    "compliance_officer",
    "technology",
    "business_office",
    "approver",
    "admin",
]


def sign_in(at: AppTest, email: str, password: str = DEMO_PASSWORD) -> AppTest:
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


class TestSignIn:
    def test_demo_accounts_are_listed_and_a_person_signs_in(self, demo_db):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert not at.exception
        assert DEMO_PASSWORD in texts(at)
        sign_in(at, email_for_role("approver"))
        assert not at.exception
        assert "Purchasing pipeline" in texts(at)
        assert at.session_state["auth.person_id"] > 0

    def test_the_browser_is_told_to_remember_the_sign_in(self, demo_db):
        # signing out (and the reload) need a real browser: tests/browser/test_journey_foundation.py
        import duckdb

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        sign_in(at, email_for_role("approver"))
        scripts = " ".join(str(h.proto.body) for h in at.get("html"))
        assert "edtech_session=" in scripts and "Max-Age=28800" in scripts
        token = at.session_state["auth.session_token"]
        assert token in scripts
        with duckdb.connect(str(demo_db), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM web_sessions").fetchone() == (1,)

    def test_a_district_can_turn_remembering_off(self, demo_db, monkeypatch):
        import duckdb

        monkeypatch.setenv("EDTECH_SESSION_HOURS", "0")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        sign_in(at, email_for_role("approver"))
        assert "Purchasing pipeline" in texts(at)
        assert "edtech_session=" not in " ".join(str(h.proto.body) for h in at.get("html"))
        with duckdb.connect(str(demo_db), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM web_sessions").fetchone() == (0,)

    def test_a_setting_that_cannot_be_read_says_which_and_how_to_fix_it(self, demo_db, monkeypatch):
        monkeypatch.setenv("EDTECH_DISTRICT_TIMEZONE", "Central Time")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert not at.exception
        said = " ".join(e.value for e in at.error)
        assert "EDTECH_DISTRICT_TIMEZONE" in said and "America/Chicago" in said and "restart" in said

    def test_wrong_password_gets_a_message_not_a_traceback(self, demo_db):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        sign_in(at, email_for_role("approver"), "wrong password")
        assert not at.exception
        assert "do not match" in " ".join(e.value for e in at.error)

    def test_demo_password_is_not_shown_for_a_real_database(self, demo_db):
        import duckdb

        con = duckdb.connect(str(demo_db))
        con.execute("UPDATE app_meta SET value = 'false' WHERE key = 'demo'")
        con.close()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert DEMO_PASSWORD not in texts(at)


class TestPipeline:
    @pytest.mark.parametrize("role", STAFF_ROLES)
    def test_every_staff_role_sees_the_pipeline(self, demo_db, role):
        at = run_page("pages/home.py", as_role=role)
        assert not at.exception
        page = texts(at)
        assert "Purchasing pipeline" in page and "Contracts ending or needing notice within 90 days" in page
        assert at.dataframe, "the request table is shown"

    def test_contracts_needing_notice_show_both_clocks(self, demo_db):
        at = run_page("pages/home.py", as_role="business_office")
        due = at.dataframe[1].value
        mathquest = due[due["Product"] == "MathQuest"].iloc[0]
        assert mathquest["What is due"].startswith("Give notice by")  # ends in 75 days, 60 days' notice
        readwell = due[due["Product"] == "ReadWell"].iloc[0]
        assert readwell["What is due"].startswith("Notice deadline passed")  # ends in 40 days

    def test_teachers_are_kept_out(self, demo_db):
        at = run_page("pages/home.py", as_role="teacher")
        assert not at.exception
        assert "does not give access" in texts(at)

    def test_signed_out_visitors_are_asked_to_sign_in(self, demo_db):
        at = run_page("pages/home.py")
        assert "Sign in" in texts(at)

    def test_filters_narrow_the_table(self, demo_db):
        at = run_page("pages/home.py", as_role="approver")
        everything = len(at.dataframe[0].value)
        at.multiselect(key="home.stages").select("10 · Monitoring").run()
        assert not at.exception
        assert 0 < len(at.dataframe[0].value) < everything


class TestRequestPage:
    def test_shows_every_step_and_history(self, demo_db):
        at = run_page("pages/request.py", as_role="approver", query={"request": "1"})
        assert not at.exception
        page = texts(at)
        assert "MathQuest" in page and "Step 10" in " ".join(e.label for e in at.expander)
        assert at.dataframe  # history

    def test_unknown_and_malformed_ids_get_friendly_messages(self, demo_db):
        missing = run_page("pages/request.py", as_role="approver", query={"request": "9999"})
        assert not missing.exception and "does not exist" in texts(missing)
        malformed = run_page("pages/request.py", as_role="approver", query={"request": "abc"})
        assert not malformed.exception and "not a number" in texts(malformed)
        assert "Choose one to see it across all ten SOP steps" in texts(malformed)  # says what to do next

    def test_the_approver_sees_the_gate_failure_for_a_non_compliant_tool(self, demo_db):
        import duckdb

        con = duckdb.connect(str(demo_db), read_only=True)
        request_id = con.execute("SELECT request_id FROM requests WHERE title LIKE 'ChatTutor%'").fetchone()[
            0
        ]
        con.close()
        at = run_page("pages/request.py", as_role="approver", query={"request": str(request_id)})
        assert not at.exception
        assert "Not compliant" in texts(at)

    def test_a_finished_purchase_checklist_stays_on_the_request(self, demo_db):
        """Once a request moves past step 5 the Decision & purchase page no longer lists it; the
        request's own page still says who did each purchase item, when, and the PO number."""
        import duckdb

        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            request_id, done, po = con.execute(
                """SELECT r.request_id, max(t.done_date), max(t.reference) FROM requests r
                   JOIN purchase_tasks t USING (request_id) WHERE r.stage = 'monitoring'
                   GROUP BY r.request_id HAVING count(t.done_date) = 5 ORDER BY 1 LIMIT 1"""
            ).fetchone()
        finally:
            con.close()
        at = run_page("pages/request.py", as_role="requester", query={"request": str(request_id)})
        assert not at.exception
        text = texts(at)
        assert "Purchase checklist: 5 of 5 done" in text
        assert f"Purchase order issued: done {done:%m/%d/%Y} by Linda Nguyen · PO number {po}" in text
        assert "Accounts provisioned: done" in text


class TestAdministration:
    def test_admin_adds_a_person_and_bad_input_is_named(self, demo_db):
        at = run_page("pages/people.py", as_role="admin")
        assert not at.exception
        form_inputs = at.text_input
        form_inputs[0].input("New Teacher")
        form_inputs[1].input("not-an-email")
        at.button[0].click().run()
        assert "Email" in " ".join(e.value for e in at.error)
        at.text_input[1].input("new.teacher@d100.example.org")
        at.multiselect[0].select("Teacher")
        at.button[0].click().run()
        assert not at.exception
        assert "new.teacher@d100.example.org" in at.dataframe[0].value["Email"].tolist()
        assert "Added New Teacher." in [t.value for t in at.toast]  # the confirmation survives the rerun
        roles = dict(zip(at.dataframe[0].value["Email"], at.dataframe[0].value["Roles"], strict=True))
        assert roles["new.teacher@d100.example.org"] == "Teacher"
        assert roles["karen.oneil@d100.example.org"] == "Compliance officer"  # labels, not codes
        at.selectbox(key="people.person").select("Karen O'Neil <karen.oneil@d100.example.org>").run()
        assert at.multiselect[1].value == ["Compliance officer"]  # the edit form starts from her roles

    def test_a_refused_password_saves_none_of_the_changes(self, demo_db):
        """Roles, active and password are one change: a short password must not leave the new roles
        and the deactivation saved behind a 'needs at least 10 characters' message."""
        import duckdb

        def state() -> list[tuple]:
            con = duckdb.connect(str(demo_db), read_only=True)
            try:
                return con.execute(
                    "SELECT p.active, list(r.role ORDER BY r.role), p.password_hash FROM people p "
                    "JOIN person_roles r USING (person_id) WHERE p.email = 'karen.oneil@d100.example.org' "
                    "GROUP BY ALL"
                ).fetchall()
            finally:
                con.close()

        before = state()
        at = run_page("pages/people.py", as_role="admin")
        at.selectbox(key="people.person").select("Karen O'Neil <karen.oneil@d100.example.org>").run()
        at.multiselect[1].select("Approver")
        next(c for c in at.checkbox if c.label == "Active (may sign in)").uncheck()
        next(t for t in at.text_input if t.label == "New password (optional)").input("abc")
        next(b for b in at.button if b.label == "Save changes").click().run()
        assert not at.exception
        assert "at least 10 characters" in texts(at)
        assert state() == before

    def test_a_name_of_spaces_is_refused_and_names_are_trimmed(self, demo_db):
        at = run_page("pages/people.py", as_role="admin")
        at.text_input[0].input("   ")
        at.text_input[1].input("spaces@d100.example.org")
        at.multiselect[0].select("Teacher")
        at.button[0].click().run()
        assert "enter the person's name" in texts(at)
        at.text_input[0].input("  Trail   Name  ")
        at.button[0].click().run()
        assert "Trail Name" in at.dataframe[0].value["Name"].tolist()

    def test_audit_log_is_for_admins_and_approvers_only(self, demo_db):
        assert not run_page("pages/audit.py", as_role="admin").exception
        assert "does not give access" in texts(run_page("pages/audit.py", as_role="requester"))


class TestDistrictSingleSignOn:
    """With an [auth] section, the identity provider's email is matched to a person and their roles."""

    def _app(self):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["auth"] = {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "x" * 32,
            "client_id": "id",
            "client_secret": "secret",
            "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
        }
        return at

    def test_a_known_email_signs_in_with_its_roles(self, demo_db):
        at = self._app()
        at.user = {"is_logged_in": True, "email": email_for_role("business_office")}
        at.run()
        at.run()  # the sign-in page reruns into the menu once the person is known
        assert not at.exception
        assert "Purchasing pipeline" in texts(at)

    def test_an_unknown_email_is_refused_with_what_to_do(self, demo_db):
        at = self._app()
        at.user = {"is_logged_in": True, "email": "stranger@elsewhere.org"}
        at.run()
        assert not at.exception
        assert "not registered" in " ".join(e.value for e in at.error)

    def test_signed_out_visitors_get_the_district_button(self, demo_db):
        at = self._app()
        at.user = {"is_logged_in": False}
        at.run()
        assert any("district account" in b.label for b in at.button)


class TestAuditExport:
    def test_audit_csv_neutralises_spreadsheet_formulas(self, con, people):
        from db import repo
        from services import people as people_service

        repo.audit(
            con,
            actor=people["admin"],
            table="requests",
            record_id=1,
            action="update",
            note='=HYPERLINK("http://x")',
        )
        log = people_service.audit_log(con, people["admin"], limit=10)
        text = people_service.audit_csv(log).decode("utf-8-sig")
        assert "'=HYPERLINK" in text
        assert ",=HYPERLINK" not in text
