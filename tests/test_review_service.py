"""Step 4: committee scores (1-5, one per reviewer per criterion), pilots, pros/cons, integration checks."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.enums import Integration, IntegrationResult
from models.errors import InvalidInput, PermissionDenied
from models.purchasing import IntegrationCheckInput, PilotInput, ProsCons, ScoreInput
from services import criteria, review
from tests.purchasing_factory import library_ids, request_in_review


@pytest.fixture
def setup(con, people):
    return request_in_review(con, people)


class TestScores:
    def test_scores_outside_1_to_5_are_refused(self):
        for bad in (0, 6, -1):
            with pytest.raises(ValidationError):
                ScoreInput(candidate_id=1, criterion_id=1, score=bad)

    def test_scoring_twice_updates_instead_of_duplicating(self, con, people, setup):
        request_id, cands, _ = setup
        (crit,) = library_ids(con, "Rostering")
        review.save_score(
            con,
            people["reviewer"],
            ScoreInput(candidate_id=cands["Alpha Math"], criterion_id=crit, score=2, comment="CSV only"),
        )
        review.save_score(
            con,
            people["reviewer"],
            ScoreInput(
                candidate_id=cands["Alpha Math"], criterion_id=crit, score=4, comment="Clever confirmed"
            ),
        )
        table = review.scores(con, request_id)
        assert len(table) == 1
        assert (table.iloc[0]["score"], table.iloc[0]["comment"]) == (4, "Clever confirmed")
        review.save_score(
            con, people["reviewer2"], ScoreInput(candidate_id=cands["Alpha Math"], criterion_id=crit, score=3)
        )
        assert len(review.scores(con, request_id)) == 2
        assert review.my_scores(con, cands["Alpha Math"], people["reviewer"].person_id)[crit]["score"] == 4

    def test_only_committee_reviewers_score(self, con, people, setup):
        _, cands, _ = setup
        (crit,) = library_ids(con, "Price")
        for handle in ("requester", "approver", "technology"):
            with pytest.raises(PermissionDenied):
                review.save_score(
                    con,
                    people[handle],
                    ScoreInput(candidate_id=cands["Alpha Math"], criterion_id=crit, score=3),
                )

    def test_criterion_not_chosen_for_the_request_is_refused_and_nothing_saved(self, con, people, setup):
        request_id, cands, _ = setup
        price, lti = library_ids(con, "Price", "LTI 1.3")
        with pytest.raises(InvalidInput, match="not one of this request"):
            review.save_scores(
                con,
                people["reviewer"],
                [
                    ScoreInput(candidate_id=cands["Alpha Math"], criterion_id=price, score=3),
                    ScoreInput(candidate_id=cands["Alpha Math"], criterion_id=lti, score=3),
                ],
            )
        assert review.scores(con, request_id).empty

    def test_excluded_candidate_cannot_be_scored(self, con, people, setup):
        _, cands, _ = setup
        criteria.set_candidate_status(con, people["reviewer"], cands["Beta Math"], "excluded")
        (crit,) = library_ids(con, "Price")
        with pytest.raises(InvalidInput, match="no longer an active"):
            review.save_score(
                con,
                people["reviewer"],
                ScoreInput(candidate_id=cands["Beta Math"], criterion_id=crit, score=3),
            )


class TestPilotsAndNotes:
    def test_pilot_dates_must_be_in_order(self):
        with pytest.raises(ValidationError, match="ends before"):
            PilotInput(
                candidate_id=1,
                participants="Grade 4 at Lincoln",
                start_date=dt.date(2026, 3, 1),
                end_date=dt.date(2026, 2, 1),
            )

    def test_pilot_and_pros_cons_saved(self, con, people, setup):
        request_id, cands, _ = setup
        review.add_pilot(
            con,
            people["reviewer"],
            PilotInput(
                candidate_id=cands["Alpha Math"], participants="Two grade 4 classes", findings="Kids liked it"
            ),
        )
        review.save_pros_cons(
            con,
            people["reviewer"],
            cands["Alpha Math"],
            ProsCons(pros="Engaging", cons="", gaps="No Spanish audio"),
        )
        assert list(review.pilots(con, request_id)["participants"]) == ["Two grade 4 classes"]
        row = criteria.get_candidate(con, cands["Alpha Math"])
        assert (row["pros"], row["cons"], row["gaps"]) == ("Engaging", None, "No Spanish audio")


class TestIntegrationChecks:
    def test_only_technology_verifies_integration(self, con, people, setup):
        request_id, _, prods = setup
        check = IntegrationCheckInput(
            request_id=request_id,
            product_id=prods["Alpha Math"],
            integration=Integration.SSO,
            result=IntegrationResult.VERIFIED,
            evidence="Google SSO tested",
        )
        for handle in ("reviewer", "compliance", "approver", "admin"):
            with pytest.raises(PermissionDenied):
                review.record_integration_check(con, people[handle], check)
        review.record_integration_check(con, people["technology"], check)
        assert list(review.integration_checks(con, request_id)["result"]) == ["verified"]

    def test_rechecking_replaces_the_earlier_result(self, con, people, setup):
        request_id, _, prods = setup
        for result in (IntegrationResult.PENDING, IntegrationResult.FAILED):
            review.record_integration_check(
                con,
                people["technology"],
                IntegrationCheckInput(
                    request_id=request_id,
                    product_id=prods["Alpha Math"],
                    integration=Integration.SIS,
                    result=result,
                    evidence="No PowerSchool plugin",
                ),
            )
        table = review.integration_checks(con, request_id)
        assert len(table) == 1 and table.iloc[0]["result"] == "failed"

    def test_verified_or_failed_needs_evidence(self):
        with pytest.raises(ValidationError, match="evidence"):
            IntegrationCheckInput(product_id=1, integration="lti", result="failed", evidence=" ")
        IntegrationCheckInput(product_id=1, integration="lti", result="not_applicable")
