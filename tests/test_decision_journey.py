"""The issue's journey through the services: a request, two candidates scored by two reviewers,
comparison, compliance and integration decisions, approval, purchase checklist done -> catalog."""

from __future__ import annotations

import datetime as dt

from models.enums import Stage
from models.purchasing import PurchaseTaskUpdate
from services import decision, intake, lifecycle
from services.comparison_data import load_comparison
from tests.purchasing_factory import TODAY, clear_gate, request_in_review, score_all, stage_of


def test_request_to_catalog(con, people):
    request_id, cands, prods = request_in_review(con, people)
    for reviewer, alpha, beta in (("reviewer", 4, 3), ("reviewer2", 5, 2)):
        score_all(con, people[reviewer], cands["Alpha Math"], request_id, alpha)
        score_all(con, people[reviewer], cands["Beta Math"], request_id, beta)
    clear_gate(con, people, request_id, prods["Alpha Math"])
    view = load_comparison(con, request_id, TODAY)
    assert view.comparison.recommended == "Alpha Math"
    summary = view.comparison.summary.set_index("candidate")
    assert summary.at["Alpha Math", "overall"] == 4.5 and summary.at["Alpha Math", "reviewers"] == 2
    decision.send_to_approver(con, people["requester"], request_id, prods["Alpha Math"])
    assert decision.gate_status(con, request_id, TODAY) == []
    decision.approve(con, people["approver"], request_id, today=TODAY)
    today = dt.date.today()
    for task in decision.purchase_tasks(con, request_id):
        decision.update_task(
            con,
            people["business"],
            task["task_id"],
            PurchaseTaskUpdate(
                owner_id=people["business"].person_id,
                due_date=today,
                done_date=today,
                reference="PO-2026-001" if task["task"] == "purchase_order" else None,
            ),
        )
    assert stage_of(con, request_id) == Stage.CATALOG
    assert intake.submission_blockers(con, request_id) == []
    assert lifecycle.blockers(lifecycle.gather_facts(con, request_id)) == ["Add the tool to the catalog."]
