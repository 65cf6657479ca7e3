"""The fast lane and the typed staging give exactly what the full parse gives, and line numbers hold."""

from __future__ import annotations

import pytest

from etl import fastpath
from tests.etlhelp import imp, key, rejects, rows, write

HEADER = "student_id,tool,date,minutes,sessions,school,grade"


def _big_usage(n: int) -> str:
    return HEADER + "\n" + "".join(f"{1000 + i % 500},Tool {i % 7},2026-{9 + i % 3:02d}-{1 + i % 28:02d},"
                                   f"{i % 60},{i % 3},School {i % 4},{i % 13}\n" for i in range(n)
                                   if (i % 500, i % 7, i % 3, i % 28) not in set())


def _table(con):
    return rows(con, "SELECT student_key, tool, usage_date, minutes, sessions, school, grade FROM usage_daily "
                     "ORDER BY ALL")


class TestFastLane:
    def test_fast_and_full_paths_store_the_same_rows(self, con, tmp_path, monkeypatch):
        lines = [f"{1000 + i},Tool {i % 7},2026-09-{1 + i % 28:02d},{i % 60},{i % 3},School {i % 4},{i % 13}"
                 for i in range(3000)]
        path = write(tmp_path / "u.csv", HEADER + "\n" + "\n".join(lines) + "\n")
        out = imp(con, "usage", path)
        fast = _table(con)
        con.execute("DELETE FROM usage_daily")
        con.execute("DELETE FROM import_log WHERE import_id = ?", [out.import_id])
        monkeypatch.setattr(fastpath, "try_import", lambda *a, **k: None)
        imp(con, "usage", path)
        assert _table(con) == fast and len(fast) == 3000

    def test_leading_zero_spellings_of_one_id_are_one_student(self, con, tmp_path):
        imp(con, "usage", write(tmp_path / "u.csv", "student_id,tool,date,minutes\n00123,A,2026-09-02,5\n"
                                                    "123,A,2026-09-02,7\n"))
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
        out = imp(con, "assessments", write(tmp_path / "diag_math.csv", header + "\n" + "\n".join(lines) + "\n"))
        assert [r[:2] for r in rejects(con, out.import_id)] == [(19_002, "Overall Scale Score")]
