"""Steps 8-9: goal input rules, the plan, the preregistration lock, milestones, upcoming reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.errors import InvalidInput, NotFound, PermissionDenied
from models.form_errors import field_errors
from models.goals import GoalForm, MilestoneForm, PlanForm, PreregistrationForm
from services import goals, lifecycle, plans
from tests import steps69_factory as f

TODAY = f.TODAY


def goal(product_id: int, owner_id: int | None, target: float | None = 80.0) -> GoalForm:
    return GoalForm(
        product_id=product_id,
        horizon="short",
        description="Weekly use by 80% of students",
        measure="Weekly active share",
        data_source_kind="usage",
        target=target,
        owner_id=owner_id,
    )


def plan_form(product_id: int, **extra) -> PlanForm:
    values = dict(
        product_id=product_id,
        participant_grades=[5, 3, 4, 4],
        extent="pilot",
        recommended_minutes_per_week=45,
        recommended_weeks=20,
        review_frequency="Quarterly",
    )
    values.update(extra)
    return PlanForm(**values)


class TestGoals:
    def test_goal_without_owner_or_target_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            GoalForm(
                product_id=1,
                horizon="long",
                description="Growth",
                measure="MAP",
                data_source_kind="assessment",
            )
        errors = field_errors(exc.value, GoalForm)
        assert set(errors) == {"target", "owner_id"}
        assert errors["owner_id"].startswith("Owner (lead):") and errors["target"].startswith("Target:")

    def test_goal_saved_for_approved_tool(self, con, people):
        product_id = f.approved_tool(con)
        goal_id = goals.save_goal(con, people["requester"], goal(product_id, people["requester"].person_id))
        rows = goals.list_goals(con, people["requester"], product_id)
        assert [r["goal_id"] for r in rows] == [goal_id] and rows[0]["owner_name"]

    def test_goal_for_unapproved_tool_is_refused(self, con, people):
        product_id = f.product(con, f.vendor(con), "Unvetted")
        with pytest.raises(InvalidInput, match="approved"):
            goals.save_goal(con, people["requester"], goal(product_id, people["requester"].person_id))

    def test_unknown_owner_is_refused(self, con, people):
        product_id = f.approved_tool(con)
        with pytest.raises(InvalidInput, match="Owner"):
            goals.save_goal(con, people["requester"], goal(product_id, 9999))

    def test_teacher_cannot_set_goals(self, con, people):
        product_id = f.approved_tool(con)
        with pytest.raises(PermissionDenied):
            goals.save_goal(con, people["teacher"], goal(product_id, people["teacher"].person_id))


class TestPlan:
    def test_plan_stores_participants_and_dosage_for_step_10(self, con, people):
        product_id = f.approved_tool(con)
        con.execute("INSERT INTO schools (name) VALUES ('Lincoln Elementary')")
        plans.save_plan(
            con, people["requester"], plan_form(product_id, participant_schools=["Lincoln Elementary"])
        )
        plan = plans.get_plan(con, people["requester"], product_id)
        assert plan["participant_grades"] == "3; 4; 5" and plan["schools_list"] == ["Lincoln Elementary"]
        assert plan["recommended_minutes_per_week"] == 45 and plan["fidelity_share_of_weeks"] == 0.8
        assert not plan["locked"]

    def test_bad_plan_input(self, con, people):
        with pytest.raises(ValidationError):
            plan_form(1, participant_grades=[14])
        with pytest.raises(ValidationError):
            plan_form(1, fidelity_share_of_weeks=1.5)
        product_id = f.approved_tool(con)
        with pytest.raises(InvalidInput, match="unknown school"):
            plans.save_plan(
                con, people["requester"], plan_form(product_id, participant_schools=["Nowhere High"])
            )
        with pytest.raises(InvalidInput, match="Review frequency"):
            plans.save_plan(con, people["requester"], plan_form(product_id, review_frequency="Hourly"))

    def test_preregistration_locks(self, con, people):
        product_id = f.approved_tool(con)
        actor = people["requester"]
        plans.save_plan(con, actor, plan_form(product_id))
        plans.preregister(
            con,
            actor,
            product_id,
            PreregistrationForm(meaningful_effect=0.1, decision_probability=0.8),
            now=dt.datetime(2026, 9, 1, 8, 0),
        )
        with pytest.raises(InvalidInput, match="locked since 09/01/2026"):
            plans.preregister(
                con,
                people["admin"],
                product_id,
                PreregistrationForm(meaningful_effect=0.01, decision_probability=0.6),
            )
        plans.save_plan(con, actor, plan_form(product_id, extent="full"))  # the rest stays editable
        plan = plans.get_plan(con, actor, product_id)
        assert plan["locked"] and plan["meaningful_effect"] == 0.1 and plan["extent"] == "full"
        assert "meaningful_effect" not in PlanForm.model_fields  # the plan form cannot reach it

    def test_preregistration_needs_a_plan_and_sane_numbers(self, con, people):
        with pytest.raises(NotFound):
            plans.preregister(
                con,
                people["requester"],
                1,
                PreregistrationForm(meaningful_effect=0.1, decision_probability=0.8),
            )
        with pytest.raises(ValidationError):
            PreregistrationForm(meaningful_effect=0.1, decision_probability=0.4)

    def test_plan_satisfies_the_step9_gate_once_preregistered(self, con, people):
        product_id = f.approved_tool(con)
        plans.save_plan(con, people["requester"], plan_form(product_id))
        facts = lambda: lifecycle.GateFacts(  # noqa: E731
            request_id=1,
            stage=lifecycle.Stage.PLAN,
            requester_id=1,
            plan=plans.get_plan(con, people["requester"], product_id),
        )
        assert any("meaningful effect" in r for r in lifecycle.check_plan(facts()))
        plans.preregister(
            con,
            people["requester"],
            product_id,
            PreregistrationForm(meaningful_effect=0.1, decision_probability=0.8),
        )
        assert lifecycle.check_plan(facts()) == []


class TestMilestonesAndReviews:
    def test_milestone_end_before_start(self):
        with pytest.raises(ValidationError) as exc:
            MilestoneForm(name="Training", start_date=TODAY, end_date=TODAY - dt.timedelta(days=1))
        assert "end_date" in field_errors(exc.value, MilestoneForm)

    def test_timeline_and_upcoming_reviews(self, con, people):
        product_id = f.approved_tool(con)
        actor = people["requester"]
        plan_id = plans.save_plan(
            con, actor, plan_form(product_id, next_review_date=TODAY + dt.timedelta(days=10))
        )
        plans.save_milestone(
            con, actor, plan_id, MilestoneForm(kind="training", name="Onboarding", start_date=TODAY)
        )
        plans.save_milestone(
            con,
            actor,
            plan_id,
            MilestoneForm(kind="review", name="Winter data review", start_date=TODAY - dt.timedelta(days=3)),
        )
        plans.save_milestone(
            con,
            actor,
            plan_id,
            MilestoneForm(kind="review", name="Spring review", start_date=TODAY + dt.timedelta(days=90)),
        )
        rows = plans.timeline_rows(plans.milestones(con, plan_id))
        assert rows[0]["Finish"] > rows[0]["Start"]
        due = plans.upcoming_reviews(con, TODAY, within_days=30)
        assert [(r["what"], r["severity"]) for r in due] == [
            ("Winter data review", "overdue"),
            ("Plan review", "upcoming"),
        ]
        assert plans.record_review_done(con, actor, product_id, TODAY) == TODAY + dt.timedelta(days=91)


def test_the_request_summary_names_a_plans_grades_as_well_as_its_schools():
    """A plan for grades 6-8 in every school was summarised as 'participants: —'."""
    from services.request_view import _participants

    assert (
        _participants({"participant_schools": None, "participant_grades": "6; 7; 8"})
        == "all schools, grades 6; 7; 8"
    )
    assert (
        _participants({"participant_schools": "Oak Ridge", "participant_grades": None})
        == "Oak Ridge, all grades"
    )
