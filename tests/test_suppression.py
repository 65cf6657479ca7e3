"""Small-cell suppression: primary "<10" cells and complementary cells so totals give nothing away."""

from __future__ import annotations

import numpy as np
import pandas as pd

from services import suppression


class TestPrimaryRule:
    def test_counts_between_one_and_threshold_are_small(self):
        assert suppression.is_small(1, 10)
        assert suppression.is_small(9, 10)
        assert not suppression.is_small(10, 10)
        assert not suppression.is_small(0, 10)
        assert not suppression.is_small(None, 10)

    def test_display_shows_label_not_number(self):
        assert suppression.display_count(7, 10) == "<10"
        assert suppression.display_count(1234, 10) == "1,234"
        assert suppression.display_count(3, 5) == "<5"

    def test_share_hides_small_group_or_small_complement(self):
        assert suppression.share_is_disclosive(3, 200, 10)  # the 3
        assert suppression.share_is_disclosive(197, 200, 10)  # the 3 who did not
        assert suppression.share_is_disclosive(5, 8, 10)  # tiny base
        assert not suppression.share_is_disclosive(100, 200, 10)


class TestComplementarySuppression:
    def test_one_small_cell_in_a_row_pulls_the_smallest_other_cell(self):
        flags = suppression.suppress_series([4, 50, 20, 30], 10)
        assert flags == [True, False, True, False]

    def test_without_a_shown_total_no_complement_is_needed(self):
        assert suppression.suppress_series([4, 50, 20], 10, total_shown=False) == [True, False, False]

    def test_two_small_cells_need_no_complement(self):
        assert suppression.suppress_series([4, 3, 20], 10) == [True, True, False]

    def test_grid_rows_and_columns_never_hold_a_single_hidden_cell(self):
        table = np.array([[5, 40, 30], [25, 35, 45], [60, 12, 50]])
        mask = suppression.suppression_mask(table, 10)
        assert mask[0, 0]
        for line in [*mask, *mask.T]:
            assert line.sum() != 1
        # the hidden cell cannot be recovered: its row and column each hide another
        assert mask[0].sum() >= 2 and mask[:, 0].sum() >= 2

    def test_grid_display_and_totals(self):
        table = pd.DataFrame({"3": [5, 25], "4": [40, 35]}, index=["Lincoln", "Oak"])
        grid = suppression.suppress_grid(table, 10)
        assert grid.display.loc["Lincoln", "3"] == "<10"
        # Lincoln's row total is shown, so another Lincoln cell is hidden; same for grade 3's column.
        # Those hold 10 or more: they read "hidden", never the false "<10"
        assert grid.display.loc["Lincoln", "4"] == "hidden"
        assert grid.display.loc["Oak", "3"] == "hidden"
        assert grid.display.loc["Total", "Total"] == "105"
        # in a 2 x 2 table with margins, one small cell forces all four to be hidden
        assert grid.mask.to_numpy().all()
        assert grid.chart_values().isna().all().all()

    def test_grid_keeps_cells_that_reveal_nothing(self):
        table = pd.DataFrame(
            {"3": [5, 25, 30], "4": [40, 35, 20], "5": [50, 60, 70]}, index=["Lincoln", "Oak", "Maple"]
        )
        grid = suppression.suppress_grid(table, 10)
        values = grid.chart_values()
        assert np.isnan(values.loc["Lincoln", "3"])
        assert values.loc["Maple", "5"] == 70
        assert grid.mask.to_numpy().sum() == 4  # the small cell, two complements, and their crossing

    def test_frame_suppression_hides_dependent_values_within_each_group(self):
        frame = pd.DataFrame(
            {
                "question": ["Q1", "Q1", "Q1", "Q2", "Q2"],
                "responses": [3, 30, 40, 25, 25],
                "share": [0.04, 0.41, 0.55, 0.5, 0.5],
            }
        )
        out = suppression.suppress_frame(
            frame, "responses", 10, dependent_columns=["share"], group_by="question"
        )
        assert out["responses"].tolist() == ["<10", "hidden", "40", "25", "25"]  # 30 is not under 10
        assert out.loc[0, "share"] is None and out.loc[1, "share"] is None
        assert out["suppressed"].tolist() == [True, True, False, False, False]

    def test_threshold_comes_from_the_caller(self):
        assert suppression.suppress_series([4, 50, 60], 5) == [True, True, False]
        assert suppression.suppress_series([4, 50, 60], 3) == [False, False, False]
