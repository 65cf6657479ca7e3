"""Read side of SOP step 10: what the "Usage & outcomes" and "Reflect & decide" pages show.

Why a service: pages stay thin (no SQL, no formulas) and the same reads feed the renewal brief and
the frozen evidence snapshot. Each function takes a connection and plain values and returns
already-suppressed results; caching belongs to the page layer (keyed by `data_version`), so these
functions are safe to call directly from tests and the bench.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb
import pandas as pd

from db import repo
from etl.formats import SUBJECTS
from models.errors import NotFound
from services import evaluation as ev
from services import metrics, suppression
from services.metrics import SchoolYear, UsageRules

SEASON_SQL = """CASE
    WHEN lower(term) LIKE '%fall%' OR lower(term) LIKE '%autumn%' THEN 'fall'
    WHEN lower(term) LIKE '%winter%' THEN 'winter'
    WHEN lower(term) LIKE '%spring%' THEN 'spring'
    WHEN month(test_date) IN (7, 8, 9, 10, 11) THEN 'fall'
    WHEN month(test_date) IN (12, 1, 2) THEN 'winter'
    ELSE 'spring' END"""
WINDOWS = {
    "fall_spring": ("fall", "spring", "Fall to spring"),
    "fall_winter": ("fall", "winter", "Fall to winter"),
}
COVARIATES = ["ell", "iep", "frl"]
COVARIATE_LABELS = {
    "ell": "English learner (share)",
    "iep": "IEP (share)",
    "frl": "Free/reduced lunch (share)",
}


def data_version(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever anything the evidence pages show changes: the page cache key. Daily usage is
    counted in `usage_rows`, where usage_daily's rows are stored by number (migration 0067): the same
    count without naming every row."""
    return tuple(
        con.execute(
            """SELECT (SELECT max(import_id) FROM import_log), (SELECT count(*) FROM usage_rows),
                  (SELECT count(*) FROM assessment_results), (SELECT count(*) FROM feedback_responses),
                  (SELECT count(*) FROM practice_notes), (SELECT max(note_id) FROM practice_notes),
                  (SELECT count(*) FROM evaluation_decisions), (SELECT max(decision_id) FROM evaluation_decisions),
                  (SELECT count(*) FROM roster_students),
                  (SELECT max(audit_id) FROM audit_log WHERE table_name IN
                       ('implementation_plans', 'contracts', 'goals'))"""
        ).fetchone()
    )


def list_tools(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Catalog tools with usage, a plan or a contract: the tool picker's options. `decide_by` is the
    last day to tell the vendor the district will not renew (end date minus notice) of the tool's
    active contract, when there is one."""
    return repo.fetch_all(
        con,
        """WITH used AS (SELECT tool FROM usage_tool_names),
                due AS (SELECT product_id, min(end_date - coalesce(notice_days, 0)::INTEGER) AS decide_by
                        FROM contracts WHERE status = 'active' GROUP BY product_id)
           SELECT p.product_id, p.name, v.name AS vendor, d.decide_by
           FROM products p JOIN vendors v USING (vendor_id) LEFT JOIN due d USING (product_id)
           WHERE p.name IN (SELECT tool FROM used)
              OR p.product_id IN (SELECT product_id FROM implementation_plans)
              OR p.product_id IN (SELECT product_id FROM contracts)
           ORDER BY p.name""",
    )


def next_decision(tools: list[dict[str, Any]], today: dt.date) -> int | None:
    """The tool whose renewal decision is due first from today on (its `decide_by`), if any."""
    upcoming = [t for t in tools if t.get("decide_by") is not None and t["decide_by"] >= today]
    return min(upcoming, key=lambda t: (t["decide_by"], t["name"]))["product_id"] if upcoming else None


@dataclass
class ToolSetup:
    """The tool, its plan (step 9), current contract (step 7) and goals (step 8)."""

    product: dict[str, Any]
    plan: dict[str, Any] | None
    contract: dict[str, Any] | None
    goals: list[dict[str, Any]]
    rules: UsageRules
    years: list[SchoolYear] = field(default_factory=list)

    @property
    def tool(self) -> str:
        return str(self.product["name"])


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def participant_filter(plan: dict[str, Any] | None) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The plan's participating schools and grades (empty: all)."""
    if not plan:
        return (), ()
    grades = [
        int(g) if g.lstrip("-").isdigit() else 0 if g.upper() == "K" else None
        for g in _split(plan.get("participant_grades"))
    ]
    return tuple(_split(plan.get("participant_schools"))), tuple(g for g in grades if g is not None)


def count_participants(con: duckdb.DuckDBPyConnection, plan: dict[str, Any] | None) -> int | None:
    """Rostered students in the plan's participating schools and grades (None without a roster)."""
    if plan is None or not repo.fetch_value(con, "SELECT count(*) FROM roster_students"):
        return None
    schools, grades = (list(v) for v in participant_filter(plan))
    return int(
        repo.fetch_value(
            con,
            f"SELECT count(*) FROM ({metrics.PARTICIPANTS_SQL})",
            {"schools": schools, "grades": grades},
        )
    )


def tool_setup(
    con: duckdb.DuckDBPyConnection, product_id: int, *, threshold: int, start_month: int = 7
) -> ToolSetup:
    product = repo.fetch_one(
        con,
        "SELECT p.*, v.name AS vendor FROM products p JOIN vendors v USING (vendor_id) "
        "WHERE p.product_id = ?",
        [product_id],
    )
    if product is None:
        raise NotFound(f"There is no tool #{product_id}. Pick one from the list.")
    plan = repo.fetch_one(con, "SELECT * FROM implementation_plans WHERE product_id = ?", [product_id])
    contract = repo.fetch_one(
        con,
        """SELECT * FROM contracts WHERE product_id = ?
                ORDER BY (status = 'active') DESC, end_date DESC LIMIT 1""",
        [product_id],
    )
    goals = repo.fetch_all(
        con, "SELECT * FROM goals WHERE product_id = ? ORDER BY horizon DESC, goal_id", [product_id]
    )
    rostered = bool(repo.fetch_value(con, "SELECT count(*) > 0 FROM roster_students"))
    plan = plan or {}
    schools, grades = participant_filter(plan)
    rules = UsageRules(
        active_user_min_minutes=float(plan.get("active_user_min_minutes") or 0),
        recommended_minutes_per_week=plan.get("recommended_minutes_per_week"),
        recommended_weeks=plan.get("recommended_weeks"),
        fidelity_share_of_weeks=float(plan.get("fidelity_share_of_weeks") or 0.8),
        seats=metrics.seats_of(contract),
        pricing_unit=contract.get("pricing_unit") if contract else None,
        annual_cost=float(contract["annual_cost"]) if contract else None,
        participants=count_participants(con, plan or None),
        participant_schools=schools,
        participant_grades=grades,
        roster_restricted=rostered,
        threshold=threshold,
    )
    span = con.execute(
        """SELECT min(d), max(d) FROM (
               SELECT min(usage_date) AS d FROM usage_daily WHERE tool = $tool
               UNION ALL SELECT max(usage_date) FROM usage_daily WHERE tool = $tool
               UNION ALL SELECT min(test_date) FROM assessment_results
               UNION ALL SELECT max(test_date) FROM assessment_results)""",
        {"tool": product["name"]},
    ).fetchone()
    years: list[SchoolYear] = []
    if span[0] is not None:
        first, last = SchoolYear.of(span[0], start_month), SchoolYear.of(span[1], start_month)
        years = [SchoolYear(y, start_month) for y in range(last.start_year, first.start_year - 1, -1)]
    return ToolSetup(
        product=product, plan=plan or None, contract=contract, goals=goals, rules=rules, years=years
    )


def contract_for_year(
    con: duckdb.DuckDBPyConnection, product_id: int, year: SchoolYear
) -> dict[str, Any] | None:
    """The contract that covers most of the school year (not cancelled): its seats and cost are the
    ones that year's license utilization and cost per active user divide by."""
    return repo.fetch_one(
        con,
        f"SELECT * EXCLUDE (tool) FROM ({metrics.year_contracts_sql()}) WHERE product_id = $product",
        {"product": product_id, "start": year.start, "end": year.end},
    )


def _rules_for_year(con: duckdb.DuckDBPyConnection, setup: ToolSetup, year: SchoolYear) -> metrics.UsageRules:
    contract = contract_for_year(con, int(setup.product["product_id"]), year)
    cost = contract.get("annual_cost") if contract else None
    return replace(
        setup.rules,
        seats=metrics.seats_of(contract),
        pricing_unit=contract.get("pricing_unit") if contract else None,
        annual_cost=float(cost) if cost is not None else None,
    )


def usage_section(con: duckdb.DuckDBPyConnection, setup: ToolSetup, year: SchoolYear) -> metrics.UsageReport:
    """Each year's utilization and cost divide by that year's contract, not the newest one."""
    return metrics.usage_report(
        con,
        tool=setup.tool,
        year=year,
        rules=_rules_for_year(con, setup, year),
        last_year_rules=_rules_for_year(con, setup, year.previous()),
    )


# ---------------------------------------------------------------- outcomes
@dataclass(frozen=True)
class Measure:
    """One assessment in one subject. Scores are never pooled across assessments: NWEA RIT (~200),
    i-Ready (~450) and IAR (650-850) scales differ, so a mean over two of them means nothing."""

    subject: str
    assessment: str

    @property
    def label(self) -> str:
        return f"{self.subject} ({self.assessment})"


def own_subjects(setup: ToolSetup) -> set[str]:
    """The tool's catalog subjects as assessments name them, lower case ('ELA' is scored as Reading)."""
    return {SUBJECTS.get(s.lower(), s).lower() for s in _split(setup.product.get("subjects"))}


def is_own_measure(setup: ToolSetup, measure: Measure) -> bool:
    """Whether the measure is in one of the tool's subjects; a tool that names none takes any."""
    own = own_subjects(setup)
    return not own or measure.subject.lower() in own


def measures(con: duckdb.DuckDBPyConnection, setup: ToolSetup) -> list[Measure]:
    """Each assessed subject and assessment: the tool's own subjects first, then the most students."""
    own = own_subjects(setup)
    rows = _measure_rows(con)
    rows.sort(key=lambda r: (r[0].lower() not in own, r[0], not r[3], -r[2], r[1]))
    return [Measure(r[0], r[1]) for r in rows]


def _measure_rows(con: duckdb.DuckDBPyConnection, subject: str | None = None) -> list[tuple]:
    """(subject, assessment, students, has a growth window): fall scores and a later season."""
    return con.execute(
        f"""SELECT subject, assessment, count(DISTINCT student_key) AS n,
                   bool_or(season = 'fall') AND count(DISTINCT season) > 1 AS growth
            FROM (SELECT *, {SEASON_SQL} AS season FROM assessment_results)
            WHERE subject IS NOT NULL AND ($subject IS NULL OR lower(subject) = lower($subject))
            GROUP BY subject, assessment""",
        {"subject": subject},
    ).fetchall()


def main_assessment(con: duckdb.DuckDBPyConnection, subject: str) -> str | None:
    """The assessment to read `subject` on when the caller names none: one that has a growth window
    (a spring-only state test such as IAR has none), then the most students."""
    rows = sorted(_measure_rows(con, subject), key=lambda r: (not r[3], -r[2], r[1]))
    return rows[0][1] if rows else None


def assessed_years(
    con: duckdb.DuckDBPyConnection, subject: str, start_month: int = 7, assessment: str | None = None
) -> list[SchoolYear]:
    """School years (latest first) with fall scores and a later window in this subject and assessment."""
    assessment = assessment or main_assessment(con, subject)
    rows = con.execute(
        f"""SELECT y FROM (
                SELECT CASE WHEN month(test_date) >= $m THEN year(test_date) ELSE year(test_date) - 1 END AS y,
                       {SEASON_SQL} AS season
                FROM assessment_results WHERE lower(subject) = lower($subject) AND assessment = $assessment)
            GROUP BY y HAVING bool_or(season = 'fall') AND count(DISTINCT season) > 1 ORDER BY y DESC""",
        {"m": start_month, "subject": subject, "assessment": assessment},
    ).fetchall()
    return [SchoolYear(int(r[0]), start_month) for r in rows]


def outcome_students(
    con: duckdb.DuckDBPyConnection,
    setup: ToolSetup,
    year: SchoolYear,
    subject: str,
    assessment: str | None = None,
) -> pd.DataFrame:
    """One row per assessed student: fall/winter/spring scores of one assessment, grade, school,
    usage, covariates."""
    assessment = assessment or main_assessment(con, subject)
    scores = con.execute(
        f"""WITH s AS (
                SELECT student_key, {SEASON_SQL} AS season, scale_score, grade, school, test_date
                FROM assessment_results
                WHERE lower(subject) = lower($subject) AND assessment = $assessment
                  AND test_date >= $start AND test_date < $end AND scale_score IS NOT NULL)
            SELECT s.student_key,
                   avg(scale_score) FILTER (WHERE season = 'fall') AS fall,
                   avg(scale_score) FILTER (WHERE season = 'winter') AS winter,
                   avg(scale_score) FILTER (WHERE season = 'spring') AS spring,
                   arg_min(s.grade, test_date) AS grade, arg_min(s.school, test_date) AS school,
                   any_value(r.ell) AS ell, any_value(r.iep) AS iep, any_value(r.frl) AS frl
            FROM s LEFT JOIN roster_students r USING (student_key)
            GROUP BY s.student_key""",
        {"subject": subject, "assessment": assessment, "start": year.start, "end": year.end},
    ).df()
    metrics.build_student_weeks(con, tool=setup.tool, year=year, rules=setup.rules)
    usage = metrics.student_usage(con, setup.rules)
    data = scores.merge(usage, on="student_key", how="left")
    data["active_weeks"] = data["active_weeks"].fillna(0)
    data["minutes_per_week"] = data["minutes_per_week"].fillna(0.0)
    data["band"] = data["band"].fillna(metrics.BANDS[0])
    data["treated"] = data["active_weeks"] > 0
    user_grades = set(data.loc[data["treated"], "grade"].dropna())
    return data[data["grade"].isin(user_grades)].reset_index(drop=True)


@dataclass
class OutcomeReport:
    subject: str  # the measure's label: "Math (NWEA MAP Growth)"
    window: str
    window_label: str
    growth: pd.DataFrame  # suppressed display table: users vs non-users, both windows
    by_band: pd.DataFrame  # suppressed display table per usage band
    equivalence: list[ev.EquivalenceRow]
    effect: ev.EffectEstimate | None
    verdict: ev.OutcomeVerdict
    dose: ev.DoseResponse | None
    n_assessed: int
    n_matched_pairs: int
    message: str | None = None  # what to do when there is nothing to analyse


def _growth_display(data: pd.DataFrame, by: str, threshold: int, order: list[str]) -> pd.DataFrame:
    tables = []
    for key, (pre, post, label) in WINDOWS.items():
        frame = data.rename(columns={pre: "pretest", post: "posttest"})
        table = ev.growth_table(frame, by=by)
        if table.empty:
            continue
        table.insert(0, "window", label)
        table["_order"] = table[by].map({v: i for i, v in enumerate(order)})
        tables.append(table.sort_values("_order").drop(columns="_order").assign(_key=key))
    if not tables:
        return pd.DataFrame()
    table = pd.concat(tables, ignore_index=True).drop(columns="_key")
    stats_cols = ["mean_pretest", "mean_posttest", "mean_growth", "sd_growth"]
    table[stats_cols] = table[stats_cols].round(1)
    return suppression.suppress_frame(table, "n", threshold, dependent_columns=stats_cols, group_by="window")


def outcomes_section(
    con: duckdb.DuckDBPyConnection,
    setup: ToolSetup,
    year: SchoolYear,
    subject: str,
    window: str = "fall_spring",
    assessment: str | None = None,
) -> OutcomeReport:
    """Growth tables, matched comparison, effect, probability, MDE and ESSA tier for one subject of
    one assessment (by default the one with the most students in the subject)."""
    threshold = setup.rules.threshold
    assessment = assessment or main_assessment(con, subject)
    data = outcome_students(con, setup, year, subject, assessment)
    pre, post, label = WINDOWS[window]
    plan = setup.plan or {}
    logic_model = bool(setup.goals) and setup.plan is not None
    data["group"] = data["treated"].map({True: "Users", False: "Non-users"})
    growth = _growth_display(data, "group", threshold, ["Users", "Non-users"])
    by_band = _growth_display(data, "band", threshold, metrics.BANDS)
    frame = data.rename(columns={pre: "pretest", post: "posttest"}).dropna(subset=["pretest", "posttest"])
    covariates = (
        [c for c in COVARIATES if frame[c].notna().all() and frame[c].nunique() > 1] if len(frame) else []
    )
    if covariates:
        frame = frame.assign(**{c: frame[c].astype(float) for c in covariates})
    matched = ev.match_within_grade(frame, covariates) if frame["treated"].any() else frame.iloc[0:0]
    n_pairs = len(matched) // 2
    # Matched groups under the privacy threshold are not analysed at all: their means, effect and
    # interval describe a handful of named-able students (6 users against 6 non-users showed their
    # mean score and a g of +1.92), in the page, the brief and its frozen snapshot alike.
    analysed = n_pairs >= max(3, threshold)
    effect = ev.adjusted_effect(matched, covariates) if analysed else None
    equivalence = ev.baseline_equivalence(matched, covariates) if analysed else []
    equivalence = [replace(r, variable=COVARIATE_LABELS.get(r.variable, r.variable)) for r in equivalence]
    dose = ev.dose_response(frame)
    result = ev.verdict(
        effect,
        equivalence=ev.equivalence_ok(equivalence),
        meaningful_effect=plan.get("meaningful_effect"),
        decision_probability=plan.get("decision_probability"),
        dose=dose,
        has_logic_model=logic_model,
    )
    message = None
    if data.empty:
        message = (
            f"No {subject} scores{f' on {assessment}' if assessment else ''} for students in this "
            f"tool's grades in {year.label}. "
            "Import assessments on the Import data page."
        )
    elif frame.empty:
        message = f"No students have both {WINDOWS[window][0]} and {WINDOWS[window][1]} scores yet."
    elif 0 < n_pairs < threshold:
        message = (
            f"Fewer than {threshold} users could be matched to non-users with the same grade and fall "
            "score, so the comparison is not shown (student privacy)."
        )
    return OutcomeReport(
        Measure(subject, assessment).label if assessment else subject,
        window,
        label,
        growth,
        by_band,
        equivalence,
        effect,
        result,
        dose,
        int(len(data)),
        n_pairs,
        message,
    )


# ---------------------------------------------------------------- feedback, notes, goals
def score_label(score: int, answers: pd.Series) -> str:
    """The legend name of a score: the answer words when every question says it alike ('Strongly
    agree'), else the score with its place on the scale."""
    words = {str(a).strip().lower(): str(a).strip() for a in answers.dropna() if not str(a).strip().isdigit()}
    if len(words) == 1:
        return f"{score} · {next(iter(words.values()))}"
    return {1: "1 (lowest)", 3: "3 (middle)", 5: "5 (highest)"}.get(score, str(score))


@dataclass
class FeedbackReport:
    likert: pd.DataFrame  # question, score, answer, responses (display), share, suppressed
    over_time: pd.DataFrame  # month, respondents (display), value (NaN when hidden), suppressed
    comments: pd.DataFrame  # submitted, question, comment
    total_responses: int


def feedback_section(
    con: duckdb.DuckDBPyConnection, tool: str, threshold: int, year: SchoolYear | None = None
) -> FeedbackReport:
    """Survey answers about the tool; with `year`, only those submitted in that school year (three
    waves over two years were pooled under one year's picker and frozen into its decision brief)."""
    if year is None:
        where, params = "tool = $tool", {"tool": tool}
    else:
        where = "tool = $tool AND submitted_at >= $start AND submitted_at < $end"
        params = {"tool": tool, "start": year.start, "end": year.end}
    # each question's own words for a score (its scale may be agree, satisfied, easy, often, or numbers)
    likert = con.execute(
        f"""SELECT question, CAST(round(score) AS INTEGER) AS score, count(*) AS responses,
                  mode(answer) FILTER (WHERE try_cast(trim(answer) AS DOUBLE) IS NULL) AS words
           FROM feedback_responses WHERE {where} AND score IS NOT NULL GROUP BY ALL ORDER BY question, score""",
        params,
    ).df()
    if not likert.empty:
        likert["answer"] = likert["words"].where(likert["words"].notna(), likert["score"].astype(str))
        likert = likert.drop(columns="words")
        likert["share"] = likert["responses"] / likert.groupby("question")["responses"].transform("sum")
        likert = suppression.suppress_frame(
            likert, "responses", threshold, dependent_columns=["share"], group_by="question"
        )
    over_time = con.execute(
        f"""SELECT date_trunc('month', submitted_at)::DATE AS month,
                  count(DISTINCT coalesce(respondent_key, CAST(submitted_at AS VARCHAR))) AS respondents
           FROM feedback_responses WHERE {where} AND submitted_at IS NOT NULL GROUP BY ALL ORDER BY month""",
        params,
    ).df()
    if not over_time.empty:
        over_time["value"] = over_time["respondents"].astype(float)
        over_time = suppression.suppress_frame(
            over_time, "respondents", threshold, dependent_columns=["value"]
        )
    comments = con.execute(
        f"""SELECT CAST(submitted_at AS DATE) AS submitted, question, answer AS comment
           FROM feedback_responses WHERE {where} AND score IS NULL AND length(trim(answer)) > 0
           ORDER BY submitted_at DESC NULLS LAST LIMIT 200""",
        params,
    ).df()
    total = int(repo.fetch_value(con, f"SELECT count(*) FROM feedback_responses WHERE {where}", params))
    return FeedbackReport(likert, over_time, comments, total)


def practice_notes(con: duckdb.DuckDBPyConnection, product_id: int) -> list[dict[str, Any]]:
    return repo.fetch_all(
        con,
        """SELECT n.note_id, n.note, n.created_at, p.full_name AS author
                FROM practice_notes n LEFT JOIN people p ON p.person_id = n.author_id
                WHERE n.product_id = ? ORDER BY n.created_at DESC""",
        [product_id],
    )
