"""OneRoster rosters: who stays active, which school, and the exports that must be refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from etl import admin
from etl.source import FileRefused
from tests.etlhelp import imp, key, rejects, rows, snapshot, write

USERS = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,familyName,identifier,grades"
ORGS = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"
DISTRICT_AND_TWO_SCHOOLS = [
    "dist-1,active,2026-08-01,Quill District,district,D1,",
    "sch-a,active,2026-08-01,Alder Elementary,school,A,dist-1",
    "sch-b,active,2026-08-01,Birch High,School,B,dist-1",
]
USERS12 = (
    "sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,identifier,grades,"
    "primaryOrgSourcedId"
)
ROLES = "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId"


def user(
    sid: str, org: str, local_id: str, grade: str = "03", role: str = "student", status: str = "active"
) -> str:
    return f'{sid},{status},2026-08-01,true,"{org}",{role},x.{sid},Given,Family,{local_id},{grade}'


def manifest(users: str) -> str:
    return f"propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\nfile.users,{users}\n"


def roster(
    folder: Path,
    users: list[str],
    orgs: list[str] | None = None,
    *,
    file_users: str | None = "bulk",
    extra: dict[str, str] | None = None,
) -> Path:
    """A OneRoster 1.1 folder; `file_users` None leaves manifest.csv out."""
    folder.mkdir(parents=True, exist_ok=True)
    write(folder / "users.csv", "\n".join([USERS, *users]) + "\n")
    write(
        folder / "orgs.csv", "\n".join([ORGS, *(DISTRICT_AND_TWO_SCHOOLS if orgs is None else orgs)]) + "\n"
    )
    if file_users is not None:
        write(folder / "manifest.csv", manifest(file_users))
    for name, text in (extra or {}).items():
        write(folder / name, text)
    return folder


def students(con) -> list[tuple]:
    return rows(con, "SELECT student_key, school, grade, active FROM roster_students ORDER BY student_key")


FIRST = [user("u1", "sch-a", "1001"), user("u2", "sch-a", "1002"), user("u3", "sch-b", "1003")]


class TestStudentsWhoLeave:
    def test_a_student_missing_from_a_bulk_export_becomes_inactive_and_undo_restores(self, con, tmp_path):
        imp(con, "roster", roster(tmp_path / "r1", FIRST))
        before = rows(con, "SELECT * FROM roster_students ORDER BY student_key")
        out = imp(con, "roster", roster(tmp_path / "r2", FIRST[:1]))
        active = dict(rows(con, "SELECT student_key, active FROM roster_students"))
        assert active == {key("1001"): True, key("1002"): False, key("1003"): False}
        assert "2 student(s) marked inactive because they are no longer in the roster." in out.warnings
        assert (
            rows(con, "SELECT notes FROM import_log WHERE import_id = ?", [out.import_id])[0][0].count(
                "marked inactive"
            )
            == 1
        )
        assert out.rows_imported == 1  # the deactivated are not counted as imported people
        admin.undo_last_import(con, actor=None)
        assert rows(con, "SELECT * FROM roster_students ORDER BY student_key") == before

    def test_an_export_without_manifest_is_a_bulk_export(self, con, tmp_path):
        imp(con, "roster", roster(tmp_path / "r1", FIRST))
        imp(con, "roster", roster(tmp_path / "r2", FIRST[1:], file_users=None))
        assert rows(con, "SELECT active FROM roster_students WHERE student_key = ?", [key("1001")]) == [
            (False,)
        ]

    def test_a_delta_export_deactivates_nobody(self, con, tmp_path):
        imp(con, "roster", roster(tmp_path / "r1", FIRST))
        out = imp(
            con, "roster", roster(tmp_path / "r2", [user("u1", "sch-a", "1001", "04")], file_users="delta")
        )
        assert [a for _, _, _, a in students(con)] == [True, True, True]
        assert not any("inactive" in w for w in out.warnings)

    def test_a_delta_whose_orgs_csv_lists_no_orgs_keeps_each_students_school(self, con, tmp_path):
        """A delta's orgs.csv holds the orgs that changed, often none: a listed student's school is
        then the one stored, not blank, and the export is not refused."""
        imp(con, "roster", roster(tmp_path / "r1", FIRST))
        school = rows(con, "SELECT school FROM roster_students WHERE student_key = ?", [key("1001")])
        imp(
            con,
            "roster",
            roster(tmp_path / "r2", [user("u1", "sch-a", "1001", "04")], [], file_users="delta"),
        )
        assert rows(
            con, "SELECT school, grade FROM roster_students WHERE student_key = ?", [key("1001")]
        ) == [(school[0][0], 4)]

    def test_a_per_school_export_leaves_other_schools_alone(self, con, tmp_path):
        imp(con, "roster", roster(tmp_path / "r1", FIRST))
        orgs = [DISTRICT_AND_TWO_SCHOOLS[1]]  # School A only
        out = imp(con, "roster", roster(tmp_path / "r2", FIRST[:1], orgs))
        active = dict(rows(con, "SELECT student_key, active FROM roster_students"))
        assert active == {key("1001"): True, key("1002"): False, key("1003"): True}
        assert "1 student(s) marked inactive because they are no longer in the roster." in out.warnings

    def test_a_student_already_inactive_is_left_as_stored(self, con, tmp_path):
        imp(
            con,
            "roster",
            roster(tmp_path / "r1", [*FIRST[:2], user("u3", "sch-a", "1003", status="tobedeleted")]),
        )
        stored = rows(con, "SELECT * FROM roster_students WHERE student_key = ?", [key("1003")])
        out = imp(con, "roster", roster(tmp_path / "r2", FIRST[:1]))
        assert rows(con, "SELECT * FROM roster_students WHERE student_key = ?", [key("1003")]) == stored
        assert "1 student(s) marked inactive because they are no longer in the roster." in out.warnings


class TestGrades:
    def test_a_grade_outside_pk_to_13_is_read_as_missing_with_a_warning(self, con, tmp_path):
        users = [
            user("u1", "sch-a", "1001", "14"),
            user("u2", "sch-a", "1002", '"99,10"'),
            user("u3", "sch-b", "1003"),
        ]
        out = imp(con, "roster", roster(tmp_path / "r", users))
        assert (out.rows_imported, out.rows_rejected, out.rows_warned) == (3, 0, 2)
        grades = dict(rows(con, "SELECT student_key, grade FROM roster_students"))
        assert grades == {key("1001"): None, key("1002"): None, key("1003"): 3}
        assert rejects(con, out.import_id, "warning") == [
            (2, "users.csv grades", "grade not between PK and 13; read as missing", "14"),
            (3, "users.csv grades", "grade not between PK and 13; read as missing", "99"),
        ]


class TestOrgs:
    def test_an_orgs_file_without_rows_is_refused(self, con, tmp_path):
        imp(con, "roster", roster(tmp_path / "r1", FIRST))
        before = snapshot(con)
        with pytest.raises(FileRefused, match=r"orgs\.csv lists no schools; nothing was imported\.$"):
            imp(con, "roster", roster(tmp_path / "r2", FIRST, orgs=[]))
        assert snapshot(con) == before

    def test_an_org_listed_twice_counts_once_and_the_last_line_wins(self, con, tmp_path):
        orgs = [*DISTRICT_AND_TWO_SCHOOLS, "sch-a,active,2026-08-02,Alder Elementary School,school,A,dist-1"]
        out = imp(con, "roster", roster(tmp_path / "r", FIRST, orgs))
        assert (out.rows_read, out.rows_imported) == (3, 3)
        assert rows(con, "SELECT school FROM roster_students WHERE student_key = ?", [key("1001")]) == [
            ("Alder Elementary School",)
        ]
        assert any("orgs.csv lists" in w and "sch-a" in w and "more than once" in w for w in out.warnings)


class TestSchoolOfA12User:
    def _write(self, folder: Path, primary: str, roles: list[str]) -> Path:
        folder.mkdir()
        write(folder / "users.csv", f"{USERS12}\nu1,active,2026-08-01,true,x,G,F,9001,04,{primary}\n")
        write(folder / "orgs.csv", "\n".join([ORGS, *DISTRICT_AND_TWO_SCHOOLS]) + "\n")
        write(folder / "roles.csv", "\n".join([ROLES, *roles]) + "\n")
        return folder

    def test_a_district_as_primary_org_does_not_hide_the_school(self, con, tmp_path):
        roles = [
            "r1,active,2026-08-01,u1,secondary,student,,,dist-1",
            "r2,active,2026-08-01,u1,secondary,student,,,sch-a",
            "r3,active,2026-08-01,u1,primary,student,,,sch-b",
        ]
        out = imp(con, "roster", self._write(tmp_path / "r", "dist-1", roles))
        assert out.format == "oneroster-1.2"
        assert rows(con, "SELECT school FROM roster_students") == [("Birch High",)]

    def test_a_school_as_primary_org_wins(self, con, tmp_path):
        roles = ["r1,active,2026-08-01,u1,primary,student,,,sch-b"]
        imp(con, "roster", self._write(tmp_path / "r", "sch-a", roles))
        assert rows(con, "SELECT school FROM roster_students") == [("Alder Elementary",)]

    def test_with_no_school_among_the_orgs_the_first_org_is_kept(self, con, tmp_path):
        roles = ["r1,active,2026-08-01,u1,primary,student,,,dist-1"]
        imp(con, "roster", self._write(tmp_path / "r", "dist-1", roles))
        assert rows(con, "SELECT school FROM roster_students") == [("Quill District",)]


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def _set(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}users.csv": "\n".join([USERS, *FIRST]) + "\n",
        f"{prefix}orgs.csv": "\n".join([ORGS, *DISTRICT_AND_TWO_SCHOOLS]) + "\n",
    }


class TestZips:
    def test_two_exports_in_one_zip_are_refused_naming_the_folders(self, con, tmp_path):
        path = _zip(tmp_path / "two.zip", {**_set("2026-27/"), **_set("2025-26/")})
        before = snapshot(con)
        with pytest.raises(FileRefused, match="2025-26, 2026-27") as info:
            imp(con, "roster", path)
        assert "more than one" in info.value.message and "\n" not in info.value.message
        assert snapshot(con) == before

    def test_two_exports_in_one_folder_are_refused_naming_the_folders(self, con, tmp_path):
        roster(tmp_path / "r" / "2026-27", FIRST)
        roster(tmp_path / "r" / "2025-26", FIRST)
        with pytest.raises(FileRefused, match="more than one.*2025-26, 2026-27"):
            imp(con, "roster", tmp_path / "r")

    def test_macos_and_dot_files_are_not_a_second_export(self, con, tmp_path):
        members = {
            **_set("OneRoster/"),
            "__MACOSX/OneRoster/users.csv": "junk",
            "__MACOSX/OneRoster/._users.csv": "junk",
            ".trash/users.csv": "junk",
        }
        out = imp(con, "roster", _zip(tmp_path / "mac.zip", members))
        assert out.rows_imported == 3

    def test_a_damaged_zip_is_refused(self, con, tmp_path):
        path = tmp_path / "bad.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, text in _set("").items():
                archive.writestr(name, text)
        data = path.read_bytes()
        at = data.index(b"1002")
        path.write_bytes(data[:at] + b"9" + data[at + 1 :])  # the CRC no longer matches
        before = snapshot(con)
        with pytest.raises(FileRefused, match=r"^bad\.zip: the zip is damaged"):
            imp(con, "roster", path)
        assert snapshot(con) == before

    def test_a_zip_cut_short_is_refused_as_damaged(self, con, tmp_path):
        path = _zip(tmp_path / "cut.zip", _set(""))
        path.write_bytes(path.read_bytes()[:200])
        with pytest.raises(FileRefused, match=r"^cut\.zip: the zip is damaged"):
            imp(con, "roster", path)

    def test_a_password_protected_zip_is_refused(self, con, tmp_path):
        path = _zip(tmp_path / "locked.zip", _set(""))
        data = bytearray(path.read_bytes())
        for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" bit
            start = 0
            while (start := data.find(signature, start)) >= 0:
                data[start + flags_at] |= 0x01
                start += 4
        path.write_bytes(bytes(data))
        with pytest.raises(
            FileRefused,
            match=r"locked\.zip: the zip is password-protected; export it again without a password",
        ):
            imp(con, "roster", path)


class TestFileWarnings:
    def test_nul_bytes_and_windows_1252_are_reported(self, con, tmp_path):
        folder = roster(tmp_path / "r", FIRST)
        text = (folder / "users.csv").read_bytes()
        (folder / "users.csv").write_bytes(text.replace(b"Given", b"Giv\x00en", 2))
        orgs = (folder / "orgs.csv").read_text().replace("Alder Elementary", "Álder Elementary")
        (folder / "orgs.csv").write_bytes(orgs.encode("cp1252"))
        out = imp(con, "roster", folder)
        assert "users.csv: 2 NUL byte(s) removed (damaged export)." in out.warnings
        assert "orgs.csv: Read as Windows-1252 (an Excel save); accents kept." in out.warnings
        notes = rows(con, "SELECT notes FROM import_log WHERE import_id = ?", [out.import_id])[0][0]
        assert "users.csv: 2 NUL byte(s) removed" in notes and "orgs.csv: Read as Windows-1252" in notes
        assert rows(con, "SELECT school FROM roster_students WHERE student_key = ?", [key("1001")]) == [
            ("Álder Elementary",)
        ]


def test_a_new_roster_keeps_the_program_flags_already_stored(con, tmp_path):
    """OneRoster has no ELL/IEP/FRL flags; a roster import must not wipe the ones the outcome
    comparison matches on."""
    imp(con, "roster", roster(tmp_path / "a", [user("u1", "sch-a", "710001")]))
    con.execute("UPDATE roster_students SET ell = true, iep = false, frl = true")
    imp(con, "roster", roster(tmp_path / "b", [user("u1", "sch-b", "710001", grade="04")]))
    assert rows(
        con, "SELECT school, grade, ell, iep, frl FROM roster_students WHERE student_key = ?", [key("710001")]
    ) == [("Birch High", 4, True, False, True)]


def test_a_delta_listing_only_the_district_keeps_the_students_school(con, tmp_path):
    imp(con, "roster", roster(tmp_path / "r1", [user("u1", "dist-1,sch-a", "1001")]))
    assert rows(con, "SELECT school FROM roster_students") == [("Alder Elementary",)]
    out = imp(
        con,
        "roster",
        roster(
            tmp_path / "r2",
            [user("u1", "dist-1,sch-a", "1001", "04")],
            [DISTRICT_AND_TWO_SCHOOLS[0]],
            file_users="delta",
        ),
    )
    assert rows(con, "SELECT school, grade FROM roster_students") == [("Alder Elementary", 4)]
    assert not any("not found" in w for w in out.warnings)


def test_a_manifest_that_does_not_name_the_users_file_is_read_as_bulk(con, tmp_path):
    imp(con, "roster", roster(tmp_path / "r1", FIRST))
    folder = roster(tmp_path / "r2", FIRST[1:], file_users=None)
    write(folder / "manifest.csv", "propertyName,value\nmanifest.version,1.0\n")
    imp(con, "roster", folder)
    assert rows(con, "SELECT active FROM roster_students WHERE student_key = ?", [key("1001")]) == [(False,)]
