"""OneRoster 1.1 / 1.2 CSV rosters (a folder or a zip) into roster_students and roster_teachers.

Why separate from the one-file profiles: a roster is several related files (users, orgs, and in 1.2
roles). Only what the product needs is read: the local id (users.identifier, else sourcedId) hashed
into the student key, the school by name (orgs.name), the first grade, and whether the record is
active. Names, usernames, e-mails, phone numbers and passwords are never staged.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

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
MIN_GRADE, MAX_GRADE = -1, 13  # PK .. 13, as roster_students allows
TEMP_TABLES = ("etl_users", "etl_orgs_lines", "etl_orgs", "etl_roles", "etl_manifest", "etl_user_orgs")


def _files(path: Path, tmp: Path) -> dict[str, Path]:
    """The OneRoster files by lower-case name, from a folder or safely extracted from a zip."""
    if path.is_dir():
        return _folder_files(path)
    damaged = FileRefused(
        f"{path.name}: the zip is damaged (cut short or failing its check); export it again."
    )
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            if handle.read(4) == b"PK\x03\x04":  # a zip's first bytes, but no directory at its end
                raise damaged
        raise FileRefused(f"{path.name}: a roster is a OneRoster folder or .zip (users.csv, orgs.csv, ...).")
    try:
        with zipfile.ZipFile(path) as archive:
            return _extract(path.name, archive, tmp)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise damaged from None
    except NotImplementedError:
        raise FileRefused(
            f"{path.name}: the zip uses a compression method that cannot be read; zip it again."
        ) from None


def _hidden(part: str) -> bool:
    """macOS adds __MACOSX/ and ._ copies to every zip it makes; dot-folders are never an export."""
    return part.startswith(("__MACOSX", "."))


def _wanted_in(folder: Path) -> dict[str, Path]:
    return {p.name.lower(): p for p in folder.iterdir() if p.is_file() and p.name.lower() in WANTED}


def _folder_files(path: Path) -> dict[str, Path]:
    """The files, or (as an unzipped export often holds them) those one folder down."""
    found = _wanted_in(path)
    if "users.csv" in found:
        return found
    inner = sorted(d for d in path.iterdir() if d.is_dir() and not _hidden(d.name))
    sets = {d.name: _wanted_in(d) for d in inner}
    chosen = _one_export(path.name, sets)
    if chosen is not None:
        return chosen
    return sets[inner[0].name] if len(inner) == 1 else found


def _one_export(name: str, sets: dict[str, dict]) -> dict | None:
    """The one folder that holds users.csv; two such folders (say 2025-26/ and 2026-27/) are two
    exports, and taking either one silently could import last year's roster over this year's."""
    exports = sorted(folder for folder, files in sets.items() if "users.csv" in files)
    if len(exports) > 1:
        raise FileRefused(
            f"{name}: holds more than one OneRoster export (folders {', '.join(exports)}); "
            "import one folder at a time. Nothing was imported."
        )
    return sets[exports[0]] if exports else None


def _extract(name: str, archive: zipfile.ZipFile, tmp: Path) -> dict[str, Path]:
    """The export's files from a zip, each written to `tmp` under its own name only (no ../ escapes).

    Members are grouped by folder so one export is taken whole; a zip with no users.csv at all keeps
    whatever OneRoster files it has, so the refusal names what is missing."""
    sets: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.is_dir() or not parts or parts[-1].lower() not in WANTED or any(map(_hidden, parts)):
            continue
        sets.setdefault("/".join(parts[:-1]), {})[parts[-1].lower()] = info
    chosen = _one_export(name, sets)
    if chosen is None:
        chosen = {k: v for files in sets.values() for k, v in files.items()}
    for member, info in chosen.items():
        if info.flag_bits & 0x1:
            raise FileRefused(f"{name}: the zip is password-protected; export it again without a password.")
        if info.file_size > MAX_MEMBER_BYTES:
            raise FileRefused(f"{name}: {member} is larger than {MAX_MEMBER_BYTES >> 20} MB.")
    found: dict[str, Path] = {}
    for member, info in chosen.items():
        target = tmp / member
        with archive.open(info) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)  # the CRC is checked as the last block is read
        found[member] = target
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
            return already_outcome(previous, req.display_name)
        sources: dict[str, SourceFile] = {}
        try:
            for name in sorted(files, key=WANTED.index):  # users.csv first: its warnings come first
                sources[name] = open_source(files[name])
            return _import(con, secret, req, sources, sha, actor, progress)
        finally:
            for src in sources.values():
                src.close()
            for table in (*TEMP_TABLES, staging.STAGE, KEYS):
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
    warnings = [f"{name}: {w}" for name, src in sources.items() for w in src.warnings]
    bulk = _is_bulk(con, sources.get("manifest.csv"))
    warnings += _stage_orgs(con, req, sources["orgs.csv"], bulk=bulk)
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
    else:
        role_sql = "u.role"
    _user_orgs(con, roles="roles.csv" in sources)
    first_grade = "trim(split_part(u.grades, ',', 1))"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {staging.STAGE} AS
        SELECT p.*, o.name AS school,
               CASE WHEN p.grade_read BETWEEN {MIN_GRADE} AND {MAX_GRADE} THEN p.grade_read END AS grade,
               false AS __blank, false AS __overflow
        FROM (SELECT u.rowid AS rowid_src, lower({role_sql}) AS role,
                     coalesce(u.identifier, u.sourced_id) AS student_id,
                     coalesce(uo.school_org, {"uo.first_org" if bulk else "NULL"}) AS org_id,
                     {cleaning.grade_expr(first_grade)} AS grade_read, left({first_grade}, 80) AS grade_raw,
                     coalesce(lower(u.status), 'active') NOT IN ('tobedeleted', 'inactive')
                       AND coalesce(lower(u.enabled), 'true') <> 'false' AS active
              FROM etl_users u LEFT JOIN etl_user_orgs uo ON uo.user_row = u.rowid) p
        LEFT JOIN etl_orgs o ON o.sourced_id = p.org_id ORDER BY p.rowid_src""")
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
        staging.Check(
            "warning",
            "grades",
            "grade not between PK and 13; read as missing",
            "role = 'student' AND grade IS NULL AND grade_read IS NOT NULL",
            "grade_raw",
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
        # OneRoster carries no program flags (ELL, IEP, FRL): the ones already stored are kept
        loaders.upsert(
            con,
            "roster_students",
            ["student_key", "school", "grade", "active", "ell", "iep", "frl", "import_id"],
            # a school this export does not list (a delta's orgs.csv holds changed orgs only) stays as stored
            f"SELECT n.student_key, coalesce(n.school, r.school), n.grade, n.active, r.ell, r.iep, r.frl, "
            f"{import_id} FROM ("
            f"SELECT k.student_key, arg_max_null(school, s.rowid) AS school, arg_max_null(grade, s.rowid) AS grade, "
            f"arg_max_null(active, s.rowid) AS active {src} AND role = 'student' GROUP BY k.student_key) n "
            "LEFT JOIN roster_students r USING (student_key)",
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
        if bulk:
            left = _deactivate_missing(con, import_id)
            if left:
                warnings.append(
                    f"{left:,} student(s) marked inactive because they are no longer in the roster."
                )
        imported = con.execute(f"SELECT count(*) FROM {staging.STAGE} WHERE {valid}").fetchone()[0]
        importlog.finish_entry(
            con,
            import_id,
            read=read,
            imported=imported,
            rejected=rejected,
            warned=warned,
            notes=" ".join(warnings) or None,
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
        warnings=warnings,
        format_name=f"oneroster-{version}",
        label=f"OneRoster {version}",
        noun="people",
        replaced=loaders.replaced_rows(con, import_id),
    )


def _stage_orgs(
    con: duckdb.DuckDBPyConnection, req: ImportRequest, src: SourceFile, *, bulk: bool = True
) -> list[str]:
    """etl_orgs with one row per sourcedId, the last line winning (as a later line of users.csv does).

    Why: an org listed twice joined every one of its users twice, which inflated the counts and
    picked one of the two names at random. An orgs.csv without orgs would have wiped every stored
    student's school, so it is refused. Returns the warning for orgs listed more than once."""
    found = _stage_file(
        con, src, "etl_orgs_lines", {"sourced_id": ("sourcedId",), "name": ("name",), "type": ("type",)}
    )
    if "sourced_id" not in found:
        raise FileRefused(f"{req.display_name}: orgs.csv has no sourcedId column; nothing was imported.")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE etl_orgs AS SELECT sourced_id, name, type FROM etl_orgs_lines "
        "WHERE sourced_id IS NOT NULL QUALIFY row_number() OVER (PARTITION BY sourced_id ORDER BY rowid DESC) = 1"
    )
    if bulk and con.execute("SELECT count(*) FROM etl_orgs").fetchone()[0] == 0:  # a delta lists changed orgs
        raise FileRefused(f"{req.display_name}: orgs.csv lists no schools; nothing was imported.")
    twice = [
        r[0]
        for r in con.execute(
            "SELECT left(sourced_id, 40) FROM etl_orgs_lines WHERE sourced_id IS NOT NULL "
            "GROUP BY sourced_id HAVING count(*) > 1 ORDER BY min(rowid)"
        ).fetchall()
    ]
    if not twice:
        return []
    named = ", ".join(twice[:5]) + (", ..." if len(twice) > 5 else "")
    return [f"orgs.csv lists {len(twice):,} org(s) more than once ({named}); the last line of each is used."]


def _is_bulk(con: duckdb.DuckDBPyConnection, manifest: SourceFile | None) -> bool:
    """Whether users.csv is the complete list (manifest.csv `file.users` = bulk, or no manifest).

    Only a complete list can say that a student left; a delta export lists just the changes."""
    if manifest is None:
        return True
    _stage_file(con, manifest, "etl_manifest", {"name": ("propertyName",), "value": ("value",)})
    value = con.execute(
        "SELECT lower(arg_max(value, rowid)) FROM etl_manifest WHERE lower(name) = 'file.users'"
    ).fetchone()[0]
    return value is None or value == "bulk"  # a manifest that does not say is read as bulk (1.0 had none)


def _user_orgs(con: duckdb.DuckDBPyConnection, *, roles: bool) -> None:
    """etl_user_orgs(user_row, school_org, first_org): each users.csv line's school, set-wise.

    The school is the primary org when it is a school, else a school among the user's orgs (1.1
    orgSourcedIds in their order; 1.2 roles.csv, the primary role first): a OneRoster 1.2 export may
    name the district as the primary org, and a user is often listed under the district and a school
    ("dist-1,sch-b"). Only when no org is a school does the first org (primary, listed, role) count."""
    ranked = [
        "SELECT rowid AS user_row, primary_org AS org_id, [0]::BIGINT[] AS rank FROM etl_users",
        "SELECT user_row, trim(org_id), [1, pos]::BIGINT[] FROM (SELECT rowid AS user_row, "
        "unnest(string_split(org_ids, ',')) AS org_id, generate_subscripts(string_split(org_ids, ','), 1) "
        "AS pos FROM etl_users WHERE org_ids IS NOT NULL)",
    ]
    if roles:
        ranked.append(
            "SELECT u.rowid, r.org_id, [2, CASE WHEN lower(r.role_type) = 'primary' THEN 0 ELSE 1 END, "
            "r.rowid]::BIGINT[] FROM etl_users u JOIN etl_roles r ON r.user_id = u.sourced_id"
        )
    con.execute(f"""CREATE OR REPLACE TEMP TABLE etl_user_orgs AS
        SELECT uo.user_row, arg_min(uo.org_id, uo.rank) FILTER (WHERE lower(o.type) = 'school') AS school_org,
               arg_min(uo.org_id, uo.rank) AS first_org
        FROM ({" UNION ALL ".join(ranked)}) uo LEFT JOIN etl_orgs o ON o.sourced_id = uo.org_id
        WHERE nullif(uo.org_id, '') IS NOT NULL GROUP BY uo.user_row""")


def _deactivate_missing(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    """Mark inactive the stored active students of this export's schools that it no longer lists.

    Why: a bulk export is the complete roster, so a student who left is simply not in it; without
    this they stayed active forever. Scoped to the schools in orgs.csv (orgs of type school, or of no
    type; never the district), so a one-school export leaves the other schools alone. Through the upsert, so undo puts the active rows back."""
    schools = (
        "SELECT name FROM etl_orgs WHERE coalesce(lower(type), 'school') = 'school' AND name IS NOT NULL"
    )
    return loaders.upsert(
        con,
        "roster_students",
        ["student_key", "school", "grade", "ell", "iep", "frl", "active", "import_id"],
        f"SELECT student_key, school, grade, ell, iep, frl, false, {import_id} FROM roster_students "
        f"WHERE active AND import_id IS DISTINCT FROM {import_id} AND school IN ({schools})",
        import_id,
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
