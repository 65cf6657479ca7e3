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
        con.execute("DELETE FROM usage_rows")
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
        assert [r[:3] for r in rejects(con, out.import_id)] == [
            (bad_line, "grade", "not a grade from PK to 12 (or 13, a transition year)")
        ]

    @pytest.mark.parametrize("us_dates", [False, True])
    def test_reject_line_numbers_in_a_long_assessment_file(self, con, tmp_path, monkeypatch, us_dates):
        """Staged by the typed reader (never the full parse), ISO or US days alike: a US export's days
        sent the whole file through the per-value parse."""
        from etl import staging

        def boom(*args, **kwargs):
            raise AssertionError("the full parse ran")

        monkeypatch.setattr(staging, "build_stage", boom)
        header = "Student ID,Completion Date,Overall Scale Score,Percentile"
        day = (
            (lambda i: f"{9 + i % 3}/{1 + i % 28}/2026")
            if us_dates
            else (lambda i: f"2026-09-{1 + i % 28:02d}")
        )
        lines = [f"{1000 + i},{day(i)},{400 + i % 100},{i % 100}" for i in range(20_000)]
        lines[19_000] = lines[19_000].rsplit(",", 2)[0] + ",9999,50"
        out = imp(
            con, "assessments", write(tmp_path / "diag_math.csv", header + "\n" + "\n".join(lines) + "\n")
        )
        assert [r[:2] for r in rejects(con, out.import_id)] == [(19_002, "Overall Scale Score")]
        last = "2026-11-28" if us_dates else "2026-09-28"
        assert rows(
            con, "SELECT min(test_date)::VARCHAR, max(test_date)::VARCHAR, count(*) FROM assessment_results"
        ) == [("2026-09-01", last, 19_999)]


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

    def test_text_that_needs_cleaning_is_stored_as_the_full_path_cleans_it(self, con, tmp_path):
        # the fast lane writes text as read and then checks the distinct values: these must not pass
        body = (
            "1,Mathy ,2026-09-02,5,1, School A ,3\n2,Mathy,2026-09-03,6,1,n/a,3\n3,MATHY,2026-09-03,7,1,B,3\n"
        )
        imp(con, "usage", write(tmp_path / "u.csv", HEADER + "\n" + body))
        assert rows(con, "SELECT tool, school, minutes FROM usage_daily ORDER BY minutes") == [
            ("Mathy", "School A", 5.0),
            ("Mathy", None, 6.0),
            ("Mathy", "B", 7.0),  # one tool, one spelling (the file's usual one)
        ]

    def test_a_student_seen_in_an_earlier_import_keeps_one_number(self, con, tmp_path):
        imp(
            con,
            "usage",
            write(tmp_path / "a.csv", HEADER + "\n1,A,2026-09-02,5,1,S,3\n2,A,2026-09-02,6,1,S,3\n"),
        )
        imp(
            con,
            "usage",
            write(tmp_path / "b.csv", HEADER + "\n1,A,2026-09-03,7,1,S,3\n3,A,2026-09-03,8,1,S,3\n"),
        )
        assert rows(con, "SELECT count(*) FROM student_refs") == [(3,)]
        assert rows(
            con,
            "SELECT count(DISTINCT student_ref) FROM usage_facts f JOIN student_refs r USING (student_ref) "
            "WHERE r.student_key = ?",
            [key("1")],
        ) == [(1,)]
        assert rows(con, "SELECT count(*) FROM usage_daily WHERE student_key = ?", [key("1")]) == [(2,)]

    def test_duplicate_keys_are_found_however_the_file_is_ordered(self, con, tmp_path):
        # the bitmap check packs (student, tool, day); the later line wins as on the full path
        body = "5,A,2026-09-02,5,1,S,3\n9,B,2026-10-30,1,1,S,3\n5,A,2026-09-02,8,1,S,3\n"
        out = imp(con, "usage", write(tmp_path / "u.csv", HEADER + "\n" + body))
        assert out.rows_read == 3
        assert rows(con, "SELECT student_key, tool, minutes FROM usage_daily ORDER BY tool") == [
            (key("5"), "A", 8.0),
            (key("9"), "B", 1.0),
        ]


class TestFastLaneChecks:
    # a bitmap per tool, then (a key space too big for bitmaps) the hash count
    @pytest.mark.parametrize("bitmap_bits", [fastpath.BITMAP_MAX_BITS, 1])
    def test_distinct_keys_counts_each_student_tool_day_once(self, con, monkeypatch, bitmap_bits):
        monkeypatch.setattr(fastpath, "BITMAP_MAX_BITS", bitmap_bits)
        a, b = 1, 2  # tool numbers
        con.execute(
            "INSERT INTO usage_rows (student_ref, tool_ref, usage_date, import_id) VALUES "
            "(7, 1, DATE '2026-09-01', 1), (7, 2, DATE '2026-09-01', 1), (8, 1, DATE '2026-09-01', 1), "
            "(7, 1, DATE '2027-01-01', 1), (7, 1, DATE '2026-09-01', 1), (7, 1, DATE '2026-09-01', 2)"
        )
        # 5 rows of import 1, one key twice
        assert fastpath.distinct_keys(con, 1, 2) == {a: 3, b: 1}
        assert fastpath.distinct_keys(con, 2, 1) == {a: 1}
        assert fastpath.distinct_keys(con, 3, 0) == {}
        # one student over many days: bits are then numbered student-major (the other order)
        con.execute(
            "INSERT INTO usage_rows (student_ref, tool_ref, usage_date, import_id) "
            "SELECT 3, 1, DATE '2026-09-01' + d::INTEGER, 4 FROM range(40) r(d) "
            "UNION ALL SELECT 3, 1, DATE '2026-09-09', 4 UNION ALL SELECT 4, 1, DATE '2026-09-09', 4"
        )
        assert fastpath.distinct_keys(con, 4, 1) == {a: 41}

    def test_messy_text_sends_the_file_to_the_full_path(self, con, tmp_path, monkeypatch):
        from etl import staging

        ran = []
        original = staging.try_fast_stage
        monkeypatch.setattr(staging, "try_fast_stage", lambda *a, **k: ran.append(1) or original(*a, **k))
        imp(con, "usage", write(tmp_path / "clean.csv", HEADER + "\n1,Mathy,2026-09-02,5,1,School A,3\n"))
        assert ran == []
        imp(con, "usage", write(tmp_path / "messy.csv", HEADER + "\n1,Mathy,2026-09-03,5,1,School A ,3\n"))
        assert ran == [1]
        assert rows(con, "SELECT DISTINCT school FROM usage_daily") == [("School A",)]

    @pytest.mark.parametrize("value", ["2.5", "nan", "inf", "-inf", "3e9", "1e-1"])
    @pytest.mark.parametrize("column", ["sessions", "grade"])
    def test_a_count_that_is_not_a_whole_number_is_never_stored_rounded(
        self, con, tmp_path, monkeypatch, column, value
    ):
        good = [f"{i},Mathy,2026-09-{1 + i:02d},5,1,School A,3" for i in range(1, 4)]
        bad = ["9", "Mathy", "2026-09-09", "5", "1", "School A", "3"]
        bad[HEADER.split(",").index(column)] = value
        path = write(tmp_path / "u.csv", "\n".join([HEADER, *good, ",".join(bad)]) + "\n")

        def outcome(out):
            stored = rows(con, f"SELECT {column} FROM usage_daily WHERE usage_date = DATE '2026-09-09'")
            return _table(con), rejects(con, out.import_id), rejects(con, out.import_id, "warning"), stored

        fast = outcome(imp(con, "usage", path))
        assert fast[3] in ([], [(None,)])  # rejected, or kept with the count blanked and a warning
        # 'nan' reads as a missing value, silently, in both lanes
        assert [r[:2] for r in fast[1] + fast[2]] == ([] if value == "nan" else [(5, column)])
        for table in ("usage_rows", "import_rejects", "import_log"):
            con.execute(f"DELETE FROM {table}")
        monkeypatch.setattr(fastpath, "try_import", lambda *a, **k: None)
        assert outcome(imp(con, "usage", path)) == fast


class TestTwoImportsAtOnce:
    def _clash_on_first_call(self, con, monkeypatch, times: int):
        """Another import commits a student with the same new number while this one is writing."""
        from etl import loaders

        original, calls = loaders.attach_refs, []

        def attach_then_clash(c):
            added = original(c)
            if len(calls) < times:
                calls.append(1)
                taken = c.execute("SELECT max(student_ref) FROM student_refs").fetchone()[0]
                other = con.cursor()  # a second session of the same app process
                other.execute("INSERT INTO student_refs VALUES (?, ?)", [taken, f"someone-else-{len(calls)}"])
                other.close()
            return added

        monkeypatch.setattr(loaders, "attach_refs", attach_then_clash)
        return calls

    def test_the_import_that_lost_runs_again_and_is_stored(self, con, tmp_path, monkeypatch):
        calls = self._clash_on_first_call(con, monkeypatch, times=1)
        out = imp(con, "usage", write(tmp_path / "u.csv", HEADER + "\n1,A,2026-09-02,5,1,S,3\n"))
        assert calls == [1] and out.rows_imported == 1
        assert rows(con, "SELECT count(*) FROM usage_daily WHERE student_key = ?", [key("1")]) == [(1,)]
        assert rows(con, "SELECT count(*), count(DISTINCT student_ref) FROM student_refs") == [(2, 2)]

    def test_a_second_loss_is_a_plain_message_and_nothing_is_stored(self, con, tmp_path, monkeypatch):
        from etl.runner import ImportConflict

        self._clash_on_first_call(con, monkeypatch, times=2)
        with pytest.raises(ImportConflict, match="another import was writing at the same moment"):
            imp(con, "usage", write(tmp_path / "u.csv", HEADER + "\n1,A,2026-09-02,5,1,S,3\n"))
        assert rows(con, "SELECT count(*) FROM usage_rows") == [(0,)]
        assert rows(con, "SELECT count(*) FROM import_log") == [(0,)]


class TestUsDatesTakeTheTypedReader:
    """A US export's days ('9/14/2026') are read by DuckDB's typed reader with the file's own form, as
    the full parse reads them: a 3M-row US-dated file took 16-20 s instead of 5-7 s for ISO."""

    @staticmethod
    def _lines(form: str, n: int = 3000) -> list[str]:
        def day(i: int) -> str:
            m, d = 9 + i % 3, 1 + i % 28
            return {
                "slash": f"{m:02d}/{d:02d}/2026",
                "short": f"{m}/{d}/2026",
                "dash": f"{m:02d}-{d:02d}-2026",
            }[form]

        return [
            f"{1000 + i},Tool {i % 7},{day(i)},{i % 60},{i % 3},School {i % 4},{i % 13}" for i in range(n)
        ]

    @pytest.mark.parametrize("form", ["slash", "short", "dash"])
    def test_a_us_dated_file_takes_the_fast_lane_and_stores_what_the_full_path_stores(
        self, con, tmp_path, monkeypatch, form
    ):
        from etl import staging

        path = write(tmp_path / "u.csv", HEADER + "\n" + "\n".join(self._lines(form)) + "\n")
        real_build, real_fast = staging.build_stage, staging.try_fast_stage

        def boom(*args, **kwargs):
            raise AssertionError("the full path ran")

        monkeypatch.setattr(staging, "build_stage", boom)
        monkeypatch.setattr(staging, "try_fast_stage", boom)
        out = imp(con, "usage", path)
        fast = _table(con)
        assert out.rows_imported == 3000 and len(fast) == 3000
        assert {r[2].isoformat()[:7] for r in fast} == {"2026-09", "2026-10", "2026-11"}
        con.execute("DELETE FROM usage_rows")
        con.execute("DELETE FROM import_log WHERE import_id = ?", [out.import_id])
        monkeypatch.setattr(staging, "build_stage", real_build)
        monkeypatch.setattr(staging, "try_fast_stage", real_fast)
        monkeypatch.setattr(fastpath, "try_import", lambda *a, **k: None)
        imp(con, "usage", path)
        assert _table(con) == fast

    def test_a_two_digit_year_past_the_sample_is_read_as_the_full_path_reads_it(self, con, tmp_path):
        # the first MB says '%m/%d/%Y'; the typed reader would take '9/15/26' as the year 26
        lines = self._lines("slash", 40_000)
        lines.append("99999,Tool 1,9/15/26,12,1,School 1,3")
        path = write(tmp_path / "u.csv", HEADER + "\n" + "\n".join(lines) + "\n")
        assert path.stat().st_size > 1 << 20
        out = imp(con, "usage", path)
        assert (out.rows_imported, out.rows_rejected) == (40_001, 0)
        assert rows(
            con, "SELECT usage_date::VARCHAR FROM usage_daily WHERE student_key = ?", [key("99999")]
        ) == [("2026-09-15",)]


class TestNamesByNumber:
    """usage_rows stores each tool and school by number (migration 0067); the fast lane names them from
    a sample of the file before writing, so what the sample misses or invents must not change what is
    stored."""

    @staticmethod
    def _file(tmp_path, n: int = 2000):
        lines = [
            f"{1000 + i % 300},Tool {i % 5},2026-{9 + i % 3:02d}-{1 + i % 28:02d},{i % 60},{i % 3},"
            f"{'' if i % 11 == 0 else f'School {i % 4}'},{i % 13}"
            for i in range(n)
        ]
        return write(tmp_path / "u.csv", HEADER + "\n" + "\n".join(lines) + "\n")

    @staticmethod
    def _full_path_never_runs(monkeypatch):
        from etl import staging

        def boom(*args, **kwargs):
            raise AssertionError("the full path ran")

        monkeypatch.setattr(staging, "build_stage", boom)
        monkeypatch.setattr(staging, "try_fast_stage", boom)

    def _full_path_table(self, con, path, monkeypatch, out):
        monkeypatch.undo()
        con.execute("DELETE FROM usage_rows")
        con.execute("DELETE FROM usage_tools")
        con.execute("DELETE FROM usage_schools WHERE school_ref <> 0")
        con.execute("DELETE FROM import_log WHERE import_id = ?", [out.import_id])
        monkeypatch.setattr(fastpath, "try_import", lambda *a, **k: None)
        imp(con, "usage", path)
        return _table(con)

    @pytest.mark.parametrize(
        "sample",
        [
            {"tool": {"Tool 1"}, "school": {"School 2"}},  # a tool first used in spring, in a file by day
            {"tool": set(), "school": set()},  # the sample named nothing
        ],
    )
    def test_names_the_sample_missed_are_written_in_one_more_pass(self, con, tmp_path, monkeypatch, sample):
        path = self._file(tmp_path)
        monkeypatch.setattr(
            fastpath, "sample_names", lambda src, positions: {f: set(sample[f]) for f in positions}
        )
        self._full_path_never_runs(monkeypatch)
        out = imp(con, "usage", path)
        fast = _table(con)
        assert out.rows_imported == 2000 and len(fast) == 2000
        assert rows(con, "SELECT tool FROM usage_tools ORDER BY 1") == [(f"Tool {i}",) for i in range(5)]
        assert rows(con, "SELECT school FROM usage_schools WHERE school IS NOT NULL ORDER BY 1") == [
            (f"School {i}",) for i in range(4)
        ]
        assert self._full_path_table(con, path, monkeypatch, out) == fast

    def test_a_name_the_sample_invented_is_not_kept(self, con, tmp_path, monkeypatch):
        # a block that starts inside a quoted line break can read a field that is no row's tool
        path = self._file(tmp_path)
        real = fastpath.sample_names

        def with_ghosts(src, positions):
            found = real(src, positions)
            found["tool"].add('Tool 3",9')
            found["school"].add("Nowhere High")
            return found

        monkeypatch.setattr(fastpath, "sample_names", with_ghosts)
        self._full_path_never_runs(monkeypatch)
        imp(con, "usage", path)
        assert rows(con, "SELECT tool FROM usage_tools ORDER BY 1") == [(f"Tool {i}",) for i in range(5)]
        assert ("Nowhere High",) not in rows(con, "SELECT school FROM usage_schools")

    def test_the_sample_reads_names_from_all_over_the_file(self, con, tmp_path, monkeypatch):
        # sorted by tool: the last tool appears only in the file's last blocks
        lines = [f"{1000 + i % 900},Tool {i * 6 // 60_000},2026-09-02,5,1,School 1,3" for i in range(60_000)]
        path = write(tmp_path / "u.csv", HEADER + "\n" + "\n".join(lines) + "\n")
        passes = []
        real = fastpath._write_unnamed
        monkeypatch.setattr(fastpath, "_write_unnamed", lambda *a: passes.append(1) or real(*a))
        out = imp(con, "usage", path)
        assert passes == [] and out.rows_imported == 60_000
        assert rows(con, "SELECT tool FROM usage_tools ORDER BY 1") == [(f"Tool {i}",) for i in range(6)]

    def test_a_row_without_a_tool_still_takes_the_full_path(self, con, tmp_path):
        path = write(tmp_path / "u.csv", HEADER + "\n1,A,2026-09-02,5,1,S,3\n2,,2026-09-02,6,1,S,3\n")
        out = imp(con, "usage", path)
        assert (out.rows_imported, out.rows_rejected) == (1, 1)
        assert rows(con, "SELECT tool FROM usage_tools") == [("A",)]

    def test_undo_forgets_names_no_row_uses(self, con, tmp_path):
        from etl.loaders import undo_rows

        imp(con, "usage", write(tmp_path / "a.csv", HEADER + "\n1,A,2026-09-02,5,1,S,3\n"))
        out = imp(con, "usage", write(tmp_path / "b.csv", HEADER + "\n1,B,2026-09-02,5,1,T,3\n"))
        undo_rows(con, out.import_id)
        assert rows(con, "SELECT tool FROM usage_tools") == [("A",)]
        assert rows(con, "SELECT school_ref, school FROM usage_schools ORDER BY 1") == [(0, None), (1, "S")]
