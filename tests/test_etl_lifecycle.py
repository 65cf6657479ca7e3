"""Idempotency, upsert (later wins), undo, purge, privacy, and every format profile end to end."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import pytest

from etl import admin
from etl.formats import PROFILES
from etl.profiles import detect
from services.privacy import mask
from tests.etlhelp import SAMPLES, imp, key, rejects, rows, write

HEADER = "student_id,tool,date,minutes,sessions"


class TestIdempotencyAndUpsert:
    def test_same_file_twice_changes_nothing(self, con, tmp_path):
        path = SAMPLES / "usage" / "generic_usage.csv"
        first = imp(con, "usage", path)
        before = rows(con, "SELECT count(*), sum(minutes) FROM usage_daily")
        again = imp(con, "usage", path)
        assert again.already_imported and again.import_id == first.import_id
        assert rows(con, "SELECT count(*), sum(minutes) FROM usage_daily") == before
        assert rows(con, "SELECT count(*) FROM import_log") == [(1,)]

    def test_the_same_file_read_with_another_subject_or_tool_is_imported_again(self, con, tmp_path):
        """Every row was rejected for a missing subject; given --subject the same file now imports
        (it used to say "already imported; nothing changed" until the import was undone). The same
        --subject again, or none, is a repeat."""
        header = "TermName,StudentID,SchoolName,MeasurementScale,TestStartDate,TestRITScore,TestPercentile"
        path = write(tmp_path / "AssessmentResults.csv", f"{header}\n,902101,X,,09/15/2022,203,52\n")
        first = imp(con, "assessments", path)
        assert (first.rows_imported, first.rows_rejected) == (0, 1)
        second = imp(con, "assessments", path, subject="ela")
        assert not second.already_imported and second.rows_imported == 1
        assert rows(con, "SELECT subject, scale_score FROM assessment_results") == [("Reading", 203.0)]
        assert imp(con, "assessments", path, subject="ELA/L").already_imported
        assert imp(con, "assessments", path).already_imported
        usage = write(tmp_path / "logins.csv", "student_id,date,minutes\n1,2026-09-01,10\n")
        imp(con, "usage", usage, tool="MathQuest")
        assert imp(con, "usage", usage, tool="mathquest ").already_imported
        assert not imp(con, "usage", usage, tool="ReadWell").already_imported
        assert rows(con, "SELECT tool, minutes FROM usage_daily ORDER BY 1") == [
            ("MathQuest", 10.0),
            ("ReadWell", 10.0),
        ]

    def test_a_renamed_copy_is_named_as_given(self, con, tmp_path):
        path = write(tmp_path / "fall.csv", f"{HEADER}\n1,A,2026-09-01,10,1\n")
        imp(con, "usage", path)
        copy = write(tmp_path / "fall (1).csv", path.read_text())
        again = imp(con, "usage", copy)
        assert again.already_imported
        assert again.message.startswith(
            "fall (1).csv is the same file as fall.csv, which was already imported"
        )

    def test_a_changed_byte_is_a_new_file(self, con, tmp_path):
        first = imp(con, "usage", write(tmp_path / "a.csv", f"{HEADER}\n1,A,2026-09-01,10,1\n"))
        second = imp(con, "usage", write(tmp_path / "a.csv", f"{HEADER}\n1,A,2026-09-01,11,1\n"))
        assert not second.already_imported and second.import_id != first.import_id
        assert rows(con, "SELECT minutes FROM usage_daily") == [(11.0,)]

    def test_a_file_fingerprinted_before_xxh3_is_imported_once_more_without_doubling(self, con, tmp_path):
        """Import logs written before the fingerprint became XXH3 hold SHA-256: the file is not
        recognised, so it is imported again, and the upsert replaces the same rows."""
        path = write(tmp_path / "u.csv", f"{HEADER}\n1,A,2026-09-01,10,1\n2,A,2026-09-01,20,1\n")
        first = imp(con, "usage", path)
        assert first.import_id is not None
        con.execute("UPDATE import_log SET file_sha256 = ?", [hashlib.sha256(path.read_bytes()).hexdigest()])
        again = imp(con, "usage", path)
        assert not again.already_imported
        assert rows(con, "SELECT count(*), sum(minutes) FROM usage_daily") == [(2, 30.0)]
        assert imp(con, "usage", path).already_imported  # and from now on it is recognised

    def test_a_known_respondents_answer_without_a_time_is_replaced_not_doubled(self, con, tmp_path):
        """A cumulative Google Forms export imported again stored every answer of a respondent whose
        timestamp Excel destroyed a second time, inflating the survey's counts and averages."""
        header = "Timestamp,Email Address,How easy is it?"
        first = f"{header}\n00:00.0,x@d9.example.org,Agree\n9/10/2026 14:10:05,y@d9.example.org,Neutral\n"
        imp(con, "feedback", write(tmp_path / "a.csv", first), tool="MathQuest")
        later = (
            first + "00:00.0,x@d9.example.org,Strongly agree\n" + "9/12/2026 9:00:00,z@d9.example.org,Agree\n"
        )
        imp(
            con,
            "feedback",
            write(tmp_path / "b.csv", later.replace("x@d9.example.org,Agree", "x@d9.example.org,Disagree")),
            tool="MathQuest",
        )
        answers = sorted(r[0] for r in rows(con, "SELECT answer FROM feedback_responses"))
        # x's timeless answers of the later file replace x's earlier one (both of the file are kept)
        assert answers == ["Agree", "Disagree", "Neutral", "Strongly agree"]
        assert rows(con, "SELECT count(*) FROM feedback_responses WHERE submitted_at IS NULL") == [(2,)]

    def test_survey_answers_without_timestamp_or_email_are_never_replaced(self, con, tmp_path):
        """Excel destroys Google Forms timestamps ("00:00.0"); such anonymous answers name no one,
        so a later file's answer to the same question is another response, not a replacement."""
        first = "Timestamp,How easy is it?\n00:00.0,Agree\n00:00.0,Disagree\n9/10/2026 14:10:05,Neutral\n"
        imp(con, "feedback", write(tmp_path / "a.csv", first), tool="MathQuest")
        imp(
            con,
            "feedback",
            write(tmp_path / "b.csv", "Timestamp,How easy is it?\n00:00.0,Strongly agree\n"),
            tool="MathQuest",
        )
        answers = sorted(r[0] for r in rows(con, "SELECT answer FROM feedback_responses"))
        assert answers == ["Agree", "Disagree", "Neutral", "Strongly agree"]
        assert rows(con, "SELECT count(*) FROM feedback_responses_superseded") == [(0,)]
        later = "Timestamp,How easy is it?\n9/10/2026 14:10:05,Agree\n"  # a timestamped answer still updates
        imp(con, "feedback", write(tmp_path / "c.csv", later), tool="MathQuest")
        assert sorted(r[0] for r in rows(con, "SELECT answer FROM feedback_responses")) == [
            "Agree",
            "Agree",
            "Disagree",
            "Strongly agree",
        ]

    def test_anonymous_microsoft_forms_respondents_are_nobody_not_one_person(self, con, tmp_path):
        header = "ID,Start time,Completion time,Email,Name,How easy is it?"
        body = (
            "1,9/10/2026 14:00:01,9/10/2026 14:05:01,anonymous,,Agree\n"
            "2,9/10/2026 15:00:01,9/10/2026 15:05:01,Anonymous,,Disagree\n"
            "3,9/10/2026 16:00:01,9/10/2026 16:05:01, Pat@D.org ,Pat Doe,Neutral\n"
        )
        out = imp(con, "feedback", write(tmp_path / "ms.csv", f"{header}\n{body}"), tool="MathQuest")
        assert (out.format, out.rows_imported) == ("microsoft-forms", 3)
        keys = rows(con, "SELECT answer, respondent_key FROM feedback_responses ORDER BY answer")
        assert [k is None for _, k in keys] == [True, True, False]  # Agree, Disagree anonymous; Pat
        assert keys[2][1] == key("pat@d.org")

    def test_a_survey_with_hundreds_of_questions_imports_within_the_cli_memory_limit(self, con, tmp_path):
        con.execute("SET memory_limit = '1GB'")  # what the command line runs with
        questions = [f"Rate [Feature {i}]" for i in range(300)]
        lines = [
            f"9/{1 + r}/2026 10:00:00,user{r}@d.org," + ",".join("Agree" for _ in questions)
            for r in range(20)
        ]
        path = write(
            tmp_path / "wide.csv",
            "Timestamp,Email Address," + ",".join(questions) + "\n" + "\n".join(lines) + "\n",
        )
        out = imp(con, "feedback", path, tool="MathQuest")
        assert out.rows_imported == 20
        assert rows(con, "SELECT count(*), count(DISTINCT question), min(score) FROM feedback_responses") == [
            (6000, 300, 4.0)
        ]

    def test_overlapping_cumulative_exports_later_wins(self, con, tmp_path):
        imp(con, "usage", write(tmp_path / "w1.csv", f"{HEADER}\n1,A,2026-09-01,10,1\n1,A,2026-09-02,20,1\n"))
        imp(con, "usage", write(tmp_path / "w2.csv", f"{HEADER}\n1,A,2026-09-02,25,2\n1,A,2026-09-03,30,1\n"))
        assert rows(con, "SELECT usage_date, minutes, sessions FROM usage_daily ORDER BY usage_date") == [
            (dt.date(2026, 9, 1), 10.0, 1),
            (dt.date(2026, 9, 2), 25.0, 2),
            (dt.date(2026, 9, 3), 30.0, 1),
        ]

    def test_same_key_twice_in_one_file_keeps_the_later_line(self, con, tmp_path):
        imp(con, "usage", write(tmp_path / "d.csv", f"{HEADER}\n1,A,2026-09-02,10,1\n1,A,2026-09-02,15,3\n"))
        assert rows(con, "SELECT minutes, sessions FROM usage_daily") == [(15.0, 3)]

    def test_the_later_line_wins_whole_even_where_it_is_empty(self, con, tmp_path):
        """Its empty cells are not filled from the earlier line: the stored row is one line, not a mix."""
        body = "1,A,2026-09-02,30,2\n1,A,2026-09-02,N/A,1\n2,A,2026-09-02,10,3\n2,A,2026-09-02,15,\n"
        imp(con, "usage", write(tmp_path / "d.csv", f"{HEADER}\n{body}"))
        assert rows(
            con, "SELECT student_key, minutes, sessions FROM usage_daily ORDER BY minutes NULLS FIRST"
        ) == [
            (key("1"), None, 1),
            (key("2"), 15.0, None),
        ]
        header = "TermName,StudentID,SchoolName,MeasurementScale,Discipline,TestStartDate,TestRITScore,TestPercentile"
        nwea = f"{header}\nFall 2026-2027,5,Oak,Mathematics,Mathematics,09/14/2026,200,40\nFall 2026-2027,5,Oak,Mathematics,Mathematics,09/14/2026,202,\n"
        imp(con, "assessments", write(tmp_path / "nwea.csv", nwea))
        assert rows(con, "SELECT scale_score, percentile FROM assessment_results") == [(202.0, None)]

    def test_lesson_rows_are_summed_per_day(self, con):
        imp(con, "usage", SAMPLES / "usage" / "iready_instruction_lessons.csv")
        raw = rows(con, "SELECT count(*) FROM usage_daily")[0][0]
        assert raw <= 120 and rows(con, "SELECT sum(sessions) FROM usage_daily") == [(120,)]

    def test_assessment_upsert_on_student_assessment_subject_date(self, con, tmp_path):
        header = "Student ID,Completion Date,Overall Scale Score,Percentile"
        imp(con, "assessments", write(tmp_path / "a_math.csv", f"{header}\n1,09/02/2026,450,40\n"))
        imp(con, "assessments", write(tmp_path / "b_math.csv", f"{header}\n1,09/02/2026,455,42\n"))
        assert rows(con, "SELECT scale_score FROM assessment_results") == [(455.0,)]


class TestUndo:
    def test_undo_restores_what_the_last_import_replaced(self, con, tmp_path):
        imp(con, "usage", write(tmp_path / "w1.csv", f"{HEADER}\n1,A,2026-09-02,20,1\n"))
        second = imp(
            con, "usage", write(tmp_path / "w2.csv", f"{HEADER}\n1,A,2026-09-02,25,2\n2,A,2026-09-02,5,1\n")
        )
        result = admin.undo_last_import(con, actor=None)
        assert result["import_id"] == second.import_id and result["rows_removed"] == 2
        assert rows(con, "SELECT minutes FROM usage_daily") == [(20.0,)]
        assert rows(con, "SELECT status FROM import_log ORDER BY import_id") == [("imported",), ("undone",)]
        assert rows(con, "SELECT count(*) FROM usage_facts_superseded") == [(0,)]
        # student 2 came with the undone import: no number of theirs is left behind
        assert rows(con, "SELECT student_key FROM student_refs") == [(key("1"),)]
        assert result["rows_restored"] == 1
        assert result["message"].endswith("2 rows removed; 1 earlier row it had replaced is back.")

    def test_the_summary_says_how_many_stored_rows_an_import_replaced(self, con, tmp_path):
        first = imp(con, "usage", write(tmp_path / "w1.csv", f"{HEADER}\n1,A,2026-09-02,20,1\n"))
        assert "replaced" not in first.message
        second = imp(
            con, "usage", write(tmp_path / "w2.csv", f"{HEADER}\n1,A,2026-09-02,25,2\n2,A,2026-09-03,5,1\n")
        )
        assert second.message.endswith("; 1 stored row of earlier imports was replaced.")

    def test_usage_of_students_not_on_the_roster_is_said_to_stay_off_the_usage_pages(self, con, tmp_path):
        first = imp(con, "usage", write(tmp_path / "w1.csv", f"{HEADER}\n1,A,2026-09-02,20,1\n"))
        assert any("No roster has been imported yet" in w for w in first.warnings)
        con.execute(
            "INSERT INTO roster_students (student_key, school, grade) VALUES (?, 'Oak', 3)", [key("1")]
        )
        second = imp(
            con, "usage", write(tmp_path / "w2.csv", f"{HEADER}\n1,A,2026-09-03,20,1\n7,A,2026-09-03,5,1\n")
        )
        assert any(w.startswith("1 student in this file is not on the roster") for w in second.warnings)
        third = imp(con, "usage", write(tmp_path / "w3.csv", f"{HEADER}\n1,A,2026-09-04,20,1\n"))
        assert not any("roster" in w for w in third.warnings)

    def test_undone_file_can_be_imported_again(self, con, tmp_path):
        path = write(tmp_path / "w.csv", f"{HEADER}\n1,A,2026-09-02,20,1\n")
        imp(con, "usage", path)
        admin.undo_last_import(con, actor=None)
        assert not imp(con, "usage", path).already_imported
        assert rows(con, "SELECT count(*) FROM usage_daily") == [(1,)]

    def test_undo_with_nothing_to_undo(self, con):
        with pytest.raises(Exception, match="no import to undo"):
            admin.undo_last_import(con, actor=None)

    def test_undo_of_a_roster_restores_the_previous_roster_rows(self, con, tmp_path):
        imp(con, "roster", SAMPLES / "oneroster")
        before = rows(con, "SELECT * FROM roster_students ORDER BY student_key")
        folder = tmp_path / "r2"
        folder.mkdir()
        for name in ("orgs.csv", "manifest.csv"):
            (folder / name).write_bytes((SAMPLES / "oneroster" / name).read_bytes())
        text = (SAMPLES / "oneroster" / "users.csv").read_text().replace(",03,", ",04,")
        (folder / "users.csv").write_text(text)
        imp(con, "roster", folder)
        assert rows(con, "SELECT * FROM roster_students ORDER BY student_key") != before
        admin.undo_last_import(con, actor=None)
        assert rows(con, "SELECT * FROM roster_students ORDER BY student_key") == before


class TestPurge:
    def test_purge_deletes_only_student_rows_older_than_n_years(self, con, tmp_path):
        imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n1,A,2019-09-02,5,1\n1,A,2026-09-02,5,1\n"))
        deleted = admin.purge_older_than(con, 3, actor=None, today=dt.date(2026, 11, 1))
        assert deleted["usage_daily"] == 1
        assert rows(con, "SELECT usage_date FROM usage_daily") == [(dt.date(2026, 9, 2),)]
        assert rows(con, "SELECT count(*) FROM audit_log WHERE note LIKE 'purge%'") == [(1,)]

    def test_purge_forgets_the_number_of_a_student_whose_usage_is_all_gone(self, con, tmp_path):
        body = "1,A,2019-09-02,5,1\n2,A,2019-09-03,5,1\n2,A,2026-09-02,5,1\n"
        imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n{body}"))
        assert rows(con, "SELECT count(*) FROM student_refs") == [(2,)]
        admin.purge_older_than(con, 3, actor=None, today=dt.date(2026, 11, 1))
        assert rows(con, "SELECT student_key FROM student_refs") == [(key("2"),)]
        assert rows(con, "SELECT student_key FROM usage_daily") == [(key("2"),)]

    def test_purge_needs_at_least_one_year(self, con):
        with pytest.raises(Exception, match="at least one year"):
            admin.purge_older_than(con, 0, actor=None)


class TestPrivacy:
    def test_no_raw_ids_names_or_birth_dates_anywhere_in_the_database(self, con, db_path):
        imp(con, "roster", SAMPLES / "oneroster")
        imp(con, "usage", SAMPLES / "usage" / "iready_instruction_lessons.csv")
        imp(con, "assessments", SAMPLES / "assessments" / "iready_diagnostic_results_ela.csv")
        imp(con, "assessments", SAMPLES / "assessments" / "nwea_map_AssessmentResults.csv")
        imp(con, "feedback", SAMPLES / "feedback" / "mathquest_teacher_survey.csv", tool="MathQuest")
        con.execute("CHECKPOINT")
        forbidden = [
            "710000",
            "710001",
            "710042",
            "Lindqvist",
            "Ibarra",
            "Sato",
            "teacher0@example.org",
            "ruby.lindqvist",
            "Two or More Races",
        ]
        text_columns = rows(
            con,
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_schema = 'main' AND table_name NOT IN "
            "(SELECT view_name FROM duckdb_views())",
        )
        for schema, table, column in text_columns:
            for value in forbidden:
                hits = rows(
                    con, f'SELECT count(*) FROM {schema}."{table}" WHERE contains("{column}", ?)', [value]
                )
                assert hits == [(0,)], (table, column, value)
        for value in forbidden:
            assert value.encode() not in db_path.read_bytes(), value

    def test_same_student_same_key_in_every_source(self, con):
        imp(con, "roster", SAMPLES / "oneroster")
        imp(con, "assessments", SAMPLES / "assessments" / "nwea_map_AssessmentResults.csv")
        imp(con, "usage", SAMPLES / "usage" / "generic_usage.csv")
        assert rows(con, "SELECT count(*) FROM usage_unrostered") == [(0,)]
        assert rows(
            con,
            "SELECT count(*) FROM assessment_results a WHERE NOT EXISTS "
            "(SELECT 1 FROM roster_students r WHERE r.student_key = a.student_key)",
        ) == [(0,)]

    @pytest.mark.parametrize("size", [4, 3000])
    def test_a_missing_value_word_in_the_id_column_is_nobody(self, con, tmp_path, size):
        """'N/A' or '--' for a student id names no one: rejected as missing, not a student of its own."""
        header = "student_id,tool,date,minutes,sessions"
        good = "".join(f"{2000 + i},A,2026-09-{1 + i % 28:02d},5,1\n" for i in range(size - 3))
        body = f"{good}N/A,A,2026-09-02,5,1\n--,A,2026-09-02,5,1\n#N/A,A,2026-09-02,5,1\n"
        out = imp(con, "usage", write(tmp_path / "u.csv", f"{header}\n{body}"))
        assert (out.rows_imported, out.rows_rejected) == (size - 3, 3)
        assert {r[2] for r in rejects(con, out.import_id)} == {"missing student_id"}
        assert rows(con, "SELECT count(DISTINCT student_key) FROM usage_daily") == [(size - 3,)]

    def test_rejects_mask_student_ids(self, con, tmp_path):
        header = "student_id,tool,date,minutes,sessions"
        imp(con, "usage", write(tmp_path / "u.csv", f"{header}\n987654,A,2026-09-02,99999,1\n"))
        assert "987654" not in repr(rows(con, "SELECT * FROM import_rejects"))

    def test_a_row_shifted_by_an_unquoted_comma_shows_no_id_or_name_in_the_rejects(self, con, tmp_path):
        """'Sato, Jr.' unquoted moves the first name into Student ID and the id into the grade."""
        header = "Last Name,First Name,Student ID,Student Grade,School,Completion Date,Overall Scale Score,Percentile"
        path = write(
            tmp_path / "iready_math.csv",
            f"{header}\nLee,Ann,710001,3,Oak,09/14/2026,450,50\nSato, Jr.,Zoe,710000,3,Oak,09/14/2026,452,51\n",
        )
        out = imp(con, "assessments", path)
        assert (out.rows_imported, out.rows_rejected) == (1, 1)
        stored = repr(rows(con, "SELECT * FROM import_rejects"))
        assert "710000" not in stored and "Zoe" not in stored and " Jr." not in stored

    def test_a_shifted_name_is_masked_when_the_row_has_no_extra_field(self, con, tmp_path):
        """The shifted row's last field was blank, so it has no field beyond the header: the first
        name lands in the grade column and must not be stored as the rejected value."""
        header = "Student ID,Last Name,First Name,Student Grade,School,Completion Date,Overall Scale Score,Percentile"
        path = write(
            tmp_path / "iready_math.csv",
            f"{header}\n710001,Lee,Ann,3,Oak,09/14/2026,450,50\n710000,Sato, Jr.,Zoe,3,Oak,09/14/2026,452,\n",
        )
        out = imp(con, "assessments", path)
        assert out.rows_rejected == 1
        stored = rows(con, "SELECT column_name, value_masked FROM import_rejects")
        assert ("Student Grade", "Z*e") in stored
        assert "Zoe" not in repr(stored) and "Jr." not in repr(stored)

    @pytest.mark.parametrize("name", ["Иван", "李明", "Sé"])
    def test_a_shifted_name_in_any_script_is_masked(self, con, tmp_path, name):
        header = "Student ID,Last Name,First Name,Student Grade,School,Completion Date,Overall Scale Score,Percentile"
        path = write(
            tmp_path / "iready_math.csv", f"{header}\n710000,Sato, Jr.,{name},3,Oak,09/14/2026,452,\n"
        )
        imp(con, "assessments", path)
        assert name not in repr(rows(con, "SELECT * FROM import_rejects"))

    def test_a_missing_header_row_is_refused_without_quoting_the_first_row(self, con, tmp_path):
        from etl.source import FileRefused

        path = write(
            tmp_path / "u.csv",
            "710001,Gary Hagen,MathQuest,2026-09-02,10,1\n710002,Al Roe,MathQuest,2026-09-02,10,1\n",
        )
        with pytest.raises(FileRefused) as refused:
            imp(con, "usage", path)
        assert "header row missing" in str(refused.value)
        assert "710001" not in str(refused.value) and "Hagen" not in str(refused.value)

    def test_sql_mask_matches_python_mask(self, con):
        from etl.cleaning import masked

        for value in ["", "1", "12", "123", "7100001"]:
            assert rows(con, f"SELECT {masked('x')} FROM (SELECT ?::VARCHAR AS x)", [value]) == [
                (mask(value),)
            ]


class TestDataQuality:
    def test_unrostered_usage_is_kept_and_counted(self, con, tmp_path):
        imp(con, "roster", SAMPLES / "oneroster")
        imp(
            con,
            "usage",
            write(
                tmp_path / "u.csv",
                f"{HEADER}\n710001,MathQuest,2026-09-02,5,1\n999999,MathQuest,2026-09-02,5,1\n",
            ),
        )
        assert rows(con, "SELECT count(*) FROM usage_daily") == [(2,)]
        assert rows(con, "SELECT tool, usage_rows, students FROM usage_unrostered") == [("MathQuest", 1, 1)]

    def test_students_in_daily_usage_and_in_summaries_are_counted_once_each(self, con, tmp_path):
        """i-Ready lessons for some students, the year-to-date export for others (and both for one):
        three students, not the larger of two counts."""
        lessons = "Student ID,Subject,Completion Date,Total Time on Lesson (min),Lesson ID"
        imp(
            con,
            "usage",
            write(
                tmp_path / "l.csv", f"{lessons}\n910001,Math,09/10/2026,12,L1\n910002,Math,09/10/2026,9,L2\n"
            ),
        )
        ytd = "Student ID,Subject,Academic Year,Instruction: Overall Time on Task (min),Instruction: Overall Lessons Completed"
        imp(
            con,
            "usage",
            write(tmp_path / "y.csv", f"{ytd}\n910002,Math,2026-2027,300,10\n910003,Math,2026-2027,200,8\n"),
        )
        assert rows(con, "SELECT tool, usage_rows, students FROM usage_unrostered") == [("i-Ready", 4, 3)]
        assert rows(con, "SELECT tool, students FROM usage_tool_vetting") == [("i-Ready", 3)]

    def test_tools_not_in_the_catalog_are_listed_as_not_vetted(self, con, tmp_path):
        vendor = con.execute("INSERT INTO vendors (name) VALUES ('V') RETURNING vendor_id").fetchone()[0]
        product = con.execute(
            "INSERT INTO products (vendor_id, name) VALUES (?, 'MathQuest') RETURNING product_id", [vendor]
        ).fetchone()[0]
        con.execute("INSERT INTO catalog_entries (product_id, vetted) VALUES (?, true)", [product])
        imp(
            con,
            "usage",
            write(tmp_path / "u.csv", f"{HEADER}\n1,mathquest,2026-09-02,5,1\n1,FunGames,2026-09-02,9,1\n"),
        )
        assert rows(con, "SELECT tool, vetted FROM usage_tool_vetting ORDER BY tool") == [
            ("FunGames", False),
            ("MathQuest", True),  # stored in the catalog's spelling, so the tool pages count it too
        ]


class TestFormats:
    @pytest.mark.parametrize(
        "kind,path,fmt",
        [
            ("usage", "usage/generic_usage.csv", "generic-usage"),
            ("usage", "usage/iready_instruction_lessons.csv", "iready-lessons"),
            ("assessments", "assessments/iready_diagnostic_results_ela.csv", "iready-diagnostic"),
            ("assessments", "assessments/nwea_map_AssessmentResults.csv", "nwea-map"),
            ("feedback", "feedback/mathquest_teacher_survey.csv", "google-forms"),
            ("roster", "oneroster", "oneroster-1.1"),
        ],
    )
    def test_shared_samples(self, con, kind, path, fmt):
        out = imp(con, kind, SAMPLES / path, tool="MathQuest" if kind == "feedback" else None)
        assert (out.format, out.rows_rejected) == (fmt, 0)
        assert out.rows_imported == out.rows_read > 0

    def test_nwea_current_layout_tab_delimited(self, con, tmp_path):
        header = (
            "TermName\tSchoolName\tSchool_StateID\tStudent_Number\tStudent_StateID\tGrade\tMeasurementScale\t"
            "Discipline\tTestStartDate\tTestStartTime\tTestDurationMinutes\tTestRITScore\tTestPercentile"
        )
        path = write(
            tmp_path / "AssessmentResults.txt",
            f"{header}\nFall 2026-2027\tOak\t1\t001001\tS1\t3\tMathematics\tMathematics\t9/14/2026\t"
            "12:35 PM\t40\t206\t74\n",
        )
        out = imp(con, "assessments", path)
        assert (out.format, out.rows_imported) == ("nwea-map", 1)
        assert rows(con, "SELECT student_key, subject, grade FROM assessment_results") == [
            (key("1001"), "Math", 3)
        ]

    def test_star_enterprise_all_quoted_with_subject_option(self, con, tmp_path):
        header = (
            '"Renaissance Client ID","School Year","School Name","Student Identifier","Current Grade",'
            '"Activity Completed Date","Scaled Score","Percentile Rank","Screening Window Name"'
        )
        path = write(
            tmp_path / "star.csv",
            f'{header}\n"9","2026-2027","Oak","1001","K","09/12/2026","812","61","Fall"\n',
        )
        out = imp(con, "assessments", path, subject="Reading")
        assert out.format == "star-enterprise"
        assert rows(con, "SELECT subject, grade, term FROM assessment_results") == [("Reading", 0, "Fall")]

    @pytest.mark.parametrize("typed", ["ela", "ELA/L", " reading ", "English Language Arts"])
    def test_a_typed_subject_is_stored_under_its_one_name(self, con, tmp_path, typed):
        """--subject ela once stored 'ela' beside the file's 'Reading': one subject split in two, and
        a later file no longer replaced the same test."""
        header = "Student ID,Student Grade,School,Completion Date,Overall Scale Score,Percentile"
        path = write(tmp_path / "diagnostic.csv", f"{header}\n710001,3,Oak,09/14/2026,450,50\n")
        imp(con, "assessments", path, subject=typed)
        assert rows(con, "SELECT subject FROM assessment_results") == [("Reading",)]
        assert rows(con, "SELECT subject FROM import_log") == [("Reading",)]

    def test_a_typed_subject_does_not_relabel_a_reading_only_assessment(self, con, tmp_path):
        header = (
            "School Year,School Name,Student Primary ID,Assessment Grade,Benchmark Period,Composite Score"
        )
        path = write(tmp_path / "mclass.csv", f"{header}\n2026-2027,Oak,1001,2,BOY,402\n")
        out = imp(con, "assessments", path, subject="Math")
        assert rows(con, "SELECT subject FROM assessment_results") == [("Reading",)]
        assert any("not used" in w for w in out.warnings)

    def test_python_and_sql_subject_names_agree(self, con):
        from etl.cleaning import subject_expr, subject_name
        from etl.formats import SUBJECTS

        for typed in [
            "ela",
            "Mathematics",
            "ELA/L",
            "Star Early Literacy",
            "Science",
            "Social Studies",
            "M",
            "English  Language Arts",
            "Social   Studies",
        ]:
            [(in_sql,)] = rows(
                con, f"SELECT {subject_expr('x', SUBJECTS)} FROM (SELECT ?::VARCHAR AS x)", [typed]
            )
            assert subject_name(typed, SUBJECTS) == in_sql, typed

    def test_subject_option_fills_blanks_and_never_relabels_the_files_subjects(self, con, tmp_path):
        header = "TermName,StudentID,SchoolName,MeasurementScale,Discipline,TestStartDate,TestRITScore,TestPercentile"
        path = write(
            tmp_path / "nwea.csv",
            f"{header}\nFall 2026-2027,1001,Oak,Mathematics,Mathematics,09/14/2026,206,60\n"
            "Fall 2026-2027,1001,Oak,Reading,Reading,09/14/2026,199,55\n"
            "Fall 2026-2027,1002,Oak,,,09/14/2026,201,50\n",
        )
        out = imp(con, "assessments", path, subject="Math")
        assert out.rows_imported == 3
        assert rows(con, "SELECT subject, scale_score FROM assessment_results ORDER BY scale_score") == [
            ("Reading", 199.0),
            ("Math", 201.0),  # the blank subject takes --subject
            ("Math", 206.0),
        ]

    def test_assessment_without_subject_needs_option(self, con, tmp_path):
        header = '"Student Identifier","Activity Completed Date","Scaled Score"'
        with pytest.raises(Exception, match="--subject"):
            imp(con, "assessments", write(tmp_path / "star.csv", f'{header}\n"1","09/12/2026","812"\n'))

    def test_oneroster_12_zip_with_roles(self, con, tmp_path):
        path = tmp_path / "roster.zip"
        users = (
            "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,"
            "identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,"
            "resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,"
            "primaryOrgSourcedId,pronouns\n"
            'u1,active,2026-08-01,TRUE,a,,Ann,Lee,,00501,,,,,"KG,01",,,,,,,s1,\n'
            "u2,tobedeleted,2026-08-01,true,b,,Bo,Kim,,502,,,,,02,,,,,,,s1,\n"
            "t1,active,2026-08-01,true,c,,Cy,Ray,,T9,,,,,,,,,,,,s1,\n"
        )
        roles = (
            "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,"
            "userProfileSourcedId\nr1,active,,u1,primary,student,,,s1,\nr2,active,,u2,primary,student,,,s1,\n"
            "r3,active,,t1,primary,teacher,,,s1,\n"
        )
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("users.csv", users)
            archive.writestr("roles.csv", roles)
            archive.writestr(
                "orgs.csv",
                "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
                "s1,active,,Lincoln Elementary,school,,\n",
            )
        out = imp(con, "roster", path)
        assert (out.format, out.rows_imported) == ("oneroster-1.2", 3)
        assert rows(con, "SELECT student_key, school, grade, active FROM roster_students ORDER BY grade") == [
            (key("501"), "Lincoln Elementary", 0, True),
            (key("502"), "Lincoln Elementary", 2, False),
        ]
        assert rows(con, "SELECT count(*) FROM roster_teachers") == [(1,)]

    def test_sso_logins_count_rows_per_day(self, con, tmp_path):
        path = write(
            tmp_path / "clever.csv",
            "SIS ID,App Name,Login Time\n1,Quizzy,2026-09-02 08:00:00\n"
            "1,Quizzy,2026-09-02 13:00:00\n2,Quizzy,9/3/2026 7:00 AM\n",
        )
        out = imp(con, "usage", path)
        assert out.format == "sso-logins"
        assert rows(con, "SELECT student_key, sessions FROM usage_daily ORDER BY usage_date") == [
            (key("1"), 2),
            (key("2"), 1),
        ]

    def test_iready_ytd_summary_goes_to_usage_summary(self, con, tmp_path):
        header = (
            "Student ID,Academic Year,School,Subject,Instruction: Overall Lessons Passed,"
            "Instruction: Overall Lessons Not Passed,Instruction: Overall Lessons Completed,"
            "Instruction: Overall Pass Rate (%),Instruction: Overall Time on Task (min)"
        )
        out = imp(
            con, "usage", write(tmp_path / "ytd.csv", f"{header}\n1,2026-2027,Oak,Math,8,2,10,80%,2400\n")
        )
        assert out.format == "iready-ytd"
        assert rows(con, "SELECT tool, subject, minutes, lessons_completed FROM usage_summary") == [
            ("i-Ready", "Math", 2400.0, 10)
        ]

    def test_ixl_progress(self, con, tmp_path):
        header = "Student ID,Last name,First name,Grade,Math questions answered,Math skills practiced,Math skills proficient"
        out = imp(con, "usage", write(tmp_path / "ixl.csv", f'{header}\n1,"Hagen,Gary",Gary,4,350,12,8\n'))
        assert out.format == "ixl-progress"
        assert rows(con, "SELECT tool, questions_answered FROM usage_summary") == [("IXL", 350)]

    def test_survey_likert_text_and_numbers_to_scores(self, con):
        imp(con, "feedback", SAMPLES / "feedback" / "mathquest_teacher_survey.csv", tool="MathQuest")
        scores = dict(rows(con, "SELECT answer, min(score) FROM feedback_responses GROUP BY answer"))
        assert scores["Strongly agree"] == 5 and scores["Neutral"] == 3 and scores["1"] == 1
        assert scores["More practice sets, please"] is None

    def test_feedback_tool_from_the_catalog_and_file_name(self, con):
        vendor = con.execute("INSERT INTO vendors (name) VALUES ('V') RETURNING vendor_id").fetchone()[0]
        con.execute("INSERT INTO products (vendor_id, name) VALUES (?, 'MathQuest')", [vendor])
        out = imp(con, "feedback", SAMPLES / "feedback" / "mathquest_teacher_survey.csv")
        assert rows(con, "SELECT DISTINCT tool FROM feedback_responses") == [("MathQuest",)]
        assert out.rows_imported == 14

    def test_explicit_format_that_does_not_fit(self, con):
        with pytest.raises(Exception, match="does not fit"):
            imp(con, "usage", SAMPLES / "usage" / "generic_usage.csv", format="iready-lessons")

    def test_every_profile_detects_itself_unambiguously(self):
        for profile in PROFILES:
            header = [profile.columns[f].headers[0] for f in profile.columns]
            assert detect(PROFILES, profile.kind, header).profile == profile, profile.name


class TestReportingViews:
    def test_imports_show_in_the_reporting_views(self, con):
        imp(con, "roster", SAMPLES / "oneroster")
        imp(con, "usage", SAMPLES / "usage" / "generic_usage.csv")
        imp(con, "assessments", SAMPLES / "assessments" / "nwea_map_AssessmentResults.csv")
        imp(con, "feedback", SAMPLES / "feedback" / "mathquest_teacher_survey.csv", tool="MathQuest")
        assert rows(con, "SELECT count(*) FROM reporting.students") == [(120,)]
        assert rows(con, "SELECT count(*) FROM reporting.usage_daily") == [(200,)]
        assert rows(con, "SELECT count(*) FROM reporting.assessment_results") == [(458,)]
        assert rows(con, "SELECT count(DISTINCT question) FROM reporting.feedback_responses") == [(3,)]


def test_a_file_the_fast_lane_hands_to_the_full_path_keeps_one_import_number(con, tmp_path):
    """The fast lane rolls back a file with a bad row; the full path imports it under the same
    number, so a database's first import is #1, not #2."""
    good = "".join(f"{2000 + i},A,2026-09-{1 + i % 28:02d},5,1\n" for i in range(3000))
    out = imp(con, "usage", write(tmp_path / "u.csv", f"{HEADER}\n{good}1001,A,someday,5,1\n"))
    assert (out.import_id, out.rows_rejected) == (1, 1)
    assert rows(con, "SELECT import_id FROM import_log") == [(1,)]
