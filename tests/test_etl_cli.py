"""`python -m etl` as schedulers call it: exit codes, --json last line, a new --db, the lock wait."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.etlhelp import SAMPLES, write

ROOT = Path(__file__).resolve().parents[1]
HEADER = "student_id,tool,date,minutes,sessions"


def run(*args: str, db: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "EDTECH_ID_SECRET": "cli-secret"}
    env.pop("EDTECH_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "etl", *args, "--db", str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def last_json(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


class TestExitCodesAndJson:
    def test_import_creates_and_migrates_a_new_database(self, tmp_path):
        db = tmp_path / "new" / "district.duckdb"
        result = run("usage", str(SAMPLES / "usage" / "generic_usage.csv"), "--json", db=db)
        assert result.returncode == 0, result.stderr
        payload = last_json(result)
        assert {
            k: payload[k]
            for k in ("kind", "format", "rows_read", "rows_imported", "rows_rejected", "already_imported")
        } == {
            "kind": "usage",
            "format": "generic-usage",
            "rows_read": 200,
            "rows_imported": 200,
            "rows_rejected": 0,
            "already_imported": False,
        }
        # a typo in --db would otherwise quietly start an empty database: the import says so
        assert (
            f"A new, empty database was created at {db} (its folder {db.parent} was created too)"
            in (payload["warnings"][0])
        )
        con = duckdb.connect(str(db), read_only=True)
        assert con.execute("SELECT count(*) FROM usage_daily").fetchone() == (200,)
        assert con.execute(
            "SELECT count(*) FROM schema_migrations WHERE name = '0040_imports'"
        ).fetchone() == (1,)
        con.close()

    def test_second_run_says_already_imported(self, tmp_path):
        db = tmp_path / "d.duckdb"
        path = str(SAMPLES / "usage" / "generic_usage.csv")
        run("usage", path, db=db)
        again = run("usage", path, "--json", db=db)
        assert again.returncode == 0 and last_json(again)["already_imported"] is True
        plain = run("usage", path, db=db)
        assert "already imported" in plain.stdout

    def test_rejected_rows_still_exit_zero(self, tmp_path):
        path = write(tmp_path / "u.csv", f"{HEADER}\n1,A,2026-09-02,5,1\n2,A,never,5,1\n")
        result = run("usage", str(path), "--json", db=tmp_path / "d.duckdb")
        assert result.returncode == 0
        assert (last_json(result)["rows_imported"], last_json(result)["rows_rejected"]) == (1, 1)

    def test_refused_file_exits_one_with_one_line_and_no_traceback(self, tmp_path):
        path = write(tmp_path / "e.csv", "")
        result = run("usage", str(path), db=tmp_path / "d.duckdb")
        assert result.returncode == 1
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "empty" in result.stderr

    def test_refused_with_json_still_prints_json(self, tmp_path):
        result = run("usage", str(SAMPLES / "oneroster" / "users.csv"), "--json", db=tmp_path / "d.duckdb")
        assert result.returncode == 1
        payload = last_json(result)
        assert (
            payload["status"] == "refused" and payload["rows_imported"] == 0 and "roster" in payload["error"]
        )

    def test_usage_errors_exit_two(self, tmp_path):
        db = tmp_path / "d.duckdb"
        assert run("usage", str(tmp_path / "missing.csv"), db=db).returncode == 2
        assert (
            run("usage", str(SAMPLES / "usage" / "generic_usage.csv"), "--format", "nope", db=db).returncode
            == 2
        )
        assert run("nonsense", "x", db=db).returncode == 2
        usage = str(SAMPLES / "usage" / "generic_usage.csv")
        for bad in (("--format", "nope"), ("--format", "nwea-map")):  # unknown, and an assessment format
            result = run("usage", usage, *bad, "--json", db=db)
            payload = last_json(result)  # scripts still get their JSON line
            assert result.returncode == 2 and payload["status"] == "usage_error"
            assert "generic-usage" in payload["error"]  # the usage formats are listed
        folder = run("usage", str(tmp_path), "--json", db=db)
        assert folder.returncode == 2 and "is a folder" in last_json(folder)["error"]
        no_tool = write(tmp_path / "t.csv", "student_id,date,minutes\n1,2026-09-02,5\n")
        result = run("usage", str(no_tool), db=db)
        assert result.returncode == 2 and "--tool" in result.stderr

    def test_binary_garbage_and_unclosed_quote_are_refused(self, tmp_path):
        garbage = tmp_path / "g.csv"
        garbage.write_bytes(os.urandom(20_000))
        db = tmp_path / "d.duckdb"
        assert run("usage", str(garbage), db=db).returncode == 1
        quote = write(tmp_path / "q.csv", f'{HEADER}\n1,"A,2026-09-02,5,1\n')
        result = run("usage", str(quote), db=db)
        assert result.returncode == 1 and "line 2" in result.stderr

    def test_roster_undo_and_purge_commands(self, tmp_path):
        db = tmp_path / "d.duckdb"
        assert run("roster", str(SAMPLES / "oneroster"), db=db).returncode == 0
        undo = run("undo", "--json", db=db)
        assert undo.returncode == 0 and last_json(undo)["status"] == "undone"
        purge = run("purge", "--older-than-years", "3", "--json", db=db)
        assert purge.returncode == 0 and last_json(purge)["status"] == "purged"
        assert last_json(undo)["command"] == "undo" and last_json(purge)["command"] == "purge"
        assert run("purge", "--older-than-years", "0", db=db).returncode == 2
        # a calendar year typed for the years to keep is a usage error, not a crash
        typo = run("purge", "--older-than-years", "2026", "--json", db=db)
        assert typo.returncode == 2 and "more than 100 years" in last_json(typo)["error"]

    @pytest.mark.parametrize(
        "argv",
        [("usage", "--json"), ("purge", "--json"), ("purge", "--older-than-years", "abc", "--json")],
    )
    def test_argument_errors_under_json_still_end_with_a_json_line(self, tmp_path, argv):
        result = run(*argv, db=tmp_path / "d.duckdb")
        assert result.returncode == 2
        payload = last_json(result)
        assert payload["status"] == "usage_error" and payload["error"]
        assert "usage:" in result.stderr  # people still get argparse's usage line

    def test_a_db_that_cannot_be_used_is_a_usage_error_naming_it(self, tmp_path):
        csv = str(SAMPLES / "usage" / "generic_usage.csv")
        not_db = write(tmp_path / "notes.duckdb", "student_id,tool\n1,A\n")
        for db, says in ((tmp_path, "is a folder"), (not_db, "is not a DuckDB database")):
            result = run("usage", csv, "--json", db=db)
            assert result.returncode == 2, result.stdout
            assert last_json(result)["status"] == "usage_error" and says in last_json(result)["error"]
            assert str(db) in last_json(result)["error"] and "unexpected" not in result.stdout
        assert not_db.read_text() == "student_id,tool\n1,A\n"  # nothing written into it


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS held (x INTEGER)")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


class TestLockWait:
    def test_waits_while_another_process_holds_the_file_then_imports(self, tmp_path):
        db = tmp_path / "busy.duckdb"
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db), "2.5"], stdout=subprocess.PIPE, text=True
        )
        try:
            assert holder.stdout.readline().strip() == "holding"
            started = time.monotonic()
            result = run("usage", str(SAMPLES / "usage" / "generic_usage.csv"), "--json", db=db)
            waited = time.monotonic() - started
        finally:
            holder.communicate(timeout=30)  # waits and closes its pipe
        assert result.returncode == 0, result.stderr
        assert last_json(result)["rows_imported"] == 200
        assert waited >= 1.0  # it really waited for the holder
        assert "in use by another program; waiting up to" in result.stderr  # and said so

    def test_a_database_that_stays_busy_gives_the_import_fields_and_status_busy(
        self, tmp_path, monkeypatch, capsys
    ):
        from etl import cli

        db = tmp_path / "busy.duckdb"
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db), "6"], stdout=subprocess.PIPE, text=True
        )
        try:
            assert holder.stdout.readline().strip() == "holding"
            monkeypatch.setattr(cli, "LOCK_WAIT_SECONDS", 0.5)
            monkeypatch.setenv("EDTECH_LOCK_WAIT_SECONDS", "0.5")
            code = cli.main(
                ["usage", str(SAMPLES / "usage" / "generic_usage.csv"), "--db", str(db), "--json"]
            )
        finally:
            holder.kill()
            holder.communicate(timeout=30)
        payload = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert code == 1
        assert payload["status"] == "busy" and "in use by another program" in payload["error"]
        assert (payload["kind"], payload["rows_imported"], payload["already_imported"]) == ("usage", 0, False)


class TestDistrictClock:
    # 05:30 UTC on 3 September: 00:30 on the 3rd in Illinois, 10:30 PM on the 2nd in California
    LOGINS = "SIS ID,App Name,Login Time,Logins\n710001,MathQuest,2026-09-03T05:30:00Z,1\n"

    def test_the_settings_time_zone_gives_a_utc_login_its_day(self, tmp_path, monkeypatch):
        from etl import cli

        path = write(tmp_path / "logins.csv", self.LOGINS)
        days = {}
        for zone in ("America/Chicago", "America/Los_Angeles"):
            monkeypatch.setenv("EDTECH_DISTRICT_TIMEZONE", zone)
            db = tmp_path / f"{zone.split('/')[1]}.duckdb"
            assert cli.main(["usage", str(path), "--db", str(db), "--json"]) == 0
            with duckdb.connect(str(db)) as con:
                days[zone] = con.execute("SELECT usage_date::VARCHAR FROM usage_daily").fetchall()
        assert days == {"America/Chicago": [("2026-09-03",)], "America/Los_Angeles": [("2026-09-02",)]}

    def test_a_time_zone_setting_that_is_not_a_zone_is_a_usage_error_naming_it(
        self, tmp_path, monkeypatch, capsys
    ):
        from etl import cli

        monkeypatch.setenv("EDTECH_DISTRICT_TIMEZONE", "Central")
        path = write(tmp_path / "l.csv", self.LOGINS)
        code = cli.main(["usage", str(path), "--db", str(tmp_path / "d.duckdb"), "--json"])
        payload = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert code == 2 and payload["status"] == "usage_error"
        assert "EDTECH_DISTRICT_TIMEZONE" in payload["error"] and "America/Chicago" in payload["error"]

    def test_only_zone_names_duckdb_can_use_are_accepted(self):
        from models.imports import known_timezone

        assert known_timezone("America/Chicago") == "America/Chicago"
        for name in ("localtime", "posixrules", "Central", "../etc/passwd", ""):
            with pytest.raises(ValueError, match="America/Chicago"):
                known_timezone(name)


def test_the_progress_bar_never_goes_backwards(capsys):
    """A file the fast lane hands to the full parse went from 40% 'writing' back to 10% 'reading'."""
    from etl import cli

    bar = cli._ProgressPrinter(enabled=True)
    bar("writing", 0.4)
    bar("reading", 0.1)
    drawn = capsys.readouterr().err.split("\r")[-1]
    assert "40%" in drawn and "reading" in drawn
