"""The comparison maths, with no database: totals, disagreement, rank, gates, the weight flip."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from services.comparison import (
    DISAGREEMENT_SPREAD,
    GateState,
    GateVerdict,
    compare,
    reviewer_totals,
    weight_flip,
)

WEIGHTS = {"Privacy": 50.0, "Rostering": 30.0, "Price": 20.0}


def _scores(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["candidate", "criterion", "reviewer", "score"])


def _all(candidate: str, reviewer: str, privacy: int, rostering: int, price: int) -> list[tuple]:
    return [
        (candidate, "Privacy", reviewer, privacy),
        (candidate, "Rostering", reviewer, rostering),
        (candidate, "Price", reviewer, price),
    ]


class TestTotals:
    def test_weighted_total_per_reviewer(self):
        totals = reviewer_totals(_scores(_all("A", "Ann", 5, 3, 1)), WEIGHTS)
        assert totals.at["A", "Ann"] == pytest.approx(0.5 * 5 + 0.3 * 3 + 0.2 * 1)

    def test_skipped_criterion_is_not_a_zero(self):
        totals = reviewer_totals(_scores([("A", "Privacy", "Ann", 4), ("A", "Price", "Ann", 2)]), WEIGHTS)
        assert totals.at["A", "Ann"] == pytest.approx((50 * 4 + 20 * 2) / 70)

    def test_mean_spread_and_disagreement(self):
        scores = _scores(
            _all("A", "Ann", 5, 5, 5)
            + _all("A", "Bob", 2, 2, 2)
            + _all("B", "Ann", 4, 4, 4)
            + _all("B", "Bob", 4, 3, 4)
        )
        summary = compare(scores, WEIGHTS).summary.set_index("candidate")
        assert summary.at["A", "overall"] == pytest.approx(3.5)
        assert summary.at["A", "spread"] == pytest.approx(3.0) and summary.at["A", "disagreement"]
        assert summary.at["B", "spread"] < DISAGREEMENT_SPREAD and not summary.at["B", "disagreement"]
        assert summary.at["B", "reviewers"] == 2


class TestRankAndRecommendation:
    def test_highest_total_is_ranked_first_and_recommended(self):
        scores = _scores(_all("A", "Ann", 3, 3, 3) + _all("B", "Ann", 5, 4, 4))
        result = compare(scores, WEIGHTS)
        assert list(result.summary["candidate"]) == ["B", "A"] and list(result.summary["rank"]) == [1, 2]
        assert result.recommended == "B"

    def test_gate_failure_is_shown_but_never_recommended(self):
        scores = _scores(_all("A", "Ann", 3, 3, 3) + _all("B", "Ann", 5, 5, 5))
        gates = {"A": GateVerdict(GateState.PASSED), "B": GateVerdict(GateState.FAILED, ("Not compliant.",))}
        result = compare(scores, WEIGHTS, gates)
        assert result.recommended == "A"
        top = result.summary.iloc[0]
        assert top["candidate"] == "B" and top["rank"] == 1 and not top["recommended"]
        assert any("failed a gate" in n for n in result.notes)

    def test_all_failing_means_no_recommendation(self):
        scores = _scores(_all("A", "Ann", 3, 3, 3))
        result = compare(scores, WEIGHTS, {"A": GateVerdict(GateState.FAILED)})
        assert result.recommended is None

    def test_open_gate_recommendation_is_provisional(self):
        result = compare(_scores(_all("A", "Ann", 3, 3, 3)), WEIGHTS, {"A": GateVerdict(GateState.OPEN)})
        assert result.recommended == "A" and "provisional" in result.notes[0]

    def test_unscored_candidate_is_listed_last_without_total(self):
        result = compare(_scores(_all("A", "Ann", 3, 3, 3)), WEIGHTS, candidates=["A", "C"])
        last = result.summary.iloc[-1]
        assert last["candidate"] == "C" and math.isnan(last["overall"]) and last["reviewers"] == 0

    def test_no_scores_at_all(self):
        result = compare(_scores([]), WEIGHTS, candidates=["A"])
        assert result.recommended is None and len(result.summary) == 1


class TestWeightFlip:
    def test_smallest_change_swaps_the_top_two(self):
        # A leads on privacy, B on price: lowering privacy's weight (or raising price's) flips them
        scores = _scores(_all("A", "Ann", 5, 3, 1) + _all("B", "Ann", 3, 3, 4))
        result = compare(scores, WEIGHTS)
        flip = result.flip
        assert result.recommended == "A" and flip is not None
        assert (flip.leader, flip.runner_up) == ("A", "B")
        # check: with the new weight and the others rescaled, the two totals are equal
        new = dict(WEIGHTS)
        rest = 100 - WEIGHTS[flip.criterion]
        for c in new:
            new[c] = (
                flip.weight_needed if c == flip.criterion else WEIGHTS[c] * (100 - flip.weight_needed) / rest
            )
        totals = reviewer_totals(scores, new)
        assert totals.at["A", "Ann"] == pytest.approx(totals.at["B", "Ann"])
        # and it is the smallest of the single-criterion changes
        assert abs(flip.change) <= 20 + 1e-9
        assert flip.criterion in flip.sentence()

    def test_dominating_leader_cannot_be_flipped(self):
        scores = _scores(_all("A", "Ann", 5, 5, 5) + _all("B", "Ann", 1, 1, 1))
        result = compare(scores, WEIGHTS)
        assert result.flip is None and any("No single weight" in n for n in result.notes)

    def test_flip_needs_two_criteria(self):
        means = pd.DataFrame({"Privacy": [5.0, 3.0]}, index=["A", "B"])
        assert weight_flip(means, {"Privacy": 100.0}, "A", "B") is None
