"""Set-wise value parsing in DuckDB SQL: every date, number, duration and grade form in real exports.

Why SQL and not pydantic per row: a school year of usage is ~10M rows; each rule below is one
vectorised expression over a column. Each builder takes a SQL column reference made by the engine
(never user text) and returns an expression that is NULL when the value is missing or unreadable.
The engine compares the raw and parsed values to tell "missing" from "unreadable".
"""

from __future__ import annotations

import datetime as dt
import re

from models.imports import DEFAULT_TIMEZONE

# Spellings of "no value" (compared after trim + lower).
MISSING_TOKENS = ("", "n/a", "na", "--", "-", "null", "none", "#n/a", "nan", ".")

# Month-first, as US exports write them. Each two-digit-year form (%y) comes before its four-digit
# twin: %Y would read '3/2/26 14:10' as the year 26, and %y cannot match '2026'.
DATE_FORMATS = (
    "%m/%d/%y",
    "%m/%d/%Y",
    "%m-%d-%y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    # Excel's round trip keeps milliseconds ('9/15/2026 08:49:36.000'); some exports write the US date
    # with dashes before a time ('08-14-2026 10:00')
    "%m/%d/%y %H:%M:%S.%f",
    "%m/%d/%Y %H:%M:%S.%f",
    "%m-%d-%y %H:%M:%S",
    "%m-%d-%Y %H:%M:%S",
    "%m-%d-%Y %H:%M:%S.%f",
    "%m-%d-%y %H:%M",
    "%m-%d-%Y %H:%M",
    "%m-%d-%y %I:%M:%S %p",
    "%m-%d-%Y %I:%M:%S %p",
    "%m-%d-%y %I:%M %p",
    "%m-%d-%Y %I:%M %p",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %I:%M:%S %p",
    # year-first forms with a time last: DuckDB's %Y also reads '9' as a year
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %I:%M %p",
    "%Y/%m/%d %I:%M %p",
)
EARLIEST_DATE = "1990-01-01"
MAX_EXACT_INTEGER = 2**53  # larger counts are not counts (and a DOUBLE cannot hold them exactly)
# Digits only: DuckDB's own integer cast rounds '1.5' to 2 and reads '0x10' as 16.
PLAIN_INTEGER = r"\s*[+-]?[0-9]{1,15}\s*"
# A cell Excel turned into a time-of-day ("00:00.0"): the date is lost.
EXCEL_DESTROYED = r"^\d{1,2}:\d{2}\.\d+$"  # 00:00.0; a bare 08:12 is a time of day, "not a date"


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def cleaned(col: str) -> str:
    """Trimmed text, NULL for every spelling of missing.

    trim() is costly on millions of rows, so values that are clearly clean (longer than any missing
    token, no space at either end) are passed through untouched.
    """
    # A regular expression, not IN (...): DuckDB plans IN lists as a join that runs on every row.
    missing = "'^(" + "|".join(re.escape(t) for t in MISSING_TOKENS if t) + ")?$'"
    return (
        f"CASE WHEN {col} IS NULL THEN NULL "
        f"WHEN length({col}) > 4 AND NOT starts_with({col}, ' ') AND NOT ends_with({col}, ' ') "
        f"AND NOT starts_with({col}, '\t') THEN {col} "
        f"WHEN regexp_full_match(lower(trim({col})), {missing}) THEN NULL ELSE trim({col}) END"
    )


def raw_id(col: str) -> str:
    """A student id as written, NULL when empty or a spelling of missing ('N/A', '--', '#N/A'):
    such a cell names nobody, so it must not become a student of its own."""
    missing = "'^(" + "|".join(re.escape(t) for t in MISSING_TOKENS if t) + ")$'"
    return f"CASE WHEN regexp_full_match(lower(trim({col})), {missing}) THEN NULL ELSE nullif({col}, '') END"


def is_blank(col: str) -> str:
    """NULL or only spaces (cheap test first: a first character above a space is never blank)."""
    return f"CASE WHEN {col} IS NULL THEN true WHEN ascii({col}) > 32 THEN false ELSE trim({col}) = '' END"


# Zones by name: GMT-4, GMT+5:30, UTC, or a US abbreviation (EST, EDT, CST, ..., AKDT, HST).
_NAMED_ZONES = r"(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?|[ECMP][SD]T|AK[SD]T|HST"
# A named zone after a date alone ('2026-09-14 EDT'): dropped, the date is the one written.
ZONE_SUFFIX = r"\s+(" + _NAMED_ZONES + r")\s*$"
# The zones a time may end with: ISO's Z, +05:00, -0400 or +00, GMT-4, GMT+5:30, UTC, or a US
# abbreviation. ZONE_AT_END is the cheap test (no capture, no leading .*); ZONED_TIME splits a value
# that passed it: group 1 the value without the zone, group 2 the zone.
_ZONES = r"(Z|[+-]\d{2}(?::?\d{2})?|" + _NAMED_ZONES + ")"
ZONE_AT_END = r"(\d|[AaPp]\.?[Mm]\.?)\s*" + _ZONES + r"\s*$"  # a cell may end in spaces
ZONED_TIME = r"^(.*\d:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)\s*" + _ZONES + r"\s*$"
US_ZONE_MINUTES = {
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480,
    "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
}  # fmt: skip
# The district's time zone, set per import by the runner (`SET VARIABLE`, from settings): a login
# written in UTC at 01:15 on 3 September happened on the evening of 2 September in Illinois.
TIMEZONE_VARIABLE = "district_tz"


def may_have_zone(value: str) -> str:
    """SQL: `value` may end in a time zone (a ':' and a zone-like ending); cheap enough for every row."""
    return f"contains({value}, ':') AND regexp_matches({value}, '{ZONE_AT_END}')"


def zone_sql(value: str) -> str:
    """SQL: the zone a time in `value` is written in ('Z', '+05:30', 'GMT-4', 'EDT'), '' when none.
    Only values with a ':' and a zone-like ending pay for the split. `build_stage` computes it once
    per column (`c<n>__zone`) and hands it to `date_expr` / `timestamp_expr`, which use it often."""
    return f"CASE WHEN {may_have_zone(value)} THEN regexp_extract({value}, '{ZONED_TIME}', 2) ELSE '' END"


def assume_utc(col: str) -> str:
    """SQL: `col` with ' UTC' after a time written without a zone, for a column whose times are UTC
    (`Column.utc_headers`); a date alone, or a time with its own zone, is left as written."""
    value = cleaned(col)
    return f"CASE WHEN contains({value}, ':') AND NOT ({may_have_zone(value)}) THEN {value} || ' UTC' ELSE {col} END"


def _zone_offset_minutes(zone: str) -> str:
    """SQL: the zone's offset from UTC in minutes (-240 for EDT and GMT-4, 330 for +05:30)."""
    named = " ".join(f"WHEN '{name}' THEN {minutes}" for name, minutes in US_ZONE_MINUTES.items())
    bare = f"regexp_replace({zone}, '^(GMT|UTC)', '')"
    digits = f"regexp_replace({bare}, '[^0-9]', '', 'g')"
    hours_minutes = (
        f"CASE WHEN length({digits}) <= 2 THEN {digits}::INTEGER * 60 "
        f"ELSE {digits}[:-3]::INTEGER * 60 + {digits}[-2:]::INTEGER END"
    )
    return (
        f"CASE WHEN {zone} IN ('Z', 'UTC', 'GMT') THEN 0 "
        f"WHEN {zone} IN ({', '.join(repr(n) for n in US_ZONE_MINUTES)}) THEN CASE {zone} {named} END "
        f"ELSE (CASE WHEN starts_with({bare}, '-') THEN -1 ELSE 1 END) * ({hours_minutes}) END"
    )


def _in_district_time(value: str, zone: str) -> str:
    """SQL: the time in `value`, written in `zone`, as the district's wall-clock time. An ISO time
    with an offset or UTC ('2026-09-03T05:30:00Z', '... 02:30:00-0500') takes DuckDB's own
    TIMESTAMPTZ cast (0.3 s per 3M values); other forms ('9/14/2026 8:00 PM EDT', '... GMT-4') are
    read without the zone and moved by its offset (~1 s per 3M)."""
    district = f"coalesce(getvariable('{TIMEZONE_VARIABLE}'), '{DEFAULT_TIMEZONE}')"
    iso = (
        f"CASE WHEN regexp_matches({zone}, '^(Z|UTC|[+-][0-9:]+)$') AND {year_first(value)} "
        f"AND NOT regexp_matches({value}, '[AaPp]\\.?[Mm]') THEN timezone({district}, try_cast({value} AS TIMESTAMPTZ)) END"
    )
    written = _timestamp_of(f"regexp_replace({value}, '{ZONED_TIME}', '\\1')")
    utc = f"({written}) - to_minutes(({_zone_offset_minutes(zone)})::BIGINT)"
    return f"coalesce({iso}, timezone({district}, timezone('UTC', {utc})))"


def year_first(value: str) -> str:
    """SQL: `value` starts with a 4-digit year (2026-09-14, 2026/09/14): only such values may take
    DuckDB's own casts, which read 3/2/21 as the year 3."""
    return f"regexp_matches({value}, '^\\d{{4}}[-/]')"


def _timestamp_of(value: str) -> str:
    """ISO casts only for values that start with a 4-digit year: DuckDB would read 3/2/21 as year 3."""
    return (
        f"CASE WHEN {year_first(value)} AND NOT {has_am_pm(value)} "
        f"THEN coalesce(try_cast({value} AS TIMESTAMP), try_strptime({value}, {_sql_list(DATE_FORMATS)})) "
        f"ELSE try_strptime({value}, {_sql_list(DATE_FORMATS)}) END"
    )


def timestamp_expr(col: str, zone: str | None = None) -> str:
    """Every timestamp form in the quirks list. A time with a zone ('2026/09/12 2:10:05 PM GMT-4',
    '2026-09-03T01:15:00Z', '... PM EDT') is moved to the district's time zone. `zone`: the column's
    `zone_sql`, when the caller computed it once."""
    value = cleaned(col)
    zone = zone or f"({zone_sql(value)})"
    plain = _timestamp_of(f"regexp_replace({value}, '{ZONE_SUFFIX}', '')")
    return f"CASE WHEN {zone} = '' THEN {plain} ELSE coalesce({_in_district_time(value, zone)}, {plain}) END"


def has_am_pm(value: str) -> str:
    """DuckDB's TIMESTAMP cast ignores a trailing AM/PM ('2026-09-12 2:10:05 PM' -> 02:10:05)."""
    return f"regexp_matches({value}, '[AaPp]\\.?[Mm]\\.?\\s*$')"


def date_expr(col: str, zone: str | None = None) -> str:
    """Every date form in the quirks list (clean ISO dates take the engine's fast cast before this).
    A time with a zone ('09/14/2026 8:00 PM EDT', '2026-09-15T00:30:00Z') gives the district's day
    of that moment; a zone the time cannot be read with keeps the date as written. `zone`: the
    column's `zone_sql`, when the caller computed it once."""
    value = cleaned(col)
    zone = zone or f"({zone_sql(value)})"
    plain = f"regexp_replace({value}, '{ZONE_SUFFIX}', '')"
    written = (
        f"CASE WHEN {year_first(plain)} THEN coalesce(try_cast({plain} AS DATE), "
        f"try_cast({plain} AS TIMESTAMP)::DATE, try_strptime({plain}, {_sql_list(DATE_FORMATS)})::DATE) "
        f"ELSE try_strptime({plain}, {_sql_list(DATE_FORMATS)})::DATE END"
    )
    return f"CASE WHEN {zone} = '' THEN {written} ELSE coalesce(({_in_district_time(value, zone)})::DATE, {written}) END"


def latest_date() -> dt.date:
    """The latest plausible date in an export: two years from today."""
    today = dt.date.today()
    return today.replace(year=today.year + 2, day=min(today.day, 28))


def date_in_range(col: str) -> str:
    """Plausible dates, as literal bounds (no per-row date arithmetic)."""
    return f"{col} BETWEEN DATE '{EARLIEST_DATE}' AND DATE '{latest_date().isoformat()}'"


def as_number(text: str) -> str:
    """SQL: the text `text` as a DOUBLE, or NULL. DuckDB's cast also reads digit groups written with
    '_' ('1_000' as 1000, '1_0' as 10), which no export writes: such a value is not a number."""
    return f"(CASE WHEN NOT contains({text}, '_') THEN try_cast({text} AS DOUBLE) END)"


def number_expr(col: str) -> str:
    """'1,234', '85%', ' 12 ' read as numbers; text ('Discontinue') is NULL; -0 is 0."""
    plain = f"replace(replace({cleaned(col)}, ',', ''), '%', '')"
    return f"({as_number(plain)} + 0.0)"


def is_whole(value: str) -> str:
    """SQL: the DOUBLE `value` is a whole number a count can be (NULL stays NULL)."""
    return f"isfinite({value}) AND {value} = trunc({value}) AND abs({value}) <= {MAX_EXACT_INTEGER}"


def integer_expr(col: str) -> str:
    """A whole number ('1,234', '12'); NULL for '1.5', 'inf' or a value too large to be a count."""
    number = number_expr(col)
    return f"CASE WHEN {is_whole(number)} THEN {number}::BIGINT END"


def minutes_expr(col: str) -> str:
    """Minutes as a number, or h:mm:ss, or mm:ss (two parts are minutes and seconds)."""
    value = cleaned(col)
    # h:mm:ss or m:ss with digits only and minutes and seconds under 60 ('99:99', '-0:30' are not times)
    clock_form = r"'(\d+:[0-5]\d:[0-5]\d(\.\d+)?|\d+:[0-5]\d(\.\d+)?)'"
    parts = f"string_split({value}, ':')"
    clock = (
        f"CASE WHEN NOT regexp_full_match({value}, {clock_form}) THEN NULL "
        f"WHEN len({parts}) = 3 THEN try_cast({parts}[1] AS DOUBLE) * 60 + try_cast({parts}[2] AS DOUBLE) "
        f"+ try_cast({parts}[3] AS DOUBLE) / 60 "
        f"ELSE try_cast({parts}[1] AS DOUBLE) + try_cast({parts}[2] AS DOUBLE) / 60 END"
    )
    return f"CASE WHEN contains({value}, ':') THEN {clock} ELSE {number_expr(col)} END"


def seconds_expr(col: str) -> str:
    """A TotalTimeInSeconds column, stored as minutes."""
    return (
        f"CASE WHEN contains({cleaned(col)}, ':') THEN {minutes_expr(col)} ELSE {number_expr(col)} / 60 END"
    )


def grade_expr(col: str) -> str:
    """'K'/'KG'/'Kindergarten' -> 0, 'PK'/'TK'/'Pre-Kindergarten' -> -1, '03', 'Grade 3' or '3rd' -> 3;
    anything else (3.5, 'Grade 3/4') is not a grade (NULL)."""
    value = f"upper({cleaned(col)})"
    return (
        f"CASE WHEN regexp_full_match({value}, '(K|KG|KF|KH|0K|KINDERGARTEN|KINDER)') THEN 0 "
        f"WHEN regexp_full_match({value}, '(PK[34]?|P|PRE-?K[34]?|TK|IT|PR|PRE-?KINDERGARTEN|TRANSITIONAL KINDERGARTEN)') "
        "THEN -1 "
        # CEDS 'PS' is postsecondary, not preschool; 'UG' ungraded: neither is a grade here
        f"WHEN regexp_full_match({value}, '(PS|UG|OTHER)') THEN NULL "
        # '3', '03', '3.0' (Excel), 'Grade 3', 'Gr. 3', '3rd', '3rd Grade'; '3.5' is not a grade
        f"WHEN regexp_full_match({value}, '(GRADE|GR\\.?)?\\s*-?\\d{{1,2}}(\\.0+|ST|ND|RD|TH)?(\\s*GRADE)?') "
        f"THEN try_cast(regexp_extract({value}, '(-?\\d+)', 1) AS INTEGER) END"
    )


def subject_expr(col: str, subjects: dict[str, str]) -> str:
    """Vendor subject spellings to the one stored name; unknown values kept as written (spaces in
    them collapsed, as `subject_name` does)."""
    value = f"regexp_replace({cleaned(col)}, '\\s+', ' ', 'g')"
    cases = " ".join(
        f"WHEN lower({value}) = '{k.replace(chr(39), chr(39) * 2)}' THEN '{v}'" for k, v in subjects.items()
    )
    contains = (
        "WHEN contains(lower(" + value + "), 'math') THEN 'Math' "
        "WHEN contains(lower("
        + value
        + "), 'read') OR contains(lower("
        + value
        + "), 'literacy') THEN 'Reading' "
    )
    return f"CASE {cases} {contains} ELSE {value} END"


def subject_name(text: str, subjects: dict[str, str]) -> str:
    """The Python twin of `subject_expr`, for a subject typed by the user (--subject, the Import
    page): 'ela' and 'ELA/L' are Reading, 'mathematics' is Math, so one subject never splits in two."""
    value = " ".join(text.split())
    low = value.lower()
    if low in subjects:
        return subjects[low]
    if "math" in low:
        return "Math"
    if "read" in low or "literacy" in low:
        return "Reading"
    return value


SCIENTIFIC_ID = r"\s*[0-9](\.[0-9]+)?[eE]\+?[0-9]+\s*"  # 7.10001E+05: Excel's display of a long number


SUMMARY_ROW = r"(grand |class |school )?(totals?|averages?|avg|mean|sum|count|summary)|all students"


def summary_row(col: str) -> str:
    """An id cell that labels a report's totals line ('Total', 'Average', 'All Students')."""
    return f"regexp_full_match(lower(trim({col})), '{SUMMARY_ROW}')"


def scientific_id(col: str) -> str:
    """An id Excel wrote in scientific notation: its digits may be lost, so it names no one for sure."""
    return f"regexp_full_match({col}, '{SCIENTIFIC_ID}')"


def id_needs_full_parse(raw: str | None) -> bool:
    """The Python twin of the id rules above, for the fast lane's distinct ids: blank, spaced, a
    spelling of missing (`raw_id`), a totals label (`summary_row`) or Excel's scientific notation
    (`scientific_id`) each need the full path, which rejects or reports them. Plain digits, what
    nearly every id is, are none of these (the regular expressions cost ~0.025 s per 25,000 ids)."""
    if raw and raw.isascii() and raw.isdigit():
        return False
    return (
        not raw
        or raw != raw.strip()
        or raw.lower() in MISSING_TOKENS
        or re.fullmatch(SUMMARY_ROW, raw.lower()) is not None
        or re.fullmatch(SCIENTIFIC_ID, raw) is not None
    )


def excel_destroyed(col: str) -> str:
    return f"regexp_matches(trim({col}), '{EXCEL_DESTROYED}')"


def masked(col: str) -> str:
    """The SQL twin of services.privacy.mask (tests keep them equal): first and last character only."""
    return (
        f"CASE WHEN {col} IS NULL THEN NULL WHEN length({col}) <= 2 THEN repeat('*', length({col})) "
        f"ELSE left({col}, 1) || repeat('*', length({col}) - 2) || right({col}, 1) END"
    )


def school_year_of_sql(day: str) -> str:
    """SQL: the school year (July to June) the DATE `day` falls in, spelt as `school_year_sql` writes
    it: 2026-27. (Migration 0065 repeats it as a macro: migrations do not change once applied.)"""
    start = f"(year({day}) - CASE WHEN month({day}) >= 7 THEN 0 ELSE 1 END)"
    return f"({start}::VARCHAR || '-' || lpad((({start} + 1) % 100)::VARCHAR, 2, '0'))"


def school_year_sql(year: str) -> str:
    """One spelling of a school year in terms: '2022-2023', '2022 - 2023', '2022-23' and a lone
    '2023' (the year it ends, as `_test_date_sql` reads it) are 2022-23, as `school_year_from_name`
    writes it, so one window is one term; other forms stay as written."""
    pair = r"'^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$'"
    lone = r"'^\s*(\d{4})\s*$'"
    return (
        f"CASE WHEN regexp_matches({year}, {pair}) THEN regexp_extract({year}, {pair}, 1) || '-' || "
        f"right(regexp_extract({year}, {pair}, 2), 2) "
        f"WHEN regexp_matches({year}, {lone}) THEN (regexp_extract({year}, {lone}, 1)::INTEGER - 1)::VARCHAR "
        f"|| '-' || right(regexp_extract({year}, {lone}, 1), 2) ELSE trim({year}) END"
    )
