"""Demo content for SOP step 10: teacher surveys, notes on associated practices, one past decision.

Run by demo/seed.py after the core (usage, assessments, plans and contracts exist by then). The
past decision carries a real evidence snapshot built by the same services the app uses, for the
previous school year, so "Reflect & decide" opens with history and a brief to download.
One survey question is asked of only a handful of teachers, so small-cell suppression shows.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np

from db import repo
from demo.world import DemoWorld
from services import goal_progress, monitoring, renewal
from services.metrics import SchoolYear

QUESTIONS = [
    "Students can use the tool on their own",
    "Students are engaged when they use the tool",
    "The tool helps me differentiate instruction",
    "I would recommend continuing the tool",
]
PILOT_QUESTION = "The vendor's training prepared me to use the tool"
COMMENTS = [
    "Students like the immediate feedback.",
    "Rostering problems in the first two weeks cost us class time.",
    "The teacher dashboard is hard to read on a Chromebook.",
    "My intervention group uses it every day and I see the difference.",
    "Too many badges; some students click through for rewards.",
    "Works well in stations; less well for whole-class lessons.",
]
# tool -> (mean Likert score, teachers surveyed)
SURVEYED = {"MathQuest": (4.1, 46), "ReadWell": (3.1, 38), "i-Ready": (3.8, 64), "IXL": (3.4, 30)}
NOTES = {
    "MathQuest": [
        "Grade 5 teams use MathQuest in a 20-minute rotation three days a week.",
        "Oak Ridge started a Friday 'MathQuest catch-up' block for students below the dose.",
    ],
    "ReadWell": [
        "Most use happens at home; classroom time went to the new phonics program.",
        "Two elementary schools paused ReadWell in January during MAP testing.",
    ],
    "i-Ready": ["Diagnostic results drive small-group placement in every K-5 building."],
    "IXL": ["Teachers assign IXL mainly as homework; completion varies widely by class."],
}


def _survey_dates(world: DemoWorld) -> list[dt.date]:
    start = world.school_year_start
    last = start.replace(year=start.year - 1)
    dates = [dt.date(last.year, 10, 15), dt.date(last.year + 1, 4, 15), dt.date(start.year, 10, 15)]
    return [d for d in dates if d <= world.today]


def _seed_feedback(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    rng = world.rng
    rows = []
    for tool, (mean, teachers) in SURVEYED.items():
        for wave, day in enumerate(_survey_dates(world)):
            respondents = int(teachers * rng.uniform(0.6, 0.9))
            for r in range(respondents):
                key = f"demo-teacher-{tool[:3].lower()}-{r:03d}"
                when = dt.datetime.combine(day + dt.timedelta(days=int(rng.integers(0, 10))), dt.time(15, 0))
                for question in QUESTIONS:
                    score = int(np.clip(np.round(rng.normal(mean + 0.1 * wave, 0.9)), 1, 5))
                    rows.append((tool, when, key, question, str(score), float(score)))
                if wave == 0 and r < 6:
                    score = int(np.clip(np.round(rng.normal(mean, 0.9)), 1, 5))
                    rows.append((tool, when, key, PILOT_QUESTION, str(score), float(score)))
                if rng.random() < 0.15:
                    rows.append(
                        (tool, when, key, "Comments", COMMENTS[int(rng.integers(0, len(COMMENTS)))], None)
                    )
    con.executemany(
        "INSERT INTO feedback_responses (tool, submitted_at, respondent_key, question, answer, score)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def _seed_notes(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    for tool, notes in NOTES.items():
        if tool not in world.products:
            continue
        for i, note in enumerate(notes):
            author = world.people.get("requester") if i % 2 == 0 else world.people.get("requester2")
            repo.insert(
                con,
                "practice_notes",
                {
                    "product_id": world.products[tool],
                    "note": note,
                    "author_id": author.person_id if author else None,
                    "created_at": dt.datetime.combine(
                        world.today - dt.timedelta(days=30 * (i + 1)), dt.time(10)
                    ),
                },
                actor=author,
            )


def _seed_past_decision(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    """i-Ready was renewed after last year's review: a decision with a real evidence snapshot."""
    tool, approver = "i-Ready", world.people.get("approver")
    if tool not in world.products or approver is None:
        return
    settings = world.settings
    last_year = SchoolYear.of(world.school_year_start, settings.fiscal_year_start_month).previous()
    setup = monitoring.tool_setup(
        con,
        world.products[tool],
        threshold=settings.small_cell_threshold,
        start_month=settings.fiscal_year_start_month,
    )
    usage = monitoring.usage_section(con, setup, last_year)
    outcome = monitoring.outcomes_section(con, setup, last_year, "Reading")
    feedback = monitoring.feedback_section(con, tool, settings.small_cell_threshold)
    goals = goal_progress.goal_progress(con, setup, usage, outcome)
    notes = monitoring.practice_notes(con, world.products[tool])
    decided = dt.datetime.combine(last_year.end - dt.timedelta(days=20), dt.time(16))
    snapshot = renewal.build_snapshot(
        setup=setup,
        usage=usage,
        outcome=outcome,
        feedback=feedback,
        goals=goals,
        notes=notes,
        district=settings.district_name,
        generated_at=decided,
    )
    contract_id = world.contracts.get(tool)
    repo.insert(
        con,
        "evaluation_decisions",
        {
            "product_id": world.products[tool],
            "review_cycle": last_year.label,
            "decision": "renew",
            "rationale": "Usage met the plan in most buildings and teachers rely on the diagnostic for "
            "grouping; renew for the three-year term and review reading growth next spring.",
            "evidence_snapshot": json.dumps(snapshot),
            "decided_by": approver.person_id,
            "decided_at": decided,
            "contract_id": contract_id,
            "contract_action": renewal.CONTRACT_EFFECT["renew"]
            if contract_id
            else "No active contract to update.",
        },
        actor=approver,
    )


def seed(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    _seed_feedback(con, world)
    _seed_notes(con, world)
    _seed_past_decision(con, world)
