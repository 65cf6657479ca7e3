"""Enrollment per school, grade and fiscal year: the base that per-student seats follow (SOP step 3).

Why here: cost scenarios need "how many students in grades 3-5 next year". The roster import (source
'roster') is preferred; where no roster was imported, people enter counts (source 'entered'); a count
taken from the roster is never overwritten by hand. When the enrollment table has nothing for a year,
active roster students are counted instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from db import repo
from db.connection import transaction
from models.errors import InvalidInput
from models.people import Actor
from services.permissions import Action, require

# One school's students in one grade: the largest US high schools have ~2,000 per grade; a count far
# above that is a typing slip (and would not fit the table's INTEGER).
MAX_STUDENTS = 50_000


@dataclass(frozen=True)
class EnrollmentBase:
    students: int
    source: str  # "roster", "entered", "roster students" or "none"
    fiscal_year: int


def base_enrollment(
    con: duckdb.DuckDBPyConnection,
    fiscal_year: int,
    grade_low: int | None = None,
    grade_high: int | None = None,
) -> EnrollmentBase:
    """Students in the grade range for a fiscal year (or the latest year on file before it)."""
    low = -1 if grade_low is None else grade_low
    high = 12 if grade_high is None else grade_high
    row = repo.fetch_one(
        con,
        """SELECT fiscal_year, sum(students) AS students,
                  CASE WHEN bool_or(source = 'roster') THEN 'roster' ELSE 'entered' END AS source
           FROM enrollment WHERE fiscal_year <= ? AND grade BETWEEN ? AND ?
           GROUP BY fiscal_year ORDER BY fiscal_year DESC LIMIT 1""",
        [fiscal_year, low, high],
    )
    if row is not None and row["students"]:
        return EnrollmentBase(int(row["students"]), row["source"], int(row["fiscal_year"]))
    counted = repo.fetch_value(
        con, "SELECT count(*) FROM roster_students WHERE active AND grade BETWEEN ? AND ?", [low, high]
    )
    if counted:
        return EnrollmentBase(int(counted), "roster students", fiscal_year)
    return EnrollmentBase(0, "none", fiscal_year)


def enrollment_table(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> pd.DataFrame:
    """Schools x grades for one fiscal year (entered or from the roster)."""
    return con.execute(
        """SELECT s.name AS school, e.grade, e.students, e.source
           FROM enrollment e JOIN schools s USING (school_id)
           WHERE e.fiscal_year = ? ORDER BY s.name, e.grade""",
        [fiscal_year],
    ).df()


def save_enrollment(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    *,
    school_id: int,
    fiscal_year: int,
    grade: int,
    students: int,
) -> None:
    """Enter (or correct) one school-grade count; the audit trail keeps the old value."""
    require(actor, Action.MANAGE_QUOTES)
    if students < 0:
        raise InvalidInput("students: enrollment cannot be negative.")
    if students > MAX_STUDENTS:
        raise InvalidInput(f"students: at most {MAX_STUDENTS:,} in one school and grade; check the number.")
    if not -1 <= grade <= 12:
        raise InvalidInput("grade: use -1 for pre-K, 0 for kindergarten, up to 12.")
    key = [school_id, fiscal_year, grade]
    before = repo.fetch_one(
        con, "SELECT * FROM enrollment WHERE school_id = ? AND fiscal_year = ? AND grade = ?", key
    )
    if before is not None and before["source"] == "roster":
        raise InvalidInput("students: this count comes from the roster import; re-import to change it.")
    with transaction(con):
        if before is None:
            con.execute(
                "INSERT INTO enrollment (school_id, fiscal_year, grade, students, source)"
                " VALUES (?, ?, ?, ?, 'entered')",
                [*key, students],
            )
        else:
            con.execute(
                "UPDATE enrollment SET students = ? WHERE school_id = ? AND fiscal_year = ? AND grade = ?",
                [students, *key],
            )
        repo.audit(
            con,
            actor=actor,
            table="enrollment",
            record_id=f"{school_id}/{fiscal_year}/{grade}",
            action="insert" if before is None else "update",
            before=before,
            after={"school_id": school_id, "fiscal_year": fiscal_year, "grade": grade, "students": students},
        )


def schools(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """School name -> id, for entering counts."""
    return {
        r["name"]: r["school_id"]
        for r in repo.fetch_all(con, "SELECT school_id, name FROM schools ORDER BY name")
    }
