"""Demo content for SOP steps 1, 2, 4 and 5: action plans, chosen and weighted criteria, competing
candidates, vendor answers, committee scores by two or three reviewers, pilots, pros/cons/gaps,
integration checks and SOPPA decisions, as fits each request's stage.

What it shows: StudyStack (step 4) against a rival with reviewers who disagree; the two requests at
the gate each with a rival, ChatTutor AI scoring highest but failing SOPPA (so it is never
recommended); Phonics Path (step 2) waiting on an agreement. Gate records the core seed already made
for a product (agreements, SOPPA decisions, integration checks) are never duplicated.
Runs inside demo/seed.py's transaction, so it writes through db.repo directly.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from db import repo
from demo.world import DemoWorld
from models.enums import Stage

# need -> criteria and weights (percent; the library's names)
WEIGHTS: dict[str, dict[str, float]] = {
    "default": {
        "SOPPA compliance": 20,
        "Rostering": 15,
        "Single sign-on": 10,
        "Accessibility (WCAG 2.1 AA / VPAT)": 15,
        "Support and training": 15,
        "Price": 25,
    },
    "languages": {
        "SOPPA compliance": 20,
        "Languages": 25,
        "Single sign-on": 10,
        "Accessibility (WCAG 2.1 AA / VPAT)": 15,
        "Support and training": 10,
        "Price": 20,
    },
    "reading": {
        "SOPPA compliance": 20,
        "SIS integration": 10,
        "Rostering": 15,
        "Languages": 15,
        "Accessibility (WCAG 2.1 AA / VPAT)": 15,
        "Price": 25,
    },
}
NEED = {"LingoLeap": "languages", "Phonics Path": "reading", "ReadWell": "reading"}

# product at a step before the gate -> (rival product, rival vendor, description)
RIVALS: dict[str, tuple[str, str, str]] = {
    "Phonics Path": ("Sound Start", "BrightBeginnings Literacy", "Phonemic awareness games for K-2"),
    "GeoExplorer": ("Atlas Adventures", "Cartography Kids", "Geography quests with map skills"),
    "StudyStack": ("MemoryLane", "Recall Labs", "Flashcards with spaced repetition and class decks"),
    "LingoLeap": ("WorldTalk", "Babel Schools", "Conversation practice with speech recognition"),
    "ChatTutor AI": ("HomeworkHero", "Scholar Systems", "Step-by-step homework help with teacher view"),
}
# (product, criterion) -> quality 1-5 the reviewers score around; unspecified criteria get 3.5
QUALITY: dict[str, dict[str, float]] = {
    "StudyStack": {"SOPPA compliance": 4.5, "Rostering": 4, "Price": 4.5, "Support and training": 3},
    "MemoryLane": {"SOPPA compliance": 3.5, "Rostering": 3, "Price": 3, "Single sign-on": 4.5},
    "LingoLeap": {"Languages": 5, "SOPPA compliance": 4.5, "Price": 3},
    "WorldTalk": {"Languages": 4, "Price": 4, "Single sign-on": 3},
    "ChatTutor AI": {
        "SOPPA compliance": 1.5,
        "Support and training": 4.5,
        "Price": 4.5,
        "Accessibility (WCAG 2.1 AA / VPAT)": 4.5,
    },
    "HomeworkHero": {"SOPPA compliance": 4, "Price": 3, "Support and training": 3.5},
}
REVIEWERS = ("reviewer", "reviewer2", "reviewer3")
BEFORE_REVIEW = {Stage.NEEDS_ASSESSMENT, Stage.CRITERIA_SOPPA, Stage.BUDGET}


def seed(con: duckdb.DuckDBPyConnection, world: DemoWorld) -> None:
    world.criteria.update(
        {r[0]: r[1] for r in con.execute("SELECT name, criterion_id FROM criteria").fetchall()}
    )
    product_of_request = {rid: name for name, rid in world.requests.items() if name in world.products}
    for request_id, stage_value in sorted(world.request_stage.items()):
        stage = Stage(stage_value)
        product = product_of_request.get(request_id)
        _action_items(con, world, request_id, stage)
        if stage == Stage.NEEDS_ASSESSMENT or product is None:
            continue
        weights = WEIGHTS[NEED.get(product, "default")]
        _criteria(con, request_id, {world.criteria[n]: w for n, w in weights.items() if n in world.criteria})
        names = [product]
        if product in RIVALS:
            names.append(_rival(con, world, request_id, product))
        candidates = {n: _candidate(con, request_id, world.products[n]) for n in names}
        for name, candidate_id in candidates.items():
            _vendor_answers(con, world, candidate_id, weights, name)
        if stage in BEFORE_REVIEW:
            if stage == Stage.CRITERIA_SOPPA:
                _soppa(
                    con,
                    world,
                    request_id,
                    world.products[product],
                    "pending_agreement",
                    "Vendor has the IL-NDPA from the Alliance; signature expected this month.",
                )
            continue
        reviewers = REVIEWERS if product in RIVALS else REVIEWERS[:2]
        for name, candidate_id in candidates.items():
            _scores(con, world, request_id, candidate_id, name, weights, reviewers)
            _notes(con, world, candidate_id, name)
        if stage == Stage.REVIEW:
            _review_stage_gate_records(con, world, request_id, names)
        if len(names) > 1:
            _soppa(
                con,
                world,
                request_id,
                world.products[names[1]],
                "pending_agreement",
                "Agreement requested; vendor reviewing Exhibit G.",
            )


def _actor(world: DemoWorld, handle: str):
    return world.people[handle]


def _action_items(con, world: DemoWorld, request_id: int, stage: Stage) -> None:
    if repo.fetch_value(con, "SELECT count(*) FROM request_action_items WHERE request_id = ?", [request_id]):
        return
    lead = (
        repo.fetch_value(
            con,
            "SELECT p.full_name FROM requests r JOIN people p ON p.person_id = r.leader_id"
            " WHERE r.request_id = ?",
            [request_id],
        )
        or "Project leader"
    )
    done = stage not in BEFORE_REVIEW
    items = [
        (lead, "Survey teachers on the need and look-fors", -30, True),
        ("Curriculum committee", "Agree the vendor criteria and weights", -10, done),
        (lead, "Schedule vendor demos and a short pilot", 14, False),
    ]
    for who, what, days, is_done in items:
        repo.insert(
            con,
            "request_action_items",
            {
                "request_id": request_id,
                "who": who,
                "what": what,
                "due_date": world.today + dt.timedelta(days=days),
                "done_date": world.today + dt.timedelta(days=min(days, -1)) if is_done else None,
            },
            actor=None,
        )


def _criteria(con, request_id: int, weights: dict[int, float]) -> None:
    if repo.fetch_value(con, "SELECT count(*) FROM request_criteria WHERE request_id = ?", [request_id]):
        return
    total = sum(weights.values())
    for criterion_id, weight in weights.items():
        con.execute(
            "INSERT INTO request_criteria VALUES (?, ?, ?)", [request_id, criterion_id, weight * 100 / total]
        )


def _rival(con, world: DemoWorld, request_id: int, product: str) -> str:
    name, vendor, description = RIVALS[product]
    if name not in world.products:
        vendor_id = world.vendors.get(vendor) or repo.insert(
            con,
            "vendors",
            {
                "name": vendor,
                "business_address": f"{200 + len(world.vendors)} Lake St, Evanston, IL 60201",
                "website": f"https://{vendor.split()[0].lower()}.example.com",
            },
            actor=_actor(world, "admin"),
        )
        world.vendors[vendor] = vendor_id
        base = repo.get(con, "products", world.products[product])
        world.products[name] = repo.insert(
            con,
            "products",
            {
                "vendor_id": vendor_id,
                "name": name,
                "description": description,
                "subjects": base["subjects"],
                "grade_low": base["grade_low"],
                "grade_high": base["grade_high"],
            },
            actor=_actor(world, "admin"),
        )
    return name


def _candidate(con, request_id: int, product_id: int) -> int:
    existing = repo.fetch_value(
        con,
        "SELECT candidate_id FROM candidates WHERE request_id = ? AND product_id = ?",
        [request_id, product_id],
    )
    return existing or repo.insert(
        con, "candidates", {"request_id": request_id, "product_id": product_id}, actor=None
    )


def _vendor_answers(
    con, world: DemoWorld, candidate_id: int, weights: dict[str, float], product: str
) -> None:
    quality = QUALITY.get(product, {})
    for name in weights:
        q = quality.get(name, 3.5)
        meets = "yes" if q >= 4 else ("partial" if q >= 2.5 else "no")
        if repo.fetch_value(
            con,
            "SELECT count(*) FROM vendor_responses WHERE candidate_id = ? AND criterion_id = ?",
            [candidate_id, world.criteria[name]],
        ):
            continue
        repo.insert(
            con,
            "vendor_responses",
            {
                "candidate_id": candidate_id,
                "criterion_id": world.criteria[name],
                "meets": meets,
                "response": {
                    "yes": "Fully supported.",
                    "partial": "Supported with limits; see notes.",
                    "no": "Not supported at this time.",
                }[meets],
                "evidence": f"https://{product.lower().replace(' ', '')}.example.com/docs",
            },
            actor=None,
        )


def _scores(
    con,
    world: DemoWorld,
    request_id: int,
    candidate_id: int,
    product: str,
    weights: dict[str, float],
    reviewers: tuple[str, ...],
) -> None:
    quality = QUALITY.get(product, {})
    for i, handle in enumerate(reviewers):
        reviewer = world.people.get(handle)
        if reviewer is None:
            continue
        # reviewer3 is the committee's skeptic about MemoryLane: the comparison flags the disagreement
        bias = -1.6 if (handle == "reviewer3" and product == "MemoryLane") else (i - 1) * 0.3
        for name in weights:
            score = int(min(5, max(1, round(quality.get(name, 3.5) + bias + world.rng.normal(0, 0.4)))))
            if repo.fetch_value(
                con,
                "SELECT count(*) FROM review_scores WHERE candidate_id = ? AND criterion_id = ?"
                " AND reviewer_id = ?",
                [candidate_id, world.criteria[name], reviewer.person_id],
            ):
                continue
            repo.insert(
                con,
                "review_scores",
                {
                    "candidate_id": candidate_id,
                    "criterion_id": world.criteria[name],
                    "reviewer_id": reviewer.person_id,
                    "score": score,
                    "comment": "Strong" if score >= 4 else ("Adequate" if score == 3 else "Concern"),
                },
                actor=reviewer,
                request_id=request_id,
            )


def _notes(con, world: DemoWorld, candidate_id: int, product: str) -> None:
    row = repo.get(con, "candidates", candidate_id)
    if row["pros"] or row["cons"] or row["gaps"]:
        return
    repo.update(
        con,
        "candidates",
        candidate_id,
        {
            "pros": f"Teachers found {product} easy to start with; students engaged in the demo.",
            "cons": "Reports are basic; no parent view."
            if product not in QUALITY
            else "Price rises after year 1.",
            "gaps": "No Spanish audio." if "Languages" not in QUALITY.get(product, {}) else None,
        },
        actor=_actor(world, "reviewer"),
    )
    if not repo.fetch_value(con, "SELECT count(*) FROM pilots WHERE candidate_id = ?", [candidate_id]):
        repo.insert(
            con,
            "pilots",
            {
                "candidate_id": candidate_id,
                "participants": "Two classrooms (grades 6 and 7), 48 students",
                "start_date": world.today - dt.timedelta(days=40),
                "end_date": world.today - dt.timedelta(days=12),
                "findings": f"{product}: 80% of students used it weekly; teachers asked for better reports.",
            },
            actor=_actor(world, "reviewer"),
        )


def _soppa(
    con,
    world: DemoWorld,
    request_id: int,
    product_id: int,
    status: str,
    note: str,
    agreement_id: int | None = None,
) -> None:
    if repo.fetch_value(con, "SELECT count(*) FROM soppa_decisions WHERE product_id = ?", [product_id]):
        return  # the core seed (or an earlier call) already decided for this product
    repo.insert(
        con,
        "soppa_decisions",
        {
            "request_id": request_id,
            "product_id": product_id,
            "agreement_id": agreement_id,
            "status": status,
            "note": note,
            "decided_by": _actor(world, "compliance").person_id,
        },
        actor=_actor(world, "compliance"),
    )


def _review_stage_gate_records(con, world: DemoWorld, request_id: int, names: list[str]) -> None:
    """At step 4: the leading product has its agreement; the technology check is under way."""
    lead = names[0]
    product_id = world.products[lead]
    vendor_id = repo.fetch_value(con, "SELECT vendor_id FROM products WHERE product_id = ?", [product_id])
    agreement_id = repo.fetch_value(
        con, "SELECT agreement_id FROM agreements WHERE product_id = ?", [product_id]
    )
    if agreement_id is None:
        signed = world.today - dt.timedelta(days=20)
        agreement_id = repo.insert(
            con,
            "agreements",
            {
                "vendor_id": vendor_id,
                "product_id": product_id,
                "agreement_type": "IL-NDPA",
                "signed_date": signed,
                "expiry_date": signed + dt.timedelta(days=3 * 365),
                "data_elements": "Name; student ID; grade; usage",
                "subcontractors": "Google Cloud (hosting)",
                "business_address": repo.fetch_value(
                    con, "SELECT business_address FROM vendors WHERE vendor_id = ?", [vendor_id]
                ),
                "states_data_categories": True,
                "states_product": True,
                "ferpa_school_official": True,
                "breach_cost_allocation": True,
                "deletion_terms": True,
                "deletion_days": 45,
                "public_posting_consent": True,
                "document_url": "https://docs.example.org/agreements/studystack.pdf",
            },
            actor=_actor(world, "compliance"),
        )
        world.agreements[lead] = agreement_id
    _soppa(con, world, request_id, product_id, "compliant", "IL-NDPA signed.", agreement_id)
    technology = _actor(world, "technology")
    plan = (
        {
            names[0]: (("rostering", "verified", "Clever sandbox sync tested"), ("sso", "pending", None)),
            names[-1]: (("sso", "failed", "No Microsoft SSO; Google only"),),
        }
        if len(names) > 1
        else {}
    )
    for name, checks in plan.items():
        pid = world.products[name]
        for integration, result, evidence in checks:
            if repo.fetch_value(
                con,
                "SELECT count(*) FROM integration_checks WHERE product_id = ? AND integration = ?",
                [pid, integration],
            ):
                continue
            repo.insert(
                con,
                "integration_checks",
                {
                    "request_id": request_id,
                    "product_id": pid,
                    "integration": integration,
                    "result": result,
                    "evidence": evidence,
                    "checked_by": technology.person_id,
                },
                actor=technology,
            )
