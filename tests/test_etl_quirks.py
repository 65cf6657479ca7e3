"""Every quirk listed in shared/formats/README.md, each as a small file written in tmp_path."""

from __future__ import annotations

import datetime as dt

import pytest

from etl import admin
from services.privacy import mask
from tests.etlhelp import SAMPLES, imp, key, rejects, rows, snapshot, write

HEADER = "student_id,tool,date,minutes,sessions"


class TestEncodingAndLineEndings:
    def test_bom_crlf_and_no_final_newline(self, con, tmp_path):
        path = tmp_path / "u.csv"
        path.write_bytes(
            b"\xef\xbb\xbf"
            + f"{HEADER}\r\n1001,MathQuest,2026-09-02,10,1\r\n1002,MathQuest,2026-09-02,12,2".encode()
        )
        out = imp(con, "usage", path)
        assert (out.format, out.rows_read, out.rows_imported, out.rows_rejected) == ("generic-usage", 2, 2, 0)
        assert rows(con, "SELECT minutes FROM usage_daily WHERE student_key = ?", [key("1002")]) == [(12.0,)]

    def test_mixed_line_endings(self, con, tmp_path):
        path = tmp_path / "u.csv"
        path.write_bytes(
            f"{HEADER}\r\n1001,A,2026-09-02,10,1\n1002,A,2026-09-02,11,1\r\n1003,A,2026-09-02,12,1\n".encode()
        )
        out = imp(con, "usage", path)
        assert out.rows_imported == 3

    def test_windows_1252_keeps_accents(self, con, tmp_path):
        path = write(
            tmp_path / "u.csv",
            f"{HEADER},school\n1001,MathQuest,2026-09-02,10,1,Escuela José Martí\n",
            encoding="cp1252",
        )
        out = imp(con, "usage", path)
        assert out.rows_imported == 1
        assert any("Windows-1252" in w for w in out.warnings)
        assert rows(con, "SELECT school FROM usage_daily") == [("Escuela José Martí",)]

    def test_utf8_with_one_windows_1252_byte_keeps_every_accent(self, con, tmp_path):
        path = tmp_path / "u.csv"
        path.write_bytes(
            f"{HEADER},school\n1001,A,2026-09-02,10,1,Café Élan\n".encode()
            + "1002,A,2026-09-02,10,1,Ni\xf1o School\n".encode("cp1252")  # one 1252 byte
        )
        assert imp(con, "usage", path).rows_imported == 2
        assert rows(con, "SELECT school FROM usage_daily ORDER BY school") == [
            ("Café Élan",),
            ("Niño School",),
        ]

    def test_a_bom_before_windows_1252_text_is_a_bom(self, con, tmp_path):
        path = tmp_path / "u.csv"
        path.write_bytes(
            b"\xef\xbb\xbf" + f"{HEADER},school\n1001,A,2026-09-02,10,1,Escuela José\n".encode("cp1252")
        )
        out = imp(con, "usage", path)
        assert (out.format, out.rows_imported) == ("generic-usage", 1)
        assert rows(con, "SELECT school FROM usage_daily") == [("Escuela José",)]

    def test_utf16_excel_unicode_text(self, con, tmp_path):
        path = tmp_path / "u.txt"
        path.write_bytes(
            f"{HEADER}\n1001\tMathQuest\t2026-09-02\t10\t1\n".replace(",", "\t").encode("utf-16")
        )
        assert imp(con, "usage", path).rows_imported == 1


class TestQuoting:
    def test_every_field_quoted(self, con, tmp_path):
        path = write(
            tmp_path / "u.csv",
            '"student_id","tool","date","minutes","sessions"\n"1001","MathQuest","2026-09-02","10","1"\n',
        )
        assert imp(con, "usage", path).rows_imported == 1

    def test_quoted_commas_and_doubled_quotes(self, con, tmp_path):
        path = write(
            tmp_path / "u.csv", f'{HEADER},school\n1001,"Math, Quest",2026-09-02,10,1,"The ""Oak"" School"\n'
        )
        imp(con, "usage", path)
        assert rows(con, "SELECT tool, school FROM usage_daily") == [("Math, Quest", 'The "Oak" School')]

    def test_tab_delimited_txt(self, con, tmp_path):
        path = write(
            tmp_path / "u.txt", "student_id\ttool\tdate\tminutes\tsessions\n1001\tA\t2026-09-02\t5\t1\n"
        )
        assert imp(con, "usage", path).rows_imported == 1

    def test_a_tab_file_whose_questions_hold_commas_is_read_by_tabs(self, con, tmp_path):
        path = write(
            tmp_path / "survey.tsv",
            "Timestamp\tEmail Address\tOverall, how easy, quick, and fun is it?\n9/10/2026 14:10:05\ta@b.org\tAgree\n",
        )
        out = imp(con, "feedback", path, tool="MathQuest")
        assert (out.format, out.rows_imported) == ("google-forms", 1)
        assert rows(con, "SELECT question, score FROM feedback_responses") == [
            ("Overall, how easy, quick, and fun is it?", 4.0)
        ]

    def test_multi_valued_cells_are_kept_as_text(self, con, tmp_path):
        path = write(tmp_path / "u.csv", f"{HEADER},school\n1001,A,2026-09-02,5,1,North; South\n")
        imp(con, "usage", path)
        assert rows(con, "SELECT school FROM usage_daily") == [("North; South",)]

    def test_a_plain_quote_inside_an_unquoted_field_is_text(self, con, tmp_path):
        """Excel saves `The 5" School` unquoted: one such quote is not an unclosed quoted field."""
        path = write(
            tmp_path / "u.csv",
            f'{HEADER},school\n1001,A,2026-09-02,5,1,The 5" School\n1002,A,2026-09-02,6,1,Oak\n',
        )
        assert imp(con, "usage", path).rows_imported == 2
        assert rows(con, "SELECT school FROM usage_daily ORDER BY school") == [("Oak",), ('The 5" School',)]

    def test_delimiters_inside_a_quoted_question_do_not_decide_the_delimiter(self, con, tmp_path):
        header = 'Timestamp,Email Address,"Which features do you use (games; reports; badges | maps)?"'
        path = write(tmp_path / "s.csv", f"{header}\n9/10/2026 14:10:05,a@b.org,Games; Reports\n")
        out = imp(con, "feedback", path, tool="MathQuest")
        assert (out.format, out.rows_imported) == ("google-forms", 1)
        assert rows(con, "SELECT answer FROM feedback_responses") == [("Games; Reports",)]


class TestLineNumbers:
    """A reject's line is the line of the file where its record starts (line 1 is the header)."""

    def _usage(self, lines: list[str]) -> str:
        return HEADER + ",school\n" + "\n".join(lines) + "\n"

    def test_after_empty_lines(self, con, tmp_path):
        lines = [f"{1000 + i},A,2026-09-02,5,1,Oak" for i in range(8)]
        lines[5] = "1005,A,someday,5,1,Oak"  # file line 7, then 9 after the two empty lines below
        lines.insert(2, "")
        lines.insert(2, "")
        out = imp(con, "usage", write(tmp_path / "u.csv", self._usage(lines)))
        assert [r[0] for r in rejects(con, out.import_id)] == [9]

    def test_after_a_field_spanning_lines(self, con, tmp_path):
        lines = [f"{1000 + i},A,2026-09-02,5,1,Oak" for i in range(6)]
        lines[1] = '1001,A,2026-09-02,5,1,"Oak\nRidge"'  # lines 3-4
        lines[4] = "1004,A,2026-09-02,5000,1,Oak"  # line 7
        out = imp(con, "usage", write(tmp_path / "u.csv", self._usage(lines)))
        assert [r[0] for r in rejects(con, out.import_id)] == [7]
        assert rows(con, "SELECT school FROM usage_daily WHERE student_key = ?", [key("1001")]) == [
            ("Oak\nRidge",)
        ]

    def test_in_a_roster_with_empty_lines(self, con, tmp_path):
        from tests.etlhelp import SAMPLES

        folder = tmp_path / "roster"
        folder.mkdir()
        for f in (SAMPLES / "oneroster").rglob("*.csv"):
            (folder / f.name).write_bytes(f.read_bytes())
        users = (folder / "users.csv").read_text().splitlines()
        header = users[0].split(",")
        broken = users[3].split(",")
        broken[header.index("orgSourcedIds")] = "sch-unknown"  # line 4 of the file, 6 after two empty lines
        users[3] = ",".join(broken)
        (folder / "users.csv").write_text("\n".join(users[:2] + ["", ""] + users[2:]) + "\n")
        out = imp(con, "roster", folder)
        assert [r[0] for r in rejects(con, out.import_id, "warning")] == [6]


class TestDates:
    @pytest.mark.parametrize(
        "text",
        [
            "09/14/2022",
            "9/14/2022",
            "2022-09-14",
            "09-14-2022",
            "2022-09-14 14:08:01.000",
            "9/14/22",
            "9/14/2022 2:10:05 PM",
            "9/14/22 14:10:05",  # Excel's short year with a time: not the year 22
            "9/14/22 2:10:05 PM",
            "9/14/22 2:10 PM",
            "9-14-22",
            "9/14/2022 14:08:01.000",  # Excel kept the milliseconds
            "09-14-2022 14:08",
            "09-14-2022 14:08:01",
            "9-14-22 2:10 PM",
        ],
    )
    def test_every_date_form(self, con, tmp_path, text):
        path = write(tmp_path / "u.csv", f"{HEADER}\n1001,A,{text},5,1\n")
        out = imp(con, "usage", path)
        assert out.rows_imported == 1, rejects(con, out.import_id)
        assert rows(con, "SELECT usage_date FROM usage_daily") == [(dt.date(2022, 9, 14),)]

    def test_mixed_forms_in_one_file_and_excel_mangled_short_year(self, con, tmp_path):
        path = write(
            tmp_path / "u.csv",
            f"{HEADER}\n1001,A,09/14/2022,5,1\n1002,A,2022-09-14,5,1\n"
            "1003,A,08-14-2023,5,1\n1004,A,3/2/21,5,1\n",
        )
        assert imp(con, "usage", path).rows_imported == 4
        assert rows(con, "SELECT usage_date FROM usage_daily WHERE student_key = ?", [key("1004")]) == [
            (dt.date(2021, 3, 2),)
        ]

    def test_login_times_in_every_us_form_count_on_their_day(self, con, tmp_path):
        """SSO login times written with dashes or with Excel's milliseconds were rejected as 'not a
        date', losing those days of logins."""
        path = write(
            tmp_path / "logins.csv",
            "SIS ID,App Name,Login Time\n880071,MathQuest,08-14-2026 10:00:00\n"
            "880071,MathQuest,08-14-2026 1:05 PM\n880071,MathQuest,9/15/2026 08:49:36.000\n"
            "880071,MathQuest,2026-08-16 10:00:00\n",
        )
        out = imp(con, "usage", path)
        assert (out.rows_imported, out.rows_rejected) == (4, 0), rejects(con, out.import_id)
        assert rows(con, "SELECT usage_date, sessions FROM usage_daily ORDER BY 1") == [
            (dt.date(2026, 8, 14), 2),
            (dt.date(2026, 8, 16), 1),
            (dt.date(2026, 9, 15), 1),
        ]

    def test_excel_destroyed_date_is_missing_with_a_reason(self, con, tmp_path):
        path = write(tmp_path / "u.csv", f"{HEADER}\n1001,A,2026-09-02,5,1\n1002,A,00:00.0,5,1\n")
        out = imp(con, "usage", path)
        assert (out.rows_imported, out.rows_rejected) == (1, 1)
        [(line, column, reason, value)] = rejects(con, out.import_id)
        assert (line, column, value) == (3, "date", "00:00.0")
        assert "Excel" in reason

    def test_excel_destroyed_optional_timestamp_is_a_warning(self, con, tmp_path):
        path = write(
            tmp_path / "s.csv", "Timestamp,How easy is it?\n00:00.0,Agree\n9/10/2026 14:10:05,Disagree\n"
        )
        out = imp(con, "feedback", path, tool="MathQuest")
        assert (out.rows_imported, out.rows_rejected, out.rows_warned) == (2, 0, 1)
        assert "Excel" in rejects(con, out.import_id, "warning")[0][2]

    def test_survey_timestamp_with_a_short_year_is_this_century(self, con, tmp_path):
        path = write(tmp_path / "s.csv", "Timestamp,How easy is it?\n9/10/26 14:08:01,Agree\n")
        imp(con, "feedback", path, tool="MathQuest")
        assert rows(con, "SELECT submitted_at FROM feedback_responses") == [
            (dt.datetime(2026, 9, 10, 14, 8, 1),)
        ]

    @pytest.mark.parametrize(
        "stamp, district_clock",
        [
            # a zone moves the time to the district's clock (Illinois: CDT in September, UTC-5)
            ("2026/09/12 2:10:05 PM GMT-4", "13:10:05"),
            ("2026/09/12 2:10:05 PM EDT", "13:10:05"),
            ("2026/09/12 2:10:05 PM PST", "17:10:05"),  # UTC-8
            ("2026-09-12 19:10:05 UTC", "14:10:05"),
            ("2026-09-12T19:10:05Z", "14:10:05"),
            ("2026-09-12T14:10:05-05:00", "14:10:05"),
            ("2026-09-12 19:10:05+00", "14:10:05"),  # a two-digit offset
            # no zone: the time as written
            ("2026-09-12 2:10:05 PM", "14:10:05"),
            ("9/12/2026 2:10:05 PM", "14:10:05"),
            ("9/12/26 14:10:05", "14:10:05"),
        ],
    )
    def test_survey_timestamps_keep_the_afternoon_on_the_district_clock(
        self, con, tmp_path, stamp, district_clock
    ):
        """Google Forms downloads end in a zone ('GMT-4'); DuckDB's own cast drops a trailing PM."""
        imp(
            con,
            "feedback",
            write(tmp_path / "s.csv", f"Timestamp,How easy is it?\n{stamp},Agree\n"),
            tool="MathQuest",
        )
        assert rows(con, "SELECT submitted_at FROM feedback_responses") == [
            (dt.datetime.combine(dt.date(2026, 9, 12), dt.time.fromisoformat(district_clock)),)
        ]

    @pytest.mark.parametrize(
        "cell", ['"2026-09-03T01:15:00Z "', '"2026-09-03 01:15:00 UTC\t"', "2026-09-03T01:15:00Z"]
    )
    def test_a_zoned_time_followed_by_spaces_is_still_moved_to_the_district_clock(self, con, tmp_path, cell):
        imp(
            con,
            "usage",
            write(tmp_path / "l.csv", f"SIS ID,App Name,Login Time,Logins\n1001,MathQuest,{cell},1\n"),
        )
        assert rows(con, "SELECT usage_date FROM usage_daily") == [(dt.date(2026, 9, 2),)]

    def test_a_login_written_in_utc_counts_on_the_districts_day(self, con, tmp_path):
        """01:15 UTC on 3 September is 8:15 PM on 2 September in Illinois, 9:15 PM in New York."""
        body = "SIS ID,App Name,Login Time,Logins\n710001,MathQuest,2026-09-03T01:15:00Z,1\n"
        imp(con, "usage", write(tmp_path / "logins.csv", body))
        assert rows(con, "SELECT usage_date FROM usage_daily") == [(dt.date(2026, 9, 2),)]
        body = "SIS ID,App Name,Login Time,Logins\n710001,MathQuest,2026-09-03T04:30:00Z,1\n"
        imp(con, "usage", write(tmp_path / "late.csv", body), timezone="America/New_York")
        assert rows(con, "SELECT usage_date FROM usage_daily ORDER BY 1") == [
            (dt.date(2026, 9, 2),),
            (dt.date(2026, 9, 3),),  # 00:30 in New York: the next day there
        ]

    def test_unreadable_date_rejected_with_line_and_value(self, con, tmp_path):
        path = write(tmp_path / "u.csv", f"{HEADER}\n1001,A,2026-09-02,5,1\n1002,A,someday,5,1\n")
        out = imp(con, "usage", path)
        # a value with letters is masked (it may be a name shifted out of its column)
        assert rejects(con, out.import_id) == [(3, "date", "not a date", "s*****y")]


class TestTimesAndDurations:
    @pytest.mark.parametrize(
        "text,minutes", [("12", 12.0), ("1:05:30", 65.5), ("12:30", 12.5), ("0:45:00", 45.0)]
    )
    def test_minutes_as_number_or_clock(self, con, tmp_path, text, minutes):
        path = write(tmp_path / "u.csv", f"{HEADER}\n1001,A,2026-09-02,{text},1\n")
        imp(con, "usage", path)
        assert rows(con, "SELECT minutes FROM usage_daily") == [(minutes,)]

    @pytest.mark.parametrize("size", [2, 3000])  # a small file, and one big enough for the fast lanes
    def test_minus_zero_minutes_are_stored_as_zero(self, con, tmp_path, size):
        good = "".join(f"{2000 + i},A,2026-09-{1 + i % 28:02d},5,1\n" for i in range(size - 1))
        imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n{good}1001,A,2026-09-02,-0,1\n"))
        [(minutes,)] = rows(
            con, "SELECT minutes::VARCHAR FROM usage_daily WHERE student_key = ?", [key("1001")]
        )
        assert minutes == "0.0"  # not "-0.0", which tables and charts would show as -0

    @pytest.mark.parametrize("text", ["99:99", "-0:30", "1:60", "1:2:3:4"])
    def test_a_clock_that_is_not_a_time_is_not_read(self, con, tmp_path, text):
        out = imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n1001,A,2026-09-02,{text},1\n"))
        assert (out.rows_imported, out.rows_warned) == (1, 1)  # sessions keep the day; minutes are missing
        assert rejects(con, out.import_id, "warning")[0][2:] == ("not a number; read as missing", text)
        assert rows(con, "SELECT minutes FROM usage_daily") == [(None,)]

    def test_seconds_column_becomes_minutes(self, con, tmp_path):
        header = (
            "StudentIdentifier,CompletedDate,ScaledScore,PercentileRank,TotalTimeInSeconds,AssessmentType"
        )
        path = write(tmp_path / "star_feed.csv", f"{header}\n1001,2026-09-12 08:49:36,512,55,900,Star Math\n")
        out = imp(con, "assessments", path)
        assert (out.format, out.rows_imported) == ("star-datafeed", 1)
        assert rows(con, "SELECT subject, scale_score FROM assessment_results") == [("Math", 512.0)]

    def test_times_of_day_with_am_pm(self, con, tmp_path):
        path = write(
            tmp_path / "ms.csv",
            "ID,Start time,Completion time,Email,Name,Rate it\n"
            '1,9/10/2026 12:30 PM,9/10/2026 12:35 PM,a@x.org,"Doe, Jane",Agree\n',
        )
        out = imp(con, "feedback", path, tool="MathQuest")
        assert out.format == "microsoft-forms"
        assert rows(con, "SELECT submitted_at FROM feedback_responses") == [
            (dt.datetime(2026, 9, 10, 12, 35),)
        ]


class TestMissingValues:
    @pytest.mark.parametrize("token", ["", "N/A", "n/a", "--"])
    def test_missing_tokens_in_optional_number(self, con, tmp_path, token):
        path = write(tmp_path / "u.csv", f"{HEADER}\n1001,A,2026-09-02,5,{token}\n")
        out = imp(con, "usage", path)
        assert (out.rows_imported, out.rows_rejected, out.rows_warned) == (1, 0, 0)
        assert rows(con, "SELECT sessions FROM usage_daily") == [(None,)]

    def test_text_in_numeric_column_is_missing_and_rejected_when_required(self, con, tmp_path):
        header = (
            "School Year,School Name,Student Primary ID,Assessment Grade,Benchmark Period,Composite Score"
        )
        path = write(
            tmp_path / "mclass.csv",
            f"{header}\n2026-2027,Oak,1001,2,BOY,Discontinue\n2026-2027,Oak,1002,2,MOY,402\n",
        )
        out = imp(con, "assessments", path)
        assert (out.format, out.rows_imported, out.rows_rejected) == ("mclass-dibels8", 1, 1)
        assert rejects(con, out.import_id)[0][2:] == ("not a number", "D*********e")
        assert rows(con, "SELECT test_date, term FROM assessment_results") == [
            (dt.date(2027, 1, 15), "MOY 2026-27")
        ]

    @pytest.mark.parametrize("size", [2, 3000])  # a small file, and one big enough for the fast lanes
    @pytest.mark.parametrize("count", ["1.5", "inf", "1e19", "99999999999999999999", "0x10", "nan"])
    def test_a_count_that_is_not_a_whole_number_is_one_warned_row(self, con, tmp_path, size, count):
        """Sessions are counts: DuckDB's integer cast would round 1.5 to 2 and read 0x10 as 16, and
        inf or 1e19 used to refuse the whole file. Each is one row read as missing, with a warning."""
        good = "".join(f"{2000 + i},A,2026-09-{1 + i % 28:02d},5,1\n" for i in range(size - 1))
        path = write(tmp_path / "u.csv", f"{HEADER}\n{good}1001,A,2026-09-02,5,{count}\n")
        out = imp(con, "usage", path)
        assert (out.rows_imported, out.rows_rejected) == (size, 0)
        assert rows(con, "SELECT sessions FROM usage_daily WHERE student_key = ?", [key("1001")]) == [(None,)]
        if count != "nan":  # 'nan' is a spelling of missing, like N/A: no warning
            assert out.rows_warned == 1
            assert rejects(con, out.import_id, "warning") == [
                # a long run of digits could be a student id that slipped columns: masked
                (
                    size + 1,
                    "sessions",
                    "not a whole number; read as missing",
                    mask(count) if count.isdigit() else count,
                )
            ]

    @pytest.mark.parametrize("size", [2, 3000])
    def test_nan_minutes_are_missing_in_every_lane(self, con, tmp_path, size):
        good = "".join(f"{2000 + i},A,2026-09-{1 + i % 28:02d},5,1\n" for i in range(size - 1))
        out = imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n{good}1001,A,2026-09-02,NaN,1\n"))
        assert (out.rows_imported, out.rows_rejected) == (size, 0)
        assert rows(con, "SELECT minutes FROM usage_daily WHERE student_key = ?", [key("1001")]) == [(None,)]

    @pytest.mark.parametrize("size", [2, 3000])
    @pytest.mark.parametrize("row", ["1001,A,2026-09-02", "1001,A,2026-09-02,,", "1001,A,2026-09-02,N/A,--"])
    def test_a_day_with_no_minutes_and_no_sessions_is_rejected(self, con, tmp_path, size, row):
        """A short or emptied row says nothing about use; it is not stored as a day of use."""
        good = "".join(f"{2000 + i},A,2026-09-{1 + i % 28:02d},5,1\n" for i in range(size - 1))
        out = imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n{good}{row}\n"))
        assert (out.rows_imported, out.rows_rejected) == (size - 1, 1)
        assert rejects(con, out.import_id) == [
            (size + 1, "minutes / sessions", "no minutes and no sessions", None)
        ]
        assert rows(con, "SELECT count(*) FROM usage_daily WHERE student_key = ?", [key("1001")]) == [(0,)]

    @pytest.mark.parametrize("size", [2, 3000])
    def test_an_id_excel_wrote_in_scientific_notation_is_rejected(self, con, tmp_path, size):
        good = "".join(f"{2000 + i},A,2026-09-{1 + i % 28:02d},5,1\n" for i in range(size - 1))
        out = imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n{good}7.10001E+05,A,2026-09-02,5,1\n"))
        assert (out.rows_imported, out.rows_rejected) == (size - 1, 1)
        [(line, column, reason, value)] = rejects(con, out.import_id)
        assert (line, column, value) == (size + 1, "student_id", "7*********5")  # masked
        assert "scientific notation" in reason

    def test_text_in_optional_number_is_a_warning(self, con, tmp_path):
        path = write(tmp_path / "u.csv", f"{HEADER}\n1001,A,2026-09-02,5,lots\n")
        out = imp(con, "usage", path)
        assert (out.rows_imported, out.rows_warned) == (1, 1)


class TestHeaders:
    def test_duplicate_header_names(self, con, tmp_path):
        filler = ",".join(["FillerField"] * 17)
        header = (
            "Student ID,Student Name,Grade,Birth Date,Administration (S=Spring or F=Fall),"
            f"Content Area (E=ELA/L or M=Mathematics),School Year,{filler},Overall Scale Score (Range 650 - 850)"
        )
        blanks = "," * 16
        path = write(
            tmp_path / "iar.csv", f'{header}\n1001,"Doe, Jane",4,1/2/2016,S,M,2025-2026,{blanks},755\n'
        )
        out = imp(con, "assessments", path)
        assert (out.format, out.rows_imported) == ("iar-isbe", 1)
        assert rows(con, "SELECT subject, test_date, scale_score FROM assessment_results") == [
            ("Math", dt.date(2026, 4, 15), 755.0)
        ]

    def test_an_iar_file_without_a_year_takes_it_from_the_file_name_or_asks(self, con, tmp_path):
        """The ISBE layout in the formats README has no School Year column."""
        from etl.runner import UsageProblem

        header = (
            "Student ID,Student Name,Home School,Testing School,Grade,Birth Date,"
            "Administration (S=Spring or F=Fall),Content Area (E=ELA/L or M=Mathematics),"
            "Overall Scale Score (Range 650 - 850),Performance Level"
        )
        body = f'{header}\n1001,"Doe, Jane",Oak,Oak,4,1/2/2016,S,M,755,4\n1002,"Roe, Ann",Oak,Oak,4,3/4/2016,F,E,700,2\n'
        for name in ("iar.csv", "IAR_export_2026-03-15.csv"):  # no year; an export date is not a school year
            with pytest.raises(UsageProblem, match="school year in the file name"):
                imp(con, "assessments", write(tmp_path / name, body))
        assert rows(con, "SELECT count(*) FROM import_log") == [(0,)]
        out = imp(con, "assessments", write(tmp_path / "IAR_2025-26.csv", body))
        assert (out.rows_imported, out.rows_rejected) == (2, 0)
        assert "School year 2025-26 taken from the file name." in out.warnings
        assert rows(con, "SELECT subject, test_date, term FROM assessment_results ORDER BY test_date") == [
            ("Reading", dt.date(2025, 10, 15), "F 2025-26"),
            ("Math", dt.date(2026, 4, 15), "S 2025-26"),
        ]

    def test_header_drift_between_years(self, con, tmp_path):
        for n, recent in enumerate(["Most Recent Diagnostic (Y/N)", "Most Recent Diagnostic YTD (Y/N)"]):
            header = f"Student ID,Completion Date,{recent},Overall Scale Score,Percentile"
            path = write(tmp_path / f"iready_math_{n}.csv", f"{header}\n100{n},09/0{n + 2}/2026,Y,450,50\n")
            out = imp(con, "assessments", path)
            assert (out.format, out.rows_imported) == ("iready-diagnostic", 1)
        assert rows(con, "SELECT DISTINCT subject FROM assessment_results") == [("Math",)]

    def test_scale_score_outside_the_assessment_range(self, con, tmp_path):
        header = "Student ID,Administration (S=Spring or F=Fall),Content Area (E=ELA/L or M=Mathematics),School Year,Overall Scale Score (Range 650 - 850)"
        path = write(tmp_path / "iar.csv", f"{header}\n1001,S,E,2026,900\n1002,S,E,2026,700\n")
        out = imp(con, "assessments", path)
        assert (out.rows_imported, out.rows_rejected) == (1, 1)
        assert rejects(con, out.import_id)[0][:3] == (
            2,
            "Overall Scale Score (Range 650 - 850)",
            "outside the range 650 to 850",
        )

    def test_minutes_over_a_day_rejected(self, con, tmp_path):
        path = write(tmp_path / "u.csv", f"{HEADER}\n1001,A,2026-09-02,1500,1\n1002,A,2026-09-02,-3,1\n")
        out = imp(con, "usage", path)
        assert out.rows_rejected == 2
        assert {r[2] for r in rejects(con, out.import_id)} == {"outside the range 0 to 1440"}


class TestScanChunks:
    """The byte scan reads in chunks; what it reports must not depend on where a chunk ends."""

    @pytest.mark.parametrize("chunk", [3, 4, 5, 1 << 22])
    def test_crlf_split_across_chunks_is_not_mixed(self, tmp_path, monkeypatch, chunk):
        from etl import bytescan, source

        monkeypatch.setattr(bytescan, "CHUNK", chunk)
        monkeypatch.setattr(source, "CHUNK", chunk)
        path = tmp_path / "crlf.csv"
        path.write_bytes(b"a,b\r\n1,2\r\n3,4\r\n")
        fingerprint, size, nuls, utf8, head, mixed, odd_quotes, _ = bytescan.scan(path)
        assert (size, nuls, utf8, mixed, odd_quotes) == (15, 0, True, False, False)
        path.write_bytes(b"a,b\r\n1,2\n3,4\r\n")
        assert bytescan.scan(path)[5] is True
        path.write_bytes(b'a,b\r\n"1,2\r\n3,4\r\n')
        assert bytescan.scan(path)[6] is True
        for text, lines in ((b"a,b\r\n1,2\r\n\r\n3,4\r\n", 4), (b"a,b\n1,2\n\n3,4", 4), (b"", 0)):
            path.write_bytes(text)
            assert source.count_lines(path) == lines  # wherever the chunks split the file


@pytest.mark.parametrize(
    "written,stored",
    [
        ("Star Early Literacy", "Reading"),
        ("Star Reading", "Reading"),
        ("Mathematics", "Math"),
        ("Science", "Science"),
    ],
)
def test_subjects_are_stored_as_one_name_across_vendors(con, written, stored):
    from etl.cleaning import subject_expr
    from etl.formats import SUBJECTS

    assert con.execute(
        f"SELECT {subject_expr('x', SUBJECTS)} FROM (SELECT ? AS x)", [written]
    ).fetchone() == (stored,)


@pytest.mark.parametrize("label", ["Total", "Grand Total", "AVERAGE", "All Students"])
def test_a_totals_line_is_not_a_student(con, tmp_path, label):
    """IXL and other per-student reports end with a totals line whose 'student id' is a label."""
    header = "Student ID,Last name,First name,Grade,Math questions answered,Math skills practiced"
    body = f"1001,Lee,Ann,4,120,5\n1002,Roe,Al,4,80,3\n{label},,,,200,8\n"
    out = imp(con, "usage", write(tmp_path / "ixl.csv", f"{header}\n{body}"), tool="IXL")
    assert (out.rows_imported, out.rows_rejected) == (2, 1)
    assert rejects(con, out.import_id)[0][:3] == (4, "Student ID", "a summary row (totals), not a student")
    assert rows(con, "SELECT count(DISTINCT student_key) FROM usage_summary") == [(2,)]


def test_a_user_listed_under_the_district_and_a_school_belongs_to_the_school(con, tmp_path):
    folder = tmp_path / "roster"
    folder.mkdir()
    for f in (SAMPLES / "oneroster").glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    users = (folder / "users.csv").read_text()
    (folder / "users.csv").write_text(
        users.replace(
            "u-710000,active,2026-08-01,true,sch-1-00,", 'u-710000,active,2026-08-01,true,"dist-1,sch-1-01",'
        )
    )
    imp(con, "roster", folder)
    assert rows(con, "SELECT school FROM roster_students WHERE student_key = ?", [key("710000")]) == [
        ("Oak Ridge Middle School",)
    ]


def test_oneroster_12_role_type_is_read_in_any_case(con, tmp_path):
    import zipfile

    users = (
        "sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,identifier,grades\n"
        "u1,active,2026-08-01,true,a,A,B,9001,04\n"
    )
    orgs = "sourcedId,status,dateLastModified,name,type\nsch-a,active,2026-08-01,School A,school\nsch-b,active,2026-08-01,School B,school\n"
    roles = (
        "sourcedId,status,dateLastModified,userSourcedId,role,roleType,orgSourcedId\n"
        "r1,active,2026-08-01,u1,student,Secondary,sch-a\nr2,active,2026-08-01,u1,student,Primary,sch-b\n"
    )
    path = tmp_path / "roster.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("users.csv", users)
        z.writestr("orgs.csv", orgs)
        z.writestr("roles.csv", roles)
        z.writestr("manifest.csv", "propertyName,value\noneroster.version,1.2\n")
    imp(con, "roster", path)
    assert rows(con, "SELECT school FROM roster_students WHERE student_key = ?", [key("9001")]) == [
        ("School B",)
    ]


def test_a_roster_folder_may_hold_its_files_one_folder_down(con, tmp_path):
    """Unzipping an export often gives roster/<export name>/users.csv."""
    inner = tmp_path / "roster" / "district_export_2026"
    inner.mkdir(parents=True)
    for f in (SAMPLES / "oneroster").glob("*.csv"):
        (inner / f.name).write_bytes(f.read_bytes())
    out = imp(con, "roster", tmp_path / "roster")
    assert out.rows_imported > 0 and out.format == "oneroster-1.1"
    assert out.message.startswith(f"Imported {out.rows_imported:,} of {out.rows_read:,} people from roster")
    assert rows(con, "SELECT rows_imported, rows_warned FROM import_log") == [
        (out.rows_imported, out.rows_warned)
    ]


def test_ixl_subjects_each_have_their_profile_and_a_two_subject_file_asks_which(con, tmp_path):
    from etl.source import FileRefused

    math = "Student ID,Last name,First name,Grade,Math questions answered,Math skills practiced"
    ela = "Student ID,Last name,First name,Grade,ELA questions answered,ELA skills practiced"
    imp(con, "usage", write(tmp_path / "ixl_math.csv", f"{math}\n1001,Lee,Ann,4,120,5\n"))
    out = imp(con, "usage", write(tmp_path / "ixl_ela.csv", f"{ela}\n1001,Lee,Ann,4,80,3\n"))
    assert out.format == "ixl-progress-ela"
    assert rows(con, "SELECT subject, questions_answered FROM usage_summary ORDER BY subject") == [
        ("Math", 120),
        ("Reading", 80),
    ]
    both = write(
        tmp_path / "ixl_both.csv", "Student ID,Math questions answered,ELA questions answered\n1002,5,6\n"
    )
    with pytest.raises(
        FileRefused, match=r"IXL progress by student \(Reading\) \[ixl-progress-ela\]; choose one"
    ):
        imp(con, "usage", both)
    imp(con, "usage", both, format="ixl-progress-ela")
    assert rows(
        con, "SELECT subject, questions_answered FROM usage_summary WHERE student_key = ?", [key("1002")]
    ) == [("Reading", 6)]
    # the same file once more for its other subject is not "already imported"; for the same one it is
    assert not imp(con, "usage", both, format="ixl-progress").already_imported
    assert imp(con, "usage", both, format="ixl-progress-ela").already_imported
    assert rows(
        con,
        "SELECT subject, questions_answered FROM usage_summary WHERE student_key = ? ORDER BY 1",
        [key("1002")],
    ) == [("Math", 5), ("Reading", 6)]


def test_star_data_feed_falls_back_to_the_utc_date_row_by_row(con, tmp_path):
    header = "StudentIdentifier,CompletedDate,CompletedDateLocal,ScaledScore,AssessmentType"
    body = (
        "1001,2026-09-12 13:05:00,2026-09-12 08:05:00,512,Star Math\n"
        "1002,2026-09-13 14:00:00,,530,Star Math\n"  # the local date is blank: the UTC one is used
        "1003,,,540,Star Math\n"  # no date at all: rejected
    )
    out = imp(con, "assessments", write(tmp_path / "star_feed.csv", f"{header}\n{body}"))
    assert (out.format, out.rows_imported, out.rows_rejected) == ("star-datafeed", 2, 1)
    assert rows(con, "SELECT scale_score, test_date FROM assessment_results ORDER BY scale_score") == [
        (512.0, dt.date(2026, 9, 12)),
        (530.0, dt.date(2026, 9, 13)),
    ]
    assert rejects(con, out.import_id)[0][:3] == (4, "test date", "no test date")


def test_star_data_feed_reads_the_utc_date_on_the_districts_clock(con, tmp_path):
    """CompletedDate is UTC: a test at 9:30 PM in Illinois is written 02:30 the next day. Read as
    written, it took the next day, and a later feed with the local date filled in stored the same
    test a second time."""
    header = "StudentIdentifier,SchoolYear,CompletedDate,CompletedDateLocal,AssessmentType,ScaledScore"
    first = write(
        tmp_path / "feed1.csv",
        f"{header}\n901201,2022-2023,2022-09-15 02:30:00,,Star Reading,500\n"
        "901202,2022-2023,2022-09-15,,Star Reading,510\n",  # a date alone stays as written
    )
    imp(con, "assessments", first)
    later = write(
        tmp_path / "feed2.csv",
        f"{header}\n901201,2022-2023,2022-09-15 02:30:00,2022-09-14 21:30:00,Star Reading,505\n",
    )
    imp(con, "assessments", later)
    assert rows(con, "SELECT test_date, scale_score FROM assessment_results ORDER BY scale_score") == [
        (dt.date(2022, 9, 14), 505.0),
        (dt.date(2022, 9, 15), 510.0),
    ]
    only_utc = write(
        tmp_path / "feed3.csv",
        "StudentIdentifier,CompletedDate,AssessmentType,ScaledScore\n901203,2022-10-01T03:10:00,Star Math,600\n",
    )
    out = imp(con, "assessments", only_utc, timezone="America/Los_Angeles")
    assert out.rows_imported == 1
    assert rows(con, "SELECT test_date FROM assessment_results WHERE scale_score = 600") == [
        (dt.date(2022, 9, 30),)
    ]


@pytest.mark.parametrize(
    "name,year",
    [
        ("IAR_2025-26.csv", "2025-26"),
        ("iar 2025 - 2026.csv", "2025-26"),
        ("iar_2025_26.csv", "2025-26"),
        ("IAR spring 2026.csv", "2025-26"),  # a lone year ends the school year, as in a School Year column
        ("IAR 2025-26 export 2026-05-01.csv", "2025-26"),
        ("IAR_export_2026-03-15.csv", None),  # an export date is not a school year
        ("iar.csv", None),
        ("iar 2024 2026.csv", None),
    ],
)
def test_the_school_year_in_a_file_name_has_one_spelling(name, year):
    from etl.runner import school_year_from_name

    assert school_year_from_name(name) == year


@pytest.mark.parametrize("size", [2, 3000])
def test_a_tool_named_in_another_case_is_the_catalogs_tool(con, tmp_path, size):
    """'mathquest' in an export is the catalog's MathQuest: one tool for the pages and the vetting view."""
    con.execute("INSERT INTO vendors (name) VALUES ('Quest')")
    con.execute("INSERT INTO products (vendor_id, name) VALUES (1, 'MathQuest')")
    good = "".join(f"{2000 + i},MathQuest,2026-09-{1 + i % 28:02d},5,1\n" for i in range(size - 1))
    out = imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n{good}1001,mathquest,2026-09-02,7,1\n"))
    assert out.rows_imported == size
    assert rows(con, "SELECT DISTINCT tool FROM usage_daily") == [("MathQuest",)]
    nameless = write(tmp_path / "n.csv", "student_id,date,minutes\n1002,2026-09-03,9\n")
    imp(con, "usage", nameless, tool="MATHQUEST")  # --tool in another case too
    assert rows(con, "SELECT DISTINCT tool FROM usage_daily") == [("MathQuest",)]


@pytest.mark.parametrize("size", [2, 3000])
def test_a_tool_outside_the_catalog_keeps_one_spelling(con, tmp_path, size):
    """A shadow tool spelt three ways was stored as three tools: the same student-day counted twice
    and the vetting view listed ShadowTube, shadowtube and SHADOWTUBE. The file's usual spelling (a
    mixed-case one first) is kept, and a later export spelt otherwise replaces the same days."""
    filler = "".join(f"{2000 + i},ShadowTube,2026-09-{1 + i % 28:02d},5,1\n" for i in range(size))
    first = write(
        tmp_path / "a.csv",
        f"{HEADER}\n{filler}990201,shadowtube,2026-09-14,10,1\n990201,SHADOWTUBE ,2026-09-14,20,2\n",
    )
    out = imp(con, "usage", first)
    assert out.rows_imported == size + 2
    assert rows(con, "SELECT DISTINCT tool FROM usage_daily") == [("ShadowTube",)]
    assert rows(con, "SELECT minutes, sessions FROM usage_daily WHERE student_key = ?", [key("990201")]) == [
        (20.0, 2)
    ]
    later = "".join(f"{2000 + i},SHADOWTUBE,2026-09-{1 + i % 28:02d},7,1\n" for i in range(size))
    imp(con, "usage", write(tmp_path / "b.csv", f"{HEADER}\n{later}990201,shadowTube,2026-09-14,30,3\n"))
    assert rows(con, "SELECT DISTINCT tool FROM usage_daily") == [("ShadowTube",)]
    assert rows(con, "SELECT minutes, sessions FROM usage_daily WHERE student_key = ?", [key("990201")]) == [
        (30.0, 3)
    ]
    assert rows(con, "SELECT count(*) FROM usage_tool_vetting WHERE lower(tool) = 'shadowtube'") == [(1,)]
    nameless = write(tmp_path / "n.csv", "student_id,date,minutes\n1002,2026-10-03,9\n")
    imp(con, "usage", nameless, tool="shadowTUBE")  # --tool spelt otherwise too
    assert rows(con, "SELECT DISTINCT tool FROM usage_daily") == [("ShadowTube",)]


def test_star_data_feed_takes_the_utc_date_when_the_local_one_is_a_placeholder(con, tmp_path):
    header = "StudentIdentifier,CompletedDate,CompletedDateLocal,ScaledScore,AssessmentType"
    body = "1001,2026-09-12 13:05:00,1900-01-01,512,Star Math\n"
    out = imp(con, "assessments", write(tmp_path / "star_feed.csv", f"{header}\n{body}"))
    assert (out.rows_imported, out.rows_rejected, out.rows_warned) == (1, 0, 1)
    assert rows(con, "SELECT test_date FROM assessment_results") == [(dt.date(2026, 9, 12),)]
    assert "the other date column is used" in rejects(con, out.import_id, "warning")[0][2]


_STAR = '"Student Identifier","Activity Type","Activity Completed Date","Scaled Score","Percentile Rank"'
_MAP = "TermName,StudentID,SchoolName,MeasurementScale,TestStartDate,TestRITScore,TestPercentile"


@pytest.mark.parametrize(
    ("name", "header", "body", "expected"),
    [
        (  # Early Literacy (300-900) is not Star Reading
            "star.csv",
            _STAR,
            '"730101","Star Early Literacy","09/14/2026","610","55"\n'
            '"730101","Star Reading","09/14/2026","420","48"\n'
            '"730102","Star Reading Spanish","09/14/2026","380","40"\n',
            [
                ("Renaissance Star Spanish", "Reading", 380.0),
                ("Renaissance Star", "Reading", 420.0),
                ("Renaissance Star Early Literacy", "Reading", 610.0),
            ],
        ),
        (  # MAP's 'Reading (Spanish)' replaced the same day's English RIT, while the summary said both imported
            "AssessmentResults.csv",
            _MAP,
            "Fall 2022-2023,901801,Escuela Pena,Reading,09/14/2022,201,50\n"
            "Fall 2022-2023,901801,Escuela Pena,Reading (Spanish),09/14/2022,190,40\n"
            "Fall 2022-2023,901801,Escuela Pena,Mathematics (Spanish),09/14/2022,195,45\n",
            [
                ("NWEA MAP Growth Spanish", "Reading", 190.0),
                ("NWEA MAP Growth Spanish", "Math", 195.0),
                ("NWEA MAP Growth", "Reading", 201.0),
            ],
        ),
    ],
)
def test_tests_on_their_own_scales_are_kept_apart(con, tmp_path, name, header, body, expected):
    """Tests taken the same day on another scale or in another language are results of their own,
    not one that replaced the other."""
    out = imp(con, "assessments", write(tmp_path / name, f"{header}\n{body}"))
    assert (out.rows_imported, out.rows_warned) == (3, 0)
    assert (
        rows(con, "SELECT assessment, subject, scale_score FROM assessment_results ORDER BY scale_score")
        == expected
    )


def test_an_excel_destroyed_required_date_is_one_reject_that_does_not_say_read_as_missing(con, tmp_path):
    header = (
        "TermName,StudentID,SchoolName,MeasurementScale,Discipline,TestStartDate,TestRITScore,TestPercentile"
    )
    path = write(tmp_path / "nwea.csv", f"{header}\nFall 2026-2027,1001,Oak,Math,Math,00:00.0,206,60\n")
    out = imp(con, "assessments", path)
    assert out.rows_rejected == 1
    assert [r[2] for r in rejects(con, out.import_id)] == [
        "date destroyed by Excel (re-export without opening in Excel)"
    ]


@pytest.mark.parametrize("year", ["2026-2027", "2026 - 2027", "2026-27", "2027", "2026/2027"])
def test_mclass_terms_spell_the_school_year_one_way(con, tmp_path, year):
    header = "School Year,School Name,Student Primary ID,Assessment Grade,Benchmark Period,Composite Score"
    imp(con, "assessments", write(tmp_path / "mclass.csv", f"{header}\n{year},Oak,1001,2,moy,402\n"))
    assert rows(con, "SELECT term, test_date FROM assessment_results") == [
        ("MOY 2026-27", dt.date(2027, 1, 15))
    ]


def test_a_benchmark_result_is_one_per_term_whatever_date_an_export_gives_it(con, tmp_path):
    """An undated BOY result takes the period's date (09/15); a later export with the real date
    (09/08) is the same BOY test and replaces it, instead of standing beside it."""
    header = (
        "School Year,Benchmark Period,Composite Score,Composite - National Norm Percentile,Student Primary ID"
    )
    imp(con, "assessments", write(tmp_path / "boy.csv", f"{header}\n2022-2023,BOY,300,40,901901\n"))
    later = imp(
        con,
        "assessments",
        write(
            tmp_path / "boy2.csv",
            f"{header},Client Date\n2022-2023,Beginning of Year,305,41,901901,9/8/2022\n",
        ),
    )
    assert "1 stored row of earlier imports was replaced" in later.message
    assert rows(con, "SELECT term, test_date, scale_score FROM assessment_results") == [
        ("BOY 2022-23", dt.date(2022, 9, 8), 305.0)
    ]
    admin.undo_last_import(con, actor=None)
    assert rows(con, "SELECT term, test_date, scale_score FROM assessment_results") == [
        ("BOY 2022-23", dt.date(2022, 9, 15), 300.0)
    ]


def test_iar_periods_have_one_spelling_and_an_unknown_one_is_named(con, tmp_path):
    header = (
        "Student ID,Administration (S=Spring or F=Fall),Content Area (E=ELA/L or M=Mathematics),"
        "Overall Scale Score (Range 650 - 850)"
    )
    body = "902001,X,M,700\n902002,Spring,E,710\n902003,S,E,720\n902004,fall,M,730\n"
    out = imp(con, "assessments", write(tmp_path / "IAR_2023-24.csv", f"{header}\n{body}"))
    assert (out.rows_imported, out.rows_rejected) == (3, 1)
    assert rows(con, "SELECT term, test_date FROM assessment_results ORDER BY scale_score") == [
        ("S 2023-24", dt.date(2024, 4, 15)),
        ("S 2023-24", dt.date(2024, 4, 15)),
        ("F 2023-24", dt.date(2023, 10, 15)),
    ]
    assert rejects(con, out.import_id) == [
        (2, "Administration (S=Spring or F=Fall)", "not a test period this format knows (S, F)", "X")
    ]


def test_a_column_read_twice_in_the_header_is_said(con, tmp_path):
    """'TestPercentile' twice: the first (empty) one is read; the summary says so, and which columns."""
    header = "TermName,StudentID,MeasurementScale,TestStartDate,TestRITScore,TestPercentile,TestPercentile"
    out = imp(
        con,
        "assessments",
        write(tmp_path / "map.csv", f"{header}\nFall 2022-2023,1,Math,09/14/2022,201,,52\n"),
    )
    assert out.rows_imported == 1
    assert any(
        "names 'TestPercentile' 2 times (columns 6, 7): only the first is read" in w for w in out.warnings
    )
    iar = (
        "Student ID,FillerField,FillerField,School Year,Administration,Content Area,Overall Scale Score\n"
        "1,,,2023-24,S,M,700\n"
    )
    assert not imp(con, "assessments", write(tmp_path / "iar.csv", iar)).warnings


def test_a_repeated_key_in_one_file_is_said(con, tmp_path):
    """The later line wins (as in a cumulative export), and the summary says how many lines it replaced."""
    header = (
        "TermName,StudentID,SchoolName,MeasurementScale,Discipline,TestStartDate,TestRITScore,TestPercentile"
    )
    body = (
        "Fall 2026-2027,1001,Oak,Math,Math,09/14/2026,206,60\n"
        "Fall 2026-2027,1001,Oak,Math,Math,09/14/2026,209,62\n"
        "Fall 2026-2027,1002,Oak,Math,Math,09/14/2026,201,50\n"
    )
    out = imp(con, "assessments", write(tmp_path / "nwea.csv", f"{header}\n{body}"))
    assert rows(con, "SELECT scale_score FROM assessment_results ORDER BY 1") == [(201.0,), (209.0,)]
    assert "1 row repeats the student, assessment, subject and test date of a later row" in " ".join(
        out.warnings
    )
    # the headline says how many rows were stored, not only how many lines were imported
    assert "Imported 3 of 3 rows" in out.message and "2 rows stored, as later lines replaced 1" in out.message


class TestSurveyPrivacy:
    def test_a_question_asking_who_answered_is_not_stored(self, con, tmp_path):
        header = (
            "Timestamp,Your name (optional),Email,How easy is MathQuest to use?,Name one thing to improve"
        )
        body = "2026/09/12 2:10:05 PM GMT-4,Quenby Arlott,q.arlott@example.org,Agree,More levels\n"
        out = imp(con, "feedback", write(tmp_path / "s.csv", f"{header}\n{body}"), tool="MathQuest")
        stored = rows(con, "SELECT question, answer FROM feedback_responses ORDER BY question")
        assert stored == [
            ("How easy is MathQuest to use?", "Agree"),
            ("Name one thing to improve", "More levels"),
        ]
        assert any("Your name (optional)" in w and "not stored" in w for w in out.warnings)
        assert "Quenby" not in repr(snapshot(con)) and "arlott" not in repr(snapshot(con)).lower()

    def test_questions_that_ask_who_in_other_words_or_get_ids_for_answers_are_not_stored(self, con, tmp_path):
        header = (
            "Timestamp,First and last name,Student ID number,Which code did your teacher give you?,"
            "How often do you check your email for MathQuest reports?"
        )
        body = "2026/09/12 14:10:05,Zoe Sato,710001,710001,Often\n2026/09/13 14:10:05,Liam Ortiz,710002,710002,Never\n"
        out = imp(con, "feedback", write(tmp_path / "s.csv", f"{header}\n{body}"), tool="MathQuest")
        assert rows(con, "SELECT DISTINCT question FROM feedback_responses") == [
            ("How often do you check your email for MathQuest reports?",)
        ]
        stored = repr(snapshot(con))
        assert "Zoe" not in stored and "710001" not in stored
        assert sum("not stored" in w for w in out.warnings) == 3

    def test_a_workspace_username_is_the_respondent_kept_only_as_a_key(self, con, tmp_path):
        header = "Timestamp,Username,How easy is MathQuest to use?"
        body = "2026/09/12 2:10:05 PM GMT-4,Pell.Yarrow@example.org,Agree\n"
        imp(con, "feedback", write(tmp_path / "s.csv", f"{header}\n{body}"), tool="MathQuest")
        assert rows(con, "SELECT question, respondent_key IS NOT NULL FROM feedback_responses") == [
            ("How easy is MathQuest to use?", True)
        ]
        assert "yarrow" not in repr(snapshot(con)).lower()

    def test_a_cut_answer_is_said(self, con, tmp_path):
        long = "x" * 12_000
        path = write(tmp_path / "s.csv", f"Timestamp,What would you change?\n2026/09/12 14:10:05,{long}\n")
        out = imp(con, "feedback", path, tool="MathQuest")
        assert rows(con, "SELECT length(answer) FROM feedback_responses") == [(10_000,)]
        assert any("cut" in w for w in out.warnings)

    def test_each_question_is_scored_on_the_one_scale_its_answers_fit(self, con, tmp_path):
        header = (
            "Timestamp,How satisfied are you?,How likely to recommend (0-10)?,How satisfied is your class?,"
            "What would you change?"
        )
        body = (
            "2026/09/12 14:10:05,Very satisfied,9,Extremely satisfied,More levels\n"
            "2026/09/13 14:10:05,Satisfied,3,Very satisfied,Nothing\n"
        )
        out = imp(con, "feedback", write(tmp_path / "s.csv", f"{header}\n{body}"), tool="MathQuest")
        scores = rows(con, "SELECT question, answer, score FROM feedback_responses ORDER BY question, answer")
        assert scores == [
            ("How likely to recommend (0-10)?", "3", None),  # a 0-10 question: not even its 3 is a Likert 3
            ("How likely to recommend (0-10)?", "9", None),
            ("How satisfied are you?", "Satisfied", 4.0),
            ("How satisfied are you?", "Very satisfied", 5.0),
            # beside 'Extremely satisfied', 'Very satisfied' is 4 of 5 on another scale: not scored
            ("How satisfied is your class?", "Extremely satisfied", None),
            ("How satisfied is your class?", "Very satisfied", None),
            ("What would you change?", "More levels", None),
            ("What would you change?", "Nothing", None),
        ]
        said = " ".join(out.warnings)
        assert "'How likely to recommend (0-10)?'" in said and "'How satisfied is your class?'" in said
        assert "What would you change?" not in said  # free text is not a rating

    @pytest.mark.parametrize(
        "question, counts",
        [
            ("What grade do you teach?", True),
            ("Grade level taught", True),
            ("Your child's grade", True),
            ("Marking period", True),
            ("Years of teaching experience", True),
            ("Which unit are you on?", True),
            ("How many days a week do you use MathQuest?", True),
            ("How often per week do students use it? (number of days)", True),
            ("How many stars would you give MathQuest?", False),
            ("How satisfied are you with the number of lessons available?", False),
            ("Student engagement this year", False),
            ("The lessons are engaging", False),
            ("MathQuest has helped improve my grades", False),
            ("How often do you use MathQuest? (1 = never, 5 = daily)", False),
            ("Rate MathQuest from 1 to 5", False),
            ("Level of engagement", False),
            # a header that names a rating is one, whatever it counts
            ("How would you rate the number of lessons?", False),
            ("How many points would you give it?", False),
            ("On a scale of 1-5, how many of your students enjoy it?", False),
            ("What level of engagement do you see?", False),
        ],
    )
    def test_which_numeric_questions_ask_for_a_count(self, question, counts):
        from etl.surveys import asks_for_a_quantity

        assert asks_for_a_quantity(question) is counts

    def test_numbers_answering_a_count_or_a_grade_are_not_ratings(self, con, tmp_path):
        header = (
            "Timestamp,What grade do you teach?,How many days a week do students use it?,"
            "How many stars would you give MathQuest?,Rate MathQuest from 1 to 5"
        )
        body = "2026/09/12 14:10:05,3,2,4,5\n2026/09/13 14:10:05,5,3,5,4\n"
        out = imp(con, "feedback", write(tmp_path / "s.csv", f"{header}\n{body}"), tool="MathQuest")
        scored = rows(
            con, "SELECT question, count(score) FROM feedback_responses GROUP BY question ORDER BY question"
        )
        assert scored == [
            ("How many days a week do students use it?", 0),
            ("How many stars would you give MathQuest?", 2),
            ("Rate MathQuest from 1 to 5", 2),
            ("What grade do you teach?", 0),
        ]
        assert "looks like a rating" not in " ".join(out.warnings)  # a count is not a rating off the scale


def test_a_value_out_of_range_is_shown_as_the_file_wrote_it(con, tmp_path):
    out = imp(
        con,
        "usage",
        write(tmp_path / "u.csv", f"{HEADER}\n1001,A,2026-09-02,2000,1\n1002,A,2026-09-02,1500.5,1\n"),
    )
    assert [r[3] for r in rejects(con, out.import_id)] == ["2000", "1500.5"]


class TestLessonsAndLogins:
    LESSONS = "Student ID,Subject,Completion Date,Total Time on Lesson (min),Lesson ID"
    LOGINS = "SIS ID,App Name,Login Date,Logins"

    def test_a_day_whose_lessons_add_up_past_a_day_is_rejected_alone(self, con, tmp_path):
        body = "710001,Math,09/14/2026,900,L1\n710001,Math,09/14/2026,900,L2\n710002,Math,09/14/2026,20,L3\n"
        out = imp(con, "usage", write(tmp_path / "lessons.csv", f"{self.LESSONS}\n{body}"))
        assert (out.rows_imported, out.rows_rejected) == (1, 2)
        assert {r[1] for r in rejects(con, out.import_id)} == {"day total"}
        assert rows(con, "SELECT minutes FROM usage_daily") == [(20.0,)]

    def test_a_lesson_without_its_time_is_still_a_session(self, con, tmp_path):
        body = "710001,Math,09/10/2026,N/A,L1\n710001,Math,09/10/2026,12,L2\n710002,Math,09/10/2026,,L3\n"
        out = imp(con, "usage", write(tmp_path / "lessons.csv", f"{self.LESSONS}\n{body}"))
        assert out.rows_rejected == 0
        assert rows(
            con, "SELECT minutes, sessions FROM usage_daily ORDER BY student_key = ?", [key("710002")]
        ) == [
            (12.0, 2),
            (None, 1),
        ]

    def test_the_same_lesson_line_twice_counts_once(self, con, tmp_path):
        body = "710003,Math,09/11/2026,15,LSN.1\n710003,Math,09/11/2026,15,LSN.1\n710003,Math,09/11/2026,10,LSN.2\n"
        out = imp(con, "usage", write(tmp_path / "lessons.csv", f"{self.LESSONS}\n{body}"))
        assert rows(con, "SELECT minutes, sessions FROM usage_daily") == [(25.0, 2)]
        assert [r[:3] for r in rejects(con, out.import_id)] == [
            (3, "(row)", "the same lesson as an earlier line (counted once)")
        ]
        # the repeat is named in the headline, so the rejected count does not read as an error
        assert "1 rejected (1 of them a line repeating an earlier line, counted once)" in out.message

    def test_a_retaken_lesson_counts_again(self, con, tmp_path):
        header = f"{self.LESSONS},Score,Passed or Not Passed"
        body = "710003,Math,09/11/2026,15,LSN.1,40,Not Passed\n710003,Math,09/11/2026,15,LSN.1,85,Passed\n"
        out = imp(con, "usage", write(tmp_path / "lessons.csv", f"{header}\n{body}"))
        assert out.rows_rejected == 0
        assert rows(con, "SELECT minutes, sessions FROM usage_daily") == [(30.0, 2)]

    def test_a_portal_export_with_student_ids_reads_the_app_name_as_the_tool(self, con, tmp_path):
        body = "710001,MathQuest,2026-09-14,2\n710001,Kahoot!,2026-09-14,5\n"
        imp(con, "usage", write(tmp_path / "portal.csv", f"Student ID,App Name,Date,Logins\n{body}"))
        assert rows(con, "SELECT tool, sessions FROM usage_daily ORDER BY tool") == [
            ("Kahoot!", 5),
            ("MathQuest", 2),
        ]

    def test_a_login_row_without_a_count_is_one_login(self, con, tmp_path):
        body = "710002,MathQuest,2026-09-14,2\n710002,MathQuest,2026-09-14,\n"
        imp(con, "usage", write(tmp_path / "logins.csv", f"{self.LOGINS}\n{body}"))
        assert rows(con, "SELECT sessions FROM usage_daily") == [(3,)]

    def test_logins_keep_the_minutes_lessons_stored_for_that_day(self, con, tmp_path):
        imp(
            con, "usage", write(tmp_path / "lessons.csv", f"{self.LESSONS}\n710001,Math,09/09/2026,45.5,L1\n")
        )
        imp(con, "usage", write(tmp_path / "logins.csv", f"{self.LOGINS}\n710001,i-Ready,2026-09-09,2\n"))
        assert rows(con, "SELECT tool, minutes, sessions FROM usage_daily") == [("i-Ready", 45.5, 2)]


def test_a_year_to_date_export_without_a_subject_takes_it_from_the_user_or_the_name(con, tmp_path):
    from etl.runner import UsageProblem

    header = (
        "Student ID,Academic Year,Instruction: Overall Lessons Passed,Instruction: Overall Lessons Completed,"
        "Instruction: Overall Time on Task (min)"
    )
    reading = write(tmp_path / "ytd_a.csv", f"{header}\n710001,2026-2027,10,12,240\n")
    with pytest.raises(UsageProblem, match="does not say the subject"):
        imp(con, "usage", reading)
    imp(con, "usage", reading, subject="ela")
    imp(con, "usage", write(tmp_path / "ytd_math.csv", f"{header}\n710001,2026-27,5,6,130\n"))
    assert rows(con, "SELECT subject, period, minutes FROM usage_summary ORDER BY subject") == [
        ("Math", "2026-27", 130.0),
        ("Reading", "2026-27", 240.0),  # one spelling of the school year
    ]
    # the student is on no roster: Data quality lists the summaries too, as the import's warning says
    assert rows(con, "SELECT tool, usage_rows, students, minutes FROM usage_unrostered") == [
        ("i-Ready", 2, 1, 370.0)
    ]


def test_ixl_kindergarten_reads_as_grade_0_and_a_student_with_no_activity_is_not_a_user(con, tmp_path):
    header = "Student ID,Last name,First name,Grade,Math questions answered,Math skills practiced"
    body = "710001,Lee,Ann,Kindergarten,120,5\n710002,Roe,Al,Pre-Kindergarten,,\n"
    out = imp(con, "usage", write(tmp_path / "ixl.csv", f"{header}\n{body}"))
    assert rows(con, "SELECT grade, questions_answered FROM usage_summary") == [(0, 120)]
    assert [r[2] for r in rejects(con, out.import_id)] == ["no activity: every measure is blank"]


def test_an_iready_year_to_date_row_without_its_academic_year_is_said(con, tmp_path, monkeypatch):
    from etl import cleaning

    monkeypatch.setattr(cleaning, "school_year_of_sql", lambda day: "'2026-27'")
    header = "Student ID,Academic Year,Subject,Instruction: Overall Time on Task (min),Instruction: Overall Lessons Completed"
    body = "710001,2025-2026,Math,300,10\n710002,,Math,200,8\n"
    out = imp(con, "usage", write(tmp_path / "ytd.csv", f"{header}\n{body}"))
    assert rows(con, "SELECT period, minutes FROM usage_summary ORDER BY minutes") == [
        ("2026-27", 200.0),
        ("2025-26", 300.0),
    ]
    assert any(w.startswith("1 row(s) name no school year") and "2026-27" in w for w in out.warnings)


def test_ixl_totals_are_kept_per_school_year_of_the_import(con, tmp_path, monkeypatch):
    """IXL's progress report names no school year: next year's export must not replace this year's."""
    from etl import cleaning

    header = "Student ID,Last name,First name,Grade,Math questions answered,Math skills practiced"
    monkeypatch.setattr(cleaning, "school_year_of_sql", lambda day: "'2026-27'")
    out = imp(con, "usage", write(tmp_path / "ixl.csv", f"{header}\n710001,Lee,Ann,4,120,5\n"))
    assert any("no school year" in w and "2026-27" in w for w in out.warnings)
    monkeypatch.setattr(cleaning, "school_year_of_sql", lambda day: "'2027-28'")
    imp(con, "usage", write(tmp_path / "ixl-next.csv", f"{header}\n710001,Lee,Ann,5,40,2\n"))
    assert rows(con, "SELECT period, grade, questions_answered FROM usage_summary ORDER BY period") == [
        ("2026-27", 4, 120),
        ("2027-28", 5, 40),
    ]


@pytest.mark.parametrize(
    "stamp",
    [
        "09/14/2026 8:00 AM EDT",
        "2026-09-14 08:00:00 EDT",
        "9/14/2026 08:00 CST",
        "2026-09-14 8:00 PM EDT",  # 7:00 PM in Illinois
        "2026/09/14 10:00 PM UTC",  # 5:00 PM in Illinois
    ],
)
def test_a_login_time_with_a_zone_is_read(con, tmp_path, stamp):
    out = imp(con, "usage", write(tmp_path / "l.csv", f"SIS ID,App Name,Login Time\n710001,Quizzy,{stamp}\n"))
    assert out.rows_rejected == 0
    assert rows(con, "SELECT usage_date FROM usage_daily") == [(dt.date(2026, 9, 14),)]


def test_a_bare_time_of_day_is_not_a_date_rather_than_an_excel_accident(con, tmp_path):
    out = imp(con, "usage", write(tmp_path / "l.csv", "SIS ID,App Name,Login Time\n710001,Quizzy,08:12\n"))
    assert [r[2] for r in rejects(con, out.import_id)] == ["not a date"]


def test_star_cbm_and_spanish_early_literacy_are_their_own_assessments(con, tmp_path):
    header = '"Student Identifier","Activity Type","Activity Completed Date","Scaled Score"'
    body = (
        '"730101","Star CBM Reading","09/14/2026","70"\n'
        '"730101","Star Early Literacy Spanish","09/14/2026","600"\n'
    )
    imp(con, "assessments", write(tmp_path / "star.csv", f"{header}\n{body}"))
    assert rows(con, "SELECT assessment FROM assessment_results ORDER BY scale_score") == [
        ("Renaissance Star CBM",),
        ("Renaissance Star Early Literacy Spanish",),
    ]


def test_star_feed_warns_of_the_other_date_only_when_it_is_the_one_used(con, tmp_path):
    header = "StudentIdentifier,CompletedDate,CompletedDateLocal,ScaledScore,AssessmentType"
    body = "1001,1900-01-01,2026-09-12,512,Star Math\n1002,1900-01-01,1900-01-01,530,Star Math\n"
    out = imp(con, "assessments", write(tmp_path / "star_feed.csv", f"{header}\n{body}"))
    assert (out.rows_imported, out.rows_warned, out.rows_rejected) == (1, 0, 1)
    assert rows(con, "SELECT test_date FROM assessment_results") == [(dt.date(2026, 9, 12),)]


@pytest.mark.parametrize(
    "question,asks",
    [
        ("Student Full Name and Grade", True),
        ("Parent/Guardian name", True),
        ("Who is filling out this form?", True),
        ("Nombre del estudiante", True),
        ("Phone number", True),
        ("Date of birth", True),
        ("Staff ID", True),
        ("Your email so we can follow up", True),
        ("Student", True),
        ("What is the name of your school?", False),
        ("School name", False),
        ("How often do you check your email for MathQuest reports?", False),
        ("Name one thing to improve", False),
        ("What date did you start using MathQuest?", False),
    ],
)
def test_identity_questions_by_their_words(question, asks):
    from etl.surveys import asks_for_identity

    assert asks_for_identity(question) is asks


def test_a_likert_question_with_na_and_stray_spaces_is_still_scored(con, tmp_path):
    body = "2026/09/12 14:10:05,Very  satisfied\n2026/09/13 14:10:05,N/A\n2026/09/14 14:10:05,satisfied \n"
    imp(
        con,
        "feedback",
        write(tmp_path / "s.csv", f"Timestamp,How satisfied are you?\n{body}"),
        tool="MathQuest",
    )
    assert rows(con, "SELECT score FROM feedback_responses WHERE score IS NOT NULL ORDER BY score") == [
        (4.0,),
        (5.0,),
    ]


def test_a_day_over_the_limit_is_found_across_spellings_of_one_id(con, tmp_path):
    header = "Student ID,Subject,Completion Date,Total Time on Lesson (min),Lesson ID"
    body = "710002,Math,09/14/2026,800,L1\n0710002,Math,09/14/2026,800,L2\n710001,Math,09/14/2026,20,L3\n"
    out = imp(con, "usage", write(tmp_path / "lessons.csv", f"{header}\n{body}"))
    assert (out.rows_imported, out.rows_rejected) == (1, 2)


def test_blank_durations_in_a_login_report_keep_the_minutes_stored(con, tmp_path):
    lessons = "Student ID,Subject,Completion Date,Total Time on Lesson (min),Lesson ID\n710001,Math,09/09/2026,45,L1\n"
    imp(con, "usage", write(tmp_path / "lessons.csv", lessons))
    logins = "SIS ID,App Name,Login Date,Logins,Duration\n710001,i-Ready,2026-09-09,1,\n"
    imp(con, "usage", write(tmp_path / "logins.csv", logins))
    assert rows(con, "SELECT minutes, sessions FROM usage_daily") == [(45.0, 1)]


def test_a_year_to_date_row_with_a_blank_subject_is_rejected(con, tmp_path):
    header = (
        "Student ID,Subject,Academic Year,Instruction: Overall Lessons Completed,"
        "Instruction: Overall Time on Task (min)"
    )
    out = imp(
        con,
        "usage",
        write(tmp_path / "ytd.csv", f"{header}\n710001,,2026-27,6,50\n710002,Math,2026-27,5,40\n"),
    )
    assert out.rows_rejected == 1
    assert rows(con, "SELECT subject FROM usage_summary") == [("Math",)]


@pytest.mark.parametrize("lane_rows", [0, 3000])  # a small file, and one the fast lane takes
def test_a_grade_that_is_not_whole_is_not_rounded_to_the_next_grade(con, tmp_path, lane_rows):
    clean = "".join(f"{3000 + i},MathQuest,2026-09-02,5,1,Oak,4\n" for i in range(lane_rows))
    body = f"{clean}1001,MathQuest,2026-09-03,5,1,Oak,3.5\n1002,MathQuest,2026-09-03,5,1,Oak,3.0\n"
    out = imp(
        con, "usage", write(tmp_path / "u.csv", f"student_id,tool,date,minutes,sessions,school,grade\n{body}")
    )
    assert rows(
        con,
        "SELECT grade FROM usage_daily WHERE student_key IN (?, ?) ORDER BY grade NULLS FIRST",
        [key("1001"), key("1002")],
    ) == [
        (None,),
        (3,),
    ]
    assert [(r[1], r[2]) for r in rejects(con, out.import_id, "warning")] == [
        ("grade", "not a grade; read as missing")
    ]


@pytest.mark.parametrize("typed", [True, False])
def test_a_line_of_spaces_is_a_blank_line_in_every_lane(con, tmp_path, monkeypatch, typed):
    from etl import staging

    if not typed:
        monkeypatch.setattr(staging, "try_fast_stage", lambda *a, **k: None)
    body = "1,A,2026-09-02,5,1,S,3\n   \n2,A,2026-09-02,6,1,S,4\n"
    out = imp(
        con, "usage", write(tmp_path / "u.csv", f"student_id,tool,date,minutes,sessions,school,grade\n{body}")
    )
    assert (out.rows_read, out.rows_imported, out.rows_rejected) == (2, 2, 0)


@pytest.mark.parametrize("grade,stored", [("PK4", -1), ("-1", -1), ("PS", None), ("03", 3)])
def test_roster_style_grades(con, tmp_path, grade, stored):
    from etl.cleaning import grade_expr

    assert rows(con, f"SELECT {grade_expr('x')} FROM (SELECT ?::VARCHAR AS x)", [grade]) == [(stored,)]


def test_a_subject_given_for_an_ixl_math_export_is_said_to_be_unused(con, tmp_path):
    header = "Student ID,Grade,Math questions answered,Math skills practiced"
    out = imp(con, "usage", write(tmp_path / "ixl.csv", f"{header}\n710001,4,120,5\n"), subject="Reading")
    assert rows(con, "SELECT subject FROM usage_summary") == [("Math",)]
    assert any("the subject Reading given was not used" in w for w in out.warnings)


def test_an_ixl_row_shifted_by_a_comma_with_a_blank_last_cell_is_rejected_not_misread(con, tmp_path):
    """'Sato, Jr.' unquoted, and the row's last cell blank: without the count of fields the grade
    was read as questions answered and the questions as skills practiced."""
    header = "Student ID,Last name,First name,Grade,Math questions answered,Math skills practiced"
    body = "710001,Sato, Jr.,Ken,4,500,\n710002,Lee,Ann,4,120,5\n"
    out = imp(con, "usage", write(tmp_path / "ixl.csv", f"{header}\n{body}"))
    assert (out.rows_imported, out.rows_rejected) == (1, 1)
    assert rows(con, "SELECT questions_answered, skills_practiced FROM usage_summary") == [(120, 5)]
    assert "Ken" not in repr(rows(con, "SELECT * FROM import_rejects"))


def test_a_quoted_comma_and_a_blank_last_cell_are_not_a_shift(con, tmp_path):
    header = "Student ID,Last name,First name,Grade,Math questions answered,Math skills practiced"
    body = '710001,"Sato, Jr.",Ken,4,500,\n710002,Lee,Ann,4,120,5\n'
    out = imp(con, "usage", write(tmp_path / "ixl.csv", f"{header}\n{body}"))
    assert (out.rows_imported, out.rows_rejected) == (2, 0)


@pytest.mark.parametrize("rows_before", [0, 3000])
def test_a_shifted_row_with_a_blank_last_cell_is_rejected_in_a_clean_file_too(con, tmp_path, rows_before):
    """A file the fast lane would take: DuckDB's strict reader drops one trailing delimiter, so the
    shifted row must be seen before (the id pass) and the file go through the full path."""
    header = "student_id,tool,date,minutes,sessions,school,teacher"
    clean = "".join(f"{2000 + i},MathQuest,2026-09-02,5,1,Oak Ridge,Lee\n" for i in range(rows_before))
    shifted = "1002,MathQuest,2026-09-03,5,1,Oak Ridge, Middle School,\n"
    out = imp(con, "usage", write(tmp_path / "u.csv", f"{header}\n{clean}{shifted}"))
    assert [(r[0], r[1]) for r in rejects(con, out.import_id)] == [(rows_before + 2, "(row)")]
    assert out.rows_imported == rows_before


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_extra_fields_are_found_across_quoted_lines_and_empty_lines(con, tmp_path, newline):
    """A shifted row whose extra last field is blank is rejected whatever the file's size (the
    check reads the file in DuckDB, as the staging read does)."""
    lines = [
        "student_id,tool,date,minutes,sessions",
        '1001,"Math\nQuest, the app",2026-09-02,5,1',  # line 2-3: a quoted comma and a line break
        "",
        "1002,Sato, Jr.,2026-09-02,5,",  # line 5: shifted, blank last cell
        '1003,"q,",2026-09-02,5,1',
        "1004,MathQuest,2026-09-02,5,1,",  # line 7: a blank sixth field
        '1005,MathQuest,2026-09-02,5,""',  # quoted empty: five fields, aligned
    ]
    out = imp(con, "usage", write(tmp_path / "u.csv", newline.join(lines) + newline), tool="MathQuest")
    shifted = [r[0] for r in rejects(con, out.import_id) if r[1] == "(row)"]
    assert shifted == [5, 7]
    assert out.rows_imported == 3


@pytest.mark.parametrize("lane_rows", [0, 3000])  # a small file, and one the fast lane takes
def test_digits_grouped_with_underscores_are_not_numbers_in_any_lane(con, tmp_path, lane_rows):
    """DuckDB's casts and typed CSV reader take '1_000' as 1000 and '1_0' as 10; no export writes
    numbers so, and the value must be reported, not stored ten or a thousand times too large. An
    underscore in a tool or school name is just text."""
    clean = "".join(f"{3000 + i},Math_Quest,2026-09-02,5,1,Oak_Ridge,4\n" for i in range(lane_rows))
    body = f"{clean}1001,Math_Quest,2026-09-03,1_000,1,Oak_Ridge,4\n1002,Math_Quest,2026-09-03,20,1_0,Oak_Ridge,4\n"
    out = imp(
        con, "usage", write(tmp_path / "u.csv", f"student_id,tool,date,minutes,sessions,school,grade\n{body}")
    )
    stored = rows(
        con,
        "SELECT student_key, minutes, sessions FROM usage_daily WHERE student_key IN (?, ?)",
        [key("1001"), key("1002")],
    )
    assert all(minutes != 1000 and sessions != 10 for _, minutes, sessions in stored)
    assert {(r[1], r[3]) for r in rejects(con, out.import_id) + rejects(con, out.import_id, "warning")} >= {
        ("minutes", "1_000"),
        ("sessions", "1_0"),
    }
    assert rows(con, "SELECT DISTINCT tool, school FROM usage_daily") == [("Math_Quest", "Oak_Ridge")]
    assert out.rows_imported == lane_rows + len(stored)


def test_only_an_underscore_below_the_header_sends_a_file_past_the_typed_reader(con, tmp_path):
    from etl import source, staging
    from etl.formats import PROFILES
    from etl.profiles import detect

    header = "student_id,tool,date,minutes,sessions,school,grade\n"
    plain = source.open_source(write(tmp_path / "a.csv", header + "1,Math,2026-09-02,5,1,Oak,4\n"))
    named = source.open_source(
        write(tmp_path / "b.csv", header + "1,Math_Quest,2026-09-02,5,1,Oak_Ridge,4\n")
    )
    counted = source.open_source(write(tmp_path / "c.csv", header + "1,Math,2026-09-02,5,1_0,Oak,4\n"))
    assert (plain.underscore_in_rows, named.underscore_in_rows, counted.underscore_in_rows) == (
        False,
        True,
        True,
    )
    profile = detect(PROFILES, "usage", plain.header, None).profile
    resolved = profile.resolve(plain.header)
    found = [staging.underscore_in_numbers(con, s, profile, resolved) for s in (plain, named, counted)]
    assert found == [False, False, True]
    # the fast lane and then the typed stage ask the same question: the file is read for it once
    assert list(counted.underscore_checked.values()) == [True] and not plain.underscore_checked


def test_a_named_tool_that_is_not_in_the_catalog_is_said_with_the_nearest_name(con, tmp_path):
    """'--tool MathQeust' stored 200 rows under a new, unvetted tool without a word."""
    con.execute("INSERT INTO vendors (name) VALUES ('V')")
    con.execute("INSERT INTO products (vendor_id, name) VALUES (1, 'MathQuest')")
    body = "student_id,date,minutes\n1,2026-09-02,5\n"
    out = imp(con, "usage", write(tmp_path / "a.csv", body), tool="MathQeust")
    assert (
        "'MathQeust' is not in the catalog, so its usage is listed as a tool not vetted. Did you mean MathQuest?"
        in (out.warnings)
    )
    out = imp(con, "usage", write(tmp_path / "b.csv", body.replace("5\n", "6\n")), tool="mathquest")
    assert not any("catalog" in w for w in out.warnings)  # the catalog's tool, in another case


def test_a_named_tool_for_a_file_with_its_own_tool_column_is_said_to_fill_blanks_only(con, tmp_path):
    body = "student_id,tool,date,minutes\n1,IXL,2026-09-02,5\n2,,2026-09-02,7\n"
    out = imp(con, "usage", write(tmp_path / "a.csv", body), tool="ReadWell")
    assert any("used only for rows whose tool cell is blank" in w for w in out.warnings)
    assert rows(con, "SELECT tool, minutes FROM usage_daily ORDER BY minutes") == [
        ("IXL", 5.0),
        ("ReadWell", 7.0),
    ]
