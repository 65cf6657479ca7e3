"""Bad files from the issue: a clear one-line refusal, never a traceback, and nothing stored changes."""

from __future__ import annotations

import zipfile

import pytest

from etl.runner import UsageProblem
from etl.source import FileRefused
from tests.etlhelp import SAMPLES, imp, rows, snapshot, write

HEADER = "student_id,tool,date,minutes,sessions"


@pytest.fixture
def loaded(con, tmp_path):
    """A database that already holds one import, so 'nothing changed' is a real claim."""
    imp(con, "usage", SAMPLES / "usage" / "generic_usage.csv")
    return con


def refused(con, tmp_path, kind: str, path, match: str, **options) -> str:
    before = snapshot(con)
    with pytest.raises(FileRefused, match=match) as info:
        imp(con, kind, path, **options)
    assert snapshot(con) == before
    message = info.value.message
    assert "\n" not in message
    return message


class TestRefusedFiles:
    def test_empty_file(self, loaded, tmp_path):
        refused(loaded, tmp_path, "usage", write(tmp_path / "e.csv", ""), "empty")

    @pytest.mark.parametrize(
        "first_line,described",
        [
            ("Diagnostic Results for Zoe Sato (student 710001)", "looks like data"),
            ("Diagnostic Results for Zoe Sato,,,,", "report title"),
            ("Zyxwa Quorblex,zyxwa.q@example.org,Alder Elementary", "looks like data"),
        ],
    )
    def test_a_refusal_never_quotes_a_first_line_that_names_a_student(
        self, loaded, tmp_path, first_line, described
    ):
        path = write(tmp_path / "d.csv", f"{first_line}\nStudent ID,Score\n710001,450\n")
        message = refused(loaded, tmp_path, "assessments", path, described)
        assert "Zoe" not in message and "Zyxwa" not in message and "@" not in message

    def test_header_only(self, loaded, tmp_path):
        refused(loaded, tmp_path, "usage", write(tmp_path / "h.csv", HEADER + "\n"), "no data rows")

    def test_binary_garbage(self, loaded, tmp_path):
        path = tmp_path / "g.csv"
        path.write_bytes(bytes(range(256)) * 64)
        refused(loaded, tmp_path, "usage", path, "not a text export")

    def test_zip_given_as_usage(self, loaded, tmp_path):
        path = tmp_path / "z.csv"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("users.csv", "x" * 1000)
        refused(loaded, tmp_path, "usage", path, "not a text export|unknown usage format")

    def test_roster_given_as_usage(self, loaded, tmp_path):
        message = refused(loaded, tmp_path, "usage", SAMPLES / "oneroster" / "users.csv", "roster")
        assert "OneRoster users.csv" in message

    def test_unknown_header_names_expected_and_found(self, loaded, tmp_path):
        message = refused(
            loaded, tmp_path, "usage", write(tmp_path / "x.csv", "foo,bar\n1,2\n"), "unknown usage"
        )
        assert (
            "student_id" in message and "found 2 column(s), none of them one that any format reads" in message
        )
        # columns a format reads are named; others are counted, not quoted (a title may name a student)
        message = refused(
            loaded,
            tmp_path,
            "usage",
            write(tmp_path / "y.csv", "Student ID,Student: Zoe Sato,Teacher: Ann Lee\n1,2,3\n"),
            "unknown usage",
        )
        assert "found Student ID and 2 other column(s)" in message and "Zoe" not in message

    def test_unclosed_quote(self, loaded, tmp_path):
        path = write(
            tmp_path / "q.csv",
            f'{HEADER}\n1001,A,2026-09-02,5,1\n1002,"A,2026-09-02,5,1\n1003,A,2026-09-02,5,1\n',
        )
        refused(loaded, tmp_path, "usage", path, "quote")

    def test_missing_path(self, loaded, tmp_path):
        refused(loaded, tmp_path, "usage", tmp_path / "nope.csv", "no such file")

    def test_folder_given_as_usage(self, loaded, tmp_path):
        refused(loaded, tmp_path, "usage", tmp_path, "folder")

    def test_mostly_nul_bytes(self, loaded, tmp_path):
        path = tmp_path / "n.csv"
        path.write_bytes(b"\x00" * 5000 + b"student_id\n")
        refused(loaded, tmp_path, "usage", path, "not a text export|empty")

    def test_roster_folder_without_users(self, loaded, tmp_path):
        write(tmp_path / "orgs.csv", "sourcedId,name\n1,A\n")
        refused(loaded, tmp_path, "roster", tmp_path, "missing users.csv")

    def test_usage_without_tool_needs_tool_option(self, loaded, tmp_path):
        before = snapshot(loaded)
        with pytest.raises(UsageProblem, match="--tool"):
            imp(loaded, "usage", write(tmp_path / "x.csv", "student_id,date,minutes\n1,2026-09-02,5\n"))
        assert snapshot(loaded) == before


class TestSurvivableDamage:
    def test_a_few_nul_bytes_are_removed_with_a_warning(self, con, tmp_path):
        path = tmp_path / "n.csv"
        path.write_bytes(f"{HEADER}\n1001,A,2026-09-02,5,1\x00\n1002,A,2026-09-02,6,1\n".encode())
        out = imp(con, "usage", path)
        assert out.rows_imported == 2
        assert any("NUL" in w for w in out.warnings)

    def test_a_3mb_field_is_read(self, con, tmp_path):
        path = write(
            tmp_path / "big.csv",
            f"{HEADER},note\n1001,A,2026-09-02,5,1,{'x' * 3_000_000}\n1002,A,2026-09-02,6,1,ok\n",
        )
        out = imp(con, "usage", path)
        assert out.rows_imported == 2

    def test_a_3mb_survey_answer_is_cut_to_the_text_limit(self, con, tmp_path):
        path = write(
            tmp_path / "s.csv", f"Timestamp,What should change?\n9/10/2026 14:10:05,{'y' * 3_000_000}\n"
        )
        imp(con, "feedback", path, tool="MathQuest")
        assert rows(con, "SELECT length(answer) FROM feedback_responses") == [(10_000,)]

    def test_row_with_extra_fields_is_quarantined(self, con, tmp_path):
        path = write(tmp_path / "x.csv", f"{HEADER}\n1001,A,2026-09-02,5,1\n1002,A,2026-09-02,6,1,oops\n")
        out = imp(con, "usage", path)
        assert (out.rows_imported, out.rows_rejected) == (1, 1)
        assert rows(con, "SELECT line_number, reason FROM import_rejects")[0][0] == 3

    def test_short_rows_are_padded(self, con, tmp_path):
        path = write(tmp_path / "x.csv", f"{HEADER},school\n1001,A,2026-09-02,5\n")
        assert imp(con, "usage", path).rows_imported == 1

    def test_blank_lines_are_skipped(self, con, tmp_path):
        path = write(tmp_path / "x.csv", f"{HEADER}\n1001,A,2026-09-02,5,1\n,,,,\n1002,A,2026-09-02,5,1\n")
        out = imp(con, "usage", path)
        assert (out.rows_read, out.rows_imported, out.rows_rejected) == (2, 2, 0)


@pytest.mark.parametrize("rows_before", [1, 3000])  # the full path, and a file big enough for the fast lane
def test_a_tool_name_that_is_a_damaged_cell_is_rejected(con, tmp_path, rows_before):
    good = "".join(f"{2000 + i},MathQuest,2026-09-{1 + i % 28:02d},5,1\n" for i in range(rows_before))
    path = write(tmp_path / "u.csv", f"{HEADER}\n{good}1001,{'Q' * 5000},2026-09-02,5,1\n")
    out = imp(con, "usage", path)
    assert (out.rows_imported, out.rows_rejected) == (rows_before, 1)
    assert rows(con, "SELECT max(length(tool)) FROM usage_daily") == [(len("MathQuest"),)]
