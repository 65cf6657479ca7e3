"""Migrations, audited writes, the all-or-nothing transaction and waiting for the file lock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import duckdb
import pytest

from db import repo
from db.connection import DatabaseBusy, connect, connect_waiting, transaction
from db.migrate import MIGRATIONS_DIR, apply_migrations, migration_files
from models.enums import AgreementType, PricingUnit, PrivacyStatus, Role, Stage, ToolStatus


class TestMigrations:
    def test_from_empty_then_again_is_a_no_op(self, tmp_path):
        con = connect(tmp_path / "a.duckdb")
        first = apply_migrations(con)
        assert first == [p.stem for p in migration_files()]
        assert apply_migrations(con) == []
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(first)

    @pytest.mark.parametrize("upto", [p.stem for p in migration_files()])
    def test_from_every_earlier_version(self, tmp_path, upto):
        con = connect(tmp_path / "b.duckdb")
        apply_migrations(con, upto=upto)
        con.close()
        con = connect(tmp_path / "b.duckdb")  # as a later release would reopen it
        rest = apply_migrations(con)
        assert set(rest) == {p.stem for p in migration_files() if p.stem > upto}
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert {"requests", "audit_log", "usage_daily", "contracts"} <= tables

    def test_usage_stored_by_key_before_0060_reads_the_same_after(self, tmp_path):
        con = connect(tmp_path / "c.duckdb")
        apply_migrations(con, upto="0050_evaluation_contract_link")
        con.execute(
            "INSERT INTO usage_daily VALUES ('k1', 'Mathy', DATE '2025-09-01', 20, 1, 'A', 3, 7), "
            "('k2', 'Mathy', DATE '2025-09-01', 5, 1, 'A', 4, 7), ('k1', 'Other', DATE '2025-09-02', 9, 2, 'B', 3, 8)"
        )
        con.execute(
            "INSERT INTO usage_daily_superseded VALUES ('k3', 'Mathy', DATE '2025-08-01', 1, 1, NULL, NULL, 6, 7)"
        )
        before = con.execute("SELECT * FROM usage_daily ORDER BY ALL").fetchall()
        apply_migrations(con)
        assert con.execute("SELECT * FROM usage_daily ORDER BY ALL").fetchall() == before
        assert con.execute("SELECT * FROM reporting.usage_daily ORDER BY ALL").fetchall() == [
            row[:5] for row in before
        ]
        assert con.execute("SELECT count(*), count(DISTINCT student_key) FROM student_refs").fetchone() == (
            3,
            3,
        )
        assert con.execute(
            "SELECT r.student_key, f.superseded_by FROM usage_facts_superseded f JOIN student_refs r USING (student_ref)"
        ).fetchall() == [("k3", 7)]
        # the fact table holds a small number per row, not the key
        assert "student_key" not in [r[0] for r in con.execute("DESCRIBE usage_facts").fetchall()]

    def test_usage_stored_with_names_before_0067_reads_the_same_after(self, tmp_path):
        con = connect(tmp_path / "d.duckdb")
        apply_migrations(con, upto="0066_exact_student_counts")
        con.execute("INSERT INTO student_refs VALUES (1, 'k1'), (2, 'k2')")
        con.execute(
            "INSERT INTO usage_facts VALUES (1, 'Mathy', DATE '2025-09-01', 20, 1, 'Oak', 3, 7), "
            "(2, 'Mathy', DATE '2025-09-01', 5, 1, NULL, 4, 7), (1, 'Other', DATE '2025-09-02', 9, 2, 'Elm', 3, 8)"
        )
        con.execute(
            "INSERT INTO usage_facts_superseded VALUES (2, 'Gone', DATE '2025-08-01', 1, 1, 'Oak', 4, 6, 7)"
        )
        views = ("usage_daily", "usage_daily_superseded", "usage_tool_vetting", "usage_unrostered")
        before = {
            v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in views if v != views[1]
        }
        superseded = con.execute("SELECT * FROM usage_facts_superseded ORDER BY ALL").fetchall()
        apply_migrations(con)
        for view, stored in before.items():
            assert con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall() == stored, view
        assert con.execute("SELECT * FROM usage_facts_superseded ORDER BY ALL").fetchall() == superseded
        # each name once; the rows hold numbers
        assert con.execute("SELECT tool FROM usage_tools ORDER BY 1").fetchall() == [
            ("Gone",),
            ("Mathy",),
            ("Other",),
        ]
        # a row without a school has school number 0, which has no name
        assert con.execute("SELECT school_ref, school FROM usage_schools ORDER BY 1").fetchall() == [
            (0, None),
            (1, "Elm"),
            (2, "Oak"),
        ]
        assert con.execute(
            "SELECT school_ref FROM usage_rows WHERE student_ref = 2 AND tool_ref = 2"
        ).fetchall() == [(0,)]
        columns = [r[0] for r in con.execute("DESCRIBE usage_rows").fetchall()]
        assert "tool_ref" in columns and "tool" not in columns and "school" not in columns

    def test_subjects_stored_under_other_spellings_get_their_one_name(self, tmp_path):
        con = connect(tmp_path / "c.duckdb")
        apply_migrations(con, upto="0062_quality_views_on_usage_facts")
        con.execute(
            "INSERT INTO assessment_results (student_key, assessment, subject, test_date, scale_score, import_id) "
            "VALUES ('k1', 'MAP', 'Mathematics', DATE '2025-09-20', 200, 1), "
            "('k1', 'MAP', 'ela', DATE '2025-09-20', 190, 1), ('k1', 'MAP', 'Reading', DATE '2025-09-20', 191, 2), "
            "('k2', 'MAP', 'ela', DATE '2025-09-21', 180, 3), ('k2', 'MAP', 'ELA/L', DATE '2025-09-21', 181, 4), "
            "('k3', 'MAP', 'Science', DATE '2025-09-21', 170, 5), "
            "('k4', 'MAP', 'Reading Foundations', DATE '2025-09-21', 160, 6), "
            "('k4', 'MAP', 'Math 7', DATE '2025-09-21', 161, 6)"
        )
        apply_migrations(con)
        assert con.execute(
            "SELECT student_key, subject, scale_score FROM assessment_results ORDER BY ALL"
        ).fetchall() == [
            ("k1", "Math", 200.0),
            ("k1", "Reading", 191.0),  # the row stored as Reading stands
            ("k2", "Reading", 181.0),  # of two other spellings, the later import
            ("k3", "Science", 170.0),
            ("k4", "Math", 161.0),  # by the rules imports apply: 'math' in the name is Math
            ("k4", "Reading", 160.0),
        ]

    def test_totals_stored_without_a_school_year_get_the_year_of_their_import(self, tmp_path):
        con = connect(tmp_path / "c.duckdb")
        apply_migrations(con, upto="0064_unrostered_summaries")
        con.execute(
            "INSERT INTO usage_summary (student_key, tool, subject, period, as_of_date, questions_answered, "
            "import_id) VALUES ('k1', 'IXL', 'Math', '', DATE '2026-06-30', 10, 1), "
            "('k2', 'IXL', 'Math', '', DATE '2026-07-01', 20, 1), "
            # k3 already has a row for 2026-27
            "('k3', 'IXL', 'Math', '', DATE '2026-09-01', 30, 1), ('k3', 'IXL', 'Math', '2026-27', DATE '2026-10-01', 31, 2)"
        )
        apply_migrations(con)
        assert con.execute(
            "SELECT student_key, period, questions_answered FROM usage_summary ORDER BY ALL"
        ).fetchall() == [("k1", "2025-26", 10), ("k2", "2026-27", 20), ("k3", "2026-27", 31)]
        # k3's old row is replaced by the one of its school year, as a later import would have done
        assert con.execute(
            "SELECT student_key, period, questions_answered, superseded_by FROM usage_summary_superseded"
        ).fetchall() == [("k3", "2026-27", 30, 2)]
        assert con.execute(
            "SELECT count(*) FROM duckdb_functions() WHERE function_name LIKE '%0065%'"
        ).fetchone() == (0,)

    def test_a_failing_migration_leaves_no_trace(self, tmp_path):
        bad = tmp_path / "migrations"
        bad.mkdir()
        (bad / "0001_ok.sql").write_text("CREATE TABLE t (x INTEGER);")
        (bad / "0002_bad.sql").write_text("CREATE TABLE u (y INTEGER); SELECT * FROM missing_table;")
        con = connect(tmp_path / "c.duckdb")
        with pytest.raises(duckdb.Error):
            apply_migrations(con, directory=bad)
        names = [r[0] for r in con.execute("SELECT name FROM schema_migrations").fetchall()]
        assert names == ["0001_ok"]
        assert (
            con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'u'").fetchone()[0]
            == 0
        )

    @pytest.mark.parametrize(
        "column_sql, enum",
        [
            ("role VARCHAR NOT NULL CHECK (role IN", Role),
            ("stage VARCHAR NOT NULL DEFAULT 'needs_assessment' CHECK (stage IN", Stage),
            ("tool_status VARCHAR NOT NULL DEFAULT 'pending' CHECK (tool_status IN", ToolStatus),
            ("privacy_status VARCHAR NOT NULL DEFAULT 'unknown' CHECK (privacy_status IN", PrivacyStatus),
            ("agreement_type VARCHAR NOT NULL CHECK (agreement_type IN", AgreementType),
            ("pricing_unit VARCHAR NOT NULL CHECK (pricing_unit IN", PricingUnit),
        ],
    )
    def test_check_lists_match_the_enums(self, column_sql, enum):
        sql = (MIGRATIONS_DIR / "0001_core.sql").read_text()
        start = sql.index(column_sql) + len(column_sql)
        values = re.findall(r"'([^']+)'", sql[start : sql.index("))", start)])
        assert set(values) == set(enum.options())


class TestAuditedWrites:
    def test_insert_update_delete_record_before_and_after(self, con, people):
        actor = people["admin"]
        with transaction(con):
            vendor = repo.insert(con, "vendors", {"name": "Acme"}, actor=actor)
            repo.update(con, "vendors", vendor, {"name": "Acme Learning", "website": None}, actor=actor)
            repo.delete(con, "vendors", vendor, actor=actor)
        rows = repo.fetch_all(
            con,
            "SELECT action, actor_email, before, after FROM audit_log"
            " WHERE table_name = 'vendors' ORDER BY audit_id",
        )
        assert [r["action"] for r in rows] == ["insert", "update", "delete"]
        assert {r["actor_email"] for r in rows} == {actor.email}
        update = rows[1]
        assert json.loads(update["before"]) == {"name": "Acme"}  # only what changed
        assert json.loads(update["after"]) == {"name": "Acme Learning"}

    def test_password_hashes_never_reach_the_audit_trail(self, con, people):
        repo.update(
            con,
            "people",
            people["teacher"].person_id,
            {"password_hash": "secret-hash"},
            actor=people["admin"],
        )
        assert "secret-hash" not in str(con.execute("SELECT before, after FROM audit_log").fetchall())

    def test_a_failed_write_rolls_back_everything_in_the_transaction(self, con, people):
        with pytest.raises(duckdb.ConstraintException), transaction(con):
            repo.insert(con, "vendors", {"name": "Kept?"}, actor=people["admin"])
            repo.insert(con, "vendors", {"name": "Kept?"}, actor=people["admin"])  # UNIQUE name
        assert con.execute("SELECT count(*) FROM vendors").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM audit_log WHERE table_name = 'vendors'").fetchone()[0] == 0

    def test_unknown_tables_and_odd_column_names_are_refused(self, con, people):
        with pytest.raises(ValueError):
            repo.insert(con, "vendors; DROP TABLE people", {"name": "x"}, actor=people["admin"])
        with pytest.raises(ValueError):
            repo.insert(con, "vendors", {"name) VALUES ('x'); --": "x"}, actor=people["admin"])


HOLDER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


class TestWaitingForTheLock:
    def _hold(self, path, seconds):
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "holding"
        return proc

    def test_waits_while_another_process_holds_the_file(self, tmp_path):
        path = tmp_path / "locked.duckdb"
        connect(path).close()
        proc = self._hold(path, 1.5)
        started = time.monotonic()
        con = connect_waiting(path, wait_seconds=20)
        waited = time.monotonic() - started
        con.close()
        proc.communicate(timeout=30)  # waits and closes its pipe
        assert waited > 0.5  # it really waited for the other process

    def test_threads_opening_and_closing_the_file_at_once_all_get_in(self, tmp_path):
        """Streamlit sessions open and close the file per script run; when one thread closes the last
        connection while another opens it, DuckDB says 'Unique file handle conflict' (a few times in
        1,200 plain connects here). connect_waiting retries it like a lock."""
        import threading

        path = tmp_path / "shared.duckdb"
        connect(path).close()
        failures: list[str] = []

        def work() -> None:
            for _ in range(300):
                try:
                    con = connect_waiting(path, wait_seconds=5)
                    con.execute("SELECT 1").fetchall()
                    con.close()
                except Exception as exc:  # noqa: BLE001 - any failure is what this test counts
                    failures.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []

    def test_gives_up_with_a_plain_message(self, tmp_path):
        path = tmp_path / "locked.duckdb"
        connect(path).close()
        proc = self._hold(path, 3)
        with pytest.raises(DatabaseBusy, match="in use by another program"):
            connect_waiting(path, wait_seconds=0.3)
        proc.communicate(timeout=30)  # waits and closes its pipe
