"""OneRoster 1.1 / 1.2 CSV rosters (a folder or a zip) into roster_students and roster_teachers.

Why separate from the one-file profiles: a roster is several related files (users, orgs, and in 1.2
roles). Only what the product needs is read: the local id (users.identifier, else sourcedId) hashed
into the student key, the school by name (orgs.name), the first grade, and whether the record is
active. Names, usernames, e-mails, phone numbers and passwords are never staged.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from pathlib import Path

import duckdb

from db import repo
from db.connection import transaction
from etl import cleaning, importlog, loaders, staging
from etl.keys import KEYS, build_keys
from etl.profiles import norm_header
from etl.source import FileRefused, SourceFile, open_source
from models.imports import ImportOutcome, ImportRequest
from models.people import Actor

WANTED = ("users.csv", "orgs.csv", "roles.csv", "manifest.csv")
MAX_MEMBER_BYTES = 512 << 20


def _files(path: Path, tmp: Path) -> dict[str, Path]:
    """The OneRoster files by lower-case name, from a folder or safely extracted from a zip."""
    if path.is_dir():  # the files, or (as a zip often holds them) one folder down
        found = {p.name.lower(): p for p in path.iterdir() if p.is_file() and p.name.lower() in WANTED}
        if "users.csv" not in found:
            inner = [d for d in path.iterdir() if d.is_dir() and not d.name.startswith(("__MACOSX", "."))]
            if len(inner) == 1:
                found = {
                    p.name.lower(): p for p in inner[0].iterdir() if p.is_file() and p.name.lower() in WANTED
                }
        return found
    if not zipfile.is_zipfile(path):
        raise FileRefused(f"{path.name}: a roster is a OneRoster folder or .zip (users.csv, orgs.csv, ...).")
    found: dict[str, Path] = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = Path(info.filename).name.lower()
            if name not in WANTED or info.is_dir():
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                raise FileRefused(f"{path.name}: {name} is larger than {MAX_MEMBER_BYTES >> 20} MB.")
            target = tmp / name  # never the member's own path (no ../ escapes)
            target.write_bytes(archive.read(info))
            found[name] = target
    return found


def _stage_file(
    con: duckdb.DuckDBPyConnection, src: SourceFile, table: str, wanted: dict[str, tuple[str, ...]]
) -> set[str]:
    """Temp table `table` with the wanted columns (by header name) and `line`; returns fields found."""
    positions = {norm_header(h): i for i, h in reversed(list(enumerate(src.header)))}
    select = ["rowid_line"]
    found: set[str] = set()
    cols = []
    for field, headers in wanted.items():
        pos = next((positions[norm_header(h)] for h in headers if norm_header(h) in positions), None)
        cols.append(
            f"{cleaning.cleaned(f'c{pos}')} AS {field}" if pos is not None else f"NULL::VARCHAR AS {field}"
        )
        if pos is not None:
            found.add(field)
    width = len(src.header) + staging.SPARE_COLUMNS
    del select
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(cols)} "
            f"FROM {staging.read_csv_sql(src, width)}",
            {"path": str(src.read_path)},
        )
    except duckdb.Error as exc:
        raise staging.duckdb_read_error(src, exc) from None
    return found


def _sha(files: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name].read_bytes()).digest())
    return digest.hexdigest()


def import_roster(
    con: duckdb.DuckDBPyConnection,
    secret: bytes,
    req: ImportRequest,
    *,
    actor: Actor | None = None,
    progress=lambda step, fraction: None,
) -> ImportOutcome:
    from etl.runner import already_outcome, find_previous

    path = Path(req.path)
    if not path.exists():
        raise FileRefused(f"{path}: no such file or folder.")
    with tempfile.TemporaryDirectory(prefix="etl-roster-") as tmp:
        files = _files(path, Path(tmp))
        missing = [n for n in ("users.csv", "orgs.csv") if n not in files]
        if missing:
            raise FileRefused(f"{req.display_name}: not a OneRoster export; missing {', '.join(missing)}.")
        sha = _sha(files)
        previous = find_previous(con, sha, "roster")
        if previous:
            return already_outcome(previous)
        sources = {name: open_source(p) for name, p in files.items()}
        try:
            return _import(con, secret, req, sources, sha, actor, progress)
        finally:
            for src in sources.values():
                src.close()
            for table in ("etl_users", "etl_orgs", "etl_roles", KEYS):
                con.execute(f"DROP TABLE IF EXISTS {table}")


def _import(
    con: duckdb.DuckDBPyConnection,
    secret: bytes,
    req: ImportRequest,
    sources: dict[str, SourceFile],
    sha: str,
    actor: Actor | None,
    progress,
) -> ImportOutcome:
    progress("reading", 0.1)
    users = _stage_file(
        con,
        sources["users.csv"],
        "etl_users",
        {
            "sourced_id": ("sourcedId",),
            "status": ("status",),
            "enabled": ("enabledUser",),
            "role": ("role",),
            "identifier": ("identifier",),
            "org_ids": ("orgSourcedIds",),
            "primary_org": ("primaryOrgSourcedId",),
            "grades": ("grades",),
        },
    )
    if "sourced_id" not in users:
        raise FileRefused(f"{req.display_name}: users.csv has no sourcedId column.")
    _stage_file(
        con,
        sources["orgs.csv"],
        "etl_orgs",
        {"sourced_id": ("sourcedId",), "name": ("name",), "type": ("type",)},
    )
    version = "1.1" if "role" in users else "1.2"
    if "role" not in users and "roles.csv" not in sources:
        raise FileRefused(
            f"{req.display_name}: users.csv has no role column and roles.csv is missing (OneRoster 1.2 "
            "keeps roles there); nothing was imported."
        )
    if "roles.csv" in sources:
        _stage_file(
            con,
            sources["roles.csv"],
            "etl_roles",
            {
                "user_id": ("userSourcedId",),
                "role": ("role",),
                "role_type": ("roleType",),
                "org_id": ("orgSourcedId",),
            },
        )
        role_sql = (
            "coalesce(u.role, (SELECT arg_max(r.role, lower(r.role_type) = 'primary') FROM etl_roles r "
            "WHERE r.user_id = u.sourced_id))"
        )
        org_fallback = (
            "(SELECT arg_max(r.org_id, lower(r.role_type) = 'primary') FROM etl_roles r "
            "WHERE r.user_id = u.sourced_id)"
        )
        version = "1.2" if "role" not in users else version
    else:
        role_sql, org_fallback = "u.role", "NULL"
    # a user listed under the district and a school ("dist-1,sch-b") belongs to the school
    school_org = (
        "(SELECT min_by(o2.sourced_id, list_position(string_split(replace(u.org_ids, ' ', ''), ','), o2.sourced_id)) "
        "FROM etl_orgs o2 WHERE lower(o2.type) = 'school' "
        "AND list_contains(string_split(replace(u.org_ids, ' ', ''), ','), o2.sourced_id))"
    )
    org_sql = f"coalesce(u.primary_org, {school_org}, trim(split_part(u.org_ids, ',', 1)), {org_fallback})"
    grade = cleaning.grade_expr("trim(split_part(u.grades, ',', 1))")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {staging.STAGE} AS
        SELECT u.rowid AS rowid_src, lower({role_sql}) AS role, coalesce(u.identifier, u.sourced_id) AS student_id,
               o.name AS school, {org_sql} AS org_id, {grade} AS grade,
               coalesce(lower(u.status), 'active') NOT IN ('tobedeleted', 'inactive')
                 AND coalesce(lower(u.enabled), 'true') <> 'false' AS active,
               false AS __blank, false AS __overflow
        FROM etl_users u LEFT JOIN etl_orgs o ON o.sourced_id = {org_sql} ORDER BY u.rowid""")
    read = con.execute(
        f"SELECT count(*) FROM {staging.STAGE} WHERE role IN ('student', 'teacher')"
    ).fetchone()[0]
    if read == 0:
        raise FileRefused(
            f"{req.display_name}: users.csv lists no students or teachers; nothing was imported."
        )
    checks = [
        staging.Check(
            "rejected", "identifier", "missing identifier and sourcedId", "student_id IS NULL", "NULL"
        ),
        staging.Check(
            "warning",
            "orgSourcedIds",
            "school not found in orgs.csv",
            "school IS NULL AND org_id IS NOT NULL",
            "left(org_id, 80)",
        ),
    ]
    people = "role IN ('student', 'teacher')"
    valid = f"{people} AND {staging.valid_condition(checks)}"
    build_keys(con, secret, f"SELECT DISTINCT student_id FROM {staging.STAGE} WHERE {valid}")
    with transaction(con):
        import_id = repo.insert(
            con,
            "import_log",
            {
                "kind": "roster",
                "format": f"oneroster-{version}",
                "file_name": req.display_name,
                "file_sha256": sha,
                "imported_by": actor.email if actor else "etl",
            },
            actor=actor,
        )
        scoped = [
            staging.Check(c.severity, c.column, c.reason, f"{people} AND {c.condition}", c.value)
            for c in checks
        ]
        rejected, warned = _record(con, import_id, scoped)
        staging.true_line_numbers(con, import_id, sources["users.csv"])
        progress("writing", 0.6)
        src = f"FROM {staging.STAGE} s JOIN {KEYS} k ON k.raw = s.student_id WHERE {valid}"
        loaders.upsert(
            con,
            "roster_students",
            ["student_key", "school", "grade", "active", "import_id"],
            f"SELECT k.student_key, arg_max_null(school, s.rowid), arg_max_null(grade, s.rowid), "
            f"arg_max_null(active, s.rowid), {import_id} {src} AND role = 'student' GROUP BY k.student_key",
            import_id,
        )
        loaders.upsert(
            con,
            "roster_teachers",
            ["teacher_key", "school", "import_id"],
            f"SELECT k.student_key, arg_max_null(school, s.rowid), {import_id} {src} AND role = 'teacher' "
            f"GROUP BY k.student_key",
            import_id,
        )
        imported = con.execute(f"SELECT count(*) FROM {staging.STAGE} WHERE {valid}").fetchone()[0]
        importlog.finish_entry(
            con, import_id, read=read, imported=imported, rejected=rejected, warned=warned, notes=None
        )
    progress("done", 1.0)
    return importlog.imported_outcome(
        req,
        None,
        import_id,
        read=read,
        imported=imported,
        rejected=rejected,
        warned=warned,
        warnings=[],
        format_name=f"oneroster-{version}",
        label=f"OneRoster {version}",
        noun="people",
    )


def _record(con: duckdb.DuckDBPyConnection, import_id: int, checks: list[staging.Check]) -> tuple[int, int]:
    """Rejects for roster rows point at users.csv lines (rowid_src + 2)."""
    for check in checks:
        con.execute(
            f"INSERT INTO import_rejects (import_id, line_number, column_name, reason, value_masked, "
            f"severity) SELECT ?, rowid_src + 2, ?, ?, {staging.safe_value(check.value, overflow=False)}, ? "
            f"FROM {staging.STAGE} "
            f"WHERE coalesce({check.condition}, false)",
            [import_id, "users.csv " + check.column, check.reason, check.severity],
        )
    counts = []
    for severity in ("rejected", "warning"):
        cond = " OR ".join(f"coalesce({c.condition}, false)" for c in checks if c.severity == severity)
        counts.append(
            con.execute(f"SELECT count(*) FROM {staging.STAGE} WHERE {cond or 'false'}").fetchone()[0]
        )
    return counts[0], counts[1]
