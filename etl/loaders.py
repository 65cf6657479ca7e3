"""Write validated staged rows into the product's tables: upsert on the natural key, later wins.

Each loader returns the number of table rows written (after summing events or keeping the later of two
same-key lines); the import's `rows_imported` counts source rows and is computed by the runner.

Why this shape: the fact tables have no primary key (a 10M-row index costs more than it gives), so an
upsert is "move the rows with the same natural key to <table>_superseded, delete them, insert the
new ones", set-wise, inside the caller's single transaction. Keeping the replaced rows is what lets
`undo_import` restore exactly what was there before the last import.
"""

from __future__ import annotations

import duckdb

from etl import cleaning
from etl.formats import LIKERT_SCALES
from etl.keys import KEYS
from etl.staging import STAGE, SUMMARY_MEASURES, TEXT_LIMIT

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "usage_rows": ("student_ref", "tool_ref", "usage_date"),
    "usage_summary": ("student_key", "tool", "subject", "period"),
    "assessment_results": ("student_key", "assessment", "subject", "test_date"),
    "feedback_responses": ("tool", "submitted_at", "respondent_key", "question"),
    "roster_students": ("student_key",),
    "roster_teachers": ("teacher_key",),
}
FACT_TABLES = tuple(NATURAL_KEYS)
# Key parts without which a row names nothing: such a row never replaces an earlier one. A survey
# response whose timestamp Excel destroyed ("00:00.0") and that has no e-mail is one anonymous
# answer among many; matching it to another on (tool, NULL, NULL, question) deleted real responses.
IDENTIFYING: dict[str, tuple[str, ...]] = {"feedback_responses": ("submitted_at",)}
NEW = "etl_new"
REFS = "etl_refs"  # temp: raw local id -> student_ref, for usage loads
TOOL_REFS, SCHOOL_REFS = "etl_tool_refs", "etl_school_refs"  # temp: name -> its number (`attach_names`)
NAME_REFS = "etl_name_refs"  # temp: (tool, school) -> both numbers (`attach_names`)
# etl_school_refs' name for "no school" (number 0): a NUL character, which no imported text holds (the
# byte check refuses it). Why not a LEFT JOIN: it cost more than the inner join on 10M rows.
NO_SCHOOL = "chr(0)"
# usage_rows by number (migration 0067); `USAGE_BY_NAME` is what usage writers select first
USAGE_COLUMNS = [
    "student_ref",
    "tool_ref",
    "usage_date",
    "minutes",
    "sessions",
    "school_ref",
    "grade",
    "import_id",
]
USAGE_BY_NAME = ["student_ref", "tool", "usage_date", "minutes", "sessions", "school", "grade", "import_id"]


def attach_refs(con: duckdb.DuckDBPyConnection) -> int:
    """Give every student key in etl_keys its usage number (`student_refs`, migration 0060), adding
    the keys seen for the first time; builds temp table etl_refs(raw, student_ref). Call inside the
    import's transaction. Returns how many keys were new."""
    added = con.execute(
        f"""INSERT INTO student_refs
            SELECT (SELECT coalesce(max(student_ref), 0) FROM student_refs)
                   + (row_number() OVER (ORDER BY student_key))::INTEGER, student_key
            FROM (SELECT DISTINCT student_key FROM {KEYS}) k
            WHERE NOT EXISTS (SELECT 1 FROM student_refs r WHERE r.student_key = k.student_key)"""
    ).fetchone()[0]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {REFS} AS "
        f"SELECT k.raw, r.student_ref FROM {KEYS} k JOIN student_refs r USING (student_key)"
    )
    return added


def attach_names(con: duckdb.DuckDBPyConnection, tools: list[str], schools: list[str]) -> tuple[list, list]:
    """Give these tool and school names their numbers (`usage_tools`, `usage_schools`, migration 0067),
    adding the names seen for the first time; builds temp tables etl_tool_refs(raw, tool_ref),
    etl_school_refs(raw, school_ref) and their every pairing etl_name_refs(tool, school, tool_ref,
    school_ref), for every name known so far (earlier ones included: a writer joins its rows to
    them). Call inside the import's transaction. Returns the numbers just added (tool refs, school
    refs): the fast lane names a file's tools from a sample and removes the names no row used."""
    added = []
    for table, ref, name, names, temp in (
        ("usage_tools", "tool_ref", "tool", tools, TOOL_REFS),
        ("usage_schools", "school_ref", "school", schools, SCHOOL_REFS),
    ):
        new = [
            r[0]
            for r in con.execute(
                f"""INSERT INTO {table}
                    SELECT (SELECT coalesce(max({ref}), 0) FROM {table})
                           + (row_number() OVER (ORDER BY n))::INTEGER, n
                    FROM (SELECT DISTINCT unnest($names::VARCHAR[]) AS n) x
                    WHERE n IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{name} = x.n)
                    RETURNING {ref}""",
                {"names": names},
            ).fetchall()
        ]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {temp} AS SELECT coalesce({name}, {NO_SCHOOL}) AS raw, {ref} FROM {table}"
        )
        added.append(new)
    # one join per row instead of two (~0.04 s less on 10M rows); 200 tools and 60 schools pair 12,000 times
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {NAME_REFS} AS SELECT t.raw AS tool, s.raw AS school, t.tool_ref, "
        f"s.school_ref FROM {TOOL_REFS} t CROSS JOIN {SCHOOL_REFS} s"
    )
    return added[0], added[1]


def by_number(select_by_name: str) -> str:
    """SQL: the rows of `select_by_name` (columns `USAGE_BY_NAME`) with each tool and school as its
    number (`USAGE_COLUMNS`; no school is number 0); a row whose tool or school `attach_names` was not
    given is left out."""
    return (
        f"SELECT n.student_ref, m.tool_ref, n.usage_date, n.minutes, n.sessions, m.school_ref, "
        f"n.grade, n.import_id FROM ({select_by_name}) AS n({', '.join(USAGE_BY_NAME)}) "
        f"JOIN {NAME_REFS} m ON m.tool = n.tool AND m.school = coalesce(n.school, {NO_SCHOOL})"
    )


def insert_usage(con: duckdb.DuckDBPyConnection, select_sql: str, params: list | dict | None = None) -> int:
    """Append daily usage given by student key (demo data, tests, benches): `select_sql` yields
    student_key, tool, usage_date, minutes, sessions, school, grade. No upsert: callers own their rows."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE etl_usage_in AS {select_sql}", params or [])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE etl_keys AS SELECT DISTINCT student_key AS raw, student_key "
        "FROM etl_usage_in WHERE student_key IS NOT NULL"
    )
    attach_refs(con)
    attach_names(con, *distinct_names(con, "SELECT tool, school FROM etl_usage_in"))
    by_name = (
        "SELECT r.student_ref, u.tool, u.usage_date, u.minutes, u.sessions, u.school, u.grade, NULL::INTEGER "
        f"FROM etl_usage_in u JOIN {REFS} r ON r.raw = u.student_key"
    )
    written = con.execute(
        f"INSERT INTO usage_rows ({', '.join(USAGE_COLUMNS)}) {by_number(by_name)}"
    ).fetchone()[0]
    for table in ("etl_usage_in", KEYS, REFS, TOOL_REFS, SCHOOL_REFS, NAME_REFS):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return written


def distinct_names(con: duckdb.DuckDBPyConnection, select_sql: str, params: list | dict | None = None):
    """The distinct tools and schools of `select_sql` (two columns: tool, school)."""
    tools, schools = con.execute(
        f"SELECT list(DISTINCT t), list(DISTINCT s) FROM ({select_sql}) AS x(t, s)", params or []
    ).fetchone()
    return tools or [], schools or []


def upsert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str],
    select_sql: str,
    import_id: int,
    params: list | None = None,
    *,
    or_same: str | None = None,
) -> int:
    """Insert the rows of `select_sql` (columns in `columns` order) replacing same-key rows.
    `or_same`: SQL over a new row `n` and a stored row `t` that also makes them the same row (a
    benchmark assessment's term: BOY 2022-23 is one test whatever date an export gives it)."""
    assert table in NATURAL_KEYS
    key = NATURAL_KEYS[table]
    target_has_rows = con.execute(f"SELECT count(*) > 0 FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0]
    if not target_has_rows:
        return con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) {select_sql}", params or []
        ).fetchone()[0]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {NEW} AS SELECT * FROM ({select_sql}) AS n({', '.join(columns)})",
        params or [],
    )
    same_key = " AND ".join(
        [f"n.{k} IS NOT DISTINCT FROM t.{k}" for k in key]
        + [f"n.{k} IS NOT NULL" for k in IDENTIFYING.get(table, ())]
    )
    if or_same:
        same_key = f"({same_key}) OR ({or_same})"
    exists = f"EXISTS (SELECT 1 FROM {NEW} n WHERE {same_key})"
    con.execute(f"INSERT INTO {table}_superseded SELECT t.*, ? FROM {table} t WHERE {exists}", [import_id])
    con.execute(f"DELETE FROM {table} t WHERE {exists}")
    inserted = con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {NEW}"
    ).fetchone()[0]
    con.execute(f"DROP TABLE {NEW}")
    return inserted


def drop_unused_refs(con: duckdb.DuckDBPyConnection) -> None:
    """Delete the usage numbers of student keys no usage row refers to any more (after an undo or a
    purge): a key left behind says a student was once there. Unused tool and school names go too."""
    for table, ref in (
        ("student_refs", "student_ref"),
        ("usage_tools", "tool_ref"),
        ("usage_schools", "school_ref"),
    ):
        con.execute(
            f"DELETE FROM {table} x WHERE x.{ref} <> 0 "  # usage_schools' 0: no school
            f"AND NOT EXISTS (SELECT 1 FROM usage_rows f WHERE f.{ref} = x.{ref}) "
            f"AND NOT EXISTS (SELECT 1 FROM usage_rows_superseded f WHERE f.{ref} = x.{ref})"
        )


def undo_rows(con: duckdb.DuckDBPyConnection, import_id: int) -> tuple[int, int]:
    """Delete what an import wrote and put back what it had replaced: (rows removed, rows restored)."""
    removed = restored = 0
    for table in FACT_TABLES:
        removed += con.execute(f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id]).fetchone()[0]
        con.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])
        restored += con.execute(
            f"INSERT INTO {table} SELECT * EXCLUDE (superseded_by) FROM {table}_superseded "
            f"WHERE superseded_by = ?",
            [import_id],
        ).fetchone()[0]
        con.execute(f"DELETE FROM {table}_superseded WHERE superseded_by = ?", [import_id])
    drop_unused_refs(con)
    return removed, restored


def replaced_rows(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    """Stored rows of earlier imports that this import replaced (they wait in `<table>_superseded`)."""
    counts = " + ".join(
        f"(SELECT count(*) FROM {table}_superseded WHERE superseded_by = $id)" for table in FACT_TABLES
    )
    return con.execute(f"SELECT {counts}", {"id": import_id}).fetchone()[0]


def _valid_rows(valid: str, keys: str = KEYS) -> str:
    return f"FROM {STAGE} s JOIN {keys} k ON k.raw = s.student_id WHERE {valid}"


def load_usage_daily(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    valid: str,
    *,
    tool_sql: str,
    events: bool,
    fields: set[str],
) -> int:
    """One row per student, tool and day (into usage_facts, by student number). Event rows (lessons,
    logins) are summed; a daily layout with the same key twice keeps the later line."""

    def col(name: str, cast: str) -> str:
        return f"s.{name}" if name in fields else f"NULL::{cast}"

    attach_refs(con)
    minutes, sessions = col("minutes", "DOUBLE"), col("sessions", "BIGINT")
    school, grade = col("school", "VARCHAR"), col("grade", "INTEGER")
    tool = f"{tool_sql}"
    rows = _valid_rows(valid, REFS)
    attach_names(con, *distinct_names(con, f"SELECT {tool}, {school} {rows}"))
    if not events and not _has_duplicates(con, f"hash(k.student_ref, {tool}, s.usage_date)", valid, REFS):
        select = (
            f"SELECT k.student_ref, {tool}, s.usage_date, {minutes}, {sessions}::INTEGER, {school}, {grade}, "
            f"{import_id}::INTEGER {rows}"
        )
        select = by_number(select)
        if "minutes" not in fields:
            select = keep_earlier_minutes(select)
        return upsert(con, "usage_rows", USAGE_COLUMNS, select, import_id)
    if events:  # a login or lesson row without a count is one session
        measures = (
            f"sum({minutes}), sum(coalesce({sessions}, 1))::INTEGER, "
            f"arg_max({school}, s.rowid), arg_max({grade}, s.rowid)"
        )
    else:
        measures = (
            f"arg_max_null({minutes}, s.rowid), arg_max_null({sessions}, s.rowid)::INTEGER, "
            f"arg_max_null({school}, s.rowid), arg_max_null({grade}, s.rowid)"
        )
    select = by_number(
        f"SELECT k.student_ref, {tool} AS tool, s.usage_date, {measures}, {import_id}::INTEGER "
        f"{rows} GROUP BY k.student_ref, {tool}, s.usage_date"
    )
    if events or "minutes" not in fields:  # a login report's blank Duration says nothing either
        select = keep_earlier_minutes(select)
    return upsert(con, "usage_rows", USAGE_COLUMNS, select, import_id)


def keep_earlier_minutes(select: str) -> str:
    """A file without minutes for a day (an SSO login report, or lessons and logins whose time cells
    are all blank) replaces the day's row but keeps the minutes an earlier import stored for it
    (i-Ready's lessons): logins say nothing about time spent. `select` gives `USAGE_COLUMNS`."""
    return (
        f"SELECT n.student_ref, n.tool_ref, n.usage_date, coalesce(n.minutes, f.minutes), n.sessions, "
        f"n.school_ref, n.grade, n.import_id FROM ({select}) AS n({', '.join(USAGE_COLUMNS)}) "
        "LEFT JOIN usage_rows f ON f.student_ref = n.student_ref AND f.tool_ref = n.tool_ref "
        "AND f.usage_date = n.usage_date"
    )


def load_usage_summary(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    valid: str,
    *,
    tool_sql: str,
    fields: set[str],
    subject: str | None = None,
    default_period: str = "",
) -> int:
    """One row per student, tool, subject and period; `subject` names it when the file does not, and
    `default_period` when a row has no period (IXL's progress report is the school year so far: the
    runner gives the school year of the import, so next year's export does not replace this year's)."""
    measures = list(SUMMARY_MEASURES)
    parts = [f"arg_max_null(s.{m}, s.rowid)" if m in fields else "NULL" for m in measures]
    given = "'" + (subject or "").replace("'", "''") + "'"
    subject = f"coalesce(s.subject, {given})" if "subject" in fields else given
    default = "'" + default_period.replace("'", "''") + "'"
    period = f"coalesce({cleaning.school_year_sql('s.period')}, {default})" if "period" in fields else default
    school = "arg_max_null(s.school, s.rowid)" if "school" in fields else "NULL"
    grade = "arg_max_null(s.grade, s.rowid)" if "grade" in fields else "NULL"
    select = (
        f"SELECT k.student_key, {tool_sql}, {subject}, {period}, current_date, {', '.join(parts)}, "
        f"{school}, {grade}, {import_id}::INTEGER {_valid_rows(valid)} "
        f"GROUP BY k.student_key, {tool_sql}, {subject}, {period}"
    )
    columns = [
        "student_key",
        "tool",
        "subject",
        "period",
        "as_of_date",
        *measures,
        "school",
        "grade",
        "import_id",
    ]
    upserted = upsert(con, "usage_summary", columns, select, import_id)
    return upserted


def load_assessments(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    valid: str,
    *,
    assessment_sql: str,
    subject_sql: str,
    date_sql: str,
    term_sql: str,
    fields: set[str],
    by_term: bool = False,
) -> int:
    """`by_term`: a benchmark assessment (mCLASS BOY/MOY/EOY, IAR spring): one result per student,
    subject and term, whatever its date; the file's later line, or a later import, replaces it."""
    percentile = "arg_max_null(s.percentile, s.rowid)" if "percentile" in fields else "NULL"
    school = "arg_max_null(s.school, s.rowid)" if "school" in fields else "NULL"
    grade = "arg_max_null(s.grade, s.rowid)" if "grade" in fields else "NULL"
    if by_term:  # a row without a term is keyed by its date, as any other assessment
        term, test_date = term_sql, f"arg_max_null({date_sql}, s.rowid)"
        group = f"coalesce({term_sql}, ({date_sql})::VARCHAR)"
    else:
        term, test_date, group = f"arg_max_null({term_sql}, s.rowid)", date_sql, date_sql
    select = (
        f"SELECT k.student_key, {assessment_sql}, {subject_sql}, {term}, {test_date}, "
        f"arg_max_null(s.scale_score, s.rowid), {percentile}, {grade}, {school}, {import_id}::INTEGER "
        f"{_valid_rows(valid)} GROUP BY k.student_key, {assessment_sql}, {subject_sql}, {group}"
        + (f", {term_sql}" if by_term else "")
    )
    columns = [
        "student_key",
        "assessment",
        "subject",
        "term",
        "test_date",
        "scale_score",
        "percentile",
        "grade",
        "school",
        "import_id",
    ]
    or_same = (
        " AND ".join(f"n.{k} = t.{k}" for k in ("student_key", "assessment", "subject", "term"))
        if by_term
        else None
    )
    return upsert(con, "assessment_results", columns, select, import_id, or_same=or_same)


def answer_key(answer: str) -> str:
    """SQL: an answer as scales are matched: lower case, spaces trimmed and collapsed ('Very  satisfied')."""
    return f"lower(regexp_replace(trim({answer}), '\\s+', ' ', 'g'))"


def likert_sql(answer: str, scale: str) -> str:
    """The score of `answer` on the question's Likert `scale` (SQL naming a scale of
    formats.LIKERT_SCALES, 'numbers' for a question answered 1-5 only, or NULL: not scored)."""
    cases = " ".join(
        f"WHEN {scale} = '{name}' AND {answer_key(answer)} = '{word}' THEN {score}"
        for name, words in LIKERT_SCALES.items()
        for word, score in words.items()
    )
    number = cleaning.as_number(f"trim({answer})")
    return (
        f"CASE {cases} WHEN {scale} IS NOT NULL AND {number} BETWEEN 1 AND 5 AND {number} = floor({number}) "
        f"THEN {number} END"
    )


def load_feedback(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    valid: str,
    *,
    tool: str,
    questions: dict[int, str],
    fields: set[str],
    scales: dict[int, str | None] | None = None,
) -> int:
    """One row per response and question; respondent e-mails are stored only as keyed hashes.
    `scales` names each question's Likert scale (see `likert_sql`); a question without one gets no
    scores."""
    scales = scales or {}
    submitted = "s.submitted_at" if "submitted_at" in fields else "NULL::TIMESTAMP"
    respondent = "k.student_key" if "respondent" in fields else "NULL"
    join = (
        f"FROM {STAGE} s LEFT JOIN {KEYS} k ON k.raw = lower(trim(s.respondent))"
        if "respondent" in fields
        else f"FROM {STAGE} s"
    )
    if not questions:
        return 0
    # One scan, one row per answer: a UNION ALL per question ran out of memory at 200 questions.
    answers = ", ".join(
        f"struct_pack(question := ${i}::VARCHAR, answer := left(s.q{pos}, {TEXT_LIMIT}), "
        f"scale := {_sql_text(scales.get(pos))})"
        for i, pos in enumerate(questions, start=2)
    )
    select = (
        f"SELECT $1::VARCHAR, submitted_at, respondent_key, a.question, a.answer, "
        f"{likert_sql('a.answer', 'a.scale')}, "
        f"{import_id}::INTEGER FROM (SELECT {submitted} AS submitted_at, {respondent} AS respondent_key, "
        f"unnest([{answers}]) AS a {join} WHERE {valid}) WHERE a.answer IS NOT NULL"
    )
    columns = ["tool", "submitted_at", "respondent_key", "question", "answer", "score", "import_id"]
    # A known respondent's answer whose time Excel destroyed is that person's answer to the question:
    # a cumulative export imported again replaces it instead of storing it twice (an anonymous one
    # names no one and replaces nothing: IDENTIFYING)
    same_person = (
        "n.submitted_at IS NULL AND t.submitted_at IS NULL AND n.tool = t.tool "
        "AND n.respondent_key = t.respondent_key AND n.question = t.question"
    )
    return upsert(
        con,
        "feedback_responses",
        columns,
        select,
        import_id,
        [tool, *questions.values()],
        or_same=same_person,
    )


def _has_duplicates(con: duckdb.DuckDBPyConnection, key_hash: str, valid: str, keys: str = KEYS) -> bool:
    """Whether two valid rows share a natural key. Hashing to one integer keeps this cheap on 10M
    rows; a hash collision only sends the import down the (exact) grouping path."""
    total, distinct = con.execute(
        f"SELECT count(*), count(DISTINCT {key_hash}) {_valid_rows(valid, keys)}"
    ).fetchone()
    return total != distinct


def _sql_text(value: str | None) -> str:
    return "NULL::VARCHAR" if value is None else "'" + value.replace("'", "''") + "'"


# Where a tool's name is already spelt: the catalog first, then usage and feedback stored earlier.
# One tool must not split into two ('mathquest', 'ShadowTube' and 'SHADOWTUBE') that the pages, the
# vetting view and the upsert's natural key would count apart.
KNOWN_TOOL_SPELLINGS = """
    SELECT lower(name) AS k, min(name) AS spelling, 0 AS rank FROM products GROUP BY 1
    UNION ALL
    SELECT lower(tool), min(tool), 1 FROM (
        SELECT tool FROM usage_tools WHERE tool_ref IN (SELECT DISTINCT tool_ref FROM usage_rows {other})
        UNION SELECT DISTINCT tool FROM usage_summary {other}
        UNION SELECT DISTINCT tool FROM feedback_responses {other}
    ) GROUP BY 1"""


def known_spellings_sql(exclude_import: bool = False) -> str:
    """SQL (k, spelling, rank) of tool names already spelt; `exclude_import`: leave out the rows of
    the import `$import_id` (the fast lane asks after writing its own)."""
    other = "WHERE import_id <> $import_id" if exclude_import else ""
    return KNOWN_TOOL_SPELLINGS.format(other=other)


def chosen_spellings_sql(more: str | None = None, *, exclude_import: bool = False) -> str:
    """SQL (k, spelling): the one spelling of each tool name, the lowest `rank` of
    `known_spellings_sql` and `more` (further (k, spelling, rank) candidates, such as a file's own)."""
    candidates = known_spellings_sql(exclude_import) + (f" UNION ALL {more}" if more else "")
    return f"SELECT k, arg_min(spelling, rank) AS spelling FROM ({candidates}) GROUP BY k"
