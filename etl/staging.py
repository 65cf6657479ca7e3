"""Read a prepared file into a typed staging table and quarantine bad rows, all set-wise in DuckDB.

Why: validation must scale to a year of usage (~10M rows), so it is a handful of SQL statements, not
a Python loop. DuckDB reads the CSV with positional column names (c0, c1, ...) and explicit options
(no sniffing: real exports fool sniffers), plus a few spare columns so a row with too many fields is
caught, not fatal. The staging table keeps file order, so `rowid + 2` is the row's line in the file
(line 1 is the header) unless empty lines or multi-line fields intervene (`true_line_numbers`).
Only the columns a profile needs are staged: names, birth dates and demographics never enter the
database, not even the temporary one.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from etl import cleaning
from etl.formats import SUBJECTS
from etl.profiles import FormatProfile
from etl.source import (
    MAX_FIELD_BYTES,
    FileRefused,
    SourceFile,
    count_lines,
    record_lines,
    sampled_date_format,
)

STAGE = "etl_stage"
SPARE_COLUMNS = 4
TEXT_LIMIT = 10_000  # longest free text kept (survey answers); longer values are cut with a warning
NAME_LIMIT = 200  # longest tool or school name: a longer cell is damage (a 3 MB "tool" was stored whole)


@dataclass(frozen=True)
class Check:
    """One validation: rows where `condition` holds get `reason` (rejected rows or a warning)."""

    severity: str  # "rejected" | "warning"
    column: str
    reason: str
    condition: str
    value: str


# The cast that reads the common, clean form of a value; the full parse runs only where it fails.
FAST_CASTS = {
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "minutes": "DOUBLE",
    "grade": "INTEGER",
    "seconds": "DOUBLE",
}


def scaled_sql(parse: str) -> str:
    """What follows a typed reader's value: seconds become minutes; `+ 0.0` turns a -0 into 0."""
    if parse == "seconds":
        return " / 60 + 0.0"
    return " + 0.0" if parse in ("minutes", "number") else ""  # counts are cast to INTEGER: -0 is 0


def _typed(parse: str, col: str, zone: str | None = None) -> str:
    """The full parse of a raw text column; `zone`: its `cleaning.zone_sql`, computed once by the caller."""
    if parse == "date":
        return cleaning.date_expr(col, zone)
    if parse == "timestamp":
        return cleaning.timestamp_expr(col, zone)
    return {
        "id": cleaning.raw_id(col),  # spaces, quotes and leading zeros: services.privacy.normalize_local_id
        "text": cleaning.cleaned(col),
        "number": cleaning.number_expr(col),
        "integer": cleaning.integer_expr(col),
        "minutes": cleaning.minutes_expr(col),
        "seconds": cleaning.seconds_expr(col),
        "grade": cleaning.grade_expr(col),
        "subject": cleaning.subject_expr(col, SUBJECTS),
    }[parse]


# read_csv options under which an empty field reads as '' and only a field the line lacks (padding)
# as NULL: "missing" is a control byte no export holds. `mark_shifted_rows` and the fast lane's id
# pass (etl/fastpath.py) use it to see a blank field beyond the header.
EMPTY_IS_TEXT = "nullstr=E'\\x01', allow_quoted_nulls=false"


def read_csv_sql(
    src: SourceFile, width: int, *, parallel: bool = False, empty_is_missing: bool = True
) -> str:
    """The read_csv call for a prepared file: all text, explicit dialect, positional names.

    Not parallel by default: DuckDB's parallel reader refuses quoted newlines together with padding.
    With `empty_is_missing=False` an empty field reads as '' and only a field the line does not have
    (padding) as NULL (`mark_shifted_rows`).
    """
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    delim = {"\t": "\\t", ",": ",", ";": ";", "|": "|"}[src.delimiter]
    null = "" if empty_is_missing else f", {EMPTY_IS_TEXT}"
    return (
        f"read_csv($path, columns={{{columns}}}, header=true, delim=E'{delim}', quote='\"', "
        f"escape='\"', auto_detect=false, null_padding=true, max_line_size={MAX_FIELD_BYTES}, "
        f"strict_mode=true, parallel={str(parallel).lower()}{null})"
    )


def duckdb_read_error(src: SourceFile, exc: duckdb.Error) -> FileRefused:
    """Turn DuckDB's CSV error (which quotes the raw line) into a one-line message without content."""
    import re

    text = str(exc)
    line = re.search(r"Line:? (\d+)", text)
    where = f" near line {line.group(1)}" if line else ""
    if "Maximum line size" in text:
        why = f"a field is larger than {MAX_FIELD_BYTES >> 20} MB"
    elif "Expected Number of Columns" in text or "TOO MANY COLUMNS" in text:
        why = f"a row has more than {SPARE_COLUMNS} fields beyond the header"
    elif "quote" in text.lower() or "invalid state" in text.lower():
        why = "a quote is opened and never closed"
    else:
        why = "the file is not a readable CSV"
    return FileRefused(f"{src.original.name}: {why}{where}; nothing was imported.")


# CSV-reader types for the fast path (a typed read is several times faster than casting text).
# Whole numbers are read as DOUBLE and checked (`_typed_unfit`): DuckDB's BIGINT reader rounds 1.5 to 2.
READER_TYPES = {
    "date": "DATE",
    "number": "DOUBLE",
    "integer": "DOUBLE",
    "minutes": "DOUBLE",
    "grade": "DOUBLE",  # DuckDB's INTEGER reader rounds 3.5 to 4: a grade that is not whole is checked
    "seconds": "DOUBLE",
}


def underscore_in_numbers(
    con: duckdb.DuckDBPyConnection, src: SourceFile, profile: FormatProfile, resolved: dict[str, int]
) -> bool:
    """Whether a field the typed reader reads as a number holds a '_' (or the file cannot be read to
    tell): DuckDB's typed reader takes '1_000' as 1000 and '1_0' as 10, which the full parse refuses
    (`cleaning.as_number`). Only a file with a '_' below its header is read again for this."""
    if not src.underscore_in_rows:
        return False
    numeric = [
        f"c{pos}" for f, pos in resolved.items() if READER_TYPES.get(profile.columns[f].parse) == "DOUBLE"
    ]
    if not numeric:
        return False
    key = tuple(numeric)
    if key not in src.underscore_checked:
        reader = read_csv_sql(src, len(src.header) + SPARE_COLUMNS, parallel=True)
        where = " OR ".join(f"contains({c}, '_')" for c in numeric)
        try:
            found = con.execute(
                f"SELECT count(*) > 0 FROM {reader} WHERE {where}", {"path": str(src.read_path)}
            ).fetchone()[0]
        except duckdb.Error:  # e.g. a quoted line break, which the parallel reader refuses with padding
            found = True
        src.underscore_checked[key] = found
    return src.underscore_checked[key]


def typed_reader(src: SourceFile, profile: FormatProfile, resolved: dict[str, int]) -> str:
    """DuckDB's typed CSV reader for the profile's numeric and date columns, failing at the first value
    it cannot read (the caller then stages the file with the full parse). Dates are days in one pinned
    form (`reader_date_format`): without it DuckDB's DATE reader takes '2026-09-03T01:15:00Z' as 3
    September, dropping the time and zone that put the moment on 2 September in Illinois."""
    width = len(src.header) + SPARE_COLUMNS
    types = {pos: READER_TYPES.get(profile.columns[f].parse, "VARCHAR") for f, pos in resolved.items()}
    columns = ", ".join(f"'c{i}': '{types.get(i, 'VARCHAR')}'" for i in range(width))
    delim = {"\t": "\\t", ",": ",", ";": ";", "|": "|"}[src.delimiter]
    return (
        f"read_csv($path, columns={{{columns}}}, header=true, delim=E'{delim}', quote='\"', escape='\"', "
        f"auto_detect=false, null_padding=true, max_line_size={MAX_FIELD_BYTES}, "
        f"dateformat='{reader_date_format(src, profile, resolved)}', ignore_errors=false)"
    )


def reader_date_format(src: SourceFile, profile: FormatProfile, resolved: dict[str, int]) -> str:
    """The typed reader's `dateformat`: ISO days, or the US form the file's day column is written in
    (`source.sampled_date_format`). The US forms are read as `cleaning.DATE_FORMATS` reads them; a
    two-digit year ('9/14/26') does not match the sampled form, and one that slips past it reads as
    the year 26, which `_typed_unfit` and the fast lane's date bounds send to the full parse."""
    days = [pos for field, pos in resolved.items() if profile.columns[field].parse == "date"]
    return sampled_date_format(src, days[0]) if len(days) == 1 else "%Y-%m-%d"


def typed_source(
    src: SourceFile, profile: FormatProfile, resolved: dict[str, int]
) -> tuple[str, list[Check]] | None:
    """The select list over `typed_reader` giving the staged field names, and the checks; None when a
    field needs the full parse (timestamps)."""
    select: list[str] = []
    checks: list[Check] = []
    for field, pos in resolved.items():
        spec = profile.columns[field]
        col, label = f"c{pos}", spec.label or src.header[pos]
        if src.header[pos] in spec.utc_headers:
            return None  # its times move to the district's clock in the full parse
        if spec.parse in READER_TYPES:
            select.append(f"{col}{scaled_sql(spec.parse)} AS {field}")
            select.append(f"NULL::VARCHAR AS {field}__raw")
        elif spec.parse in ("id", "text", "subject"):
            select.append(f"{_typed(spec.parse, col)} AS {field}")
        else:
            return None
        checks.extend(_field_checks(field, spec, label))
    # a line of spaces is blank, as `build_stage` reads it: text columns are tested for spaces only
    typed_positions = {pos for field, pos in resolved.items() if profile.columns[field].parse in READER_TYPES}
    blank = " ".join(
        f"WHEN c{p} IS NOT NULL THEN false"
        if p in typed_positions
        else f"WHEN NOT ({cleaning.is_blank(f'c{p}')}) THEN false"
        for p in sorted(set(resolved.values()))
    )
    select.append(f"(CASE {blank} ELSE true END) AS __blank")
    select.append(f"c{len(src.header)} IS NOT NULL AS __overflow")
    checks.append(OVERFLOW)
    return ", ".join(select), checks


def try_fast_stage(
    con: duckdb.DuckDBPyConnection, src: SourceFile, profile: FormatProfile, resolved: dict[str, int]
) -> list[Check] | None:
    """Stage a clean file with DuckDB's typed CSV reader; None if any value needs the full parse.

    Why: reading ISO dates and plain numbers typed is several times cheaper than parsing text; the
    moment one value does not fit (9/14/2022, N/A, 1:05:00, a ragged row), the whole file goes
    through `build_stage` instead, so both paths give the same result.
    """
    typed = typed_source(src, profile, resolved)
    if typed is None or underscore_in_numbers(con, src, profile, resolved):
        return None
    select, checks = typed
    try:  # the first value the typed reader cannot read stops it (a reject table per row took ~25 s on 3M rows)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {select} FROM {typed_reader(src, profile, resolved)}",
            {"path": str(src.read_path)},
        )
        unfit = _typed_unfit(profile, resolved)
        errors = con.execute(f"SELECT count(*) FROM {STAGE} WHERE {unfit}").fetchone()[0] if unfit else 0
    except duckdb.Error:
        errors = 1
    if errors:
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        return None
    return checks


def _typed_unfit(profile: FormatProfile, resolved: dict[str, int]) -> str:
    """Values the typed reader accepts that the full parse reads otherwise: 3/2/21 as the year 3,
    'nan' (missing in the full parse), and 1.5, 'inf' or 1e19 in a whole-number column."""
    unfit = []
    for field in resolved:
        parse = profile.columns[field].parse
        if parse == "date":
            unfit.append(f"year({field}) < 1900")
        elif parse in ("number", "minutes", "seconds"):
            unfit.append(f"isnan({field})")
        elif parse in ("integer", "grade"):
            unfit.append(f"NOT ({cleaning.is_whole(field)})")
    return " OR ".join(unfit)


SUMMARY_MEASURES = (
    "minutes",
    "lessons_completed",
    "lessons_passed",
    "questions_answered",
    "skills_practiced",
    "skills_proficient",
)


def no_measure_condition(profile: FormatProfile, resolved: dict[str, int]) -> str | None:
    """SQL over staged or written usage: a daily row with neither minutes nor sessions, which says
    nothing about use (an emptied or short row). Event rows (lessons, logins) count themselves."""
    if profile.target == "usage_summary":  # a student listed with every measure blank used nothing
        measures = [f for f in SUMMARY_MEASURES if f in resolved]
        return " AND ".join(f"{f} IS NULL" for f in measures) or None
    if profile.target != "usage_daily" or profile.rows != "daily":
        return None
    measures = [f for f in ("minutes", "sessions") if f in resolved]
    return " AND ".join(f"{f} IS NULL" for f in measures) or None


def _fast_guard(fast: str, parse: str, col: str) -> str:
    """When the engine's fast cast may be trusted for `col`; elsewhere the full parse runs."""
    # a time with a zone ('...T01:15:00Z') is moved to the district's clock by the full parse; the
    # casts would drop the zone (a plain date has no ':', so it skips the pattern)
    unzoned = f"NOT ({cleaning.may_have_zone(col)})"
    if fast == "TIMESTAMP":  # the cast drops a trailing PM and reads 3/2/21 as the year 3
        return f"year(try_cast({col} AS {fast})) >= 1900 AND NOT {cleaning.has_am_pm(col)} AND {unzoned}"
    if fast == "DATE":
        return f"year(try_cast({col} AS {fast})) >= 1900 AND {unzoned}"
    if parse in ("integer", "grade"):  # the cast rounds '1.5' (and '3.5' to grade 4) and reads '0x10'
        return f"regexp_full_match({col}, '{cleaning.PLAIN_INTEGER}')"
    if fast == "DOUBLE":  # 'nan' is a spelling of missing; '1_000' is not a number (`cleaning.as_number`)
        return f"NOT isnan(try_cast({col} AS DOUBLE)) AND NOT contains({col}, '_')"
    return "true"


def _field_checks(field: str, spec, label: str) -> list[Check]:
    """The validations of one staged field (the same for the fast and the full path)."""
    checks: list[Check] = []
    if spec.parse in ("id", "text", "subject"):
        if spec.required:
            missing = cleaning.is_blank(field) if spec.parse == "id" else f"{field} IS NULL"
            checks.append(Check("rejected", label, f"missing {label}", missing, "NULL"))
        if spec.parse == "text" and field in ("tool", "school"):
            checks.append(
                Check(
                    "rejected",
                    label,
                    f"longer than {NAME_LIMIT} characters (a damaged cell?)",
                    f"length({field}) > {NAME_LIMIT}",
                    cleaning.masked(f"left({field}, 80)"),
                )
            )
        if spec.parse == "id":
            checks.append(
                Check(
                    "rejected",
                    label,
                    "a summary row (totals), not a student",
                    cleaning.summary_row(field),
                    field,
                )
            )
            checks.append(
                Check(
                    "rejected",
                    label,
                    "id in scientific notation (Excel shortened it: re-export the id column as text)",
                    cleaning.scientific_id(field),
                    cleaning.masked(field),
                )
            )
        return checks
    # A word in a number or date column may be a name that an unquoted comma shifted
    # out of its column ("Sato, Jr.", with the row's last field blank, so no extra field shows): it
    # is masked. Numbers and dates, the values a user needs to see to fix the file, stay readable.
    value = f"left({field}__raw, 80)"
    # \p{L}: a letter of any script ('Иван', '李明', 'Sé'); [[:alpha:]] is ASCII only in RE2
    wordy = f"regexp_matches({value}, '\\p{{L}}{{2,}}') AND lower(trim({value})) NOT IN ('inf', '-inf', 'infinity')"
    value = f"CASE WHEN {wordy} THEN {cleaning.masked(value)} ELSE {value} END"
    destroyed = cleaning.excel_destroyed(f"{field}__raw") if spec.parse in ("date", "timestamp") else "false"
    unreadable = f"{field}__raw IS NOT NULL AND NOT {destroyed}"
    kind = {
        "date": "a date",
        "timestamp": "a date and time",
        "grade": "a grade",
        "integer": "a whole number",
    }.get(spec.parse, "a number")
    if spec.parse in ("date", "timestamp"):
        destroyed_reason = "date destroyed by Excel (re-export without opening in Excel)"
        checks.append(
            Check(
                "rejected" if spec.required else "warning",
                label,
                destroyed_reason if spec.required else f"{destroyed_reason}; read as missing",
                f"{field}__raw IS NOT NULL AND {destroyed}",
                value,
            )
        )
    if spec.parse == "date":
        out_of_range = f"date before {cleaning.EARLIEST_DATE} or more than two years ahead"
        if field.endswith("_fallback"):
            pass  # read only when the primary date is unusable, and then only when in range
        elif spec.alternate:  # said only when the other date is the one used
            checks.append(
                Check(
                    "warning",
                    label,
                    f"{out_of_range}; the other date column is used",
                    f"NOT ({cleaning.date_in_range(field)}) AND {cleaning.date_in_range(spec.alternate)}",
                    f"{field}::VARCHAR",
                )
            )
        else:
            checks.append(
                Check(
                    "rejected",
                    label,
                    out_of_range,
                    f"NOT ({cleaning.date_in_range(field)})",
                    f"{field}::VARCHAR",
                )
            )
    if spec.required:
        checks.append(
            Check("rejected", label, f"missing {label}", f"{field} IS NULL AND {field}__raw IS NULL", "NULL")
        )
        checks.append(Check("rejected", label, f"not {kind}", f"{field} IS NULL AND {unreadable}", value))
    else:
        checks.append(
            Check(
                "warning", label, f"not {kind}; read as missing", f"{field} IS NULL AND {unreadable}", value
            )
        )
    if spec.minimum is not None or spec.maximum is not None:
        low = "-1e308" if spec.minimum is None else repr(float(spec.minimum))
        high = "1e308" if spec.maximum is None else repr(float(spec.maximum))
        checks.append(
            Check(
                "rejected",
                label,
                # grades are stored PK = -1, K = 0: a reader of the reason knows them as PK and K
                "not a grade from PK to 12 (or 13, a transition year)"
                if spec.parse == "grade"
                else f"outside the range {_fmt(spec.minimum)} to {_fmt(spec.maximum)}",
                f"{field} NOT BETWEEN {low} AND {high}",
                f"regexp_replace({field}::VARCHAR, '\\.0$', '')",  # 2000, as the file wrote it
            )
        )
    return checks


OVERFLOW = Check(
    "rejected", "(row)", "more fields than the header (a comma or quote out of place)", "__overflow", "NULL"
)


def mark_shifted_rows(con: duckdb.DuckDBPyConnection, src: SourceFile) -> int:
    """Mark as overflowing the rows with more fields than the header whose extra field is empty: a
    row shifted by an unquoted comma ('Sato, Jr.') whose last cell was blank. DuckDB reads an empty
    field as missing, so the spare-column test cannot see it, and the row's values would be read one
    column to the right. A second read of the file, in the staging read's order, where an empty field
    is '' and only padding is NULL (1.7 s per 450 MB; the line walk in Python it replaces took 5.5 s
    and so ran only on files up to 256 MB). Returns how many rows were marked."""
    reader = read_csv_sql(src, len(src.header) + SPARE_COLUMNS, empty_is_missing=False)
    rows = [
        r[0]
        for r in con.execute(
            f"SELECT n FROM (SELECT row_number() OVER () - 1 AS n, c{len(src.header)} AS extra FROM {reader}) "
            "WHERE extra = ''",
            {"path": str(src.read_path)},
        ).fetchall()
    ]
    if rows:
        con.execute(
            f"UPDATE {STAGE} SET __overflow = true WHERE rowid IN (SELECT unnest($rows::BIGINT[]))",
            {"rows": rows},
        )
    return len(rows)


def build_stage(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    profile: FormatProfile,
    resolved: dict[str, int],
    extra: dict[str, int] | None = None,
) -> list[Check]:
    """Create the staging table and return the checks that apply to it.

    `extra` adds raw text columns by position (feedback questions), staged as q<position>.
    """
    width = len(src.header) + SPARE_COLUMNS
    raw: list[str] = []  # level 1: raw text and the fast cast of each column
    inner: list[str] = []  # level 2: typed values (slow parse only where the fast cast failed)
    outer: list[str] = []  # level 3: what the staging table keeps
    checks: list[Check] = []
    for field, pos in resolved.items():
        spec = profile.columns[field]
        col = f"c{pos}"
        label = spec.label or src.header[pos]
        raw.append(f"{col}")
        zone = None
        source = col  # what the parse reads; the raw text stays as written for reject reports
        utc = src.header[pos] in spec.utc_headers
        if utc:
            raw.append(f"{cleaning.assume_utc(col)} AS {col}__utc")
            source = f"{col}__utc"
        if spec.parse in ("date", "timestamp"):  # the zone once per value: the parse refers to it often
            zoned = cleaning.assume_utc(col) if utc else col
            raw.append(f"{cleaning.zone_sql(cleaning.cleaned(zoned))} AS {source}__zone")
            zone = f"{source}__zone"
        fast = FAST_CASTS.get(spec.parse)
        if fast:
            guard = _fast_guard(fast, spec.parse, col)
            if utc:  # a UTC time needs moving to the district's clock: the full parse does that
                guard += f" AND NOT contains({col}, ':')"
            raw.append(f"CASE WHEN {guard} THEN try_cast({col} AS {fast}) END AS {source}__fast")
            typed = (
                f"CASE WHEN {source}__fast IS NOT NULL THEN {source}__fast{scaled_sql(spec.parse)} "
                f"ELSE {_typed(spec.parse, source, zone)} END"
            )
        else:
            typed = _typed(spec.parse, source, zone)
        inner.append(f"{typed} AS {field}")
        checks.extend(_field_checks(field, spec, label))
        if spec.parse in ("id", "text", "subject"):
            outer.append(field)
            continue
        inner.append(f"{col}")
        outer.extend([field, f"CASE WHEN {field} IS NULL THEN {cleaning.cleaned(col)} END AS {field}__raw"])
    for pos in (extra or {}).values():
        raw.append(f"c{pos}")
        inner.append(f"nullif(trim(c{pos}), '') AS q{pos}")
        outer.append(f"q{pos}")
    mapped = sorted({f"c{p}" for p in list(resolved.values()) + list((extra or {}).values())})
    blank = " ".join(f"WHEN NOT ({cleaning.is_blank(c)}) THEN false" for c in mapped)
    raw.append(f"(CASE {blank} ELSE true END) AS __blank")
    raw.append(f"c{len(src.header)} IS NOT NULL AS __overflow")
    inner.extend(["__blank", "__overflow"])
    outer.extend(["__blank", "__overflow"])
    checks.append(OVERFLOW)
    sql = (
        f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {', '.join(outer)} FROM ("
        f"SELECT {', '.join(dict.fromkeys(inner))} FROM ("
        f"SELECT {', '.join(dict.fromkeys(raw))} FROM {read_csv_sql(src, width)}))"
    )
    try:
        con.execute(sql, {"path": str(src.read_path)})
    except duckdb.Error as exc:
        raise duckdb_read_error(src, exc) from None
    return checks


def _fmt(value: float | None) -> str:
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else str(value)


def rows_read(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(f"SELECT count(*) FROM {STAGE} WHERE NOT __blank").fetchone()[0]


def valid_condition(checks: list[Check]) -> str:
    bad = " OR ".join(f"({c.condition})" for c in checks if c.severity == "rejected")
    return f"NOT __blank AND NOT coalesce({bad or 'false'}, false)"


def record_checks(
    con: duckdb.DuckDBPyConnection, import_id: int, checks: list[Check], src: SourceFile
) -> tuple[int, int]:
    """Write every failed check to import_rejects; return (rejected rows, warned rows).

    One scan counts both; the per-check inserts run only when something failed (a clean 10M-row
    file costs one pass, not one per rule).
    """

    def any_of(severity: str) -> str:  # inside FILTER a NULL counts as false
        return " OR ".join(f"({c.condition})" for c in checks if c.severity == severity) or "false"

    rejected, warned = con.execute(
        f"SELECT count(*) FILTER ({any_of('rejected')}), count(*) FILTER ({any_of('warning')}) "
        f"FROM {STAGE} WHERE NOT __blank"
    ).fetchone()
    if not (rejected or warned):
        return 0, 0
    for check in checks:
        con.execute(
            f"INSERT INTO import_rejects (import_id, line_number, column_name, reason, value_masked, severity) "
            f"SELECT ?, rowid + 2, ?, ?, {safe_value(check.value)}, ? FROM {STAGE} "
            f"WHERE NOT __blank AND coalesce({check.condition}, false)",
            [import_id, check.column, check.reason, check.severity],
        )
    true_line_numbers(con, import_id, src)
    return rejected, warned


def safe_value(value: str, *, overflow: bool = True) -> str:
    """A rejected value as stored, masked when it could name a student: a run of five or more digits
    (an id that landed in another column), or any value of a row with more fields than the header
    (an unquoted comma in a name shifts names and ids into the checked columns)."""
    digits = f"regexp_full_match({value}, '\\s*[0-9]{{5,}}(\\.0+)?\\s*')"
    risky = f"__overflow OR {digits}" if overflow else digits
    return f"CASE WHEN {risky} THEN {cleaning.masked(value)} ELSE {value} END"


def true_line_numbers(con: duckdb.DuckDBPyConnection, import_id: int, src: SourceFile) -> None:
    """Rejects are recorded as `rowid + 2` (the header is line 1), which is the file's line only when
    every record is one line. After an empty line (DuckDB skips it) or a quoted field spanning lines,
    the rejected rows' numbers are moved to the line where each record starts."""
    staged = con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0]
    if count_lines(src.read_path) == staged + 1:
        return  # one line per record and no empty lines (a newline count: ~0.3 s per 450 MB)
    starts = record_lines(src.read_path, src.delimiter)[0][1:]  # the data records
    if not starts or (starts[0] == 2 and starts[-1] == len(starts) + 1):
        return  # one line per record: rowid + 2 is right
    numbers = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT line_number FROM import_rejects WHERE import_id = ? AND line_number >= 2",
            [import_id],
        ).fetchall()
    ]
    pairs = [(k, starts[k - 2]) for k in numbers if k - 2 < len(starts)]
    if not pairs:
        return
    con.execute(
        "CREATE OR REPLACE TEMP TABLE etl_line_map AS SELECT unnest($staged) AS staged, unnest($line) AS line",
        {"staged": [p[0] for p in pairs], "line": [p[1] for p in pairs]},
    )
    con.execute(
        "UPDATE import_rejects SET line_number = m.line FROM etl_line_map m "
        "WHERE import_rejects.import_id = ? AND import_rejects.line_number = m.staged",
        [import_id],
    )
    con.execute("DROP TABLE etl_line_map")
