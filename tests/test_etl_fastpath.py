"""The fast lane and the typed staging give exactly what the full parse gives, and line numbers hold."""

from __future__ import annotations

import pytest

from etl import fastpath
from tests.etlhelp import imp, key, rejects, rows, write

HEADER = "student_id,tool,date,minutes,sessions,school,grade"


def _big_usage(n: int) -> str:
    return (
        HEADER
        + "\n"
        + "".join(
            f"{1000 + i % 500},Tool {i % 7},2026-{9 + i % 3:02d}-{1 + i % 28:02d},"
            f"{i % 60},{i % 3},School {i % 4},{i % 13}\n"
            for i in range(n)
            if (i % 500, i % 7, i % 3, i % 28) not in set()
        )
    )


def _table(con):
    return rows(
        con,
        "SELECT student_key, tool, usage_date, minutes, sessions, school, grade FROM usage_daily "
        "ORDER BY ALL",
    )


class TestFastLane:
    def test_fast_and_full_paths_store_the_same_rows(self, con, tmp_path, monkeypatch):
        lines = [
            f"{1000 + i},Tool {i % 7},2026-09-{1 + i % 28:02d},{i % 60},{i % 3},School {i % 4},{i % 13}"
            for i in range(3000)
        ]
        path = write(tmp_path / "u.csv", HEADER + "\n" + "\n".join(lines) + "\n")
        out = imp(con, "usage", path)
        fast = _table(con)
        con.execute("DELETE FROM usage_daily")
        con.execute("DELETE FROM import_log WHERE import_id = ?", [out.import_id])
        monkeypatch.setattr(fastpath, "try_import", lambda *a, **k: None)
        imp(con, "usage", path)
        assert _table(con) == fast and len(fast) == 3000

    def test_leading_zero_spellings_of_one_id_are_one_student(self, con, tmp_path):
        imp(
            con,
            "usage",
            write(
                tmp_path / "u.csv", "student_id,tool,date,minutes\n00123,A,2026-09-02,5\n123,A,2026-09-02,7\n"
            ),
        )
        assert rows(con, "SELECT student_key, minutes FROM usage_daily") == [(key("123"), 7.0)]

    @pytest.mark.parametrize("bad_line", [2, 15_001, 30_001])
    def test_reject_line_numbers_in_a_long_file(self, con, tmp_path, bad_line):
        lines = [f"{1000 + i},A,2026-09-{1 + i % 28:02d},{i % 60},1,S,3" for i in range(30_000)]
        lines[bad_line - 2] = lines[bad_line - 2].replace(",1,S,3", ",1,S,99")
        out = imp(con, "usage", write(tmp_path / "u.csv", HEADER + "\n" + "\n".join(lines) + "\n"))
        assert [r[:2] for r in rejects(con, out.import_id)] == [(bad_line, "grade")]

    def test_reject_line_numbers_in_a_long_assessment_file(self, con, tmp_path):
        header = "Student ID,Completion Date,Overall Scale Score,Percentile"
        lines = [f"{1000 + i},2026-09-{1 + i % 28:02d},{400 + i % 100},{i % 100}" for i in range(20_000)]
        lines[19_000] = lines[19_000].rsplit(",", 2)[0] + ",9999,50"
        out = imp(
            con, "assessments", write(tmp_path / "diag_math.csv", header + "\n" + "\n".join(lines) + "\n")
        )
        assert [r[:2] for r in rejects(con, out.import_id)] == [(19_002, "Overall Scale Score")]


class TestFastLaneIsTaken:
    def test_clean_file_never_reaches_the_staging_table(self, con, tmp_path, monkeypatch):
        from etl import staging

        def boom(*args, **kwargs):
            raise AssertionError("the full path ran")

        monkeypatch.setattr(staging, "build_stage", boom)
        monkeypatch.setattr(staging, "try_fast_stage", boom)
        out = imp(
            con,
            "usage",
            write(
                tmp_path / "u.csv",
                HEADER + "\n1,A,2026-09-02,5,1,S,3\n2,A,2026-09-02,6,1,S,K\n".replace(",K\n", ",4\n"),
            ),
        )
        assert out.rows_imported == 2

    def test_a_failed_check_rolls_the_fast_lane_back_before_the_full_path(self, con, tmp_path):
        out = imp(
            con,
            "usage",
            write(tmp_path / "u.csv", HEADER + "\n1,A,2026-09-02,5,1,S,3\n2,A,2026-09-02,5000,1,S,3\n"),
        )
        assert (out.rows_imported, out.rows_rejected) == (1, 1)
        assert rows(con, "SELECT count(*) FROM import_log") == [(1,)]
        assert rows(con, "SELECT count(*), max(import_id) FROM usage_daily") == [(1, out.import_id)]
        assert rows(con, "SELECT count(*) FROM audit_log WHERE table_name = 'import_log'") == [(1,)]
