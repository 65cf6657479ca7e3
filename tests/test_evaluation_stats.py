"""Evaluation statistics against statsmodels / scipy on simulated districts with a known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.power import TTestIndPower

from services import evaluation as ev

TRUE_G = 0.20  # effect in SD of the outcome within grade


def simulate(n: int = 3000, effect_sd: float = TRUE_G, seed: int = 7, schools: int = 20) -> pd.DataFrame:
    """Pretest by grade; weaker students more likely to use the tool; outcome SD 10 within grade."""
    rng = np.random.default_rng(seed)
    grade = rng.integers(3, 6, n)
    school = rng.integers(0, schools, n)
    ability = rng.normal(0, 1, n)
    pretest = 180 + 10 * grade + 10 * ability
    treated = rng.random(n) < 1 / (1 + np.exp(0.8 * ability))
    # posttest = pretest-driven part (SD 8) + noise (SD 6): total within-grade SD 10
    posttest = 190 + 10 * grade + 8 * ability + 6 * rng.normal(0, 1, n) + effect_sd * 10 * treated
    return pd.DataFrame(
        {
            "student_key": [f"s{i}" for i in range(n)],
            "grade": grade,
            "school": school,
            "pretest": pretest,
            "posttest": posttest,
            "treated": treated,
            "minutes_per_week": np.where(treated, rng.gamma(2, 20, n), 0.0),
        }
    )


class TestKnownEffect:
    def test_matched_regression_recovers_the_effect_within_its_ci(self):
        data = simulate()
        matched = ev.match_within_grade(data)
        effect = ev.adjusted_effect(matched)
        assert effect.ci_low <= TRUE_G * 10 <= effect.ci_high
        assert effect.g_ci_low <= TRUE_G <= effect.g_ci_high
        assert effect.p_value < 0.01 and effect.clustered

    def test_no_effect_gives_a_ci_around_zero(self):
        effect = ev.adjusted_effect(ev.match_within_grade(simulate(effect_sd=0.0, seed=11)))
        assert effect.g_ci_low <= 0 <= effect.g_ci_high

    def test_coverage_over_repeated_simulations(self):
        covered = sum(
            (lambda e: e.g_ci_low <= TRUE_G <= e.g_ci_high)(
                ev.adjusted_effect(ev.match_within_grade(simulate(800, seed=s)))
            )
            for s in range(20)
        )
        assert covered >= 16  # nominal 95%: 19 of 20 expected; allow sampling noise


class TestAgainstStatsmodels:
    def test_difference_and_clustered_se_match_a_direct_fit(self):
        data = simulate(1200, seed=3)
        effect = ev.adjusted_effect(data)
        direct = smf.ols(
            "posttest ~ treated + pretest + C(grade)", data=data.assign(treated=data.treated.astype(int))
        )
        fit = direct.fit(cov_type="cluster", cov_kwds={"groups": data["school"]}, use_t=True)
        assert effect.difference == pytest.approx(fit.params["treated"])
        assert effect.se == pytest.approx(fit.bse["treated"])
        assert effect.p_value == pytest.approx(fit.pvalues["treated"])

    def test_clustered_se_matches_the_sandwich_by_hand(self):
        data = simulate(900, seed=5, schools=12).assign(treated=lambda d: d.treated.astype(float))
        effect = ev.adjusted_effect(data)
        X = np.column_stack(
            [
                np.ones(len(data)),
                data.treated,
                data.pretest,
                (data.grade == 4).astype(float),
                (data.grade == 5).astype(float),
            ]
        )
        y = data.posttest.to_numpy()
        bread = np.linalg.inv(X.T @ X)
        beta = bread @ X.T @ y
        resid = y - X @ beta
        meat = sum(
            np.outer(X[g].T @ resid[g], X[g].T @ resid[g])
            for g in [np.where(data.school == s)[0] for s in data.school.unique()]
        )
        n, k, groups = len(y), X.shape[1], data.school.nunique()
        correction = groups / (groups - 1) * (n - 1) / (n - k)
        se = np.sqrt(np.diag(correction * bread @ meat @ bread))[1]
        assert effect.difference == pytest.approx(beta[1])
        assert effect.se == pytest.approx(se, rel=1e-6)

    def test_hedges_g_uses_j_and_pooled_within_grade_sd(self):
        data = simulate(600, seed=9)
        effect = ev.adjusted_effect(data)
        n = len(data)
        j = 1 - 3 / (4 * n - 9)
        resid_var = []
        for _, cell in data.groupby(["grade", "treated"]):
            resid_var.append(((len(cell) - 1) * cell.posttest.var(), len(cell) - 1))
        sd = np.sqrt(sum(v for v, _ in resid_var) / sum(d for _, d in resid_var))
        assert effect.sd_outcome == pytest.approx(sd)
        assert effect.hedges_g == pytest.approx(j * effect.difference / sd)
        assert effect.se_g == pytest.approx(j * effect.se / sd)

    def test_probability_of_at_least_c_matches_scipy(self):
        assert ev.probability_at_least(0.1, 0.15, 0.05) == pytest.approx(stats.norm.sf((0.1 - 0.15) / 0.05))
        assert ev.probability_at_least(0.1, 0.1, 0.2) == pytest.approx(0.5)

    def test_probability_with_few_schools_agrees_with_the_interval(self):
        """Two schools: t with 1 df, as the 95% interval uses. 0.10 lies inside g 0.47 +- 12.7 x 0.087,
        so the probability of exceeding it cannot pass 97.5% (the normal formula said >99.99%)."""
        g, se = 0.47, 0.087
        assert ev.probability_at_least(0.1, g, se) > 0.9999
        with_t = ev.probability_at_least(0.1, g, se, df=1)
        assert with_t == pytest.approx(stats.t(1).sf((0.1 - g) / se)) and with_t < 0.975

    def test_mde_matches_statsmodels_power(self):
        mde = ev.mde_before_data(400, 400)
        power_mde = TTestIndPower().solve_power(nobs1=400, ratio=1.0, alpha=0.05, power=0.8)
        assert mde == pytest.approx(power_mde, rel=0.01)
        assert ev.mde_before_data(400, 400, r2=0.75) == pytest.approx(mde / 2, rel=1e-9)

    def test_dose_response_recovers_the_slope(self):
        rng = np.random.default_rng(2)
        n = 1500
        data = pd.DataFrame(
            {
                "grade": rng.integers(3, 5, n),
                "school": rng.integers(0, 10, n),
                "pretest": rng.normal(200, 10, n),
                "treated": True,
                "minutes_per_week": rng.uniform(0, 120, n),
            }
        )
        data["posttest"] = data.pretest + 3 * data.minutes_per_week / 60 + rng.normal(0, 5, n)
        dose = ev.dose_response(data)
        assert abs(dose.per_hour_per_week - 3) < 2.5 * dose.se
        assert dose.p_value < 0.05


class TestMatching:
    def test_pairs_share_a_grade_and_respect_the_caliper(self):
        data = simulate(1000, seed=4)
        matched = ev.match_within_grade(data)
        for _, pair in matched.groupby("pair_id"):
            assert len(pair) == 2 and pair.treated.sum() == 1
            assert pair.grade.nunique() == 1
            spread = data.loc[data.grade == pair.grade.iloc[0], "pretest"].std()
            assert abs(pair.pretest.diff().iloc[-1]) <= ev.CALIPER_SD * spread + 1e-9
        assert matched.index.is_unique  # without replacement

    def test_matching_removes_the_selection_on_the_pretest(self):
        data = simulate(3000, seed=8)
        raw = ev.baseline_equivalence(data.assign(pair_id=0))
        matched = ev.baseline_equivalence(ev.match_within_grade(data))
        assert abs(raw[0].std_difference) > 0.25
        assert abs(matched[0].std_difference) <= ev.WWC_FINE
        assert ev.equivalence_ok(matched)

    def test_propensity_matching_with_covariates(self):
        data = simulate(1500, seed=12)
        rng = np.random.default_rng(1)
        data["frl"] = (rng.random(len(data)) < 0.4).astype(float)
        matched = ev.match_within_grade(data, ["frl"])
        rows = ev.baseline_equivalence(matched, ["frl"])
        assert [r.variable for r in rows] == ["Pretest (within grade)", "frl"]
        assert all(abs(r.std_difference) <= ev.WWC_ADJUST for r in rows)


class TestJudgements:
    def test_wwc_thresholds(self):
        assert ev.wwc_verdict(0.04) == "satisfied"
        assert ev.wwc_verdict(-0.2) == "adjustment required"
        assert ev.wwc_verdict(0.3) == "not comparable"

    def test_hedges_j(self):
        assert ev.hedges_j(20) == pytest.approx(1 - 3 / 71)

    def test_growth_table_by_hand(self):
        frame = pd.DataFrame(
            {
                "pretest": [100, 110, 100, 120],
                "posttest": [110, 115, 101, 121],
                "treated": [True, True, False, False],
            }
        )
        table = ev.growth_table(frame).set_index("treated")
        assert table.loc[True, "mean_growth"] == pytest.approx(7.5)
        assert table.loc[False, "mean_growth"] == pytest.approx(1.0)
        assert table.loc[True, "n"] == 2

    def test_too_few_students_to_conclude(self):
        small = simulate(60, seed=1)
        effect = ev.adjusted_effect(ev.match_within_grade(small))
        result = ev.verdict(
            effect,
            equivalence=True,
            meaningful_effect=0.1,
            decision_probability=0.8,
            dose=None,
            has_logic_model=True,
        )
        assert not result.can_conclude and result.message.startswith("Too few students to conclude")

    def test_underpowered_sample_says_so(self):
        effect = ev.EffectEstimate(100, 100, 5, 1.0, 2.0, -3.0, 5.0, 0.6, 10.0, 0.1, -0.3, 0.5, 0.2, True)
        result = ev.verdict(
            effect,
            equivalence=True,
            meaningful_effect=0.1,
            decision_probability=0.8,
            dose=None,
            has_logic_model=True,
        )
        assert not result.can_conclude
        # 5 schools: t(4) multipliers (2.78 + 0.94) x SE 0.2, not the normal 2.80 x 0.2 = 0.56
        assert "can detect an effect of 0.74 SD" in result.message

    def test_decision_probability_message(self):
        effect = ev.adjusted_effect(ev.match_within_grade(simulate()))
        result = ev.verdict(
            effect,
            equivalence=True,
            meaningful_effect=0.1,
            decision_probability=0.8,
            dose=None,
            has_logic_model=True,
        )
        assert result.can_conclude and result.probability > 0.8
        assert "meets the 80%" in result.message
        multiplier = stats.t(effect.n_schools - 1).ppf(0.975) + stats.t(effect.n_schools - 1).ppf(0.8)
        assert result.mde == pytest.approx(multiplier * effect.se_g)
        assert ev.minimum_detectable_effect(1.0) == pytest.approx(2.8016, rel=1e-4)

    def test_essa_tiers(self):
        strong = ev.EffectEstimate(300, 300, 8, 2.0, 0.5, 1.0, 3.0, 0.001, 10, 0.2, 0.1, 0.3, 0.05, True)
        assert ev.essa_tier(matched_effect=strong, equivalence=True, dose=None, has_logic_model=True)[
            0
        ].startswith("Tier 2")
        assert ev.essa_tier(matched_effect=strong, equivalence=False, dose=None, has_logic_model=True)[
            0
        ].startswith("Tier 4")
        one_school = ev.EffectEstimate(300, 300, 1, 2.0, 0.5, 1.0, 3.0, 0.001, 10, 0.2, 0.1, 0.3, 0.05, False)
        assert ev.essa_tier(matched_effect=one_school, equivalence=True, dose=None, has_logic_model=True)[
            0
        ].startswith("Tier 3")
        # under MIN_GROUP users or non-users the comparison is too small to conclude: no tier from it
        few = ev.EffectEstimate(15, 15, 8, 2.0, 0.5, 1.0, 3.0, 0.001, 10, 0.2, 0.1, 0.3, 0.05, True)
        assert ev.essa_tier(matched_effect=few, equivalence=True, dose=None, has_logic_model=True)[
            0
        ].startswith("Tier 4")
        dose = ev.DoseResponse(500, 2.0, 0.5, 0.001)
        assert ev.essa_tier(matched_effect=None, equivalence=False, dose=dose, has_logic_model=False)[
            0
        ].startswith("Tier 3")
        assert (
            ev.essa_tier(matched_effect=None, equivalence=False, dose=None, has_logic_model=False)[0]
            == "No tier yet"
        )
        # never Tier 1 without randomization
        assert all(
            not ev.essa_tier(matched_effect=e, equivalence=True, dose=dose, has_logic_model=True)[
                0
            ].startswith("Tier 1")
            for e in (strong, one_school, None)
        )

    def test_probability_is_never_shown_as_certain(self):
        assert ev.format_probability(0.9999) == ">99%"
        assert ev.format_probability(0.0001) == "<1%"
        assert ev.format_probability(0.42) == "42%"


def test_a_concluded_miss_is_not_shown_as_a_pass():
    """The outcome box was green whenever the analysis could conclude, also for 'this does not meet
    the 80% the plan requires'."""
    from services.evaluation import OutcomeVerdict

    def verdict(can: bool, prob: float | None, bar: float | None) -> OutcomeVerdict:
        return OutcomeVerdict(can, "m", prob, 0.2, bar, None, "tier", "reason")

    assert verdict(True, 0.02, 0.8).meets_plan is False
    assert verdict(True, 0.85, 0.8).meets_plan is True
    assert verdict(True, None, 0.8).meets_plan is None  # no probability: no bar to meet
    assert verdict(False, 0.95, 0.8).meets_plan is None  # too few students to conclude
