"""Step 1: catalog search first, drafts with action items, submit through the step-1 gate."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.enums import Stage
from models.errors import GateFailed, InvalidInput, PermissionDenied
from models.requests import ActionItem, NeedsAssessment
from services import intake
from tests.purchasing_factory import full_assessment, product, stage_of


class TestFindExistingTools:
    def _catalog(self, con, people):
        admin = people["admin"]
        math = product(
            con,
            admin,
            "Quest Learning",
            "MathQuest",
            subjects="Math",
            grade_low=3,
            grade_high=8,
            description="Adaptive math practice",
        )
        read = product(
            con,
            admin,
            "Literacy Labs",
            "ReadWell",
            subjects="Reading; ELA",
            grade_low=0,
            grade_high=5,
            description="Leveled reading library",
        )
        old = product(con, admin, "Old Co", "MathDrill", subjects="Math", grade_low=1, grade_high=4)
        con.execute(
            "INSERT INTO catalog_entries (product_id, tool_status, privacy_status) VALUES"
            " (?, 'core', 'compliant'), (?, 'approved', 'compliant'), (?, 'denied', 'not_compliant')",
            [math, read, old],
        )

    def test_keyword_subject_and_grade_narrow_the_list(self, con, people):
        self._catalog(con, people)
        assert set(intake.find_existing_tools(con, keyword="math")["Tool"]) == {"MathQuest", "MathDrill"}
        assert list(intake.find_existing_tools(con, subject="reading")["Tool"]) == ["ReadWell"]
        assert set(intake.find_existing_tools(con, subject="math", grade="K")["Tool"]) == set()
        assert list(intake.find_existing_tools(con, subject="math", grade="7")["Tool"]) == ["MathQuest"]

    def test_every_keyword_word_is_looked_for_in_subjects_purpose_and_names(self, con, people):
        """A requester types what they need, not a product name: 'ela library' finds the tool whose
        subject is ELA and whose description says library, in either order; a word found nowhere
        finds nothing."""
        self._catalog(con, people)
        con.execute("UPDATE catalog_entries SET keywords = 'fluency; phonics' WHERE tool_status = 'approved'")
        assert list(intake.find_existing_tools(con, keyword="ELA library")["Tool"]) == ["ReadWell"]
        assert list(intake.find_existing_tools(con, keyword="library  ela")["Tool"]) == ["ReadWell"]
        assert list(intake.find_existing_tools(con, keyword="phonics")["Tool"]) == ["ReadWell"]
        assert list(intake.find_existing_tools(con, keyword="literacy labs")["Tool"]) == ["ReadWell"]
        assert intake.find_existing_tools(con, keyword="reading chemistry").empty

    def test_usable_tools_come_first(self, con, people):
        self._catalog(con, people)
        found = intake.find_existing_tools(con, keyword="math", grade=3)
        assert list(found["Tool"]) == ["MathQuest", "MathDrill"]
        assert list(found["usable"]) == [True, False]

    def test_bad_grade_is_a_message(self, con):
        with pytest.raises(InvalidInput, match="not a grade"):
            intake.find_existing_tools(con, grade="seventh")
        with pytest.raises(InvalidInput, match="outside"):
            intake.grade_number(14)


class TestDrafts:
    def test_draft_needs_only_a_title(self, con, people):
        request_id = intake.save_draft(con, people["requester"], NeedsAssessment(title="Music software"))
        row = con.execute(
            "SELECT stage, requester_id, leader_id FROM requests WHERE request_id = ?", [request_id]
        ).fetchone()
        assert row == ("needs_assessment", people["requester"].person_id, people["requester"].person_id)

    def test_missing_title_is_refused_by_the_form(self):
        with pytest.raises(ValidationError):
            NeedsAssessment(title="  ")

    def test_draft_and_action_items_saved_together(self, con, people):
        items = [ActionItem(who="Maria", what="Ask teachers for look-fors", due_date=dt.date(2026, 12, 1))]
        request_id = intake.save_draft(con, people["requester"], full_assessment(), items)
        request_id2 = intake.save_draft(
            con,
            people["requester"],
            full_assessment(look_fors="Spanish audio"),
            [ActionItem(who="Tom", what="Survey")],
            request_id=request_id,
        )
        assert request_id2 == request_id
        assert (
            con.execute(
                "SELECT count(*) FROM request_action_items WHERE request_id = ?", [request_id]
            ).fetchone()[0]
            == 2
        )
        assert (
            con.execute("SELECT look_fors FROM requests WHERE request_id = ?", [request_id]).fetchone()[0]
            == "Spanish audio"
        )

    def test_a_bad_action_item_never_reaches_the_service(self):
        with pytest.raises(ValidationError):
            ActionItem(who="", what="Something")

    def test_someone_else_cannot_edit_my_draft(self, con, people):
        request_id = intake.save_draft(con, people["requester"], full_assessment())
        with pytest.raises(PermissionDenied):
            intake.save_draft(con, people["requester2"], full_assessment(), request_id=request_id)

    def test_reviewer_cannot_create_requests(self, con, people):
        with pytest.raises(PermissionDenied):
            intake.save_draft(con, people["reviewer"], full_assessment())


class TestSubmit:
    def test_incomplete_draft_lists_every_missing_field(self, con, people):
        request_id = intake.save_draft(con, people["requester"], NeedsAssessment(title="Music software"))
        assert len(intake.submission_blockers(con, request_id)) == 3
        with pytest.raises(GateFailed) as err:
            intake.submit(con, people["requester"], request_id)
        assert "problem" in err.value.message and "measured" in err.value.message
        assert stage_of(con, request_id) == Stage.NEEDS_ASSESSMENT

    def test_complete_draft_moves_to_step_2(self, con, people):
        request_id = intake.save_draft(con, people["requester"], full_assessment())
        assert intake.submission_blockers(con, request_id) == []
        assert intake.submit(con, people["requester"], request_id) == Stage.CRITERIA_SOPPA
        assert con.execute(
            "SELECT submitted_at IS NOT NULL FROM requests WHERE request_id = ?", [request_id]
        ).fetchone()[0]
