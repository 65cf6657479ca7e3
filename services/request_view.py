"""The read side of one request across the ten SOP steps: what each step has recorded, in words.

Plain parameterised queries; the request page renders the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from db import repo
from models.enums import IntegrationResult, PrivacyStatus, PurchaseTask, Stage
from services import lifecycle
from services.requests import get_request


@dataclass
class StepSummary:
    number: int
    title: str
    done: bool
    current: bool
    lines: list[str] = field(default_factory=list)


STEP_TITLES = {
    1: "Needs assessment",
    2: "Vendor criteria and SOPPA compliance",
    3: "Budget and multi-year cost",
    4: "Vendor review, committee scores, integration",
    5: "Gate and purchase coordination",
    6: "Catalog",
    7: "Contract and expiry",
    8: "Goals and owners",
    9: "Implementation and monitoring plan",
    10: "Monitoring, reflection and decision",
}


def _money(value: object) -> str:
    return "—" if value is None else f"${float(value):,.0f}"


def step_summaries(con: duckdb.DuckDBPyConnection, request_id: int) -> list[StepSummary]:
    request = get_request(con, request_id)
    stage = Stage(request["stage"])
    current_step = stage.sop_step or 0
    product = request["selected_product_id"]
    steps = {
        n: StepSummary(n, t, done=bool(current_step and n < current_step), current=n == current_step)
        for n, t in STEP_TITLES.items()
    }
    if stage == Stage.DENIED:
        steps[5].current = True

    s = steps[1].lines
    if request["submitted_at"]:
        s.append(f"Submitted {request['submitted_at']:%b %d, %Y}")
    s.append(f"Desired outcome: {request['desired_outcome'] or '—'}")
    s.append(f"Measures: {request['measures'] or '—'}")

    criteria = repo.fetch_all(
        con,
        """SELECT c.name, rc.weight FROM request_criteria rc
        JOIN criteria c USING (criterion_id) WHERE rc.request_id = ? ORDER BY rc.weight DESC""",
        [request_id],
    )
    if criteria:
        # weights as shares of the whole, rounded: 'SOPPA compliance (36.3636)' read as noise
        total = sum(float(c["weight"]) for c in criteria) or 1.0
        steps[2].lines.append(
            "Criteria (weight): "
            + ", ".join(f"{c['name']} ({float(c['weight']) / total:.0%})" for c in criteria)
        )
    candidates = repo.fetch_all(
        con,
        """SELECT c.candidate_id, c.status, p.product_id, p.name, v.name AS vendor
        FROM candidates c JOIN products p USING (product_id) JOIN vendors v ON v.vendor_id = p.vendor_id
        WHERE c.request_id = ? ORDER BY p.name""",
        [request_id],
    )
    for cand in candidates:
        soppa = repo.fetch_value(
            con,
            """SELECT status FROM soppa_decisions WHERE product_id = ?
            ORDER BY decided_at DESC, decision_id DESC LIMIT 1""",
            [cand["product_id"]],
        )
        label = PrivacyStatus(soppa).label if soppa else "no SOPPA decision yet"
        excluded = " (excluded)" if cand["status"] != "active" else ""
        steps[2].lines.append(f"Candidate **{cand['name']}** by {cand['vendor']}{excluded}: SOPPA {label}")

    quotes = repo.fetch_all(
        con,
        """SELECT p.name, count(*) AS n FROM quotes q JOIN products p USING (product_id)
        WHERE q.product_id IN (SELECT product_id FROM candidates WHERE request_id = ?) GROUP BY p.name""",
        [request_id],
    )
    scenarios = repo.fetch_value(
        con,
        """SELECT count(*) FROM cost_scenarios WHERE request_id = ?
        OR product_id IN (SELECT product_id FROM candidates WHERE request_id = ?)""",
        [request_id, request_id],
    )
    steps[3].lines += [f"{q['n']} quote(s) for {q['name']}" for q in quotes]
    if scenarios:
        steps[3].lines.append(f"{scenarios} cost scenario(s)")

    scores = repo.fetch_one(
        con,
        """SELECT count(*) AS n, count(DISTINCT reviewer_id) AS reviewers
        FROM review_scores s JOIN candidates c USING (candidate_id) WHERE c.request_id = ?""",
        [request_id],
    )
    if scores and scores["n"]:
        steps[4].lines.append(f"{scores['n']} scores from {scores['reviewers']} reviewer(s)")
    checks = repo.fetch_all(
        con,
        """SELECT p.name, i.integration, i.result FROM integration_checks i
        JOIN products p USING (product_id) WHERE i.request_id = ? ORDER BY p.name, i.integration""",
        [request_id],
    )
    for chk in checks:
        steps[4].lines.append(
            f"{chk['name']} · {chk['integration'].upper()}: {IntegrationResult(chk['result']).label}"
        )

    for d in repo.fetch_all(
        con,
        """SELECT d.decision, d.reason, d.decided_at, p.full_name FROM decisions d
        JOIN people p ON p.person_id = d.decided_by WHERE d.request_id = ? ORDER BY d.decided_at""",
        [request_id],
    ):
        steps[5].lines.append(
            f"{d['decision'].replace('_', ' ').capitalize()} by {d['full_name']} on "
            f"{d['decided_at']:%b %d, %Y}: {d['reason'] or ''}"
        )
    # each item of the purchase checklist, kept on the record once the request has moved on (the
    # Decision & purchase page lists only requests at steps 5 and after denial)
    tasks = repo.fetch_all(
        con,
        """SELECT t.task, t.done_date, t.due_date, t.reference, pe.full_name AS owner
        FROM purchase_tasks t LEFT JOIN people pe ON pe.person_id = t.owner_id WHERE t.request_id = ?""",
        [request_id],
    )
    if tasks:
        done = sum(1 for t in tasks if t["done_date"])
        steps[5].lines.append(f"Purchase checklist: {done} of {len(tasks)} done")
        order = {task.value: i for i, task in enumerate(PurchaseTask)}
        for t in sorted(tasks, key=lambda r: order.get(r["task"], 99)):
            if t["done_date"]:
                state = f"done {t['done_date']:%m/%d/%Y}"
            elif t["due_date"]:
                state = f"open, due {t['due_date']:%m/%d/%Y}"
            else:
                state = "open"
            who = f" by {t['owner']}" if t["owner"] else ""
            kind = "PO number" if t["task"] == PurchaseTask.PURCHASE_ORDER else "reference"
            ref = f" · {kind} {t['reference']}" if t["reference"] else ""
            steps[5].lines.append(f"{PurchaseTask(t['task']).label}: {state}{who}{ref}")
    if stage == Stage.DECISION:
        gate = lifecycle.check_step5_gate(lifecycle.gather_facts(con, request_id))
        steps[5].lines.append("Gate: " + ("passes" if not gate else " ".join(gate)))

    if product is not None:
        entry = repo.fetch_one(
            con, "SELECT tool_status, privacy_status FROM catalog_entries WHERE product_id = ?", [product]
        )
        if entry:
            steps[6].lines.append(
                f"In the catalog as {entry['tool_status'].replace('_', ' ')}; privacy "
                f"{PrivacyStatus(entry['privacy_status']).label}"
            )
        for c in repo.fetch_all(
            con,
            """SELECT start_date, end_date, annual_cost, quantity, auto_renew, notice_days
            FROM contracts WHERE product_id = ? ORDER BY end_date DESC""",
            [product],
        ):
            steps[7].lines.append(
                f"{c['start_date']:%m/%d/%Y} – {c['end_date']:%m/%d/%Y}, "
                f"{_money(c['annual_cost'])}/year, {c['quantity'] or '—'} seats, notice "
                f"{c['notice_days']} days{', auto-renews' if c['auto_renew'] else ''}"
            )
        for g in repo.fetch_all(
            con,
            """SELECT g.horizon, g.description, g.target, p.full_name FROM goals g
            JOIN people p ON p.person_id = g.owner_id WHERE g.product_id = ? ORDER BY g.horizon DESC""",
            [product],
        ):
            steps[8].lines.append(
                f"{g['horizon'].capitalize()}-term: {g['description']} "
                f"(target {g['target']:g}; owner {g['full_name']})"
            )
        plan = repo.fetch_one(con, "SELECT * FROM implementation_plans WHERE product_id = ?", [product])
        if plan:
            steps[9].lines.append(
                f"{plan['extent'].capitalize()} implementation; participants: {_participants(plan)}"
            )
            if plan["recommended_minutes_per_week"]:
                steps[9].lines.append(
                    f"Dosage: {plan['recommended_minutes_per_week']:g} min/week for "
                    f"{plan['recommended_weeks'] or '—'} weeks"
                )
            if plan["meaningful_effect"] is not None:
                steps[9].lines.append(
                    f"Pre-registered: meaningful effect {plan['meaningful_effect']:g} SD, "
                    f"act at probability {plan['decision_probability']:.0%}"
                )
        name = repo.fetch_value(con, "SELECT name FROM products WHERE product_id = ?", [product])
        usage = repo.fetch_one(
            con,
            """SELECT count(*) AS n, count(DISTINCT student_key) AS students,
            max(usage_date) AS last FROM usage_daily WHERE tool = ?""",
            [name],
        )
        if usage and usage["n"]:
            steps[10].lines.append(
                f"{usage['n']:,} usage rows from {usage['students']:,} students; "
                f"latest {usage['last']:%b %d, %Y}"
            )
        for e in repo.fetch_all(
            con,
            """SELECT review_cycle, decision, rationale FROM evaluation_decisions
            WHERE product_id = ? ORDER BY decided_at""",
            [product],
        ):
            steps[10].lines.append(f"{e['review_cycle']}: **{e['decision']}**: {e['rationale']}")
    return [steps[n] for n in sorted(steps)]


def _participants(plan: dict[str, Any]) -> str:
    """Who the plan covers, as its schools and grades say ('grades 6; 7; 8' was shown as '—')."""
    schools, grades = plan.get("participant_schools"), plan.get("participant_grades")
    parts = [schools] if schools else ["all schools"]
    parts.append(f"grades {grades}" if grades else "all grades")
    return ", ".join(parts)
