"""Renewal decisions: permission, one per cycle, the frozen snapshot, the contract effect, the brief."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models.enums import EvaluationDecision
from models.errors import InvalidInput, PermissionDenied
from models.evaluation import RenewalDecisionCreate
from services import renewal, renewal_brief

HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def tool(con):
    con.execute("INSERT INTO vendors (name) VALUES ('Vendor & Co')")
    product_id = con.execute(
        "INSERT INTO products (vendor_id, name) VALUES (1, ?) RETURNING product_id", [HOSTILE]
    ).fetchone()[0]
    contract_id = con.execute(
        "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, annual_cost, quantity, auto_renew)"
        " VALUES (?, 1, DATE '2025-07-01', DATE '2026-06-30', 5000, 100, true) RETURNING contract_id",
        [product_id],
    ).fetchone()[0]
    return product_id, contract_id


def snapshot_for(product_id: int) -> dict:
    return {
        "version": 1,
        "tool": {"product_id": product_id, "name": HOSTILE, "vendor": "Vendor & Co"},
        "threshold": 10,
        "district": "District 100",
        "generated_at": "2026-05-01T10:00:00",
        "usage": {
            "school_year": "2025-26",
            "weeks_observed": 3,
            "metrics": [{"label": "Active users", "display": "<10", "definition": HOSTILE}],
            "weekly_active_users": [
                {"week": "2025-09-01", "active_users": 12},
                {"week": "2025-09-08", "active_users": None},
                {"week": "2025-09-15", "active_users": 15},
            ],
        },
        "outcomes": {
            "subject": "Math",
            "window": "Fall to spring",
            "growth": [
                {"window": "Fall to spring", "group": "Users", "n": "40", "mean_growth": 5.1},
                {"window": "Fall to spring", "group": "Non-users", "n": "<10", "mean_growth": None},
            ],
            "verdict": {"message": "Too few students to conclude.", "essa_tier": "Tier 4"},
        },
        "goals": [],
        "practice_notes": [{"note": HOSTILE, "author": "A", "created_at": "2026-01-01"}],
    }


def form(product_id: int, decision: str = "discontinue", cycle: str = "2025-26") -> RenewalDecisionCreate:
    return RenewalDecisionCreate(
        product_id=product_id,
        review_cycle=cycle,
        decision=decision,
        rationale="Usage stayed low and outcomes did not move.",
    )


class TestRecordDecision:
    def test_discontinue_turns_auto_renewal_off_and_freezes_the_evidence(self, con, people, tool):
        product_id, contract_id = tool
        decision_id = renewal.record_decision(
            con, people["approver"], form(product_id), snapshot_for(product_id), today=dt.date(2026, 3, 1)
        )
        row = renewal.get_decision(con, people["approver"], decision_id)
        assert row["decision"] == "discontinue" and row["contract_id"] == contract_id
        assert row["evidence_snapshot"]["usage"]["metrics"][0]["display"] == "<10"
        assert (
            con.execute("SELECT auto_renew FROM contracts WHERE contract_id = ?", [contract_id]).fetchone()[0]
            is False
        )
        audit = con.execute("SELECT table_name, action FROM audit_log ORDER BY audit_id").fetchall()
        assert ("evaluation_decisions", "insert") in audit and ("contracts", "update") in audit

    def test_discontinuing_after_the_notice_deadline_says_the_contract_renews(self, con, people, tool):
        """The contract ends 06/30/2026 with no notice period: on 07/15 it has already renewed. Turning
        auto-renewal off in the records would only hide that."""
        product_id, contract_id = tool
        con.execute("UPDATE contracts SET notice_days = 60 WHERE contract_id = ?", [contract_id])
        decision_id = renewal.record_decision(
            con, people["approver"], form(product_id), snapshot_for(product_id), today=dt.date(2026, 5, 15)
        )
        action = renewal.get_decision(con, people["approver"], decision_id)["contract_action"]
        assert (
            "notice deadline passed on 05/01/2026" in action
            and "renews automatically on 06/30/2026" in action
        )
        assert con.execute("SELECT auto_renew FROM contracts").fetchone()[0] is True

    def test_renew_flags_the_contract_without_changing_it(self, con, people, tool):
        product_id, contract_id = tool
        decision_id = renewal.record_decision(
            con, people["approver"], form(product_id, "renew"), snapshot_for(product_id)
        )
        row = renewal.get_decision(con, people["approver"], decision_id)
        assert row["contract_action"] == renewal.CONTRACT_EFFECT[EvaluationDecision.RENEW]
        assert con.execute("SELECT auto_renew FROM contracts").fetchone()[0] is True

    def test_one_decision_per_tool_per_cycle(self, con, people, tool):
        product_id, _ = tool
        renewal.record_decision(con, people["approver"], form(product_id, "renew"), snapshot_for(product_id))
        with pytest.raises(InvalidInput, match="already has a renew decision"):
            renewal.record_decision(con, people["approver"], form(product_id), snapshot_for(product_id))
        renewal.record_decision(
            con, people["approver"], form(product_id, cycle="2026-27"), snapshot_for(product_id)
        )
        assert len(renewal.list_decisions(con, people["approver"], product_id)) == 2

    def test_only_approvers_decide(self, con, people, tool):
        product_id, _ = tool
        with pytest.raises(PermissionDenied):
            renewal.record_decision(con, people["reviewer"], form(product_id), snapshot_for(product_id))
        assert con.execute("SELECT count(*) FROM evaluation_decisions").fetchone()[0] == 0

    def test_snapshot_must_be_for_the_same_tool(self, con, people, tool):
        product_id, _ = tool
        with pytest.raises(InvalidInput, match="another tool"):
            renewal.record_decision(con, people["approver"], form(product_id), snapshot_for(product_id + 1))

    def test_rationale_is_required(self):
        with pytest.raises(ValueError):
            RenewalDecisionCreate(product_id=1, review_cycle="2025-26", decision="renew", rationale="ok")


class TestBrief:
    def test_brief_is_standalone_escaped_html_with_inline_svg(self):
        html = renewal_brief.render_brief(
            snapshot_for(1),
            {
                "review_cycle": "2025-26",
                "decision": "discontinue",
                "rationale": HOSTILE,
                "decided_by_name": "Approver",
                "decided_at": "2026-05-02",
                "contract_action": "Auto-renewal off",
            },
        )
        assert html.startswith("<!DOCTYPE html>")
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert html.count("<svg") == 2  # weekly active users, growth
        assert "hidden (small group)" in html  # the suppressed non-user group
        assert "&lt;10" in html
        assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing loaded from the network

    def test_line_chart_leaves_gaps_for_hidden_weeks(self):
        svg = renewal_brief.svg_line(
            [("w1", 12), ("w2", None), ("w3", 15)], title="t", y_label="y", x_label="x"
        )
        assert svg.count("<polyline") == 2

    def test_snapshot_from_services_is_json_safe(self, con, people, tool):
        from services import monitoring

        product_id, _ = tool
        setup = monitoring.tool_setup(con, product_id, threshold=10)
        snap = renewal.build_snapshot(
            setup=setup, usage=None, outcome=None, feedback=None, goals=[], notes=[], district="D"
        )
        assert json.loads(json.dumps(snap))["contract"]["annual_cost"] == 5000.0
        assert snap["tool"]["name"] == HOSTILE


class TestWhichDecisionIsNext:
    def test_decide_by_is_the_notice_deadline_and_past_ones_are_not_next(self, con):
        import datetime as dt

        from services import monitoring

        con.execute("INSERT INTO vendors (name) VALUES ('V')")
        ids = {}
        for name, end, notice in (
            ("Past", "2026-12-01", 60),
            ("Soon", "2027-02-01", 30),
            ("Later", "2027-03-01", 0),
        ):
            ids[name] = con.execute(
                "INSERT INTO products (vendor_id, name) VALUES (1, ?) RETURNING product_id", [name]
            ).fetchone()[0]
            con.execute(
                "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, notice_days, annual_cost) "
                "VALUES (?, 1, DATE '2026-01-01', ?::DATE, ?, 1000)",
                [ids[name], end, notice],
            )
        tools = {t["name"]: t for t in monitoring.list_tools(con)}
        assert tools["Past"]["decide_by"] == dt.date(2026, 10, 2)  # December 1 minus 60 days
        assert tools["Soon"]["decide_by"] == dt.date(2027, 1, 2)
        assert tools["Later"]["decide_by"] == dt.date(2027, 3, 1)  # no notice: the end date
        today = dt.date(2026, 11, 28)
        assert monitoring.next_decision(list(tools.values()), today) == ids["Soon"]
        assert monitoring.next_decision(list(tools.values()), dt.date(2027, 4, 1)) is None
