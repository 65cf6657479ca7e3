"""AppTest of pages/imports.py as the technology department on the demo district."""

from __future__ import annotations

import duckdb

from etl.runner import run_import
from models.imports import ImportRequest
from tests.apphelp import db_row, run_page, texts
from tests.etlhelp import SAMPLES, write


def _import(db, path, kind="usage", **options):
    con = duckdb.connect(str(db))
    try:
        from db.migrate import apply_migrations

        apply_migrations(con)
        return run_import(con, b"demo-test-secret", ImportRequest(kind=kind, path=path, **options))
    finally:
        con.close()


class TestImportPage:
    def test_page_renders_sections_for_technology(self, demo_db):
        at = run_page("pages/imports.py", as_role="technology")
        assert not at.exception
        page = texts(at)
        assert "Import data" in page and "Import history" in page and "Data quality" in page

    def test_the_page_says_which_clock_zoned_times_are_read_on(self, demo_db, monkeypatch):
        monkeypatch.setenv("EDTECH_DISTRICT_TIMEZONE", "America/Denver")
        at = run_page("pages/imports.py", as_role="technology")
        assert "America/Denver" in texts(at) and "EDTECH_DISTRICT_TIMEZONE" in texts(at)

    def test_an_empty_history_says_where_the_demo_usage_came_from(self, demo_db):
        con = duckdb.connect(str(demo_db), read_only=True)
        seeded = con.execute("SELECT count(*) FROM usage_facts WHERE import_id IS NULL").fetchone()[0]
        con.close()
        assert seeded > 0  # the demo district's usage is loaded directly, not imported
        at = run_page("pages/imports.py", as_role="technology")
        empty = [i.value for i in at.info if "No export has been imported yet" in i.value]
        assert empty and f"The {seeded:,} usage rows already here came with the demo district" in empty[0]
        assert "python -m etl usage FILE" in empty[0]

    def test_history_rejects_and_shadow_tools_show(self, demo_db, tmp_path):
        path = write(
            tmp_path / "u.csv",
            "student_id,tool,date,minutes,sessions\n1,ShadowGames,2026-09-02,5,1\n"
            "2,ShadowGames,not a date,5,1\n",
        )
        outcome = _import(demo_db, path)
        at = run_page("pages/imports.py", as_role="technology")
        assert not at.exception
        frames = [df.value for df in at.dataframe]
        assert any("u.csv" in set(map(str, f.get("file_name", []))) for f in frames)
        assert any("not a date" in set(map(str, f.get("reason", []))) for f in frames)
        assert any("ShadowGames" in set(map(str, f.get("tool", []))) for f in frames)
        assert outcome.rows_rejected == 1

    def test_more_rejects_than_the_table_shows_are_counted_and_downloadable(self, demo_db, tmp_path):
        """1,203 rejected rows showed as a table of 1,000 with no word about the other 203."""
        lines = "".join(f"{i},ShadowGames,not a date,5,1\n" for i in range(1, 1204))
        path = write(
            tmp_path / "u.csv",
            "student_id,tool,date,minutes,sessions\n1,ShadowGames,2026-09-02,5,1\n" + lines,
        )
        assert _import(demo_db, path).rows_rejected == 1203
        at = run_page("pages/imports.py", as_role="technology")
        assert not at.exception
        assert any("Showing the first 1,000 of 1,203 rejected rows" in w.value for w in at.warning)
        assert any(len(df.value) == 1000 and "reason" in df.value.columns for df in at.dataframe)
        [button] = [b for b in at.get("download_button") if "rejected rows" in b.proto.label]
        from services import imports

        (import_id,) = db_row(demo_db, "SELECT max(import_id) FROM import_log")
        con = duckdb.connect(str(demo_db), read_only=True)
        try:
            data = imports.rejects_csv(con, import_id, actor=_technology())
        finally:
            con.close()
        assert data.decode("utf-8-sig").count("\r\n") == 1 + 1203  # the header and every rejected row
        assert "Line,Column,Reason" in data.decode("utf-8-sig").splitlines()[0]

    def test_undo_last_import_from_the_page(self, demo_db, tmp_path):
        path = write(tmp_path / "u.csv", "student_id,tool,date,minutes,sessions\n1,UndoMe,2026-09-02,5,1\n")
        earlier = _import(
            demo_db,
            write(tmp_path / "e.csv", "student_id,tool,date,minutes,sessions\n1,Kept,2026-09-01,5,1\n"),
        )
        outcome = _import(demo_db, path)
        at = run_page("pages/imports.py", as_role="technology")
        at.checkbox(key=f"imports.undo_sure_{outcome.import_id}").check().run()
        at.button(key="imports.undo").click().run()
        assert not at.exception
        assert f"Undid import #{outcome.import_id}" in texts(at)
        # the next import back is offered for undo, not already confirmed
        assert at.checkbox(key=f"imports.undo_sure_{earlier.import_id}").value is False
        assert at.button(key="imports.undo").disabled
        con = duckdb.connect(str(demo_db), read_only=True)
        assert con.execute("SELECT count(*) FROM usage_daily WHERE tool = 'UndoMe'").fetchone() == (0,)
        con.close()

    def test_other_roles_are_refused(self, demo_db):
        at = run_page("pages/imports.py", as_role="teacher")
        assert "does not give access" in texts(at)

    def test_students_using_a_refused_tool_are_flagged(self, demo_db):
        """The demo's FlashCardz was denied (it sells student data) yet some classes still use it:
        the vetting view counts it as vetted, so only this list shows it to the district."""
        (students,) = db_row(demo_db, "SELECT students FROM usage_tool_vetting WHERE tool = 'FlashCardz'")
        assert students > 0
        at = run_page("pages/imports.py", as_role="technology")
        assert not at.exception
        assert any("Students are using tools the district refused:** FlashCardz" in e.value for e in at.error)
        refused = next(df.value for df in at.dataframe if "why" in df.value.columns)
        assert list(refused["tool"]) == ["FlashCardz"]
        assert refused["why"][0] == "catalog: Denied; SOPPA: not compliant"
        assert refused["students"][0] == students

    def test_upload_service_imports_like_the_cli(self, con, people, settings):
        from services import imports

        data = (SAMPLES / "usage" / "generic_usage.csv").read_bytes()
        out = imports.import_upload(
            con, b"k", actor=people["technology"], kind="usage", file_name="generic_usage.csv", data=data
        )
        assert (out.rows_imported, out.file_name) == (200, "generic_usage.csv")
        again = imports.import_upload(
            con, b"k", actor=people["technology"], kind="usage", file_name="generic_usage.csv", data=data
        )
        assert again.already_imported
        assert (
            imports.history(con, actor=people["technology"])[0]["imported_by"] == "technology@district.test"
        )

    def test_upload_service_checks_permission(self, con, people):
        import pytest

        from models.errors import PermissionDenied
        from services import imports

        with pytest.raises(PermissionDenied):
            imports.import_upload(
                con, b"k", actor=people["teacher"], kind="usage", file_name="x.csv", data=b"x"
            )


def test_the_upload_widget_takes_what_the_import_service_accepts():
    # Streamlit refuses bigger uploads itself (default 200 MB) before the service can say anything
    import tomllib
    from pathlib import Path

    from services.imports import MAX_UPLOAD_BYTES

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * (1 << 20) == MAX_UPLOAD_BYTES


def test_an_upload_given_as_a_file_object_is_streamed_and_imported(con, people):
    import io

    import pytest

    from models.errors import InvalidInput
    from services import imports

    data = (SAMPLES / "usage" / "generic_usage.csv").read_bytes()
    out = imports.import_upload(
        con, b"k", actor=people["technology"], kind="usage", file_name="u.csv", data=io.BytesIO(data)
    )
    assert out.rows_imported == 200
    with pytest.raises(InvalidInput, match="empty"):
        imports.import_upload(
            con, b"k", actor=people["technology"], kind="usage", file_name="e.csv", data=io.BytesIO(b"")
        )


def test_an_uploaded_roster_that_is_a_damaged_zip_is_called_damaged(con, people):
    import pytest

    from etl.source import FileRefused
    from models.errors import InvalidInput
    from services import imports

    actor = people["technology"]
    damaged = b"PK\x03\x04" + b"\x00" * 200  # a zip's first bytes, cut short
    with pytest.raises(FileRefused, match="damaged"):
        imports.import_upload(con, b"k", actor=actor, kind="roster", file_name="r.zip", data=damaged)
    with pytest.raises(InvalidInput, match="Upload a OneRoster .zip"):
        imports.import_upload(con, b"k", actor=actor, kind="roster", file_name="r.csv", data=b"a,b\n1,2\n")


def test_an_import_cut_short_by_another_click_is_reported(demo_db, tmp_path):
    """A second click reruns the page while the first import runs; the next run says how it ended."""
    import datetime as dt

    from streamlit.testing.v1 import AppTest

    from tests.apphelp import ROOT, email_for_role, person_id

    def page_after_cut(file_name: str) -> str:
        at = AppTest.from_file(str(ROOT / "pages/imports.py"), default_timeout=60)
        at.session_state["auth.person_id"] = person_id(email_for_role("technology"))
        at.session_state["imports.running"] = {"file": file_name, "since": since}
        return texts(at.run())

    since = dt.datetime.now()
    actor = _technology()
    con = duckdb.connect(str(demo_db))  # before any page run holds the file
    try:
        run_import(
            con,
            b"demo-test-secret",
            ImportRequest(kind="usage", path=SAMPLES / "usage" / "generic_usage.csv", file_name="done.csv"),
            actor=actor,
        )
    finally:
        con.close()
    assert "was stopped by another click before it finished; nothing new was stored" in page_after_cut(
        "never.csv"
    )
    assert "The import of done.csv finished" in page_after_cut("done.csv")


def _technology():
    from models.enums import Role
    from models.people import Actor
    from tests.apphelp import email_for_role, person_id

    email = email_for_role("technology")
    return Actor(
        person_id=person_id(email), email=email, full_name="Tech", roles=frozenset({Role.TECHNOLOGY})
    )


def test_refused_tools_are_those_denied_or_failing_soppa_in_any_spelling(con, people, tmp_path):
    from services import imports
    from tests import steps69_factory as f

    vendor = f.vendor(con)
    chat = f.product(con, vendor, "ChatTutor AI")  # failed SOPPA while still under review
    quiz = f.product(con, vendor, "QuizFun")  # denied in the catalog
    ok = f.product(con, vendor, "MathQuest")
    f.entry(con, quiz, status="denied", privacy="not_compliant")
    f.entry(con, ok, status="core")
    decisions = [(chat, "not_compliant", 1), (ok, "not_compliant", 1), (ok, "compliant", 2)]  # day of Sept
    for product, status, day in decisions:
        con.execute(
            "INSERT INTO soppa_decisions (product_id, status, decided_by, decided_at) "
            "VALUES (?, ?, ?, make_timestamp(2026, 9, ?, 9, 0, 0))",
            [product, status, people["compliance"].person_id, day],
        )
    path = write(
        tmp_path / "u.csv",
        "student_id,tool,date,minutes,sessions\n1,chattutor ai,2026-09-02,5,1\n2,QuizFun,2026-09-02,5,1\n"
        "3,QuizFun,2026-09-03,5,1\n4,MathQuest,2026-09-02,5,1\n5,Kahoot!,2026-09-02,5,1\n",
    )
    run_import(con, b"k", ImportRequest(kind="usage", path=path))
    found = {
        r["tool"]: (r["students"], r["why"])
        for r in imports.refused_tools_in_use(con, actor=people["technology"])
    }
    # MathQuest's latest decision is compliant; Kahoot! is a shadow tool, listed with those instead
    assert found == {"QuizFun": (2, "catalog: Denied"), "ChatTutor AI": (1, "SOPPA: not compliant")}
