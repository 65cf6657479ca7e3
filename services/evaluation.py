"""Outcome analyses for SOP step 10: growth, matched comparison, effect, decision probability, tier.

Why pure (pandas/numpy/scipy/statsmodels, no database, no streamlit): these are the numbers a
board decision rests on, so they are unit-tested against statsmodels and scipy on simulated data
with a known effect. The statistics follow What Works Clearinghouse procedures (v5) and the
Ed Tech RCE Coach (see shared/domain/evaluation.md):

- users are matched to non-users within grade on the pretest (greedy 1:1 nearest neighbour
  without replacement, with a caliper), or on the logit of a propensity score when covariates are
  given; the caliper is 0.1 SD of that score within the grade, tight enough that matched
  pretests usually differ by under 0.05 SD (WWC's "satisfies");
- baseline equivalence: standardized difference <= 0.05 SD fine, 0.05-0.25 needs the statistical
  adjustment (which the regression makes), > 0.25 not comparable;
- adjusted difference: OLS outcome ~ treatment + pretest (+ grade), school-clustered SEs;
- Hedges' g = J x b / pooled within-grade SD, J = 1 - 3 / (4N - 9); its CI is the CI of b scaled;
- P(effect >= c) = 1 - Phi((c - g) / SE_g) (flat prior, large sample);
- MDE = (t_{1-alpha/2} + t_{power}) x SE_g, t with (schools - 1) df when SEs are clustered.

Input frames have one row per student: student_key, grade, school, pretest, posttest, treated
(bool) and optionally minutes_per_week, band and covariate columns.
"""

from __future__ import annotations

import bisect
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

CALIPER_SD = 0.1  # in SD of the matching score within the grade
WWC_FINE = 0.05
WWC_ADJUST = 0.25
MIN_GROUP = 20  # fewer students than this in either group: too few to conclude
ALPHA = 0.05
POWER = 0.8
TIER2_MIN_STUDENTS = 350  # ED non-regulatory guidance: large (>= 350) and multi-site (>= 2) samples
TIER2_MIN_SITES = 2


def hedges_j(n_total: int) -> float:
    """WWC small-sample correction J = 1 - 3 / (4N - 9)."""
    return 1 - 3 / (4 * n_total - 9)


def pooled_sd(values: pd.Series, groups: list[pd.Series]) -> float:
    """SD pooled within the cells given (e.g. arm x grade), so grade-to-grade scale jumps do not count."""
    frame = pd.DataFrame({"v": values.to_numpy()})
    for i, g in enumerate(groups):
        frame[f"g{i}"] = g.to_numpy()
    keys = [f"g{i}" for i in range(len(groups))]
    agg = frame.groupby(keys)["v"].agg(["count", "var"]).dropna()
    dof = (agg["count"] - 1).sum()
    if dof <= 0:
        return float("nan")
    return float(np.sqrt(((agg["count"] - 1) * agg["var"]).sum() / dof))


# ---------------------------------------------------------------- growth
def growth_table(frame: pd.DataFrame, by: str = "treated") -> pd.DataFrame:
    """n, mean pretest, mean posttest and mean growth (post - pre) per group of `by`."""
    data = frame.dropna(subset=["pretest", "posttest"]).assign(growth=lambda d: d.posttest - d.pretest)
    out = (
        data.groupby(by, sort=True)
        .agg(
            n=("growth", "size"),
            mean_pretest=("pretest", "mean"),
            mean_posttest=("posttest", "mean"),
            mean_growth=("growth", "mean"),
            sd_growth=("growth", "std"),
        )
        .reset_index()
    )
    return out


# ---------------------------------------------------------------- matching
def _propensity_logit(frame: pd.DataFrame, covariates: list[str]) -> pd.Series | None:
    columns = ["pretest", *covariates]
    X = sm.add_constant(frame[columns].astype(float), has_constant="add")
    X["pretest"] = (X["pretest"] - X["pretest"].mean()) / (X["pretest"].std() or 1.0)
    if frame["grade"].nunique() > 1:
        X = X.join(pd.get_dummies(frame["grade"], prefix="grade", drop_first=True, dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # non-convergence is handled below
        fit = sm.Logit(frame["treated"].astype(float), X, check_rank=False).fit(disp=0, maxiter=35)
    if not fit.mle_retvals.get("converged", False):
        return None  # (quasi-)separation: fall back to matching on the pretest alone
    return pd.Series(np.asarray(fit.predict(X, which="linear")), index=frame.index)


def match_within_grade(
    frame: pd.DataFrame, covariates: list[str] | None = None, caliper_sd: float = CALIPER_SD
) -> pd.DataFrame:
    """1:1 greedy nearest-neighbour matching without replacement, within grade, with a caliper.

    The distance is the pretest (or the propensity logit when covariates are given); the caliper is
    `caliper_sd` standard deviations of that score within the grade. Returns the matched rows with `pair_id`.
    Treated students are taken in a fixed pseudo-random order (reproducible): taking the
    hardest-to-match first was tried and left a systematic ~0.05 SD pretest imbalance, since tail
    users all borrow controls from the same side.
    """
    data = frame.dropna(subset=["pretest", "posttest", "grade"]).copy()
    covariates = [c for c in (covariates or []) if c in data.columns and data[c].nunique() > 1]
    score = _propensity_logit(data, covariates) if covariates else None
    data["score"] = data["pretest"].astype(float) if score is None else score
    pairs: list[tuple[int, int]] = []
    for _, grade_rows in data.groupby("grade", sort=True):
        treated = grade_rows[grade_rows["treated"].astype(bool)]
        controls = grade_rows[~grade_rows["treated"].astype(bool)].sort_values("score")
        if treated.empty or controls.empty:
            continue
        spread = float(grade_rows["score"].std(ddof=1)) if len(grade_rows) > 1 else 0.0
        caliper = caliper_sd * (spread if np.isfinite(spread) else 0.0)
        scores = controls["score"].tolist()
        labels = controls.index.tolist()
        order = treated.sort_values("student_key") if "student_key" in treated else treated
        order = order.sample(frac=1.0, random_state=0)
        for t_index, t_score in zip(order.index, order["score"], strict=True):
            if not scores:
                break
            pos = bisect.bisect_left(scores, t_score)
            best = None
            for cand in (pos - 1, pos):
                if 0 <= cand < len(scores):
                    dist = abs(scores[cand] - t_score)
                    if best is None or dist < best[1]:
                        best = (cand, dist)
            if best is not None and best[1] <= caliper:
                pairs.append((t_index, labels[best[0]]))
                del scores[best[0]]
                del labels[best[0]]
    if not pairs:
        return data.iloc[0:0].assign(pair_id=pd.Series(dtype=int))
    rows = [(t, i) for i, (t, _) in enumerate(pairs)] + [(c, i) for i, (_, c) in enumerate(pairs)]
    index, pair_ids = zip(*rows, strict=True)
    return data.loc[list(index)].assign(pair_id=list(pair_ids))


# ---------------------------------------------------------------- baseline equivalence
@dataclass(frozen=True)
class EquivalenceRow:
    variable: str
    mean_users: float
    mean_comparison: float
    std_difference: float
    verdict: str  # "satisfied", "adjustment required", "not comparable"


def wwc_verdict(std_difference: float) -> str:
    d = abs(std_difference)
    if d <= WWC_FINE:
        return "satisfied"
    if d <= WWC_ADJUST:
        return "adjustment required"
    return "not comparable"


def standardized_difference(treated: pd.Series, control: pd.Series) -> float:
    """Hedges' g for a continuous variable; the Cox index (logit difference / 1.65) for a 0/1 one."""
    t, c = treated.dropna().astype(float), control.dropna().astype(float)
    if len(t) < 2 or len(c) < 2:
        return float("nan")
    if set(np.unique(np.concatenate([t, c]))) <= {0.0, 1.0}:
        pt = np.clip(t.mean(), 0.005, 0.995)
        pc = np.clip(c.mean(), 0.005, 0.995)
        return float((np.log(pt / (1 - pt)) - np.log(pc / (1 - pc))) / 1.65)
    sd = np.sqrt(((len(t) - 1) * t.var() + (len(c) - 1) * c.var()) / (len(t) + len(c) - 2))
    return float(hedges_j(len(t) + len(c)) * (t.mean() - c.mean()) / sd) if sd > 0 else 0.0


def baseline_equivalence(matched: pd.DataFrame, covariates: list[str] | None = None) -> list[EquivalenceRow]:
    """Standardized differences at baseline (pretest within grade, plus any covariates)."""
    treated = matched["treated"].astype(bool)
    rows = []
    # pretest: centre within grade so the grade mix does not look like imbalance
    centred = matched["pretest"] - matched.groupby("grade")["pretest"].transform("mean")
    sd = pooled_sd(matched["pretest"], [matched["grade"], treated])
    diff = (centred[treated].mean() - centred[~treated].mean()) / sd if sd and sd > 0 else float("nan")
    diff = float(diff) * hedges_j(len(matched)) if len(matched) > 2 else float("nan")
    rows.append(
        EquivalenceRow(
            "Pretest (within grade)",
            float(matched.loc[treated, "pretest"].mean()),
            float(matched.loc[~treated, "pretest"].mean()),
            diff,
            wwc_verdict(diff),
        )
    )
    for column in covariates or []:
        if column not in matched.columns:
            continue
        d = standardized_difference(matched.loc[treated, column], matched.loc[~treated, column])
        rows.append(
            EquivalenceRow(
                column,
                float(matched.loc[treated, column].mean()),
                float(matched.loc[~treated, column].mean()),
                d,
                wwc_verdict(d),
            )
        )
    return rows


def equivalence_ok(rows: list[EquivalenceRow]) -> bool:
    """WWC: every baseline difference <= 0.25 SD (those above 0.05 are adjusted by the regression)."""
    return bool(rows) and all(
        np.isfinite(r.std_difference) and abs(r.std_difference) <= WWC_ADJUST for r in rows
    )


# ---------------------------------------------------------------- the effect
@dataclass(frozen=True)
class EffectEstimate:
    n_users: int
    n_comparison: int
    n_schools: int
    difference: float  # adjusted difference in scale-score points (b)
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    sd_outcome: float
    hedges_g: float
    g_ci_low: float
    g_ci_high: float
    se_g: float
    clustered: bool
    notes: tuple[str, ...] = ()


def _design(data: pd.DataFrame, first: list[str], covariates: list[str] | None = None) -> pd.DataFrame:
    """Design matrix without patsy (too slow for a page): constant, terms, grade dummies, covariates."""
    X = data[first].astype(float)
    X.insert(0, "const", 1.0)
    if data["grade"].nunique() > 1:
        X = X.join(pd.get_dummies(data["grade"], prefix="grade", drop_first=True, dtype=float))
    for column in covariates or []:
        if column in data.columns and data[column].nunique() > 1:
            X[column] = data[column].astype(float)
    return X


def _fit_clustered(y: pd.Series, X: pd.DataFrame, schools: pd.Series | None):
    """OLS with school-clustered SEs (t with G - 1 df), or HC1 when there is one school."""
    model = sm.OLS(y.astype(float), X)
    if schools is not None and schools.nunique() >= 2:
        groups = pd.factorize(schools)[0]
        return model.fit(method="qr", cov_type="cluster", cov_kwds={"groups": groups}, use_t=True), True
    return model.fit(method="qr", cov_type="HC1", use_t=True), False


def adjusted_effect(matched: pd.DataFrame, covariates: list[str] | None = None) -> EffectEstimate:
    """OLS posttest ~ treated + pretest (+ grade dummies, covariates), SEs clustered by school."""
    data = matched.dropna(subset=["pretest", "posttest"]).copy()
    data["treated"] = data["treated"].astype(int)
    n_schools = int(data["school"].nunique()) if "school" in data else 0
    fit, clustered = _fit_clustered(
        data["posttest"], _design(data, ["treated", "pretest"], covariates), data.get("school")
    )
    notes: list[str] = []
    if not clustered:
        notes.append("One school only: robust (not clustered) standard errors.")
    elif n_schools < 10:
        notes.append(f"Only {n_schools} schools: the school-clustered standard error is approximate.")
    b = float(fit.params["treated"])
    se = float(fit.bse["treated"])
    low, high = (float(v) for v in fit.conf_int(alpha=ALPHA).loc["treated"])
    sd = pooled_sd(data["posttest"], [data["grade"], data["treated"]])
    j = hedges_j(len(data))
    return EffectEstimate(
        n_users=int(data["treated"].sum()),
        n_comparison=int((1 - data["treated"]).sum()),
        n_schools=n_schools,
        difference=b,
        se=se,
        ci_low=low,
        ci_high=high,
        p_value=float(fit.pvalues["treated"]),
        sd_outcome=sd,
        hedges_g=j * b / sd,
        g_ci_low=j * low / sd,
        g_ci_high=j * high / sd,
        se_g=j * se / sd,
        clustered=clustered,
        notes=tuple(notes),
    )


def probability_at_least(c: float, estimate: float, se: float, df: float | None = None) -> float:
    """P(true effect >= c) = 1 - Phi((c - b) / SE): flat prior, normal likelihood (RCE Coach).

    With school-clustered SEs the interval and the MDE use t with (schools - 1) df; so does this,
    or with two schools a 0.10 inside the 95% interval could be called ">99%" likely exceeded."""
    if se <= 0 or not np.isfinite(se):
        return float("nan")
    dist = stats.norm if df is None else stats.t(df)
    return float(1 - dist.cdf((c - estimate) / se))


def format_probability(p: float) -> str:
    """Never "100%" or "0%": a posterior probability is not certainty."""
    if p > 0.99:
        return ">99%"
    if p < 0.01:
        return "<1%"
    return f"{p:.0%}"


def minimum_detectable_effect(
    se: float, alpha: float = ALPHA, power: float = POWER, df: float | None = None
) -> float:
    """MDE = (q_{1-alpha/2} + q_power) x SE, in the units of SE; q from t(df) when few clusters
    make the normal multiplier (2.80) too optimistic, else from the normal."""
    dist = stats.norm if df is None else stats.t(df)
    return float((dist.ppf(1 - alpha / 2) + dist.ppf(power)) * se)


def mde_before_data(
    n_users: int, n_comparison: int, r2: float = 0.0, alpha: float = ALPHA, power: float = POWER
) -> float:
    """Planning MDE in SD units for two independent groups with a covariate explaining r2."""
    se = np.sqrt((1 - r2) * (1 / n_users + 1 / n_comparison))
    return minimum_detectable_effect(float(se), alpha, power)


# ---------------------------------------------------------------- dose-response
@dataclass(frozen=True)
class DoseResponse:
    n: int
    per_hour_per_week: float  # points per extra hour a week of use
    se: float
    p_value: float


def dose_response(frame: pd.DataFrame) -> DoseResponse | None:
    """Among users: posttest ~ hours per week + pretest (+ grade). Correlational (ESSA Tier 3 at most)."""
    data = frame[frame["treated"].astype(bool)].dropna(subset=["pretest", "posttest", "minutes_per_week"])
    if len(data) < MIN_GROUP or data["minutes_per_week"].nunique() < 3:
        return None
    data = data.assign(hours_per_week=data["minutes_per_week"] / 60)
    fit, _ = _fit_clustered(data["posttest"], _design(data, ["hours_per_week", "pretest"]), data["school"])
    return DoseResponse(
        len(data),
        float(fit.params["hours_per_week"]),
        float(fit.bse["hours_per_week"]),
        float(fit.pvalues["hours_per_week"]),
    )


# ---------------------------------------------------------------- the verdict
@dataclass(frozen=True)
class OutcomeVerdict:
    can_conclude: bool
    message: str
    probability: float | None  # P(g >= c)
    meaningful_effect: float | None
    decision_probability: float | None
    mde: float | None
    essa_tier: str
    essa_reason: str
    notes: list[str] = field(default_factory=list)

    @property
    def meets_plan(self) -> bool | None:
        """Whether the evidence reaches the plan's decision probability (None: not concluded, or
        no probability set in the plan)."""
        if not self.can_conclude or self.probability is None or self.decision_probability is None:
            return None
        return self.probability >= self.decision_probability


def essa_tier(
    *,
    matched_effect: EffectEstimate | None,
    equivalence: bool,
    dose: DoseResponse | None,
    has_logic_model: bool,
) -> tuple[str, str]:
    """The ESSA tier this evidence supports (ESEA 8101(21)(A)); never Tier 1 without randomization."""
    if (
        matched_effect is not None
        and min(matched_effect.n_users, matched_effect.n_comparison) >= MIN_GROUP
        and equivalence
        and matched_effect.difference > 0
        and matched_effect.p_value < ALPHA
    ):
        big = matched_effect.n_users + matched_effect.n_comparison >= TIER2_MIN_STUDENTS
        sites = matched_effect.n_schools >= TIER2_MIN_SITES
        if big and sites:
            return (
                "Tier 2 (moderate)",
                "Users outperformed baseline-equivalent matched non-users "
                "(quasi-experimental), significant at 5%, large multi-school sample.",
            )
        return (
            "Tier 3 (promising)",
            "Significant positive matched comparison, but the sample is "
            f"under {TIER2_MIN_STUDENTS} students or one school, short of Tier 2.",
        )
    if dose is not None and dose.per_hour_per_week > 0 and dose.p_value < ALPHA:
        return (
            "Tier 3 (promising)",
            "More use went with higher scores, controlling for the pretest (correlational dose-response).",
        )
    if has_logic_model:
        return (
            "Tier 4 (demonstrates a rationale)",
            "Goals and an implementation plan form the logic "
            "model; the study is under way but has not shown a significant positive effect.",
        )
    return ("No tier yet", "Record goals (step 8) and a plan (step 9) to reach Tier 4.")


def verdict(
    effect: EffectEstimate | None,
    *,
    equivalence: bool,
    meaningful_effect: float | None,
    decision_probability: float | None,
    dose: DoseResponse | None,
    has_logic_model: bool,
) -> OutcomeVerdict:
    """Plain-language answer to the decision-maker's question, or "too few students to conclude"."""
    tier, reason = essa_tier(
        matched_effect=effect, equivalence=equivalence, dose=dose, has_logic_model=has_logic_model
    )
    if effect is None or min(effect.n_users, effect.n_comparison) < MIN_GROUP:
        return OutcomeVerdict(
            False,
            "Too few students to conclude: the matched comparison needs at "
            f"least {MIN_GROUP} users and {MIN_GROUP} matched non-users.",
            None,
            meaningful_effect,
            decision_probability,
            None,
            tier,
            reason,
        )
    df = effect.n_schools - 1 if effect.clustered else None
    mde = minimum_detectable_effect(effect.se_g, df=df)
    c = meaningful_effect
    prob = probability_at_least(c, effect.hedges_g, effect.se_g, df=df) if c is not None else None
    notes = list(effect.notes)
    if not equivalence:
        notes.append("The groups differ at baseline by more than 0.25 SD: not comparable (WWC).")
    spans = effect.g_ci_low < 0 < effect.g_ci_high
    if c is not None and mde > c and spans and effect.g_ci_high > c:
        message = (
            f"Too few students to conclude: this sample can detect an effect of {mde:.2f} SD or "
            f"more, but the meaningful effect set in the plan is {c:.2f} SD."
        )
        return OutcomeVerdict(False, message, prob, c, decision_probability, mde, tier, reason, notes)
    if prob is not None and decision_probability is not None:
        word = "meets" if prob >= decision_probability else "does not meet"
        message = (
            f"The probability that the tool raised scores by at least {c:.2f} SD is "
            f"{format_probability(prob)}; "
            f"this {word} the {decision_probability:.0%} the plan requires to act."
        )
    else:
        message = (
            f"Effect {effect.hedges_g:+.2f} SD (95% CI {effect.g_ci_low:+.2f} to "
            f"{effect.g_ci_high:+.2f}). Set the meaningful effect and the probability needed "
            "to act in the plan (step 9) to get a decision probability."
        )
    return OutcomeVerdict(True, message, prob, c, decision_probability, mde, tier, reason, notes)
