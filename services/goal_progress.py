"""Progress toward the step-8 goals, computed from the imported evidence where the goal says how.

Why here and not in the goals service: progress needs step-10 numbers (usage metrics, effect
sizes, survey means), and those are defined in `services.metrics` / `services.evaluation`. A goal's
`data_source_kind` says where its value comes from:

- usage: `data_source_ref` names a metric key or label from `metrics.METRICS`
  (e.g. "weekly_active_share", "license_utilization");
- assessment: the effect size (Hedges' g) of the matched comparison when the measure speaks of an
  effect size, else the users' mean growth;
- survey: the mean 1-5 score of the feedback question named by `data_source_ref`;
- manual: the `current_value` someone entered.

A goal whose source has no imported data yet is listed with what to import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from db import repo
from services import metrics, suppression
from services.monitoring import OutcomeReport, ToolSetup


@dataclass(frozen=True)
class GoalProgress:
    goal_id: int
    horizon: str
    description: str
    measure: str
    source: str
    baseline: float | None
    target: float
    current: float | None
    current_display: str
    progress: float | None  # 0..1 of the way from baseline to target
    status: str


def _metric_for(ref: str | None) -> str | None:
    text = (ref or "").strip().lower()
    for key, metric in metrics.METRICS.items():
        if text in (key, metric.label.lower()):
            return key
    return None


def _scale_like_target(value: float, target: float, key: str) -> float:
    """Shares are stored 0-1; a goal written as "80" (percent) is compared in percent."""
    shares = {"license_utilization", "adoption", "dosage_fidelity", "weekly_active_share"}
    return value * 100 if key in shares and target > 1 else value


def goal_progress(
    con: duckdb.DuckDBPyConnection,
    setup: ToolSetup,
    usage: metrics.UsageReport | None,
    outcome: OutcomeReport | None,
) -> list[GoalProgress]:
    threshold = setup.rules.threshold
    rows: list[GoalProgress] = []
    for goal in setup.goals:
        kind, ref = goal["data_source_kind"], goal.get("data_source_ref")
        current: float | None = None
        display = "—"
        status = ""
        if kind == "usage":
            key = _metric_for(ref)
            if key is None:
                status = f"Data source '{ref}' is not a usage metric; use one of: " + ", ".join(
                    metrics.METRICS
                )
            elif usage is None or not usage.has_usage:
                status = "No usage imported yet: import usage on the Import data page."
            else:
                value = usage.metrics.get(key)
                if value is not None and value.suppressed:
                    # a bar or a stored value would give back what the display hides (6 of 19 students)
                    display = value.display
                    status = "Too few students to show progress (student privacy)."
                elif value is not None and value.value is not None:
                    current = _scale_like_target(float(value.value), float(goal["target"]), key)
                    display = value.display
                else:
                    status = value.missing if value is not None else "Not computed."
        elif kind == "assessment":
            if outcome is None or outcome.message:
                status = "No matching assessment scores yet: import assessments on the Import data page."
            elif "effect" in (goal.get("measure") or "").lower() or "g)" in (goal.get("measure") or ""):
                if outcome.effect is not None and outcome.verdict.can_conclude:
                    current = outcome.effect.hedges_g
                    display = f"g = {current:+.2f}"
                else:
                    status = outcome.verdict.message
            else:
                users = outcome.growth[
                    (outcome.growth["group"] == "Users") & (outcome.growth["window"] == outcome.window_label)
                ]
                if not users.empty and users.iloc[0]["mean_growth"] is not None:
                    current = float(users.iloc[0]["mean_growth"])
                    display = f"{current:+.1f} points"
                else:
                    status = "Too few users with scores to show."
        elif kind == "survey":
            # the school year the usage is read for (the page's picker), as the Feedback section reads it
            year = usage.year if usage is not None else None
            row = repo.fetch_one(
                con,
                "SELECT avg(score) AS mean, count(score) AS n FROM feedback_responses"
                " WHERE tool = $tool AND lower(question) = lower($question)"
                + (" AND submitted_at >= $start AND submitted_at < $end" if year else ""),
                {"tool": setup.tool, "question": ref or ""}
                | ({"start": year.start, "end": year.end} if year else {}),
            )
            if not row or not row["n"]:
                status = (
                    f"No survey responses for this question{' in ' + year.label if year else ''} yet: "
                    "import feedback on the Import data page."
                )
            elif suppression.is_small(row["n"], threshold):
                display = suppression.label(threshold) + " responses"
                status = "Too few responses to show."
            else:
                current = float(row["mean"])
                display = f"{current:.2f} of 5"
        else:
            current = goal.get("current_value")
            display = "—" if current is None else f"{current:g}"
            status = "Entered by hand." if current is not None else "No value entered yet."
        rows.append(
            GoalProgress(
                goal_id=goal["goal_id"],
                horizon=goal["horizon"],
                description=goal["description"],
                measure=goal["measure"],
                source=f"{kind}: {ref or '—'}",
                baseline=goal.get("baseline"),
                target=float(goal["target"]),
                current=current,
                current_display=display,
                progress=_progress(goal.get("baseline"), float(goal["target"]), current),
                status=status,
            )
        )
    return rows


def _progress(baseline: float | None, target: float, current: float | None) -> float | None:
    if current is None:
        return None
    start = baseline or 0.0
    if target == start:
        return 1.0 if current >= target else 0.0
    return max(0.0, min(1.0, (current - start) / (target - start)))


def as_dicts(rows: list[GoalProgress]) -> list[dict[str, Any]]:
    return [row.__dict__ for row in rows]
