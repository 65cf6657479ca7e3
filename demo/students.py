"""Synthetic students, daily usage and assessments for the demo district (step 10 evidence).

Everything is generated with numpy from the world's seeded generator and bulk-inserted through
DuckDB. Student ids are synthetic (710000 + n, the same range as shared/formats/samples, so those
sample files match the demo roster) and are stored only as keyed hashes. The assessments carry a
known true effect for some tools (world.true_effects) and none for others, with users selected
slightly towards lower pretest scores, so the evaluation has something real to find.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from demo.world import DemoWorld
from etl.loaders import insert_usage as insert_usage_rows
from services.privacy import student_key

FIRST_LOCAL_ID = 710000

# school name -> (grade_low, grade_high, share of students)
SCHOOLS: dict[str, tuple[int, int, float]] = {
    "Prairie View Elementary": (0, 5, 0.17),
    "Riverside Elementary": (0, 5, 0.16),
    "Lincoln Elementary": (0, 5, 0.15),
    "Oak Ridge Middle School": (6, 8, 0.19),
    "Maple Grove Middle School": (6, 8, 0.13),
    "Central High School": (9, 12, 0.20),
}


def make_students(world: DemoWorld, count: int) -> pd.DataFrame:
    rng = world.rng
    names = list(SCHOOLS)
    shares = np.array([SCHOOLS[n][2] for n in names])
    school_idx = rng.choice(len(names), size=count, p=shares / shares.sum())
    grades = np.array([rng.integers(SCHOOLS[names[i]][0], SCHOOLS[names[i]][1] + 1) for i in school_idx])
    secret = world.settings.student_id_secret()
    local_ids = FIRST_LOCAL_ID + np.arange(count)
    frame = pd.DataFrame(
        {
            "local_id": local_ids,
            "student_key": [student_key(secret, i) for i in local_ids],
            "school": [names[i] for i in school_idx],
            "grade": grades.astype(int),
            "ell": rng.random(count) < 0.12,
            "iep": rng.random(count) < 0.14,
            "frl": rng.random(count) < 0.38,
            # latent ability, in SD units, drives every assessment
            "ability": rng.normal(0, 1, count),
        }
    )
    return frame


def insert_roster(con, students: pd.DataFrame) -> None:
    roster = students[["student_key", "school", "grade", "ell", "iep", "frl"]]
    con.register("demo_roster", roster)
    con.execute(
        "INSERT INTO roster_students (student_key, school, grade, ell, iep, frl)"
        " SELECT student_key, school, grade, ell, iep, frl FROM demo_roster"
    )
    con.unregister("demo_roster")


def school_days(start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    days = pd.bdate_range(start, end)
    # winter and spring breaks
    breaks = [
        (dt.date(start.year, 12, 21), dt.date(start.year + 1, 1, 2)),
        (dt.date(start.year + 1, 3, 23), dt.date(start.year + 1, 3, 27)),
    ]
    keep = np.ones(len(days), dtype=bool)
    for lo, hi in breaks:
        keep &= ~((days.date >= lo) & (days.date <= hi))
    return days[keep]


def make_usage(
    world: DemoWorld,
    students: pd.DataFrame,
    tool: str,
    *,
    grades: tuple[int, int],
    adoption: float,
    days: pd.DatetimeIndex,
    weekly_minutes: float,
    sessions_per_week: float,
    exclude_schools: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, pd.Series]:
    """Daily usage rows for one tool, and each user's mean minutes per week (its dose)."""
    rng = world.rng
    eligible = students[
        (students.grade >= grades[0]) & (students.grade <= grades[1]) & ~students.school.isin(exclude_schools)
    ]
    # struggling students are a little more likely to be assigned the tool
    p = np.clip(adoption * (1 - 0.35 * eligible.ability.to_numpy()), 0.02, 0.98)
    users = eligible[rng.random(len(eligible)) < p]
    # each user has their own intensity; some barely use it
    intensity = rng.gamma(2.0, 0.5, len(users))
    per_day_prob = np.clip(sessions_per_week / 5 * np.minimum(intensity, 1.6), 0.02, 0.95)
    n_days = len(days)
    hits = rng.random((len(users), n_days)) < per_day_prob[:, None]
    user_idx, day_idx = np.nonzero(hits)
    minutes_per_session = weekly_minutes / max(sessions_per_week, 0.1)
    minutes = np.clip(rng.normal(minutes_per_session, minutes_per_session * 0.35, len(user_idx)), 1, 120)
    sessions = 1 + (rng.random(len(user_idx)) < 0.25).astype(int)
    frame = pd.DataFrame(
        {
            "student_key": users.student_key.to_numpy()[user_idx],
            "tool": tool,
            "usage_date": days.date[day_idx],
            "minutes": np.round(minutes, 1),
            "sessions": sessions,
            "school": users.school.to_numpy()[user_idx],
            "grade": users.grade.to_numpy()[user_idx],
        }
    )
    weeks = max(n_days / 5, 1)
    dose = frame.groupby("student_key").minutes.sum() / weeks
    return frame, dose


def insert_usage(con, frame: pd.DataFrame) -> None:
    con.register("demo_usage", frame)
    insert_usage_rows(
        con, "SELECT student_key, tool, usage_date, minutes, sessions, school, grade FROM demo_usage"
    )
    con.unregister("demo_usage")


def make_assessments(
    world: DemoWorld,
    students: pd.DataFrame,
    *,
    year_start: int,
    subject: str,
    doses: dict[str, pd.Series],
    terms: tuple[str, ...] = ("Fall", "Winter", "Spring"),
) -> pd.DataFrame:
    """NWEA-MAP-like RIT scores for grades K-8: fall, winter, spring of one school year.

    Growth from fall carries each tool's true effect (in SD of fall scores) for its users, scaled
    by dose relative to the median user so that dose-response exists too.
    """
    rng = world.rng
    tested = students[students.grade <= 8].copy()
    base = 150 + 9 * tested.grade.to_numpy() + (3 if subject == "Math" else 0)
    sd = 13.0
    fall = base + sd * (0.9 * tested.ability.to_numpy() + 0.44 * rng.normal(0, 1, len(tested)))
    effect = np.zeros(len(tested))
    for tool, dose in doses.items():
        size = world.true_effects.get(tool, 0.0)
        if size == 0.0 or dose.empty:
            continue
        rel = tested.student_key.map(dose / dose.median()).fillna(0).to_numpy()
        effect += size * sd * np.clip(rel, 0, 2.0)
    dates = {
        "Fall": dt.date(year_start, 9, 15),
        "Winter": dt.date(year_start + 1, 1, 20),
        "Spring": dt.date(year_start + 1, 5, 12),
    }
    season_growth = {"Fall": 0.0, "Winter": 0.55, "Spring": 1.0}
    frames = []
    for term in terms:
        share = season_growth[term]
        typical = 10 - 0.6 * tested.grade.to_numpy()
        score = fall + share * (typical + effect) + (rng.normal(0, 3.5, len(tested)) if share else 0)
        offsets = rng.integers(0, 10, len(tested))
        frames.append(
            pd.DataFrame(
                {
                    "student_key": tested.student_key.to_numpy(),
                    "assessment": "NWEA MAP Growth",
                    "subject": subject,
                    "term": f"{term} {year_start}-{year_start + 1}",
                    "test_date": [dates[term] + dt.timedelta(days=int(o)) for o in offsets],
                    "scale_score": np.round(score),
                    "percentile": np.clip(np.round(50 + 30 * (score - base) / sd), 1, 99),
                    "grade": tested.grade.to_numpy(),
                    "school": tested.school.to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def insert_assessments(con, frame: pd.DataFrame) -> None:
    con.register("demo_scores", frame)
    con.execute(
        "INSERT INTO assessment_results (student_key, assessment, subject, term, test_date,"
        " scale_score, percentile, grade, school)"
        " SELECT student_key, assessment, subject, term, test_date, scale_score, percentile, grade,"
        " school FROM demo_scores"
    )
    con.unregister("demo_scores")
