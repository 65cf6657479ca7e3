"""The fast lane for big, clean daily usage files: read the CSV twice, materialise nothing extra.

Why: a school year of usage is ~10M rows and the issue's goal is an import within 1.5x of DuckDB's own
`read_csv` load. Pass 1 reads only the student-id column (DuckDB parses just that field) to hash the
distinct ids. Pass 2 inserts straight from DuckDB's typed CSV reader into usage_rows, by student,
tool and school number (migrations 0060, 0067; the tool and school names come from a sample of the
file, `sample_names`), inside the import's transaction. Then aggregates over the rows just written
(null counts, min/max against the profile's ranges, and a bitmap of (student, tool, day) for
duplicate keys) decide whether the file was clean. If anything needs attention (a value the typed
reader cannot read, a missing value, a value out of range, a US date the reader took as the year 3,
a duplicate key), the transaction rolls back and the full staging path (`etl/staging.py`) imports the
file with line-numbered rejects, so both lanes store the same rows.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from db.connection import transaction
from etl import cleaning, importlog, loaders, staging
from etl.formats import PROFILES, SUBJECTS
from etl.keys import build_keys_from
from etl.profiles import FormatProfile, detect
from etl.source import SourceFile
from models.imports import ImportOutcome, ImportRequest
from models.people import Actor

COLUMNS = loaders.USAGE_COLUMNS
# Duplicate keys are found with one bit per possible (student, tool, day) of the import; above this
# many bits (128 MB per thread; a year of 25,000 students and 40 tools needs 292M bits) a hash count
# is used instead.
BITMAP_MAX_BITS = 1 << 30
SAMPLE_BLOCKS, SAMPLE_BLOCK_BYTES = 64, 16 << 10  # `sample_names`: ~1 MB of the file, in 64 places
NUMBERED = {"tool": "tool_ref", "school": "school_ref"}  # usage_rows stores these names by number
UNNAMED = "etl_unnamed"  # temp: rows whose names the sample missed (`_write_unnamed`)


class _NotClean(Exception):
    """Raised inside the transaction to roll the fast lane back."""


def _id_pass(con: duckdb.DuckDBPyConnection, reader: str, sid: str, path: str) -> list[tuple] | None:
    """Each distinct student id with its row count; None when the reader refuses the file or a row
    has a field beyond the header (`_id_reader`)."""
    try:
        found = con.execute(
            f"SELECT {sid}, count(*), count(extra) FROM {reader} GROUP BY {sid}", {"path": path}
        ).fetchall()
    except duckdb.Error:
        return None
    if any(extra for _, _, extra in found):
        return None  # a field beyond the header: the full path rejects the row (or reads it shifted)
    return [(raw, rows) for raw, rows, _ in found]


def _id_reader(header: list[str], delimiter: str, profile: FormatProfile, resolved: dict[str, int]) -> str:
    """The reader of pass 1: `_strict_reader` with one column more, named `extra`, where an empty
    field reads as '' and only a field the line lacks as NULL. Why: DuckDB's strict reader drops one
    trailing delimiter without a word, so a row shifted by an unquoted comma ('Oak Ridge, Middle
    School') whose last cell was blank would be written one column to the right; here it shows as
    an `extra` of ''. Only the id and `extra` are read, so the other columns' empty cells are never
    cast; the pass costs what it cost without the column (0.70 against 0.68 s on 10.5M rows)."""
    reader = _strict_reader(header, delimiter, profile, resolved, spare=True)
    return f"(SELECT *, c{len(header)} AS extra FROM {reader})"


def while_checking(
    con: duckdb.DuckDBPyConnection, req: ImportRequest, progress: Callable[[str, float], None]
) -> Callable[..., Any]:
    """The id pass, to run while `open_source` checks the file's bytes (etl/source.py): for a daily
    usage layout, (reader, groups) as `try_import` would compute them; else None."""

    def early(path: Path, delimiter: str, header: list[str]) -> tuple[str, list[tuple] | None] | None:
        found = detect(PROFILES, req.kind, header, req.format)
        profile = found.profile
        if profile is None or profile.target != "usage_daily" or profile.rows != "daily":
            return None
        resolved = profile.resolve(header)
        if "student_id" not in resolved or _select_list(profile, resolved) is None:
            return None
        reader = _id_reader(header, delimiter, profile, resolved)
        progress("reading", 0.1)
        return reader, _id_pass(con, reader, f"c{resolved['student_id']}", str(path))

    return early


def _select_list(profile: FormatProfile, resolved: dict[str, int]) -> str | None:
    """The fields as the typed reader gives them; None when one needs the full parse (timestamps).
    Text is written as read and checked afterwards on its distinct values (`_text_is_clean`):
    cleaning every row cost ~0.6 s on 10M rows, for tool and school names that are almost always
    already clean."""
    select = []
    for field, pos in resolved.items():
        parse = profile.columns[field].parse
        if parse in staging.READER_TYPES:
            select.append(f"c{pos}{staging.scaled_sql(parse)} AS {field}")
        elif parse in ("id", "text"):
            select.append(f"c{pos} AS {field}")
        else:
            return None
    return ", ".join(select)


def _text_is_clean(
    con: duckdb.DuckDBPyConnection, profile: FormatProfile, names: dict[str, list[str]]
) -> bool:
    """No written text value would change under the full path's cleaning (spaces, "n/a", ...).
    `names`: the tools and schools the import's rows use (`_clean_after_insert`)."""
    for field, values in names.items():
        spec = profile.columns.get(field)
        if spec is None or spec.parse != "text":
            continue
        changed = con.execute(
            f"SELECT count(*) FROM (SELECT unnest($values::VARCHAR[]) AS v) "
            f"WHERE v IS DISTINCT FROM ({cleaning.cleaned('v')}) OR length(v) > {staging.NAME_LIMIT}",
            {"values": values},
        ).fetchone()[0]
        if changed:
            return False
    return True


def sample_names(src: SourceFile, positions: dict[str, int]) -> dict[str, set[str]]:
    """The names in the fields at `positions` ({"tool": 1, "school": 5}) on the lines of
    `SAMPLE_BLOCKS` short blocks spread over the file: hints for `loaders.attach_names` before the
    write, which then stores each row's tool and school by number (migration 0067). A name the
    sample missed (a tool first used in spring, in a file sorted by day) costs one more pass
    (`_write_unnamed`); a wrong one (a block starting inside a quoted line break) names nothing
    and is removed again. Reading the names from the whole file in the id pass cost 0.3 s on 10.5M
    rows; these 64 blocks cost ~0.02 s."""
    found: dict[str, set[str]] = {field: set() for field in positions}
    if not positions:
        return found
    width = len(src.header)
    size = src.read_path.stat().st_size
    with src.read_path.open("rb") as handle:
        for i in range(SAMPLE_BLOCKS):
            handle.seek(size * i // SAMPLE_BLOCKS)
            lines = handle.read(SAMPLE_BLOCK_BYTES).split(b"\n")[1:-1]  # whole lines only (and no header)
            text = b"\n".join(lines).decode("utf-8", errors="replace")
            for row in csv.reader(io.StringIO(text), delimiter=src.delimiter):
                if len(row) == width:
                    for field, pos in positions.items():
                        if row[pos]:
                            found[field].add(row[pos])
    return found


def _write_unnamed(
    con: duckdb.DuckDBPyConnection,
    by_name: str,
    import_id: int,
    path: str,
    added: list[list[int]],
    hints: dict[str, list[str]],
) -> int:
    """Write the rows the first write left out because the sample did not name their tool or school:
    one more pass over the file finds them, their names get numbers, and they are written. Returns
    the rows written; `added` collects the numbers given, `hints` the names."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {UNNAMED} AS SELECT * FROM ({by_name}) AS n({', '.join(loaders.USAGE_BY_NAME)}) "
        f"WHERE n.tool NOT IN (SELECT raw FROM {loaders.TOOL_REFS}) "
        f"OR n.school NOT IN (SELECT raw FROM {loaders.SCHOOL_REFS})",
        {"path": path},
    )
    tools, schools = loaders.distinct_names(con, f"SELECT tool, school FROM {UNNAMED}")
    new_tools, new_schools = loaders.attach_names(con, tools, schools)
    added[0].extend(new_tools)
    added[1].extend(new_schools)
    hints["tool"].extend(tools)
    hints["school"].extend(schools)
    written = loaders.upsert(
        con, "usage_rows", COLUMNS, loaders.by_number(f"SELECT * FROM {UNNAMED}"), import_id
    )
    con.execute(f"DROP TABLE {UNNAMED}")
    return written


def _drop_names_unused(
    con: duckdb.DuckDBPyConnection, added: list[list[int]], names: dict[str, list[str]]
) -> None:
    """Remove the names this import added from its sample that none of its rows uses."""
    for refs, field, table in ((added[0], "tool", "usage_tools"), (added[1], "school", "usage_schools")):
        if refs:
            con.execute(
                f"DELETE FROM {table} WHERE {field}_ref IN (SELECT unnest($refs::INTEGER[])) "
                f"AND {field} NOT IN (SELECT unnest($used::VARCHAR[]))",
                {"refs": refs, "used": names[field]},
            )


def _strict_reader(
    header: list[str],
    delimiter: str,
    profile: FormatProfile,
    resolved: dict[str, int],
    *,
    spare: bool = False,
    dateformat: str = "%Y-%m-%d",
) -> str:
    """The typed reader for pass 2: exactly the header's fields, so a short or long line is an error
    (the full path then reports it), and DuckDB's dialect detection left on with everything it could
    guess pinned (no skipped lines, no comments, ISO dates only). Letting the sniffer run is what
    makes this scan fast: with auto_detect=false and null padding the insert took ~12 s instead of ~7 s
    on the 10.5M-row benchmark file. DuckDB's default line limit (2 MB) is kept: raising it to the
    full path's 32 MB made each pass ~0.4 s slower, and a line that long sends the file to the full
    path anyway. `dateformat`: how the file writes its days (`source.sampled_date_format`)."""
    types = {
        pos: staging.READER_TYPES.get(profile.columns[f].parse, "VARCHAR") for f, pos in resolved.items()
    }
    width = len(header) + (1 if spare else 0)
    columns = ", ".join(f"'c{i}': '{types.get(i, 'VARCHAR')}'" for i in range(width))
    delim = {"\t": "\\t", ",": ",", ";": ";", "|": "|"}[delimiter]
    # `spare` (`_id_reader`): padding, and an empty field read as '' (`staging.EMPTY_IS_TEXT`)
    padding = (
        f"null_padding=true, auto_detect=false, {staging.EMPTY_IS_TEXT}" if spare else "null_padding=false"
    )
    return (
        f"read_csv($path, columns={{{columns}}}, header=true, delim=E'{delim}', quote='\"', escape='\"', "
        f"skip=0, comment='', dateformat='{dateformat}', strict_mode=true, {padding}, ignore_errors=false)"
    )


def _clean_after_insert(
    con: duckdb.DuckDBPyConnection,
    profile: FormatProfile,
    resolved: dict[str, int],
    import_id: int,
    read: int,
    tools: int,
) -> dict[str, list[str]] | None:
    """Every rule of the profile, checked as aggregates over the rows this import just wrote (every
    row has its tool: a row without one is not written, and the caller compares the counts).
    `tools`: at most how many tools the rows name. Returns the tool and school names the rows use,
    or None when the file needs the full path."""
    parts, expected = ["count(*)"], [read]
    no_measure = staging.no_measure_condition(profile, resolved)
    if no_measure:  # a row with neither minutes nor sessions: the full path rejects it
        parts.append(f"count(*) FILTER (WHERE {no_measure})")
        expected.append(0)
    bounds: list[tuple[str, float | str | None, float | str | None]] = []
    for field in resolved:
        spec = profile.columns[field]
        if field not in COLUMNS and field not in NUMBERED:
            continue  # student_id became student_ref through the join: present on every row
        if spec.required and field != "tool":
            parts.append(f"count(nullif({NUMBERED[field]}, 0))" if field in NUMBERED else f"count({field})")
            expected.append(read)
        if spec.parse == "date":
            bounds.append((field, cleaning.EARLIEST_DATE, cleaning.latest_date().isoformat()))
        elif spec.minimum is not None or spec.maximum is not None:
            bounds.append((field, spec.minimum, spec.maximum))
    for column, _, _ in bounds:
        parts.extend([f"min({column})::VARCHAR", f"max({column})::VARCHAR"])
    # for the duplicate check, and the schools the rows name
    parts.extend(["min(usage_date)", "max(usage_date)", "min(student_ref)", "max(student_ref)"])
    parts.append("list(DISTINCT school_ref)" if "school" in resolved else "[]::INTEGER[]")
    values = con.execute(
        f"SELECT {', '.join(parts)} FROM usage_rows WHERE import_id = ?", [import_id]
    ).fetchone()
    if list(values[: len(expected)]) != expected:
        return None
    for i, (_, low, high) in enumerate(bounds):
        lo, hi = values[len(expected) + 2 * i], values[len(expected) + 2 * i + 1]
        if lo is None:
            continue
        if isinstance(low, str):
            if lo < low or hi > high:
                return None
        else:  # a NaN ('nan', ordered last by DuckDB) is missing in the full parse
            out = (low is not None and float(lo) < low) or (high is not None and float(hi) > high)
            if out or math.isnan(float(hi)):
                return None
    *_, first, last, low, high, schools = values
    keys = distinct_keys(con, import_id, tools, (first, last, low, high))
    if sum(keys.values()) != read:
        return None  # two rows with one student, tool and day: the full path keeps the later
    names = {"tool": _named(con, "tool", list(keys)), "school": _named(con, "school", schools)}
    tools = names["tool"]
    if (
        len({t.lower() for t in tools}) < len(tools)
        or con.execute(
            # a tool spelt otherwise than the catalog or earlier imports ('mathquest', 'SHADOWTUBE'), or
            # two spellings in this file: the full path gives each tool one spelling first
            f"SELECT count(*) FROM (SELECT unnest($tools::VARCHAR[]) AS t) x "
            f"JOIN ({loaders.chosen_spellings_sql(exclude_import=True)}) k ON k.k = lower(x.t) AND k.spelling <> x.t",
            {"tools": tools, "import_id": import_id},
        ).fetchone()[0]
    ):
        return None
    return names if _text_is_clean(con, profile, names) else None


def _named(con: duckdb.DuckDBPyConnection, field: str, refs: list[int]) -> list[str]:
    """The names of these tool or school numbers, sorted (school number 0, no school, has none)."""
    return [
        r[0]
        for r in con.execute(
            f"SELECT {field} FROM usage_{field}s WHERE {field}_ref IN (SELECT unnest($refs::INTEGER[])) "
            f"AND {field} IS NOT NULL ORDER BY 1",
            {"refs": refs},
        ).fetchall()
    ]


def distinct_keys(
    con: duckdb.DuckDBPyConnection, import_id: int, tools: int, stats: tuple | None = None
) -> dict[int, int]:
    """How many distinct (student, day) keys the import wrote for each tool number, exactly.

    Why a bitmap: a 10M-entry hash table (count(DISTINCT ...)) was the slowest step after the write.
    Each tool gets a bitstring with one bit per (student, day) of the import (0.13-0.16 s on 10M rows
    and 40 tools, against 0.2-0.26 s for one bitstring with the tool's place looked up in a list, and
    0.8-1.5 s for the hash count); huge key spaces fall back to a count of distinct hashes. `tools`:
    how many tools the import's rows name; `stats`: their first and last day and lowest and highest
    student number, when the caller has them."""
    first, last, low, high = (
        stats
        or con.execute(
            "SELECT min(usage_date), max(usage_date), min(student_ref), max(student_ref) "
            "FROM usage_rows WHERE import_id = ?",
            [import_id],
        ).fetchone()
    )
    if first is None:
        return {}
    span = (last - first).days + 1
    per_tool = (high - low + 1) * span
    if per_tool * max(tools, 1) > BITMAP_MAX_BITS:
        return dict(
            con.execute(
                # a hash collision can only lower the count: the file then takes the (exact) full path
                "SELECT tool_ref, count(DISTINCT hash(student_ref, usage_date)) FROM usage_rows "
                "WHERE import_id = ? GROUP BY tool_ref",
                [import_id],
            ).fetchall()
        )
    # Exports come sorted by day or by student: number the bits in that order, so neighbouring rows
    # set neighbouring bits (0.2 s instead of 0.4-0.5 s on 10M rows sorted by day).
    days, students = con.execute(
        "SELECT count(DISTINCT usage_date), count(DISTINCT student_ref) FROM "
        "(SELECT usage_date, student_ref FROM usage_rows WHERE import_id = ? LIMIT 65536)",
        [import_id],
    ).fetchone()
    # INTEGER arithmetic (~0.01 s less than BIGINT on 10M rows): every position is below
    # per_tool <= BITMAP_MAX_BITS < 2^31
    day = f"(usage_date - DATE '{first.isoformat()}')::INTEGER"
    student = f"(student_ref - {low})"
    if days <= students:
        position = f"{day} * {high - low + 1} + {student}"
    else:
        position = f"{student} * {span} + {day}"
    return dict(
        con.execute(
            f"SELECT tool_ref, bit_count(bitstring_agg({position}, 0, {per_tool - 1})) "
            "FROM usage_rows WHERE import_id = ? GROUP BY tool_ref",
            [import_id],
        ).fetchall()
    )


def _whole_or_stop(field: str) -> str:
    """SQL: `s.<field>` (read as DOUBLE) as an INTEGER, stopping the insert at a value that is not whole.
    Only `v = trunc(v)` is tested here: the INTEGER cast itself stops at NaN, an infinity or a value
    beyond INTEGER (`cleaning.is_whole`'s other terms), and any stop sends the file to the full path.
    The two extra terms cost ~0.2 s of the write on 10.5M rows."""
    value = f"s.{field}"
    return f"CASE WHEN {value} IS NULL OR {value} = trunc({value}) THEN {value}::INTEGER ELSE error('not a whole number') END"


def try_import(
    con: duckdb.DuckDBPyConnection,
    secret: bytes,
    req: ImportRequest,
    src: SourceFile,
    profile: FormatProfile,
    resolved: dict[str, int],
    *,
    tool: str | None,
    tool_sql: str,
    actor: Actor | None,
    progress,
    number: importlog.ImportNumber | None = None,
) -> ImportOutcome | None:
    """Import a clean daily-usage file, or return None (nothing written) to use the full path, which
    then uses the same import number (`number`)."""
    select = _select_list(profile, resolved)
    if select is None or "student_id" not in resolved:
        return None
    reader = _strict_reader(
        src.header,
        src.delimiter,
        profile,
        resolved,
        dateformat=staging.reader_date_format(src, profile, resolved),
    )
    path = str(src.read_path)
    progress("reading", 0.1)
    ids = _id_reader(src.header, src.delimiter, profile, resolved)
    if src.early is not None and src.early[0] == ids:
        groups = src.early[1]  # read while the file was being checked (`while_checking`)
    else:
        groups = _id_pass(con, ids, f"c{resolved['student_id']}", path)
    if not groups or any(cleaning.id_needs_full_parse(g[0]) for g in groups):
        return None  # unreadable rows, or ids the full path rejects or reports (`id_needs_full_parse`)
    if staging.underscore_in_numbers(con, src, profile, resolved):
        return None  # '1_000' minutes: the typed reader would store 1000
    read = sum(g[1] for g in groups)
    progress("keying", 0.35)
    keys = build_keys_from(con, secret, [g[0] for g in groups])
    if len(set(keys.values())) != len(keys):
        return None  # two spellings of one id ("00123", "123"): the full path merges them
    fields = set(resolved)

    def col(name: str, cast: str) -> str:
        return f"s.{name}" if name in fields else f"NULL::{cast}"

    sampled = sample_names(src, {f: resolved[f] for f in NUMBERED if f in resolved})
    hints = {f: sorted(sampled.get(f, set()) | ({tool} if tool and f == "tool" else set())) for f in NUMBERED}
    progress("writing", 0.4)
    con.execute("SET preserve_insertion_order = false")
    try:
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
                import_id=(number or importlog.ImportNumber(con)).get(),
            )
            loaders.attach_refs(con)
            added = [list(refs) for refs in loaders.attach_names(con, hints["tool"], hints["school"])]
            # sessions and grade are read as DOUBLE (DuckDB's integer reader rounds 1.5 and 3.5): a
            # value that is not a whole number stops the insert, and the full path reports it
            sessions = _whole_or_stop("sessions") if "sessions" in fields else "NULL::INTEGER"
            grade = _whole_or_stop("grade") if "grade" in fields else "NULL::INTEGER"
            by_name = (
                f"SELECT k.student_ref, {tool_sql}, s.usage_date, {col('minutes', 'DOUBLE')}, "
                f"{sessions}, {col('school', 'VARCHAR')}, "
                f"{grade}, {import_id}::INTEGER "
                f"FROM (SELECT {select} FROM {reader}) s JOIN {loaders.REFS} k ON k.raw = s.student_id"
            )
            try:
                written = loaders.upsert(
                    con, "usage_rows", COLUMNS, loaders.by_number(by_name), import_id, {"path": path}
                )
                if written < read:  # names the sample missed, or rows without a tool
                    written += _write_unnamed(con, by_name, import_id, path, added, hints)
            except duckdb.Error as exc:  # a cast, a constraint, a ragged row: not clean
                raise _NotClean from exc
            progress("checking", 0.8)
            if written != read:
                raise _NotClean
            names = _clean_after_insert(con, profile, resolved, import_id, read, len(hints["tool"]))
            if names is None:
                raise _NotClean
            _drop_names_unused(con, added, names)
            importlog.finish_entry(
                con,
                import_id,
                read=read,
                imported=read,
                rejected=0,
                warned=0,
                notes=" ".join(src.warnings) or None,
            )
    except _NotClean:
        return None
    finally:
        con.execute("RESET preserve_insertion_order")
    progress("done", 1.0)
    unrostered = importlog.unrostered_warning(con)
    return importlog.imported_outcome(
        req,
        profile,
        import_id,
        read=read,
        imported=read,
        rejected=0,
        warned=0,
        warnings=[*src.warnings, *([unrostered] if unrostered else [])],
        replaced=loaders.replaced_rows(con, import_id),
    )
