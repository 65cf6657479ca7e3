"""The demo district: six schools, ~5,000 students, ~18 tools at every SOP stage.

`seed_if_empty` runs on the first `make run` (the database has no people yet). Everything is
deterministic for a given date: dates are placed relative to today so that "ending soon" and
"overdue" stay true whenever the demo is built. Each area adds its own content through
`demo/<area>.py: seed(con, world)` (see AREA_MODULES), run after the core.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from db import repo
from db.connection import transaction
from demo import students as st_data
from demo.world import DemoWorld
from models.enums import Role, Stage
from models.people import Actor
from services.auth import hash_password
from settings import Settings

DEMO_PASSWORD = "demo-district-2026"
DOMAIN = "d100.example.org"
AREA_MODULES = ("demo.review", "demo.costs", "demo.catalog", "demo.evaluation")

PEOPLE: list[tuple[str, str, str, tuple[Role, ...]]] = [
    # handle, full name, title, roles
    ("requester", "Maria Lopez", "K-8 Math Coach", (Role.REQUESTER,)),
    ("requester2", "James Chen", "Literacy Director", (Role.REQUESTER,)),
    ("reviewer", "Priya Patel", "Curriculum Committee", (Role.COMMITTEE_REVIEWER,)),
    ("reviewer2", "Tom Baker", "Curriculum Committee", (Role.COMMITTEE_REVIEWER,)),
    ("reviewer3", "Aisha Johnson", "Curriculum Committee", (Role.COMMITTEE_REVIEWER,)),
    ("compliance", "Karen O'Neil", "Compliance Officer", (Role.COMPLIANCE_OFFICER,)),
    ("technology", "Devon Wright", "Director of Technology", (Role.TECHNOLOGY,)),
    ("business", "Linda Nguyen", "Business Office Manager", (Role.BUSINESS_OFFICE,)),
    ("approver", "Robert Hayes", "Assistant Superintendent", (Role.APPROVER,)),
    ("approver2", "Susan Park", "Chief Academic Officer", (Role.APPROVER,)),
    ("teacher", "Emily Rivera", "Grade 4 Teacher", (Role.TEACHER,)),
    ("admin", "Alex Morgan", "Systems Administrator", (Role.ADMIN,)),
]


@dataclass(frozen=True)
class DemoTool:
    product: str
    vendor: str
    description: str
    subjects: str
    grades: tuple[int, int]
    stage: Stage
    requester: str = "requester"
    school: str | None = None
    days_in_stage: int = 5
    soppa: str = "compliant"  # status recorded for approved tools / tools at the gate
    true_effect: float | None = None  # only for tools with usage and assessments
    contract_days_left: int | None = None
    annual_cost: float = 0.0
    seats: int = 0
    subject_tested: str | None = None


TOOLS: list[DemoTool] = [
    DemoTool(
        "MathQuest",
        "Quest Learning Inc.",
        "Adaptive math practice with teacher dashboards",
        "Math",
        (3, 8),
        Stage.MONITORING,
        days_in_stage=420,
        true_effect=0.22,
        contract_days_left=75,
        annual_cost=38_500,
        seats=2600,
        subject_tested="Math",
    ),
    DemoTool(
        "ReadWell",
        "Literacy Labs LLC",
        "Guided reading library with leveled texts",
        "Reading; ELA",
        (0, 5),
        Stage.MONITORING,
        requester="requester2",
        days_in_stage=400,
        true_effect=0.0,
        contract_days_left=40,
        annual_cost=42_000,
        seats=2400,
        subject_tested="Reading",
    ),
    DemoTool(
        "i-Ready",
        "Curriculum Associates",
        "Diagnostic and personalized instruction",
        "Reading; Math",
        (0, 8),
        Stage.MONITORING,
        requester="requester2",
        days_in_stage=700,
        true_effect=0.10,
        contract_days_left=400,
        annual_cost=96_000,
        seats=3800,
        subject_tested="Reading",
    ),
    DemoTool(
        "IXL",
        "IXL Learning",
        "Skills practice across subjects",
        "Math; ELA; Science",
        (2, 8),
        Stage.MONITORING,
        days_in_stage=300,
        true_effect=0.04,
        contract_days_left=200,
        annual_cost=27_000,
        seats=2000,
        subject_tested="Math",
    ),
    DemoTool(
        "SciSim Labs",
        "Virtual Bench Co.",
        "Virtual science labs and simulations",
        "Science",
        (6, 12),
        Stage.PLAN,
        days_in_stage=12,
        contract_days_left=700,
        annual_cost=18_000,
        seats=1500,
    ),
    DemoTool(
        "CodeCraft",
        "Blocks & Bytes",
        "Block and text coding for beginners",
        "Computer Science",
        (3, 8),
        Stage.GOALS,
        days_in_stage=26,
        contract_days_left=340,
        annual_cost=9_500,
        seats=900,
    ),
    DemoTool(
        "WriteRight",
        "Pen & Pixel",
        "Writing feedback with rubric scoring",
        "ELA",
        (6, 12),
        Stage.CONTRACT,
        requester="requester2",
        days_in_stage=8,
    ),
    DemoTool(
        "Newsela",
        "Newsela Inc.",
        "Current-events articles at five reading levels",
        "ELA; Social Studies",
        (3, 12),
        Stage.CATALOG,
        requester="requester2",
        days_in_stage=4,
    ),
    DemoTool(
        "Quizzical",
        "Quizzical Co.",
        "Formative quizzes and exit tickets",
        "All subjects",
        (3, 12),
        Stage.PURCHASE,
        days_in_stage=35,
    ),
    DemoTool(
        "LingoLeap",
        "Polyglot Learning",
        "World-language practice in 12 languages",
        "World Languages",
        (6, 12),
        Stage.DECISION,
        school="Central High School",
        days_in_stage=3,
    ),
    DemoTool(
        "ChatTutor AI",
        "TutorBots Inc.",
        "AI homework helper chatbot",
        "All subjects",
        (6, 12),
        Stage.DECISION,
        school="Oak Ridge Middle School",
        days_in_stage=14,
        soppa="not_compliant",
    ),
    DemoTool(
        "StudyStack",
        "StackEd",
        "Flashcards and spaced-repetition study sets",
        "All subjects",
        (6, 12),
        Stage.REVIEW,
        school="Maple Grove Middle School",
        days_in_stage=9,
    ),
    DemoTool(
        "GeoExplorer",
        "MapWorks Edu",
        "Interactive maps and geography games",
        "Social Studies",
        (3, 8),
        Stage.BUDGET,
        school="Lincoln Elementary",
        days_in_stage=6,
    ),
    DemoTool(
        "Phonics Path",
        "EarlyReader Co.",
        "Systematic phonics for K-2 intervention",
        "Reading",
        (0, 2),
        Stage.CRITERIA_SOPPA,
        requester="requester2",
        school="Riverside Elementary",
        days_in_stage=25,
    ),
    DemoTool(
        "TypeQuick",
        "KeyWise",
        "Keyboarding lessons",
        "Technology",
        (2, 6),
        Stage.CATALOG,
        days_in_stage=2,
        soppa="staff_use_only",
    ),
]

# A denied request whose alternative (StudyStack above) is in review, and a draft.
DENIED_TOOL = DemoTool(
    "FlashCardz",
    "CardCo",
    "Free flashcard app with ads",
    "All subjects",
    (6, 12),
    Stage.DENIED,
    school="Maple Grove Middle School",
    days_in_stage=20,
    soppa="not_compliant",
)
DRAFT_TITLE = "Music composition software for middle school"
SHADOW_TOOLS = {"Kahoot!": (3, 12), "Prodigy Math": (1, 6)}  # used, never vetted


def seed_if_empty(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    if repo.fetch_value(con, "SELECT count(*) FROM people"):
        return False
    seed_demo(con, settings)
    return True


def seed_demo(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    students: int = 5000,
    today: dt.date | None = None,
    seed: int = 100,
) -> DemoWorld:
    started = time.perf_counter()
    today = today or dt.date.today()
    year_start = today.year if today.month >= 8 else today.year - 1
    world = DemoWorld(
        settings=settings,
        today=today,
        rng=np.random.default_rng(seed),
        school_year_start=dt.date(year_start, 8, 20),
        school_year_end=dt.date(year_start + 1, 6, 5),
    )
    with transaction(con):
        _seed_core(con, world)
        _seed_tools(con, world)
    with transaction(con):
        _seed_evidence(con, world, students)
    for name in AREA_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        with transaction(con):
            module.seed(con, world)
    con.execute(
        "INSERT OR REPLACE INTO app_meta VALUES ('demo', 'true'), ('demo_seconds', ?)",
        [f"{time.perf_counter() - started:.1f}"],
    )
    return world


def _seed_core(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    for name, (low, high, _) in st_data.SCHOOLS.items():
        world.schools[name] = repo.insert(
            con,
            "schools",
            {"name": name, "code": "".join(w[0] for w in name.split()), "grade_low": low, "grade_high": high},
            actor=None,
        )
    for handle, name, title, roles in PEOPLE:
        email = name.lower().replace("'", "").replace(" ", ".") + "@" + DOMAIN
        person_id = repo.insert(
            con,
            "people",
            {
                "email": email,
                "full_name": name,
                "title": title,
                "password_hash": hash_password(DEMO_PASSWORD),
            },
            actor=None,
        )
        for role in roles:
            con.execute("INSERT INTO person_roles VALUES (?, ?)", [person_id, role.value])
        world.people[handle] = Actor(person_id=person_id, email=email, full_name=name, roles=frozenset(roles))


def _vendor(con, world: DemoWorld, name: str) -> int:
    if name not in world.vendors:
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:16]
        world.vendors[name] = repo.insert(
            con,
            "vendors",
            {
                "name": name,
                "business_address": f"{100 + len(world.vendors) * 7} Market St, Chicago, IL 6060{len(world.vendors) % 10}",
                "contact_email": f"sales@{slug}.example.com",
                "website": f"https://{slug}.example.com",
            },
            actor=world.people["admin"],
        )
    return world.vendors[name]


def _past(world: DemoWorld, days: int) -> dt.datetime:
    return dt.datetime.combine(world.today - dt.timedelta(days=days), dt.time(9, 30))


def _seed_tools(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    order = [s for s in Stage]
    for tool in [*TOOLS, DENIED_TOOL]:
        vendor_id = _vendor(con, world, tool.vendor)
        product_id = repo.insert(
            con,
            "products",
            {
                "vendor_id": vendor_id,
                "name": tool.product,
                "description": tool.description,
                "subjects": tool.subjects,
                "grade_low": tool.grades[0],
                "grade_high": tool.grades[1],
                "collects_student_data": tool.soppa != "staff_use_only",
                "website": f"https://{tool.product.lower().replace(' ', '')}.example.com",
            },
            actor=world.people["admin"],
        )
        world.products[tool.product] = product_id
        requester = world.people[tool.requester]
        after_gate = order.index(tool.stage) >= order.index(Stage.PURCHASE) and tool.stage not in (
            Stage.DENIED,
            Stage.WITHDRAWN,
            Stage.CLOSED,
        )
        request_id = repo.insert(
            con,
            "requests",
            {
                "title": f"{tool.product}: {tool.description.lower()}",
                "requester_id": requester.person_id,
                "leader_id": requester.person_id,
                "school_id": world.schools.get(tool.school) if tool.school else None,
                "department": "Curriculum & Instruction" if tool.requester == "requester" else "Literacy",
                "stage": tool.stage.value,
                "stage_entered_at": _past(world, tool.days_in_stage),
                "problem": f"Students in grades {tool.grades[0]}-{tool.grades[1]} need {tool.description.lower()}.",
                "impact": "Teachers spend planning time assembling materials by hand.",
                "desired_outcome": f"Measurable growth in {tool.subjects.split(';')[0]} for participating students.",
                "measures": "NWEA MAP growth; weekly usage; teacher survey",
                "subject": tool.subjects.split(";")[0],
                "grade_band": _grade_band(tool.grades),
                "look_fors": "Multiple language options; WCAG 2.1 AA; Clever rostering",
                "students_affected": 400 + 100 * len(tool.product),
                "selected_product_id": product_id
                if order.index(tool.stage) >= order.index(Stage.DECISION)
                else None,
                "submitted_at": _past(world, tool.days_in_stage + 30),
                "created_at": _past(world, tool.days_in_stage + 45),
                "denial_reason": "FlashCardz sells advertising data and will not sign the IL-NDPA."
                if tool.stage == Stage.DENIED
                else None,
            },
            actor=requester,
        )
        world.requests[tool.product] = request_id
        world.request_stage[request_id] = tool.stage.value
        con.execute("INSERT INTO candidates (request_id, product_id) VALUES (?, ?)", [request_id, product_id])
        if tool.stage in (Stage.DECISION, Stage.DENIED) or after_gate:
            _seed_gate_records(con, world, tool, request_id, product_id, approved=after_gate)
        if after_gate:
            _seed_after_gate(con, world, tool, request_id, product_id, vendor_id)
        if tool.true_effect is not None:
            world.true_effects[tool.product] = tool.true_effect
    # the alternative to the denied request
    world_alt = world.requests["StudyStack"]
    con.execute(
        "UPDATE requests SET alternative_of = ?, title = ? WHERE request_id = ?",
        [world.requests["FlashCardz"], "Alternative to FlashCardz: StudyStack flashcards", world_alt],
    )
    draft = repo.insert(
        con,
        "requests",
        {
            "title": DRAFT_TITLE,
            "requester_id": world.people["requester2"].person_id,
            "school_id": world.schools["Oak Ridge Middle School"],
            "department": "Fine Arts",
            "problem": "Students have no way to compose and hear music digitally.",
            "stage_entered_at": _past(world, 2),
        },
        actor=world.people["requester2"],
    )
    world.requests[DRAFT_TITLE] = draft
    world.request_stage[draft] = Stage.NEEDS_ASSESSMENT.value


def _seed_gate_records(
    con, world: DemoWorld, tool: DemoTool, request_id: int, product_id: int, *, approved: bool
) -> None:
    compliance, technology = world.people["compliance"], world.people["technology"]
    agreement_id = None
    if tool.soppa == "compliant":
        signed = world.today - dt.timedelta(days=max(tool.days_in_stage + 20, 40))
        agreement_id = repo.insert(
            con,
            "agreements",
            {
                "vendor_id": world.vendors[tool.vendor],
                "product_id": product_id,
                "agreement_type": "IL-NDPA",
                "signed_date": signed,
                "expiry_date": signed + dt.timedelta(days=3 * 365),
                "data_elements": "Name; student ID; grade; school; usage logs; assessment scores",
                "subcontractors": "Amazon Web Services (hosting); Zendesk (support)",
                "business_address": repo.fetch_value(
                    con,
                    "SELECT business_address FROM vendors WHERE vendor_id = ?",
                    [world.vendors[tool.vendor]],
                ),
                "states_data_categories": True,
                "states_product": True,
                "ferpa_school_official": True,
                "breach_cost_allocation": True,
                "deletion_terms": True,
                "deletion_days": 60,
                "public_posting_consent": True,
                "document_url": f"https://docs.example.org/agreements/{tool.product.lower().replace(' ', '-')}.pdf",
                "posted_date": signed + dt.timedelta(days=6),
            },
            actor=compliance,
        )
        world.agreements[tool.product] = agreement_id
    repo.insert(
        con,
        "soppa_decisions",
        {
            "request_id": request_id,
            "product_id": product_id,
            "agreement_id": agreement_id,
            "status": tool.soppa,
            "decided_by": compliance.person_id,
            "note": {
                "compliant": "IL-NDPA signed; Exhibit E offered.",
                "staff_use_only": "No student accounts; staff use only.",
                "not_compliant": "Vendor refuses the IL-NDPA and shares data with advertisers.",
            }[tool.soppa],
        },
        actor=compliance,
    )
    for integration, result in (("sis", "not_applicable"), ("rostering", "verified"), ("sso", "verified")):
        repo.insert(
            con,
            "integration_checks",
            {
                "request_id": request_id,
                "product_id": product_id,
                "integration": integration,
                "result": result,
                "checked_by": technology.person_id,
                "evidence": "Tested with a Clever sandbox district"
                if result == "verified"
                else "No SIS write-back",
            },
            actor=technology,
        )
    if approved:
        repo.insert(
            con,
            "decisions",
            {
                "request_id": request_id,
                "product_id": product_id,
                "decision": "approved",
                "decided_by": world.people["approver"].person_id,
                "reason": "Meets criteria; SOPPA and integration verified.",
            },
            actor=world.people["approver"],
        )
    elif tool.stage == Stage.DENIED:
        repo.insert(
            con,
            "decisions",
            {
                "request_id": request_id,
                "product_id": product_id,
                "decision": "denied",
                "decided_by": world.people["approver"].person_id,
                "reason": "Not SOPPA compliant; examine an alternative.",
            },
            actor=world.people["approver"],
        )


def _seed_after_gate(
    con, world: DemoWorld, tool: DemoTool, request_id: int, product_id: int, vendor_id: int
) -> None:
    order = [s for s in Stage]
    at = order.index(tool.stage)
    business, technology = world.people["business"], world.people["technology"]
    owners = {
        "it_notified": technology,
        "funding_confirmed": business,
        "purchase_order": business,
        "accounts_provisioned": technology,
        "contract_signed": business,
    }
    for i, (task, owner) in enumerate(owners.items()):
        done = at > order.index(Stage.PURCHASE) or i < 2
        repo.insert(
            con,
            "purchase_tasks",
            {
                "request_id": request_id,
                "task": task,
                "owner_id": owner.person_id,
                "due_date": world.today + dt.timedelta(days=7 * (i - 2)),
                "done_date": world.today - dt.timedelta(days=tool.days_in_stage) if done else None,
                "reference": f"PO-{2026}{request_id:04d}" if task == "purchase_order" and done else None,
            },
            actor=owner,
        )
    if at > order.index(Stage.CATALOG):
        status = "core" if tool.product in ("i-Ready", "MathQuest") else "supplemental"
        repo.insert(
            con,
            "catalog_entries",
            {
                "product_id": product_id,
                "tool_status": status,
                "privacy_status": tool.soppa,
                "purpose": tool.description,
                "subjects": tool.subjects,
                "grade_band": _grade_band(tool.grades),
                "audience": "Teachers and students",
                "access_instructions": "Launch from the Clever portal; accounts are rostered nightly.",
                "sso_url": "https://clever.com/in/d100",
                "contact": technology.email,
                "visibility": "public",
            },
            actor=technology,
        )
    if at > order.index(Stage.CONTRACT) and tool.contract_days_left is not None:
        end = world.today + dt.timedelta(days=tool.contract_days_left)
        years = 3 if tool.contract_days_left > 365 else 1
        after_end = end + dt.timedelta(days=1)  # the end date is the last day covered
        start = after_end.replace(year=after_end.year - years)
        world.contracts[tool.product] = repo.insert(
            con,
            "contracts",
            {
                "product_id": product_id,
                "vendor_id": vendor_id,
                "request_id": request_id,
                "start_date": start,
                "end_date": end,
                "auto_renew": tool.product == "ReadWell",
                "notice_days": 60,
                "annual_cost": tool.annual_cost,
                "quantity": tool.seats,
                "pricing_unit": "per_seat",
                "funding_source": "General fund" if tool.product != "ReadWell" else "ESSER III",
                "po_number": f"PO-2026{request_id:04d}",
                "agreement_id": world.agreements.get(tool.product),
                "renewal_owner_id": business.person_id,
            },
            actor=business,
        )
    if at > order.index(Stage.GOALS):
        leader = world.people[tool.requester]
        for horizon, description, target in (
            ("short", f"80% of participating students use {tool.product} weekly", 80.0),
            ("long", "Participating students' growth exceeds typical growth by 0.15 SD", 0.15),
        ):
            repo.insert(
                con,
                "goals",
                {
                    "product_id": product_id,
                    "request_id": request_id,
                    "horizon": horizon,
                    "description": description,
                    "measure": "Weekly active share" if horizon == "short" else "Effect size (Hedges' g)",
                    "data_source_kind": "usage" if horizon == "short" else "assessment",
                    "data_source_ref": "weekly_active_share" if horizon == "short" else "NWEA MAP Growth",
                    "baseline": 0.0,
                    "target": target,
                    "due_date": world.school_year_end,
                    "owner_id": leader.person_id,
                    "stakeholders": "Building principals; grade-level teams",
                },
                actor=leader,
            )
    if at > order.index(Stage.PLAN):
        schools = [
            n for n, (lo, hi, _) in st_data.SCHOOLS.items() if hi >= tool.grades[0] and lo <= tool.grades[1]
        ]
        repo.insert(
            con,
            "implementation_plans",
            {
                "product_id": product_id,
                "request_id": request_id,
                "participant_schools": "; ".join(schools),
                "participant_grades": "; ".join(str(g) for g in range(tool.grades[0], tool.grades[1] + 1)),
                "starting_group": "All participating classrooms",
                "extent": "full",
                "expectations": "Use in class or at home at the recommended weekly dose",
                "recommended_minutes_per_week": 45.0,
                "recommended_weeks": 30,
                "fidelity_share_of_weeks": 0.8,
                "active_user_min_minutes": 5.0,
                "review_frequency": "Quarterly",
                "measurement_timeline": "MAP fall, winter, spring",
                "feedback_plan": "Teacher survey in October and April",
                "meaningful_effect": 0.10,
                "decision_probability": 0.80,
                "preregistered_at": _past(world, tool.days_in_stage - 5),
                "next_review_date": world.today
                + dt.timedelta(days=min(tool.contract_days_left or 60, 60) - 30),
            },
            actor=world.people[tool.requester],
        )


def _seed_evidence(con: duckdb.DuckDBPyConnection, world: DemoWorld, count: int) -> None:
    students = st_data.make_students(world, count)
    world.student_count = count
    st_data.insert_roster(con, students)
    enrollment = students.groupby(["school", "grade"]).size().reset_index(name="students")
    fiscal_year = world.school_year_end.year
    for row in enrollment.itertuples():
        con.execute(
            "INSERT INTO enrollment (school_id, fiscal_year, grade, students, source)"
            " VALUES (?, ?, ?, ?, 'roster')",
            [world.schools[row.school], fiscal_year, int(row.grade), int(row.students)],
        )
    last_start = world.school_year_start.replace(year=world.school_year_start.year - 1)
    last_year_days = st_data.school_days(
        last_start, world.school_year_end.replace(year=world.school_year_end.year - 1)
    )
    this_year_days = st_data.school_days(world.school_year_start, min(world.today, world.school_year_end))
    usage_specs = {  # tool -> grades, adoption, minutes/week, sessions/week
        "MathQuest": ((3, 8), 0.55, 50, 2.5),
        "ReadWell": ((0, 5), 0.40, 25, 1.5),
        "i-Ready": ((0, 8), 0.70, 40, 2.0),
        "IXL": ((2, 8), 0.35, 20, 1.2),
        **{name: (grades, 0.15, 15, 0.8) for name, grades in SHADOW_TOOLS.items()},
    }
    doses_by_subject: dict[str, dict[str, pd.Series]] = {"Math": {}, "Reading": {}}
    tested = {t.product: t.subject_tested for t in TOOLS if t.subject_tested}
    for tool, (grades, adoption, minutes, sessions) in usage_specs.items():
        for days, is_last_year in ((last_year_days, True), (this_year_days, False)):
            frame, dose = st_data.make_usage(
                world,
                students,
                tool,
                grades=grades,
                adoption=adoption,
                days=days,
                weekly_minutes=minutes,
                sessions_per_week=sessions,
            )
            st_data.insert_usage(con, frame)
            if is_last_year and tool in tested:
                doses_by_subject[tested[tool]][tool] = dose
    # Some classes kept using FlashCardz after it was denied for selling student data: the Import page's
    # data quality shows the compliance officer which students' usage a refused tool still has
    refused, _ = st_data.make_usage(
        world,
        students,
        "FlashCardz",
        grades=(3, 8),
        adoption=0.03,
        days=this_year_days,
        weekly_minutes=10,
        sessions_per_week=0.6,
    )
    st_data.insert_usage(con, refused)
    for subject in ("Math", "Reading"):
        last = st_data.make_assessments(
            world, students, year_start=last_start.year, subject=subject, doses=doses_by_subject[subject]
        )
        st_data.insert_assessments(con, last)
        current = st_data.make_assessments(
            world,
            students,
            year_start=world.school_year_start.year,
            subject=subject,
            doses={},
            terms=("Fall",),
        )
        st_data.insert_assessments(con, current)


def _grade_band(grades: tuple[int, int]) -> str:
    """'K-5', '3-8': kindergarten is grade 0 in the data and 'K' to people."""
    low, high = ("K" if g == 0 else str(g) for g in grades)
    return f"{low}-{high}"
