"""Vendor comparison maths (SOP step 4 -> 5): weighted totals, reviewer disagreement, rank, the
recommendation, and how fragile the top-two order is to the weights.

Pure functions over plain data (no database, no Streamlit) so every number on the comparison page
is unit-tested. Definitions, each used once:

- Weighted total of a reviewer for a candidate = sum(weight_c x score_c) / sum(weight_c) over the
  criteria that reviewer scored (so a skipped criterion does not count as a zero). Scale 1-5.
- Overall total = mean of the reviewers' weighted totals; spread = highest minus lowest.
- Reviewers disagree when the spread is at least DISAGREEMENT_SPREAD points.
- A candidate whose gate has failed (SOPPA not compliant, integration failed, vendor says it does
  not meet a gate criterion) is ranked and shown but never recommended.
- Weight flip: the smallest change to one criterion's weight (the others rescaled proportionally so
  the total stays 100%) that would swap the top two, computed on criterion mean scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

DISAGREEMENT_SPREAD = 1.0  # points on the 1-5 scale between the most and least favourable reviewer


class GateState(StrEnum):
    PASSED = "passed"
    OPEN = "open"  # not decided yet (no SOPPA decision, check pending)
    FAILED = "failed"


@dataclass(frozen=True)
class GateVerdict:
    state: GateState
    reasons: tuple[str, ...] = ()

    @property
    def blocks_recommendation(self) -> bool:
        return self.state == GateState.FAILED


@dataclass(frozen=True)
class WeightFlip:
    criterion: str
    weight_now: float  # percent
    weight_needed: float  # percent
    leader: str
    runner_up: str

    @property
    def change(self) -> float:
        return self.weight_needed - self.weight_now

    def sentence(self) -> str:
        direction = "Raising" if self.change > 0 else "Lowering"
        return (
            f"{direction} the weight of '{self.criterion}' from {self.weight_now:.1f}% to "
            f"{self.weight_needed:.1f}% (the other weights rescaled) would put {self.runner_up} "
            f"ahead of {self.leader}."
        )


@dataclass
class Comparison:
    summary: pd.DataFrame  # one row per candidate, ranked
    reviewer_totals: pd.DataFrame  # candidate x reviewer
    criterion_means: pd.DataFrame  # candidate x criterion
    recommended: str | None
    flip: WeightFlip | None
    notes: list[str] = field(default_factory=list)


SCORE_COLUMNS = ("candidate", "criterion", "reviewer", "score")


def reviewer_totals(scores: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """candidate x reviewer weighted totals (NaN where a reviewer scored nothing for a candidate)."""
    df = scores[list(SCORE_COLUMNS)].copy()
    df = df[df["criterion"].isin(list(weights))]
    if df.empty:
        return pd.DataFrame()
    df["weight"] = df["criterion"].map(weights).astype(float)
    df["weighted"] = df["weight"] * df["score"].astype(float)
    grouped = df.groupby(["candidate", "reviewer"])[["weighted", "weight"]].sum()
    grouped = grouped[grouped["weight"] > 0]
    totals = (grouped["weighted"] / grouped["weight"]).rename("total").reset_index()
    return totals.pivot(index="candidate", columns="reviewer", values="total")


def criterion_means(scores: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """candidate x criterion mean score across reviewers (the heatmap)."""
    df = scores[list(SCORE_COLUMNS)]
    df = df[df["criterion"].isin(list(weights))]
    if df.empty:
        return pd.DataFrame()
    means = df.groupby(["candidate", "criterion"])["score"].mean().unstack("criterion")
    ordered = [c for c in sorted(weights, key=lambda c: -weights[c]) if c in means.columns]
    return means[ordered]


def weight_flip(
    means: pd.DataFrame, weights: dict[str, float], leader: str, runner_up: str
) -> WeightFlip | None:
    """Smallest single-criterion weight change that swaps `leader` and `runner_up` (or None).

    With normalized weights w (summing to 1) and per-criterion score differences d_c = leader - runner
    up, the lead is D = sum w_c d_c. Moving w_c by x and rescaling the others keeps the total at 1 and
    makes the lead D + x (d_c - R_c), where R_c = (D - w_c d_c) / (1 - w_c) is the weighted mean
    difference over the other criteria. The lead reaches zero at x = -D / (d_c - R_c), allowed when
    the new weight stays within 0..1.
    """
    common = [
        c
        for c in weights
        if c in means.columns and pd.notna(means.at[leader, c]) and pd.notna(means.at[runner_up, c])
    ]
    total = sum(weights[c] for c in common)
    if len(common) < 2 or total <= 0:
        return None
    w = {c: weights[c] / total for c in common}
    d = {c: float(means.at[leader, c] - means.at[runner_up, c]) for c in common}
    lead = sum(w[c] * d[c] for c in common)
    if lead <= 0:
        return None
    best: tuple[float, str, float] | None = None
    for c in common:
        if w[c] >= 1:
            continue
        rest = (lead - w[c] * d[c]) / (1 - w[c])
        slope = d[c] - rest
        if abs(slope) < 1e-12:
            continue
        x = -lead / slope
        new = w[c] + x
        if not -1e-9 <= new <= 1 + 1e-9:
            continue
        if best is None or abs(x) < abs(best[0]):
            best = (x, c, new)
    if best is None:
        return None
    x, c, new = best
    scale = 100.0 * total / sum(weights.values())  # back to percent of the full weight set
    return WeightFlip(
        criterion=c,
        weight_now=w[c] * scale,
        weight_needed=min(max(new, 0.0), 1.0) * scale,
        leader=leader,
        runner_up=runner_up,
    )


def compare(
    scores: pd.DataFrame,
    weights: dict[str, float],
    gates: dict[str, GateVerdict] | None = None,
    candidates: list[str] | None = None,
) -> Comparison:
    """Everything the comparison page shows, from scores (columns SCORE_COLUMNS) and weights."""
    gates = gates or {}
    if candidates is not None:
        names = list(candidates)
    else:
        names = sorted(scores["candidate"].unique()) if not scores.empty else []
    per_reviewer = reviewer_totals(scores, weights) if not scores.empty else pd.DataFrame()
    means = criterion_means(scores, weights) if not scores.empty else pd.DataFrame()
    rows = []
    for name in names:
        values = per_reviewer.loc[name].dropna() if name in per_reviewer.index else pd.Series(dtype=float)
        gate = gates.get(name, GateVerdict(GateState.OPEN, ("Not checked yet.",)))
        spread = float(values.max() - values.min()) if len(values) > 1 else 0.0
        rows.append(
            {
                "candidate": name,
                "overall": float(values.mean()) if len(values) else float("nan"),
                "spread": spread,
                "reviewers": int(len(values)),
                "disagreement": bool(len(values) > 1 and spread >= DISAGREEMENT_SPREAD),
                "gate": gate.state.value,
                "gate_reasons": " ".join(gate.reasons),
            }
        )
    summary = pd.DataFrame(
        rows, columns=["candidate", "overall", "spread", "reviewers", "disagreement", "gate", "gate_reasons"]
    )
    summary = summary.sort_values(["overall", "candidate"], ascending=[False, True], na_position="last")
    summary["rank"] = range(1, len(summary) + 1)
    summary["recommended"] = False
    eligible = summary[(summary["gate"] != GateState.FAILED.value) & summary["overall"].notna()]
    recommended = None
    notes: list[str] = []
    if not eligible.empty:
        recommended = str(eligible.iloc[0]["candidate"])
        summary.loc[summary["candidate"] == recommended, "recommended"] = True
        if eligible.iloc[0]["gate"] == GateState.OPEN.value:
            notes.append(f"{recommended} still has open gate checks; the recommendation is provisional.")
    skipped = summary[(summary["gate"] == GateState.FAILED.value) & summary["overall"].notna()]
    if (
        not skipped.empty
        and recommended is not None
        and float(skipped["overall"].max()) > float(eligible.iloc[0]["overall"])
    ):
        notes.append("A higher-scoring candidate failed a gate and is not recommended.")
    flip = None
    if len(eligible) >= 2 and not means.empty:
        flip = weight_flip(
            means, weights, str(eligible.iloc[0]["candidate"]), str(eligible.iloc[1]["candidate"])
        )
        if flip is None:
            notes.append("No single weight change would swap the top two candidates.")
    return Comparison(summary.reset_index(drop=True), per_reviewer, means, recommended, flip, notes)
