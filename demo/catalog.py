"""Demo content for steps 6-9 and the SOPPA registers, on top of the core seed (demo/seed.py).

The core seed creates catalog entries, contracts, agreements, goals and plans for approved tools;
this module fills in what makes those screens worth looking at: keywords and training, an entry
hidden from teachers and a denied one, contract documents, an agreement still waiting to be
posted, a breach whose parent notice is due soon and one small enough to leave off, parent
requests (one overdue), the parent-rights text, a past publication, a draft plan without a
preregistered rule, and timelines. Runs inside the seeder's transaction, so it writes with
`db.repo` directly (the services open their own transactions). Every insert checks first.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from db import repo
from demo.world import DemoWorld
from services import soppa_posting  # registers app_meta and soppa_publications with db.repo

KEYWORDS = {
    "MathQuest": (
        "fractions; multiplication; fact fluency; adaptive practice",
        "Live onboarding webinar each August; 20-minute on-demand modules",
    ),
    "ReadWell": (
        "leveled reading; guided reading; phonics; library",
        "Reading coach office hours on Thursdays",
    ),
    "i-Ready": (
        "diagnostic; intervention; RTI; MTSS",
        "Diagnostic administration training before each window",
    ),
    "IXL": ("skills practice; homework; science; grammar", "IXL Academy self-paced courses"),
    "SciSim Labs": ("virtual labs; simulation; chemistry; physics", "Science PLC demo in October"),
    "CodeCraft": ("coding; blocks; python; computer science", "Hour of Code starter guide"),
    "WriteRight": ("writing; rubric; feedback; essays", "Rubric calibration session for ELA teams"),
}


def _catalog(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    technology = world.people["technology"]
    for product, (keywords, notes) in KEYWORDS.items():
        entry = repo.fetch_one(
            con,
            "SELECT entry_id, keywords FROM catalog_entries WHERE product_id = ?",
            [world.products.get(product)],
        )
        if entry and not entry["keywords"]:
            slug = product.lower().replace(" ", "-")
            repo.update(
                con,
                "catalog_entries",
                entry["entry_id"],
                {
                    "keywords": keywords,
                    "training_notes": notes,
                    "training_url": f"https://training.example.org/{slug}",
                },
                actor=technology,
            )
    extra = {
        "FlashCardz": {
            "tool_status": "denied",
            "privacy_status": "not_compliant",
            "visibility": "educator",
            "purpose": "Not approved: the vendor shares student data with advertisers and will not "
            "sign the IL-NDPA. A flashcard alternative (StudyStack) is under review.",
            "audience": "Nobody (do not create student accounts)",
        },
        "Quizzical": {
            "tool_status": "pending",
            "privacy_status": "compliant",
            "visibility": "admin",
            "purpose": "Formative quizzes and exit tickets (purchase in progress).",
            "audience": "Grades 3-12 teachers, once accounts are provisioned",
        },
    }
    for product, values in extra.items():
        product_id = world.products.get(product)
        if product_id is None or repo.fetch_value(
            con, "SELECT count(*) FROM catalog_entries WHERE product_id = ?", [product_id]
        ):
            continue
        repo.insert(
            con,
            "catalog_entries",
            {"product_id": product_id, "contact": technology.email, **values},
            actor=technology,
        )


def _contracts(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    business = world.people["business"]
    for product, contract_id in world.contracts.items():
        row = repo.get(con, "contracts", contract_id)
        if row and not row.get("documents"):
            slug = product.lower().replace(" ", "-")
            repo.update(
                con,
                "contracts",
                contract_id,
                {
                    "document_url": row["document_url"] or f"https://docs.example.org/contracts/{slug}.pdf",
                    "documents": f"https://docs.example.org/contracts/{slug}-quote.pdf\n"
                    f"https://docs.example.org/contracts/{slug}-po.pdf",
                    "note": "Renewal discussed at the spring budget meeting." if row["auto_renew"] else None,
                },
                actor=business,
            )


def _soppa(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    compliance = world.people["compliance"]
    today = world.today
    quest = world.vendors.get("Quest Learning Inc.")
    if quest and not repo.fetch_value(
        con,
        "SELECT count(*) FROM agreements WHERE vendor_id = ? AND agreement_type = 'Exhibit E adoption'",
        [quest],
    ):
        repo.insert(
            con,
            "agreements",
            {
                "vendor_id": quest,
                "agreement_type": "Exhibit E adoption",
                "signed_date": today - dt.timedelta(days=9),
                "expiry_date": today + dt.timedelta(days=3 * 365),
                "data_elements": "Name; student ID; grade; usage logs",
                "subcontractors": "Amazon Web Services (hosting)",
                "states_data_categories": True,
                "states_product": True,
                "ferpa_school_official": True,
                "breach_cost_allocation": True,
                "deletion_terms": True,
                "deletion_days": 60,
                "public_posting_consent": True,
                "document_url": "https://docs.example.org/agreements/quest-exhibit-e.pdf",
                "redacted_url": "https://docs.example.org/agreements/quest-exhibit-e-redacted.pdf",
            },
            actor=compliance,
        )
    enrollment = world.student_count or None
    if not repo.fetch_value(con, "SELECT count(*) FROM breaches"):
        for vendor, days_ago, affected, notified, exposed in (
            ("Literacy Labs LLC", 25, 612, None, "Student names, grades and reading levels"),
            ("Blocks & Bytes", 220, 41, 200, "Usernames and project titles"),
        ):
            repo.insert(
                con,
                "breaches",
                {
                    "vendor_id": world.vendors.get(vendor),
                    "learned_on": today - dt.timedelta(days=days_ago),
                    "occurred_from": today - dt.timedelta(days=days_ago + 6),
                    "occurred_to": today - dt.timedelta(days=days_ago + 2),
                    "students_affected": affected,
                    "enrollment_total": enrollment,
                    "data_exposed": exposed,
                    "parents_notified_on": today - dt.timedelta(days=notified) if notified else None,
                },
                actor=compliance,
            )
    if not repo.fetch_value(con, "SELECT count(*) FROM parent_requests"):
        for days_ago, kind, done_after, vendor in (
            (50, "inspect", None, "Curriculum Associates"),
            (20, "correct", None, "Quest Learning Inc."),
            (70, "delete", 30, "Literacy Labs LLC"),
        ):
            repo.insert(
                con,
                "parent_requests",
                {
                    "received_on": today - dt.timedelta(days=days_ago),
                    "kind": kind,
                    "student_ref": f"local id ending {days_ago:02d}",
                    "vendor_id": world.vendors.get(vendor),
                    "completed_on": today - dt.timedelta(days=days_ago - done_after) if done_after else None,
                },
                actor=compliance,
            )
    key = soppa_posting.RULES_PREFIX + "parent_rights_text"
    if repo.get(con, "app_meta", key) is None:
        text = soppa_posting.DEFAULT_PARENT_RIGHTS + (
            f"\n\nWrite to the {world.settings.district_name} Compliance Officer, {compliance.full_name}, "
            f"at {compliance.email}."
        )
        repo.insert(con, "app_meta", {"key": key, "value": text}, actor=compliance)
    if not repo.fetch_value(con, "SELECT count(*) FROM soppa_publications"):
        periods = soppa_posting.update_periods(today, world.settings.fiscal_year_start_month)
        published = min(today, max(start for _, start in periods) + dt.timedelta(days=10))
        repo.insert(
            con,
            "soppa_publications",
            {
                "published_on": published,
                "published_by": compliance.person_id,
                "operators_listed": repo.fetch_value(
                    con, "SELECT count(*) FROM agreements WHERE posted_date IS NOT NULL"
                ),
                "breaches_listed": 1,
            },
            actor=compliance,
        )


def _goals_and_plans(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    today = world.today
    code = world.products.get("CodeCraft")
    if code and not repo.fetch_value(con, "SELECT count(*) FROM goals WHERE product_id = ?", [code]):
        leader = world.people["requester"]
        repo.insert(
            con,
            "goals",
            {
                "product_id": code,
                "request_id": world.requests.get("CodeCraft"),
                "horizon": "short",
                "description": "Every grade 6 student completes the first three coding units",
                "measure": "Share of grade 6 students completing units 1-3",
                "data_source_kind": "usage",
                "data_source_ref": "units_completed",
                "baseline": 0.0,
                "target": 90.0,
                "due_date": world.school_year_end,
                "owner_id": leader.person_id,
                "stakeholders": "Middle school principals; CS teachers",
            },
            actor=leader,
        )
    sci = world.products.get("SciSim Labs")
    if sci and not repo.fetch_value(
        con, "SELECT count(*) FROM implementation_plans WHERE product_id = ?", [sci]
    ):
        repo.insert(
            con,
            "implementation_plans",
            {
                "product_id": sci,
                "request_id": world.requests.get("SciSim Labs"),
                "participant_schools": "; ".join(n for n in world.schools if "Middle" in n or "High" in n),
                "participant_grades": "6; 7; 8",
                "starting_group": "Two grade 7 science teachers per middle school",
                "extent": "pilot",
                "recommended_minutes_per_week": 30.0,
                "recommended_weeks": 12,
                "fidelity_share_of_weeks": 0.8,
                "active_user_min_minutes": 10.0,
                "review_frequency": "Every 6 weeks",
                "measurement_timeline": "Unit tests after each lab unit",
                "feedback_plan": "Student exit survey after each lab; teacher survey in January",
                "next_review_date": today + dt.timedelta(days=20),
            },
            actor=world.people["requester"],
        )
    for plan in repo.fetch_all(con, "SELECT plan_id, product_id FROM implementation_plans"):
        if repo.fetch_value(con, "SELECT count(*) FROM plan_milestones WHERE plan_id = ?", [plan["plan_id"]]):
            continue
        start = world.school_year_start
        items = [
            (
                "training",
                "Teacher onboarding",
                "All participating teachers",
                start - dt.timedelta(days=7),
                start - dt.timedelta(days=6),
                start - dt.timedelta(days=6),
                85.0,
            ),
            (
                "milestone",
                "Launch in classrooms",
                "Participating classrooms",
                start,
                start + dt.timedelta(days=14),
                start + dt.timedelta(days=14),
                None,
            ),
            (
                "survey",
                "Teacher feedback survey (fall)",
                "Teachers",
                start + dt.timedelta(days=50),
                None,
                start + dt.timedelta(days=55) if start + dt.timedelta(days=55) <= today else None,
                None,
            ),
            (
                "review",
                "Data review with building leaders",
                "Leadership team",
                today + dt.timedelta(days=12),
                None,
                None,
                None,
            ),
            (
                "survey",
                "Teacher and student survey (spring)",
                "Teachers and students",
                world.school_year_end - dt.timedelta(days=45),
                None,
                None,
                None,
            ),
        ]
        for kind, name, audience, begin, end, done, pct in items:
            repo.insert(
                con,
                "plan_milestones",
                {
                    "plan_id": plan["plan_id"],
                    "kind": kind,
                    "name": name,
                    "audience": audience,
                    "start_date": begin,
                    "end_date": end,
                    "completed_on": done,
                    "completion_pct": pct,
                },
                actor=world.people["requester"],
            )


def seed(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    _catalog(con, world)
    _contracts(con, world)
    _soppa(con, world)
    _goals_and_plans(con, world)
