"""Small-cell suppression for everything that leaves the evaluation team: charts, tables, exports.

Why a module of its own: the rule must be applied identically everywhere, and a suppressed number
must not be recoverable from what *is* shown. A count under the threshold (settings
`small_cell_threshold`, default 10) is shown as "<10"; then, wherever a total is shown beside the
cells (row totals, column totals, the grand total), a second cell in the same row or column is
suppressed too (complementary suppression), repeating until no row or column holds exactly one
suppressed cell. Zero counts are not primary-suppressed (a zero is not a small group of students)
but may be chosen as complements.

Functions return display-ready objects: counts become strings ("12", "<10") in a copy of the
table, and `SuppressedGrid.mask` says which cells are hidden so charts can blank them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd


def label(threshold: int) -> str:
    """What a reader sees instead of a small number: "<10"."""
    return f"<{threshold}"


HIDDEN = "hidden"  # a group of `threshold` or more hidden only so a small one cannot be worked out


def hidden_label(count: float | int | None, threshold: int) -> str:
    """What a hidden cell shows: "<10" when it is small, else "hidden" (a complement: calling it
    "<10" would state something false about a group of 10 or more)."""
    return label(threshold) if is_small(count, threshold) or count in (None, 0) else HIDDEN


def is_small(count: float | int | None, threshold: int) -> bool:
    """Primary rule: 1..threshold-1 students is a small cell. None/0 are not."""
    if count is None or (isinstance(count, float) and np.isnan(count)):
        return False
    return 0 < count < threshold


def display_count(count: int | float | None, threshold: int) -> str:
    """A single stand-alone count (no total beside it) for display."""
    if count is None or (isinstance(count, float) and np.isnan(count)):
        return "—"
    return label(threshold) if is_small(count, threshold) else f"{int(count):,}"


def share_is_disclosive(numerator: float | None, denominator: float | None, threshold: int) -> bool:
    """A rate reveals a small group when the group or its complement is small, or the base is.

    e.g. 3 of 200 students met the dose (the 3 are a small cell), or 197 of 200 (the 3 who did not).
    """
    if numerator is None or denominator is None or denominator <= 0:
        return False
    return (
        is_small(denominator, threshold)
        or is_small(numerator, threshold)
        or is_small(denominator - numerator, threshold)
    )


def _complement_pass(mask: np.ndarray, values: np.ndarray) -> bool:
    """One pass over rows: a row with exactly one hidden cell gets a second hidden cell.

    Preference, to hide as little as possible: a cell whose column also holds a lone hidden cell
    (one complement then protects both), then a column that already hides two or more (no new
    lone cell), then the smallest positive value; zeros last.
    """
    changed = False
    for i in range(mask.shape[0]):
        row_mask = mask[i]
        if row_mask.sum() == 1 and row_mask.size > 1:
            column_hidden = mask.sum(axis=0)
            candidates = np.where(~row_mask)[0]
            order = sorted(
                candidates,
                key=lambda j: (column_hidden[j] != 1, column_hidden[j] == 0, values[i, j] <= 0, values[i, j]),
            )
            mask[i, order[0]] = True
            changed = True
    return changed


def suppression_mask(
    values: np.ndarray, threshold: int, *, row_totals: bool = True, col_totals: bool = True
) -> np.ndarray:
    """Which cells of a 2-D count table to hide, given that row/column totals are shown.

    Primary: 0 < count < threshold. Complementary: repeat until no row (when row totals are
    shown) or column (when column totals are shown) has exactly one hidden cell. A 1-D table is
    passed as a single row.
    """
    counts = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    mask = (counts > 0) & (counts < threshold)
    changed = True
    while changed:
        changed = False
        if row_totals:
            changed |= _complement_pass(mask, counts)
        if col_totals:
            transposed = mask.T.copy()
            if _complement_pass(transposed, counts.T):
                mask = transposed.T.copy()
                changed = True
    return mask


@dataclass(frozen=True)
class SuppressedGrid:
    """A count table ready to show: `display` holds strings, `mask` the hidden cells."""

    display: pd.DataFrame
    mask: pd.DataFrame
    counts: pd.DataFrame  # the true counts: for internal use only, never rendered

    def chart_values(self) -> pd.DataFrame:
        """Counts with hidden cells as NaN, for heatmaps and bars."""
        return self.counts.astype(float).mask(self.mask)


def suppress_grid(table: pd.DataFrame, threshold: int, *, totals: bool = True) -> SuppressedGrid:
    """Suppress a 2-D count table (e.g. school x grade) whose row and column totals are shown."""
    counts = table.fillna(0)
    mask_array = suppression_mask(counts.to_numpy(), threshold, row_totals=totals, col_totals=totals)
    mask = pd.DataFrame(mask_array, index=counts.index, columns=counts.columns)
    display = counts.astype(int).astype(str).where(~mask, counts.map(lambda v: hidden_label(v, threshold)))
    if totals:
        display["Total"] = [display_count(v, threshold) for v in counts.sum(axis=1)]
        display.loc["Total"] = [display_count(v, threshold) for v in counts.sum(axis=0)] + [
            display_count(counts.to_numpy().sum(), threshold)
        ]
    return SuppressedGrid(display=display, mask=mask, counts=counts)


def suppress_series(counts: Iterable[float], threshold: int, *, total_shown: bool = True) -> list[bool]:
    """Which entries of a 1-D list of counts to hide (complementary when the total is shown)."""
    values = np.asarray(list(counts), dtype=float).reshape(1, -1)
    if values.size == 0:
        return []
    return suppression_mask(values, threshold, row_totals=total_shown, col_totals=False)[0].tolist()


def suppress_frame(
    frame: pd.DataFrame,
    count_column: str,
    threshold: int,
    *,
    dependent_columns: Iterable[str] = (),
    group_by: str | None = None,
    total_shown: bool = True,
) -> pd.DataFrame:
    """Hide small groups in a long table: the count becomes "<10" and dependent stats become None.

    `group_by` names a column whose groups each have their own shown total (e.g. one Likert
    question per group): complementary suppression then runs within each group.
    `dependent_columns` are values computed from the hidden students (means, shares) and must go
    too. Adds a boolean `suppressed` column so charts can drop or grey those rows.
    """
    out = frame.copy().reset_index(drop=True)
    hidden = pd.Series(False, index=out.index)
    groups = [out.index] if group_by is None else [g.index for _, g in out.groupby(group_by, sort=False)]
    for index in groups:
        flags = suppress_series(out.loc[index, count_column].tolist(), threshold, total_shown=total_shown)
        hidden.loc[index] = flags
    out["suppressed"] = hidden.to_numpy()
    shown_counts = [
        hidden_label(v, threshold) if flag else (None if pd.isna(v) else f"{int(v):,}")
        for v, flag in zip(out[count_column], out["suppressed"], strict=True)
    ]
    for column in dependent_columns:
        out[column] = out[column].astype(object).where(~out["suppressed"], None)
    out[count_column] = shown_counts
    return out
