"""One import, start to finish: refuse or stage, validate, write in ONE transaction, log it.

Why one module: the CLI (`python -m etl`) and the Import page run exactly this code. It never imports
streamlit. Refusals raise `FileRefused` (nothing written) or `UsageProblem` (the caller asked for
something impossible); everything else ends with an `ImportOutcome`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path

import duckdb

from db import repo
from db.connection import transaction
from etl import cleaning, fastpath, importlog, loaders, staging, surveys
from etl.formats import MINUTES_PER_DAY, PROFILES, SESSIONS_PER_DAY, SUBJECTS
from etl.keys import KEYS, build_keys
from etl.profiles import FormatProfile, detect, norm_header
from etl.source import FileRefused, SourceFile, open_source
from models.errors import DomainError
from models.imports import ImportOutcome, ImportRequest
from models.people import Actor

Progress = Callable[[str, float], None]
BIG_IMPORT_ROWS = 1_000_000


class UsageProblem(DomainError):
    """The request cannot work as asked (e.g. a usage file without a tool column and no --tool)."""


def _noop(step: str, fraction: float) -> None:
    return None


def find_previous(
    con: duckdb.DuckDBPyConnection, fingerprint: str, kind: str, format_name: str | None = None
) -> dict | None:
    """The import of the same file (bytes and kind; and format, when given) that still stands. One
    file may be read with two formats on purpose: an IXL export with Math and ELA columns."""
    return repo.fetch_one(
        con,
        "SELECT * FROM import_log WHERE file_sha256 = $sha AND kind = $kind AND status = 'imported' "
        "AND ($format::VARCHAR IS NULL OR format = $format) ORDER BY import_id DESC LIMIT 1",
        {"sha": fingerprint, "kind": kind, "format": format_name},
    )


def same_choices(previous: dict, req: ImportRequest) -> bool:
    """The earlier import of these bytes read them as this request asks: a --tool or --subject given
    now that differs from the earlier one is a new reading of the file (say, after every row was
    rejected for a missing subject), not a repeat. Without one, the earlier reading stands."""
    if req.tool and " ".join(req.tool.split()).lower() != (previous.get("tool") or "").lower():
        return False
    return not (req.subject and cleaning.subject_name(req.subject, SUBJECTS) != previous.get("subject"))


def already_outcome(row: dict, file_name: str | None = None) -> ImportOutcome:
    """`file_name`: the name the file has now, when a renamed copy of an imported file is given."""
    same = row["file_name"]
    if file_name and file_name != row["file_name"]:
        same = f"{file_name} is the same file as {row['file_name']}, which"
    return ImportOutcome(
        kind=row["kind"],
        format=row["format"],
        file_name=row["file_name"],
        import_id=row["import_id"],
        rows_read=row["rows_read"],
        rows_imported=row["rows_imported"],
        rows_rejected=row["rows_rejected"],
        rows_warned=row.get("rows_warned") or 0,
        already_imported=True,
        message=f"{same} was already imported (import #{row['import_id']}); nothing changed.",
    )


def subject_from_name(file_name: str) -> str | None:
    """'star_math_fall.csv' -> 'Math' when exactly one subject word is in the name."""
    words = set(re.split(r"[^a-z/]+", Path(file_name).stem.lower())) - {"", "e", "m"}
    found = {SUBJECTS[w] for w in words if w in SUBJECTS}
    return found.pop() if len(found) == 1 else None


def tool_spelling(con: duckdb.DuckDBPyConnection, tool: str | None) -> str | None:
    """The spelling a tool already has ('mathquest' -> the catalog's 'MathQuest'), else as given."""
    if not tool:
        return tool
    found = con.execute(
        f"SELECT spelling FROM ({loaders.chosen_spellings_sql()}) WHERE k = lower(?)", [tool]
    ).fetchone()
    return found[0] if found else tool


def _named_tool_warnings(con: duckdb.DuckDBPyConnection, tool: str, *, file_names_tools: bool) -> list[str]:
    """What to say about a --tool: that a file naming its own tools only takes it for blank cells,
    and that a name not in the catalog becomes a tool not vetted ('MathQeust' was stored as a shadow
    tool without a word), with the catalog's nearest name."""
    out = []
    if file_names_tools:
        out.append(
            f"The file names its tools in its own column: '{tool}' (--tool) was used only for rows whose tool "
            "cell is blank."
        )
    names = [r[0] for r in con.execute("SELECT DISTINCT name FROM products").fetchall()]
    if names and tool.lower() not in {n.lower() for n in names}:
        near = difflib.get_close_matches(tool.lower(), [n.lower() for n in names], n=1, cutoff=0.75)
        hint = next((f" Did you mean {n}?" for n in names if near and n.lower() == near[0]), "")
        out.append(f"'{tool}' is not in the catalog, so its usage is listed as a tool not vetted.{hint}")
    return out


def respell_staged_tools(con: duckdb.DuckDBPyConnection) -> None:
    """Give every staged tool name one spelling: the catalog's, else one stored before, else the
    file's own (a mixed-case spelling first, then the most used, then the first in order)."""
    file_spellings = (
        "SELECT lower(tool), first(tool ORDER BY tool IN (lower(tool), upper(tool)), n DESC, tool), 2 "
        f"FROM (SELECT tool, count(*) AS n FROM {staging.STAGE} WHERE tool IS NOT NULL GROUP BY tool) GROUP BY 1"
    )
    con.execute(
        f"""UPDATE {staging.STAGE} SET tool = pick.spelling FROM ({loaders.chosen_spellings_sql(file_spellings)}) pick
        WHERE lower({staging.STAGE}.tool) = pick.k AND {staging.STAGE}.tool <> pick.spelling"""
    )


def tool_from_name(con: duckdb.DuckDBPyConnection, file_name: str) -> str | None:
    """A catalog product whose name appears in the file name ('mathquest_survey.csv' -> MathQuest)."""
    stem = re.sub(r"[^a-z0-9]", "", Path(file_name).stem.lower())
    names = [r[0] for r in con.execute("SELECT DISTINCT name FROM products").fetchall()]
    found = [
        n
        for n in names
        if len(re.sub(r"[^a-z0-9]", "", n.lower())) >= 3 and re.sub(r"[^a-z0-9]", "", n.lower()) in stem
    ]
    return found[0] if len(found) == 1 else None


def school_year_from_name(file_name: str) -> str | None:
    """'IAR_2025-26.csv', 'IAR 2025-2026.csv' -> '2025-26'; 'iar spring 2026.csv' -> '2025-26' (a
    lone year is the year the school year ends, as in a School Year column); None when no year, more
    than one, or a date ('export_2026-03-15.csv' names the day of the export, not a school year)."""
    stem = re.sub(r"(?<!\d)20\d{2}[-_.]?[01]\d[-_.]?[0-3]\d(?!\d)", " ", Path(file_name).stem)  # dates
    spans = [
        (int(a), b)
        for a, b in re.findall(r"(?<!\d)(20\d{2})\s*[-_]\s*((?:20)?\d{2})(?!\d)", stem)
        if int(b[-2:]) == (int(a) + 1) % 100  # consecutive years: 2025-26, 2025-2026
    ]
    if len(spans) == 1:
        return f"{spans[0][0]}-{(spans[0][0] + 1) % 100:02d}"  # one spelling: 2025-26
    if spans:
        return None
    years = set(re.findall(r"(?<!\d)(20\d{2})(?!\d)", stem))
    if len(years) != 1:
        return None
    end = int(years.pop())
    return f"{end - 1}-{end % 100:02d}"


# Seasons some exports write for mCLASS's benchmark periods
PERIOD_SEASONS = {"FALL": "BOY", "WINTER": "MOY", "SPRING": "EOY"}


def period_code_sql(profile: FormatProfile) -> str:
    """SQL: the row's benchmark period as the profile's code ('BOY', 'S'), NULL when it is none of
    them. A code may be written whole or as its start ('Spring' is S), by its words' initials
    ('Beginning of Year' is BOY), or as a season ('Fall' is BOY where BOY is a code)."""
    period = "upper(trim(period))"
    initials = f"array_to_string(list_transform(string_split_regex({period}, '\\s+'), lambda w: w[1]), '')"
    cases = [
        f"WHEN starts_with({period}, '{code}') OR {initials} = '{code}' THEN '{code}'"
        for code in profile.period_dates
    ]
    cases += [
        f"WHEN starts_with({period}, '{season}') THEN '{code}'"
        for season, code in PERIOD_SEASONS.items()
        if code in profile.period_dates
    ]
    return f"CASE {' '.join(cases)} END"


def _test_date_sql(profile: FormatProfile, fields: set[str], school_year: str = "school_year") -> str:
    """The test date, else one derived from school year + period (mCLASS BOY/MOY/EOY, IAR S/F).
    `school_year` is the column, or a literal taken from the file name."""
    given = "test_date" if "test_date" in fields else "NULL::DATE"
    if "test_date_fallback" in fields:  # Star's data feed: CompletedDateLocal, else CompletedDate
        given = (
            f"CASE WHEN {cleaning.date_in_range(given)} THEN {given} "
            f"WHEN {cleaning.date_in_range('test_date_fallback')} THEN test_date_fallback END"
        )
    if (
        not profile.period_dates
        or "period" not in fields
        or (school_year == "school_year" and "school_year" not in fields)
    ):
        return given
    years = f"regexp_extract_all({school_year}, '\\d{{4}}')"
    two = f"regexp_matches({school_year}, '\\d{{4}}\\s*[-/]\\s*\\d{{2}}')"
    start = (
        f"(CASE WHEN {two} THEN try_cast({years}[1] AS INTEGER) ELSE try_cast({years}[1] AS INTEGER) - 1 END)"
    )
    cases = " ".join(
        f"WHEN '{code}' THEN make_date({start} + {1 if part == 'end' else 0}, {m}, {d})"
        for code, (part, m, d) in profile.period_dates.items()
    )
    return f"coalesce({given}, CASE {period_code_sql(profile)} {cases} END)"


def _file_subject(req: ImportRequest, profile: FormatProfile, src: SourceFile) -> str | None:
    """The subject of rows whose file does not say it: the format's own (mCLASS DIBELS 8 is Reading,
    an IXL Math export is Math), else the one typed (by its one name: 'ela' is Reading), else one named
    in the file name. A typed subject the format overrides is said to be unused."""
    given = cleaning.subject_name(req.subject, SUBJECTS) if req.subject else None
    fixed = profile.constants.get("subject")
    if fixed and given and given != fixed:
        src.warnings.append(f"{profile.label} is {fixed}; the subject {given} given was not used.")
    return fixed or given or subject_from_name(req.display_name)


def _assessment_sql(profile: FormatProfile, fields: set[str]) -> str:
    """The assessment of each row: the profile's, or a variant on its own scale named in the row's
    subject cell (`FormatProfile.assessment_variants`)."""
    name = _quote(profile.constants["assessment"])
    if not profile.assessment_variants or "variant" not in fields:
        return name
    cases = " ".join(
        f"WHEN contains(lower(s.variant), {_quote(word)}) THEN {_quote(variant)}"
        for word, variant in profile.assessment_variants.items()
    )
    return f"CASE {cases} ELSE {name} END"


# What makes two lesson lines the same line: a retake has another score (or result) and counts again
LESSON_LINE = ("student_id", "usage_date", "lesson", "minutes", "lesson_score", "lesson_passed")


def _day_total_check(
    con: duckdb.DuckDBPyConnection,
    secret: bytes,
    checks: list[staging.Check],
    tool_sql: str,
    fields: set[str],
) -> staging.Check:
    """Lessons or logins summed into one day may not pass what one day holds (1440 minutes, 500
    sessions): each row passed its own range check, but the sum broke usage_rows' CHECK and refused
    the whole file. The rows of such a day are rejected; the rest imports. Days are grouped by the
    student's key, as the load sums them ('0710002' and '710002' are one student)."""
    minutes = "s.minutes" if "minutes" in fields else "NULL::DOUBLE"
    sessions = "s.sessions" if "sessions" in fields else "NULL::BIGINT"
    build_keys(con, secret, f"SELECT DISTINCT student_id FROM {staging.STAGE}")  # all ids; rebuilt later
    con.execute(f"ALTER TABLE {staging.STAGE} ADD COLUMN __day_over BOOLEAN DEFAULT false")
    con.execute(  # over the rows that pass every other check (an out-of-range row is rejected on its own)
        f"""UPDATE {staging.STAGE} SET __day_over = true WHERE rowid IN (
            SELECT s.rowid FROM {staging.STAGE} s JOIN {KEYS} k ON k.raw = s.student_id
            JOIN (SELECT k.student_key, {tool_sql} AS t, s.usage_date FROM {staging.STAGE} s
                  JOIN {KEYS} k ON k.raw = s.student_id
                  WHERE s.rowid IN (SELECT rowid FROM {staging.STAGE} WHERE {staging.valid_condition(checks)})
                  GROUP BY ALL HAVING sum({minutes}) > {MINUTES_PER_DAY}
                     OR sum(coalesce({sessions}, 1)) > {SESSIONS_PER_DAY}) o
              ON o.student_key = k.student_key AND o.t = {tool_sql} AND o.usage_date = s.usage_date)"""
    )
    return staging.Check(
        "rejected",
        "day total",
        f"the day's rows add up to more than {MINUTES_PER_DAY:.0f} minutes or {SESSIONS_PER_DAY:.0f} sessions",
        "__day_over",
        "NULL",
    )


def _no_measure_check(
    profile: FormatProfile, resolved: dict[str, int], header: list[str]
) -> staging.Check | None:
    """Rejects a daily usage row with neither minutes nor sessions (`staging.no_measure_condition`)."""
    condition = staging.no_measure_condition(profile, resolved)
    if condition is None:
        return None
    if profile.target == "usage_summary":
        return staging.Check("rejected", "(row)", "no activity: every measure is blank", condition, "NULL")
    measures = [f for f in ("minutes", "sessions") if f in resolved]
    label = " / ".join(profile.columns[f].label or header[resolved[f]] for f in measures)
    return staging.Check("rejected", label, "no minutes and no sessions", condition, "NULL")


def _run_file(
    con: duckdb.DuckDBPyConnection,
    secret: bytes,
    req: ImportRequest,
    src: SourceFile,
    actor: Actor | None,
    progress: Progress,
) -> ImportOutcome:
    found = detect(PROFILES, req.kind, src.header, req.format)
    if found.profile is None:
        raise FileRefused(f"{req.display_name}: {found.problem}")
    profile = found.profile
    previous = find_previous(con, src.fingerprint, req.kind, profile.name)
    if previous and same_choices(previous, req):
        return already_outcome(previous, req.display_name)
    resolved = profile.resolve(src.header)
    fields = set(resolved)
    src.warnings.extend(_repeated_header_warnings(src.header, resolved))
    tool = req.tool or profile.constants.get("tool")
    if req.kind in ("usage", "feedback") and "tool" not in fields and not tool:
        tool = tool_from_name(con, req.display_name)
        if not tool:
            raise UsageProblem(
                f"{req.display_name}: the file has no tool column; name the tool (--tool, or Tool on the "
                "Import page)."
            )
    extra: dict[str, int] = {}
    if profile.target == "feedback_responses":
        excluded = {h.lower() for h in profile.question_exclude}
        extra = {
            i: h
            for i, h in enumerate(src.header)
            if i not in resolved.values()
            and h.strip()
            and h.lower() not in excluded
            and not h.lower().startswith("points -")
            and not h.lower().startswith("feedback -")
        }
        personal = {i: h for i, h in extra.items() if surveys.asks_for_identity(h)}
        extra = {i: h for i, h in extra.items() if i not in personal}
        for question in personal.values():
            src.warnings.append(
                f"The question '{question[:80]}' asks who the respondent is; its answers were not stored."
            )
        if not extra:
            raise FileRefused(f"{req.display_name}: the survey has no question columns.")
    tool = tool_spelling(con, tool)
    if req.tool:
        src.warnings.extend(_named_tool_warnings(con, tool, file_names_tools="tool" in fields))
    tool_sql = f"coalesce(tool, {_quote(tool)})" if "tool" in fields else _quote(tool)
    number = importlog.ImportNumber(con)  # the one number of this file's import, whichever lane writes
    if profile.target == "usage_daily" and profile.rows == "daily":
        fast = fastpath.try_import(
            con,
            secret,
            req,
            src,
            profile,
            resolved,
            tool=tool,
            tool_sql=tool_sql,
            actor=actor,
            progress=progress,
            number=number,
        )
        if fast is not None:
            return fast
    progress("reading", 0.1)
    checks = None if extra else staging.try_fast_stage(con, src, profile, resolved)
    if checks is None:
        checks = staging.build_stage(con, src, profile, resolved, extra={i: i for i in extra})
    staging.mark_shifted_rows(con, src)
    if extra:
        for pos in surveys.identity_answers(con, extra):
            src.warnings.append(
                f"The answers to '{extra.pop(pos)[:80]}' look like e-mail addresses or ids; they were not stored."
            )
        if not extra:
            raise FileRefused(f"{req.display_name}: the survey has no question columns left to store.")
    if tool:  # a named tool fills blank tool cells, so they are not missing
        checks = [c for c in checks if c.condition != "tool IS NULL"]
    if "tool" in fields:  # 'mathquest' is the catalog's MathQuest: one spelling, so one tool
        respell_staged_tools(con)
    no_measure = _no_measure_check(profile, resolved, src.header)
    if no_measure:
        checks.append(no_measure)
    if profile.rows == "events":
        if "lesson" in fields:  # the same lesson line twice is one lesson, not two (a doubled export line)
            con.execute(f"ALTER TABLE {staging.STAGE} ADD COLUMN __repeat BOOLEAN DEFAULT false")
            con.execute(
                f"UPDATE {staging.STAGE} SET __repeat = true WHERE rowid IN (SELECT rowid FROM (SELECT rowid, "
                f"row_number() OVER (PARTITION BY {', '.join(f for f in LESSON_LINE if f in fields)} "
                "ORDER BY rowid) AS n "
                f"FROM {staging.STAGE} WHERE lesson IS NOT NULL AND NOT __blank) WHERE n > 1)"
            )
            checks.append(
                staging.Check(
                    "rejected",
                    "(row)",
                    "the same lesson as an earlier line (counted once)",
                    "__repeat",
                    "NULL",
                )
            )
        checks.append(_day_total_check(con, secret, checks, tool_sql, fields))
    read = staging.rows_read(con)
    if read == 0:
        raise FileRefused(
            f"{req.display_name}: the file has a header but no data rows; nothing was imported."
        )
    subject_sql = date_sql = term_sql = "NULL"
    by_term = False  # a benchmark assessment: one result per student, subject and term (load_assessments)
    summary_subject = None
    if profile.target == "usage_summary":  # i-Ready's year-to-date report has no Subject column
        summary_subject = _file_subject(req, profile, src)
        if "subject" in fields and not summary_subject:  # a blank Subject cell names nothing
            checks.append(staging.Check("rejected", "subject", "missing subject", "subject IS NULL", "NULL"))
        if "subject" not in fields and not summary_subject:
            raise UsageProblem(
                f"{req.display_name}: the file does not say the subject (a Math and a Reading export would "
                "replace each other); give it (--subject, or Subject on the Import page)."
            )
    if profile.target == "assessment_results":
        subject = _file_subject(req, profile, src)
        if "subject" not in fields and not subject:
            raise UsageProblem(
                f"{req.display_name}: the file does not say the subject; give it (--subject, or Subject on "
                "the Import page)."
            )
        # --subject names the subject of a file that does not carry one; it never relabels the
        # file's own subjects (it only fills blank cells)
        subject_sql = _quote(subject) if "subject" not in fields else f"coalesce(subject, {_quote(subject)})"
        year_sql = "school_year"
        if profile.period_dates and "period" in fields and not {"school_year", "test_date"} & fields:
            year = school_year_from_name(req.display_name)
            if year is None:
                raise UsageProblem(
                    f"{req.display_name}: the file has no test date and no school year; put the school "
                    "year in the file name (for example IAR_2025-26.csv) or add a School Year column."
                )
            year_sql = _quote(year)
            src.warnings.append(f"School year {year} taken from the file name.")
        date_sql = _test_date_sql(profile, fields, year_sql)
        if "term" in fields:
            term_sql = "term"
        elif "period" in fields and (year_sql != "school_year" or "school_year" in fields):
            # one spelling per term ('S', 'Spring' and 'SPRING 2023-24' were three terms of one test)
            code = period_code_sql(profile) if profile.period_dates else "upper(trim(period))"
            term_sql = f"{code} || ' ' || {cleaning.school_year_sql(year_sql)}"
        else:
            term_sql = "NULL"
        by_term = bool(profile.period_dates) and term_sql != "NULL"
        date_spec = profile.columns.get("test_date")
        unknown_period = None
        if profile.period_dates and "period" in fields:
            codes = ", ".join(profile.period_dates)
            unknown_period = f"period IS NOT NULL AND ({period_code_sql(profile)}) IS NULL"
            checks.append(
                staging.Check(
                    "rejected",
                    src.header[resolved["period"]],
                    f"not a test period this format knows ({codes})",
                    unknown_period,
                    "period",
                )
            )
        if not (date_spec and date_spec.required and "test_date" in fields):  # else staging checks it
            checks.append(
                staging.Check(
                    "rejected",
                    "test date",
                    "no test date (nor school year and period)" if profile.period_dates else "no test date",
                    f"({date_sql}) IS NULL" + (f" AND NOT ({unknown_period})" if unknown_period else ""),
                    "NULL",
                )
            )
        checks.append(
            staging.Check("rejected", "subject", "missing subject", f"({subject_sql}) IS NULL", "NULL")
        )
    progress("validating", 0.5)
    # Microsoft Forms writes "anonymous" for every unnamed respondent: that is nobody, not one person
    id_column = (
        "nullif(lower(trim(respondent)), 'anonymous')"
        if profile.target == "feedback_responses"
        else "student_id"
    )
    valid = staging.valid_condition(checks)
    if "student_id" in fields or "respondent" in fields:
        build_keys(con, secret, f"SELECT DISTINCT {id_column} FROM {staging.STAGE} WHERE {valid}")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {KEYS} (raw VARCHAR, student_key VARCHAR)")
    con.execute("SET preserve_insertion_order = false")  # staged lines are numbered; the load needs no order
    if read >= BIG_IMPORT_ROWS:
        # Student keys are random hex: DuckDB's compression analysis (trying dictionary, FSST, ...) costs
        # more than the write itself on millions of rows; FSST alone is the cheap, still-compressed choice.
        con.execute("SET force_compression = 'fsst'")
    with transaction(con):
        import_id = importlog.open_entry(
            con,
            kind=req.kind,
            format=profile.name,
            file_name=req.display_name,
            fingerprint=src.fingerprint,
            tool=tool,
            subject=cleaning.subject_name(req.subject, SUBJECTS) if req.subject else None,
            actor=actor,
            import_id=number.get(),
        )
        rejected, warned = staging.record_checks(con, import_id, checks, src)
        repeats = (
            con.execute(f"SELECT count(*) FROM {staging.STAGE} WHERE __repeat AND NOT __blank").fetchone()[0]
            if profile.rows == "events" and "lesson" in fields  # the column added above
            else 0
        )
        progress("writing", 0.7)
        written = None  # rows stored, one per natural key, where a file's later line replaces an earlier
        if profile.target == "usage_daily":
            written = loaders.load_usage_daily(
                con, import_id, valid, tool_sql=tool_sql, events=profile.rows == "events", fields=fields
            )
            written = None if profile.rows == "events" else written  # lesson events are summed per day
        elif profile.target == "usage_summary":
            # the school year of the import day, by DuckDB's clock (which dates the rows' as_of_date)
            this_year = con.execute(f"SELECT {cleaning.school_year_of_sql('current_date')}").fetchone()[0]
            written = loaders.load_usage_summary(
                con,
                import_id,
                valid,
                tool_sql=tool_sql,
                fields=fields,
                subject=summary_subject,
                default_period=this_year,
            )
            undated = (
                con.execute(
                    f"SELECT count(*) FROM {staging.STAGE} WHERE {valid} AND period IS NULL"
                ).fetchone()[0]
                if "period" in fields
                else None
            )
            if undated is None:
                src.warnings.append(
                    f"The file names no school year: its totals are stored as {this_year}, the school "
                    "year of today's import."
                )
            elif undated:
                src.warnings.append(
                    f"{undated} row(s) name no school year: their totals are stored as {this_year}, the "
                    "school year of today's import."
                )
        elif profile.target == "assessment_results":
            written = loaders.load_assessments(
                con,
                import_id,
                valid,
                assessment_sql=_assessment_sql(profile, fields),
                subject_sql=subject_sql,
                date_sql=date_sql,
                term_sql=term_sql,
                fields=fields,
                by_term=by_term,
            )
        else:
            scales = surveys.question_scales(con, valid, extra)
            loaders.load_feedback(
                con, import_id, valid, tool=tool or "", questions=extra, fields=fields, scales=scales
            )
            src.warnings.extend(surveys.answer_warnings(con, valid, extra, scales))
        imported = read - rejected  # source rows; events summed per day still count one each
        if written is not None and written < imported:
            src.warnings.append(_repeated_rows_warning(profile, imported - written, by_term=by_term))
        notes = " ".join(src.warnings) or None
        importlog.finish_entry(
            con, import_id, read=read, imported=imported, rejected=rejected, warned=warned, notes=notes
        )
    progress("done", 1.0)
    unrostered = importlog.unrostered_warning(con) if req.kind == "usage" else None
    return importlog.imported_outcome(
        req,
        profile,
        import_id,
        read=read,
        imported=imported,
        rejected=rejected,
        warned=warned,
        warnings=[*src.warnings, *([unrostered] if unrostered else [])],
        replaced=loaders.replaced_rows(con, import_id),
        repeats=repeats,
        stored=written,
    )


def _repeated_header_warnings(header: list[str], resolved: dict[str, int]) -> list[str]:
    """A column the import reads whose name the header repeats (`source.parse_header` names the
    repeats `<name>_2`, ...): the first is read, and the file may hold the values in another. IAR's
    repeated FillerField is never read, so it is not named."""
    out = []
    for pos in sorted(set(resolved.values())):
        repeat = re.compile(re.escape(norm_header(header[pos])) + r"( \d+)?")  # norm_header: '_2' is ' 2'
        same = [i + 1 for i, h in enumerate(header) if repeat.fullmatch(norm_header(h))]
        if len(same) > 1:
            columns = ", ".join(str(i) for i in same)
            out.append(
                f"The header names '{header[pos]}' {len(same)} times (columns {columns}): only the first is "
                "read. If the values are in another, rename the columns and import the file again."
            )
    return out


def _repeated_rows_warning(profile: FormatProfile, repeated: int, *, by_term: bool = False) -> str:
    """Rows of the file that a later row with the same natural key replaced (`loaders.NATURAL_KEYS`;
    a benchmark assessment's term, `loaders.load_assessments`)."""
    key = {
        "usage_daily": "student, tool and day",
        "usage_summary": "student, tool, subject and period",
        "assessment_results": f"student, assessment, subject and {'term' if by_term else 'test date'}",
    }[profile.target]
    rows = "row repeats" if repeated == 1 else "rows repeat"
    return f"{repeated} {rows} the {key} of a later row; the later row was kept."


def _quote(value: str | None) -> str:
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


def cleanup(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("RESET preserve_insertion_order")
    con.execute("RESET force_compression")
    for table in (
        staging.STAGE,
        KEYS,
        loaders.NEW,
        loaders.REFS,
        loaders.TOOL_REFS,
        loaders.SCHOOL_REFS,
        loaders.NAME_REFS,
    ):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def run_import(
    con: duckdb.DuckDBPyConnection,
    secret: bytes,
    req: ImportRequest,
    *,
    actor: Actor | None = None,
    progress: Progress = _noop,
) -> ImportOutcome:
    """Import one file (or, for rosters, a OneRoster folder or zip).

    Two imports in one app process can write at the same moment (two people on the Import page);
    DuckDB then refuses the second COMMIT (e.g. both numbered a new student alike) and nothing of it
    is stored. That import runs once more, now seeing the other's rows, before giving up."""
    try:
        return _run_once(con, secret, req, actor=actor, progress=progress)
    except duckdb.TransactionException:
        pass  # the other import's COMMIT won; run once more, now seeing its rows
    try:
        return _run_once(con, secret, req, actor=actor, progress=progress)
    except duckdb.TransactionException as exc:
        raise ImportConflict(
            f"{req.display_name}: another import was writing at the same moment, so this one "
            "could not be stored; nothing was imported. Run it again."
        ) from exc


class ImportConflict(DomainError):
    """Another import's commit won; nothing of this one was stored."""


def _run_once(
    con: duckdb.DuckDBPyConnection,
    secret: bytes,
    req: ImportRequest,
    *,
    actor: Actor | None,
    progress: Progress,
) -> ImportOutcome:
    con.execute(f"SET VARIABLE {cleaning.TIMEZONE_VARIABLE} = ?", [req.timezone])  # cleaning.date_expr
    if req.kind == "roster":
        from etl.oneroster import import_roster

        return import_roster(con, secret, req, actor=actor, progress=progress)
    src = open_source(req.path, while_scanning=fastpath.while_checking(con, req, progress))
    try:
        return _run_file(con, secret, req, src, actor, progress)
    finally:
        src.close()
        cleanup(con)
