"""Usage metrics on small hand-made data: every definition checked against a hand count.

The district below: tool "Mathy", school year 2025-26 (July start), two weeks of use.
  s1 (A, grade 3): 30 min in week 1 and 30 min in week 2  -> active both weeks
  s2 (A, grade 3): 3 min in week 1                       -> some use, under the 5-minute rule
  s3 (A, grade 3): 50 min in week 2                       -> active in week 2
  s4 (A, grade 3): no use;  s5 (B, grade 3): no use, not in the plan's schools
  x9: 40 min, not on the roster                           -> not counted
Last year (2024-25) s1 used it 20 minutes once.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl.loaders import insert_usage
from services import metrics, monitoring
from services.metrics import SchoolYear

YEAR = SchoolYear(2025, 7)
W1, W2 = dt.date(2025, 9, 1), dt.date(2025, 9, 8)  # Mondays


def usage_overview_table(con):
    from services import usage_overview

    return usage_overview.usage_overview(con, YEAR, threshold=1)


def add_usage(con, rows: list[tuple]) -> None:
    """Daily usage rows (student_key, tool, usage_date, minutes, sessions, school, grade)."""
    frame = pd.DataFrame(
        rows, columns=["student_key", "tool", "usage_date", "minutes", "sessions", "school", "grade"]
    )
    con.register("usage_frame", frame)
    insert_usage(
        con,
        "SELECT student_key, tool, usage_date::DATE AS usage_date, minutes::DOUBLE AS minutes, "
        "sessions::INTEGER AS sessions, school::VARCHAR AS school, grade::INTEGER AS grade FROM usage_frame",
    )
    con.unregister("usage_frame")


@pytest.fixture
def district(con):
    con.execute("INSERT INTO vendors (name) VALUES ('V')")
    product_id = con.execute(
        "INSERT INTO products (vendor_id, name) VALUES (1, 'Mathy') RETURNING product_id"
    ).fetchone()[0]
    con.execute(
        "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, annual_cost, quantity)"
        " VALUES (?, 1, DATE '2025-07-01', DATE '2026-06-30', 1000, 4)",
        [product_id],
    )
    con.execute(
        "INSERT INTO implementation_plans (product_id, participant_schools, participant_grades, extent,"
        " recommended_minutes_per_week, recommended_weeks, fidelity_share_of_weeks, active_user_min_minutes,"
        " meaningful_effect, decision_probability) VALUES (?, 'A', '3', 'full', 25, 2, 0.5, 5, 0.1, 0.8)",
        [product_id],
    )
    for key, school in [("s1", "A"), ("s2", "A"), ("s3", "A"), ("s4", "A"), ("s5", "B")]:
        con.execute(
            "INSERT INTO roster_students (student_key, school, grade) VALUES (?, ?, 3)", [key, school]
        )
    rows = [
        ("s1", W1, 30, 1),
        ("s1", W2 + dt.timedelta(days=2), 30, 2),
        ("s2", W1, 3, 1),
        ("s3", W2, 20, 1),
        ("s3", W2 + dt.timedelta(days=1), 30, 1),
        ("x9", W1, 40, 1),
        ("s1", dt.date(2024, 10, 8), 20, 1),
    ]
    add_usage(con, [(k, "Mathy", d, m, n, "A", 3) for k, d, m, n in rows])
    return product_id


def report_for(con, product_id, threshold=1):
    setup = monitoring.tool_setup(con, product_id, threshold=threshold)
    return setup, monitoring.usage_section(con, setup, YEAR)


class TestDefinitions:
    def test_rules_come_from_the_plan_and_contract(self, con, district):
        setup, _ = report_for(con, district)
        rules = setup.rules
        assert rules.active_user_min_minutes == 5 and rules.recommended_minutes_per_week == 25
        assert rules.seats == 4 and rules.annual_cost == 1000
        assert rules.participants == 4  # s1-s4: school A, grade 3 (s5 is in school B)
        assert rules.roster_restricted

    def test_active_users_apply_the_per_tool_minute_threshold(self, con, district):
        _, report = report_for(con, district)
        assert report.metrics["active_users"].value == 2  # s1, s3; s2 under 5 min; x9 unrostered
        assert report.metrics["students_with_use"].value == 3
        assert "at least 5 minutes" in report.metrics["active_users"].definition

    def test_license_utilization_and_adoption(self, con, district):
        _, report = report_for(con, district)
        assert report.metrics["license_utilization"].value == pytest.approx(2 / 4)
        assert report.metrics["license_utilization"].display == "50%"
        assert report.metrics["adoption"].value == pytest.approx(3 / 4)

    def test_adoption_and_weekly_share_count_only_the_plans_participants(self, con, district):
        """s5 (school B) is not in the plan's schools: using the tool does not raise adoption."""
        add_usage(con, [("s5", "Mathy", W1, 30, 1, "B", 3)])
        _, report = report_for(con, district)
        assert report.metrics["students_with_use"].value == 4  # s5 used it
        assert report.metrics["adoption"].value == pytest.approx(3 / 4)  # s1-s3 of the 4 participants
        assert report.metrics["weekly_active_share"].value == pytest.approx(1.5 / 4)  # s5 not counted

    def test_minutes_per_active_student_per_week(self, con, district):
        _, report = report_for(con, district)
        # (60 + 50) minutes / 2 active users / 2 weeks with use
        assert report.metrics["minutes_per_week"].value == pytest.approx(27.5)
        assert report.weeks_observed == 2

    def test_weekly_active_users_and_share(self, con, district):
        _, report = report_for(con, district)
        assert [d.date() for d in pd.to_datetime(report.weekly["week"])] == [W1, W2]
        assert report.weekly["active_users"].tolist() == [1, 2]
        assert report.metrics["weekly_active_share"].value == pytest.approx(1.5 / 4)

    def test_dosage_fidelity_80_80_style(self, con, district):
        _, report = report_for(con, district)
        # 25 min in >= 50% of 2 weeks = 1 week: s1 (2 weeks) and s3 (1 week) both meet it
        assert report.metrics["dosage_fidelity"].value == pytest.approx(1.0)
        con.execute("UPDATE implementation_plans SET fidelity_share_of_weeks = 1.0")
        _, report = report_for(con, district)
        assert report.metrics["dosage_fidelity"].value == pytest.approx(0.5)  # only s1 has both weeks

    def test_cost_per_active_user_and_student_hour(self, con, district):
        _, report = report_for(con, district)
        assert report.metrics["cost_per_active_user"].value == pytest.approx(500)
        assert report.metrics["cost_per_active_user"].display == "$500.00"
        # all rostered use: 60 + 3 + 50 = 113 minutes
        assert report.metrics["cost_per_student_hour"].value == pytest.approx(1000 / (113 / 60))

    def test_each_year_divides_by_its_own_contract(self, con, district):
        """Last year's contract (2 seats, $300) applies to last year, this year's to this year."""
        con.execute(
            "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, annual_cost, quantity, status)"
            " VALUES (?, 1, DATE '2024-07-01', DATE '2025-06-30', 300, 2, 'ended')",
            [district],
        )
        _, report = report_for(con, district)
        assert report.metrics["license_utilization"].value == pytest.approx(2 / 4)  # this year: 4 seats
        assert report.last_year["license_utilization"].value == pytest.approx(1 / 2)  # s1 of 2 seats
        assert report.last_year["cost_per_active_user"].value == pytest.approx(300)
        setup = monitoring.tool_setup(con, district, threshold=1)
        last = monitoring.usage_section(con, setup, YEAR.previous())
        assert last.metrics["cost_per_active_user"].value == pytest.approx(300)

    def test_a_day_of_zero_minutes_and_zero_sessions_is_no_use(self, con, district):
        add_usage(con, [("s4", "Mathy", W2 + dt.timedelta(days=14), 0, 0, "A", 3)])  # a third week, empty
        _, report = report_for(con, district)
        assert report.metrics["students_with_use"].value == 3  # s4 did not use it
        assert report.weeks_observed == 2
        assert report.metrics["minutes_per_week"].value == pytest.approx(27.5)

    def test_this_year_against_last_year(self, con, district):
        _, report = report_for(con, district)
        assert report.last_year["active_users"].value == 1
        table = metrics.compare_years(report)
        row = table[table["Metric"] == "Active users"].iloc[0]
        assert row["2025-26"] == "2" and row["2024-25"] == "1"

    def test_a_year_under_way_is_labelled_so_far(self, con, district, monkeypatch):
        """2026-27's cost per student-hour (15 weeks in) sat beside 2025-26's full year as if comparable."""

        class Early(dt.date):
            @classmethod
            def today(cls):
                return dt.date(2025, 9, 20)

        _, report = report_for(con, district)
        monkeypatch.setattr(metrics.dt, "date", Early)
        table = metrics.compare_years(report)
        assert list(table.columns) == ["Metric", "2025-26 so far (2 weeks)", "2024-25"]
        # dosage fidelity counts the weeks so far, and its definition says so
        rules = metrics.UsageRules(recommended_minutes_per_week=30, recommended_weeks=30)
        assert "the 15 weeks so far (the plan's 30" in metrics.definition("dosage_fidelity", rules, 15)
        assert "of 30 weeks" in metrics.definition("dosage_fidelity", rules, 36)

    def test_heatmap_counts_active_users_by_school_and_grade(self, con, district):
        _, report = report_for(con, district)
        assert report.heatmap.counts.loc["A", "3"] == 2

    def test_every_metric_has_a_definition_shown_with_it(self, con, district):
        _, report = report_for(con, district)
        for value in report.metrics.values():
            assert value.definition and "{" not in value.definition

    def test_missing_plan_says_what_to_do(self, con, district):
        con.execute("DELETE FROM implementation_plans")
        _, report = report_for(con, district)
        assert report.metrics["dosage_fidelity"].value is None
        assert "plan" in report.metrics["dosage_fidelity"].missing


class TestSuppressionOfMetrics:
    def test_small_counts_and_rates_show_the_label(self, con, district):
        _, report = report_for(con, district, threshold=10)
        m = report.metrics
        assert m["active_users"].display == "<10"
        assert m["license_utilization"].display.startswith("<10")
        assert m["cost_per_active_user"].display.startswith("<10")
        assert m["dosage_fidelity"].display.startswith("<10")
        assert "2" not in m["minutes_per_week"].display

    def test_small_weeks_are_blank_in_the_chart_data(self, con, district):
        _, report = report_for(con, district, threshold=10)
        assert report.weekly["suppressed"].all()
        assert report.weekly["active_users"].isna().all()

    def test_heatmap_cells_show_the_label(self, con, district):
        _, report = report_for(con, district, threshold=10)
        assert report.heatmap.display.loc["A", "3"] == "<10"
        assert report.heatmap.display.loc["Total", "Total"] == "<10"


class TestBands:
    def test_bands_follow_the_recommendation(self):
        bands = metrics.usage_band([0, 10, 30, 60], [0, 1, 1, 1], 45)
        assert bands.tolist() == ["None", "Light", "Moderate", "At recommendation"]

    def test_school_year_boundaries(self):
        assert SchoolYear.of(dt.date(2026, 6, 30)).label == "2025-26"
        assert SchoolYear.of(dt.date(2026, 7, 1)).label == "2026-27"
        assert SchoolYear(2025).previous().start == dt.date(2024, 7, 1)


class TestOverview:
    def test_every_tool_with_its_own_rule_and_shadow_tools_marked(self, con, district):
        from services import usage_overview

        add_usage(con, [("s4", "Shadowy", dt.date(2025, 9, 2), 2, 1, None, None)])
        table, weekly = usage_overview.usage_overview(con, YEAR, threshold=1)
        rows = table.set_index("Tool")
        assert rows.loc["Mathy", "Active users"] == "2"  # the plan's 5-minute rule, as per tool
        assert rows.loc["Mathy", "License utilization"] == "50%"
        assert rows.loc["Mathy", "Cost per active user"] == "$500.00"
        assert rows.loc["Shadowy (not vetted)", "Active users"] == "1"  # no plan: any session counts
        assert weekly["active_users"].tolist() == [3, 2]  # any use: week 1 s1, s2, s4; week 2 s1, s3
        assert [y.label for y in usage_overview.usage_years(con)] == ["2025-26", "2024-25"]

    def test_minimum_reached_only_over_a_week_counts(self, con, district):
        from services import usage_overview

        # s4: 3 + 3 minutes on two days of one week: no single day reaches 5, the week does
        add_usage(con, [("s4", "Mathy", dt.date(2025, 9, d), 3, 1, None, None) for d in (15, 16)])
        # s5: 3 minutes in each of two different weeks: 6 in total, no active week
        add_usage(con, [("s5", "Mathy", dt.date(2025, 9, d), 3, 1, None, None) for d in (15, 22)])
        table, _ = usage_overview.usage_overview(con, YEAR, threshold=1)
        assert table.set_index("Tool").loc["Mathy", "Active users"] == "3"  # s1, s3, s4
        _, report = report_for(con, district)
        assert report.metrics["active_users"].value == 3  # the per-tool page agrees

    def test_overview_agrees_with_the_tool_page_on_contracts_and_weeks(self, con, district):
        from services import usage_overview

        con.execute(
            "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, annual_cost, quantity, status)"
            " VALUES (?, 1, DATE '2024-07-01', DATE '2025-06-30', 300, 2, 'ended')",
            [district],
        )
        last, _ = usage_overview.usage_overview(con, YEAR.previous(), threshold=1)
        assert last.set_index("Tool").loc["Mathy", "License utilization"] == "50%"  # 1 of last year's 2
        assert last.set_index("Tool").loc["Mathy", "Cost per active user"] == "$300.00"
        # a week in which only an unrostered student, or nobody really, used the tool is not a week of use
        add_usage(con, [("x9", "Mathy", dt.date(2025, 10, 6), 40, 1, None, None)])
        add_usage(con, [("s4", "Mathy", dt.date(2025, 10, 13), 0, 0, None, None)])
        table, _ = usage_overview.usage_overview(con, YEAR, threshold=1)
        _, report = report_for(con, district)
        page = report.metrics["minutes_per_week"].display
        assert (
            page == "28 min"
            and table.set_index("Tool").loc["Mathy", "Minutes per active student per week"] == "28"
        )

    def test_two_contracts_covering_the_year_alike_give_both_pages_the_same_one(self, con, district):
        """A tie on coverage goes to the later contract, for seats and cost together, on the tool's
        page and in the overview (the overview once took each from its own pick)."""
        con.execute(
            "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, annual_cost, quantity)"
            " VALUES (?, 1, DATE '2025-07-01', DATE '2026-06-30', 3000, 8)",
            [district],
        )
        contract = monitoring.contract_for_year(con, district, YEAR)
        assert (contract["quantity"], float(contract["annual_cost"])) == (8, 3000)
        table, _ = usage_overview_table(con)
        _, report = report_for(con, district)
        row = table.set_index("Tool").loc["Mathy"]
        assert report.metrics["license_utilization"].value == pytest.approx(2 / 8)
        assert row["License utilization"] == "25%"
        assert row["Cost per active user"] == report.metrics["cost_per_active_user"].display == "$1,500.00"

    def test_overview_is_suppressed(self, con, district):
        from services import usage_overview

        table, weekly = usage_overview.usage_overview(con, YEAR, threshold=10)
        assert table.loc[0, "Active users"] == "<10"
        assert table.loc[0, "Cost per active user"].startswith("<10")
        assert weekly["active_users"].isna().all()


class TestOutcomesReadOneAssessment:
    """Scores of different assessments are never averaged together: their scales differ."""

    @pytest.fixture
    def scores(self, con, district):
        rows = []
        for i, key in enumerate(["s1", "s2", "s3", "s4", "s5"]):
            rows += [
                (key, "NWEA MAP Growth", "Math", "Fall 2025-2026", dt.date(2025, 9, 20), 200 + i),
                (key, "NWEA MAP Growth", "Math", "Spring 2025-2026", dt.date(2026, 5, 10), 210 + i),
                # Illinois' state test: spring only, on a 650-850 scale
                (key, "IAR", "Math", "Spring 2026", dt.date(2026, 4, 20), 740 + i),
            ]
        rows.append(("s1", "i-Ready Diagnostic", "Reading", None, dt.date(2025, 9, 21), 480))
        con.executemany(
            "INSERT INTO assessment_results (student_key, assessment, subject, term, test_date, scale_score, "
            "grade) VALUES (?, ?, ?, ?, ?, ?, 3)",
            rows,
        )
        return district

    def test_spring_scores_come_from_the_assessment_with_a_fall_baseline(self, con, scores):
        setup = monitoring.tool_setup(con, scores, threshold=1)
        data = monitoring.outcome_students(con, setup, YEAR, "Math").set_index("student_key")
        assert data.loc["s1", "fall"] == 200 and data.loc["s1", "spring"] == 210  # not (210 + 740) / 2
        assert monitoring.main_assessment(con, "Math") == "NWEA MAP Growth"
        iar = monitoring.outcome_students(con, setup, YEAR, "Math", "IAR").set_index("student_key")
        assert iar.loc["s1", "spring"] == 740 and iar["fall"].isna().all()

    def test_each_assessment_is_its_own_choice_and_only_growth_windows_have_years(self, con, scores):
        setup = monitoring.tool_setup(con, scores, threshold=1)
        found = monitoring.measures(con, setup)
        assert [m.label for m in found] == [
            "Math (NWEA MAP Growth)",
            "Math (IAR)",
            "Reading (i-Ready Diagnostic)",
        ]
        assert monitoring.assessed_years(con, "Math", 7, "NWEA MAP Growth") == [YEAR]
        assert monitoring.assessed_years(con, "Math", 7, "IAR") == []  # no fall scores to grow from
        report = monitoring.outcomes_section(con, setup, YEAR, "Math", "fall_spring", "NWEA MAP Growth")
        assert report.subject == "Math (NWEA MAP Growth)"


def test_feedback_scores_read_in_each_questions_own_words(con, district):
    rows = [
        ("Mathy", dt.datetime(2025, 10, d), f"r{d}", "How satisfied are you?", "Very satisfied", 5)
        for d in (1, 2)
    ]
    rows += [
        ("Mathy", dt.datetime(2025, 10, d), f"r{d}", "Easy to start?", "Strongly agree", 5) for d in (1, 2)
    ]
    con.executemany(
        "INSERT INTO feedback_responses (tool, submitted_at, respondent_key, question, answer, score) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    report = monitoring.feedback_section(con, "Mathy", threshold=1)
    answers = dict(zip(report.likert["question"], report.likert["answer"], strict=True))
    assert answers == {"How satisfied are you?": "Very satisfied", "Easy to start?": "Strongly agree"}
    # two questions say a 5 in two ways: the legend names the place on the scale, not one of them
    assert monitoring.score_label(5, report.likert["answer"]) == "5 (highest)"
    assert monitoring.score_label(5, report.likert["answer"][:1]) == "5 · Strongly agree"


class TestSmallMatchedGroupsAreNotAnalysed:
    """6 users against 6 matched non-users showed their mean scores, an effect and an ESSA tier."""

    @pytest.fixture
    def six_and_six(self, con, district):
        students = [f"m{i}" for i in range(12)]
        for key in students:
            con.execute("INSERT INTO roster_students (student_key, school, grade) VALUES (?, 'A', 3)", [key])
        add_usage(con, [(k, "Mathy", W1, 40, 1, "A", 3) for k in students[:6]])
        con.executemany(
            "INSERT INTO assessment_results (student_key, assessment, subject, term, test_date, scale_score, "
            "grade) VALUES (?, 'NWEA MAP Growth', 'Math', ?, ?, ?, 3)",
            [
                row
                for i, k in enumerate(students)
                for row in (
                    (k, "Fall 2025-2026", dt.date(2025, 9, 20), 200 + i % 6),
                    (k, "Spring 2025-2026", dt.date(2026, 5, 10), 215 + i % 6 - (6 if i >= 6 else 0)),
                )
            ],
        )
        return district

    def test_under_the_threshold_no_effect_or_group_means_are_computed(self, con, six_and_six):
        setup = monitoring.tool_setup(con, six_and_six, threshold=10)
        report = monitoring.outcomes_section(con, setup, YEAR, "Math", "fall_spring", "NWEA MAP Growth")
        assert report.effect is None and report.equivalence == []
        assert not report.verdict.can_conclude and not report.verdict.essa_tier.startswith(
            ("Tier 2", "Tier 3")
        )
        assert "Fewer than 10 users could be matched" in report.message

    def test_at_or_over_the_threshold_the_effect_is_shown_but_earns_no_tier_under_twenty(
        self, con, six_and_six
    ):
        setup = monitoring.tool_setup(con, six_and_six, threshold=3)
        report = monitoring.outcomes_section(con, setup, YEAR, "Math", "fall_spring", "NWEA MAP Growth")
        assert report.effect is not None and report.effect.difference > 0 and report.effect.p_value < 0.05
        assert report.message is None
        # too few to conclude, so no tier from the matched comparison either
        assert not report.verdict.can_conclude
        assert not report.verdict.essa_tier.startswith(("Tier 2", "Tier 3"))


def test_goal_progress_never_gives_back_a_suppressed_metric(con, district):
    """'Now <10 users' sat above a bar at 39% of a target of 80: 31.6%, i.e. 6 of 19 students."""
    from dataclasses import replace

    from services import goal_progress

    goal = {
        "goal_id": 1,
        "horizon": "year",
        "description": "Most participants use Mathy weekly",
        "measure": "weekly active share",
        "data_source_kind": "usage",
        "data_source_ref": "weekly_active_share",
        "baseline": 0,
        "target": 80,
    }
    for threshold, hidden in ((10, True), (1, False)):
        setup = replace(monitoring.tool_setup(con, district, threshold=threshold), goals=[goal])
        usage = monitoring.usage_section(con, setup, YEAR)
        [row] = goal_progress.goal_progress(con, setup, usage, None)
        if hidden:
            assert usage.metrics["weekly_active_share"].suppressed
            assert (row.current, row.progress) == (None, None)
            assert row.current_display.startswith("<10") and "privacy" in row.status
        else:
            assert row.current is not None and 0 < row.progress < 1


@pytest.mark.parametrize("unit", ["per_school", "flat_district", "per_teacher"])
def test_utilization_needs_a_contract_that_counts_student_licenses(con, district, unit):
    """A per-school contract for 5 schools showed 30,980% utilization; a flat license 90,900%."""
    from services import utilization

    con.execute("UPDATE contracts SET pricing_unit = ?, quantity = 1", [unit])
    setup = monitoring.tool_setup(con, district, threshold=1)
    metric = monitoring.usage_section(con, setup, YEAR).metrics["license_utilization"]
    assert (metric.value, metric.display) == (None, "—")
    assert "not a count of student licenses" in metric.missing
    assert usage_overview_table(con)[0].set_index("Tool").loc["Mathy", "License utilization"] == "—"
    assert utilization.actual_utilization(con, district, threshold=1) is None  # the Budget page's default


def test_per_seat_contracts_still_give_utilization(con, district):
    con.execute("UPDATE contracts SET pricing_unit = 'per_seat'")
    setup = monitoring.tool_setup(con, district, threshold=1)
    assert monitoring.usage_section(con, setup, YEAR).metrics["license_utilization"].value == pytest.approx(
        2 / 4
    )


def test_a_paid_tool_nobody_used_is_in_the_overview(con, district):
    """SciSim Labs ($18,000 a year) was missing from the all-tools table: the first tool to drop."""
    con.execute("INSERT INTO products (vendor_id, name) VALUES (1, 'Unused Lab')")
    con.execute(
        "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, annual_cost, quantity, pricing_unit)"
        " SELECT product_id, 1, DATE '2025-08-01', DATE '2026-07-31', 5000, 100, 'per_student' FROM products"
        " WHERE name = 'Unused Lab'"
    )
    row = usage_overview_table(con)[0].set_index("Tool").loc["Unused Lab"]
    assert (row["Active users"], row["License utilization"], row["Cost per active user"]) == (
        "0",
        "0%",
        "no active users",
    )


def test_feedback_is_read_for_the_chosen_school_year(con, district):
    """Three survey waves over two years were pooled under one year's picker and its decision brief."""
    rows = [
        ("Mathy", dt.datetime(2025, 10, 1), "r1", "Easy to start?", "Agree", 4),
        ("Mathy", dt.datetime(2026, 4, 1), "r1", "Easy to start?", "Strongly agree", 5),
        ("Mathy", dt.datetime(2026, 10, 1), "r2", "Easy to start?", "Disagree", 2),
        ("Mathy", dt.datetime(2026, 10, 1), "r2", "Anything else?", "Needs more practice sets", None),
    ]
    con.executemany(
        "INSERT INTO feedback_responses (tool, submitted_at, respondent_key, question, answer, score) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    this = monitoring.feedback_section(con, "Mathy", threshold=1, year=YEAR)
    assert this.total_responses == 2 and sorted(this.likert["score"]) == [4, 5] and this.comments.empty
    later = monitoring.feedback_section(con, "Mathy", threshold=1, year=SchoolYear(2026, 7))
    assert later.total_responses == 2 and list(later.likert["score"]) == [2]
    assert list(later.comments["comment"]) == ["Needs more practice sets"]
    assert monitoring.feedback_section(con, "Mathy", threshold=1).total_responses == 4


def test_a_tools_outcomes_are_read_in_its_own_subjects(con, district):
    """A writing tool's decision froze Math results: the first assessed subject stood in for its own."""
    from dataclasses import replace

    setup = monitoring.tool_setup(con, district, threshold=1)
    math, reading = (
        monitoring.Measure("Math", "NWEA MAP Growth"),
        monitoring.Measure("Reading", "NWEA MAP Growth"),
    )
    ela = replace(setup, product={**setup.product, "subjects": "ELA; Writing"})
    assert monitoring.own_subjects(ela) == {"reading", "writing"}  # ELA is scored as Reading
    assert monitoring.is_own_measure(ela, reading) and not monitoring.is_own_measure(ela, math)
    anything = replace(setup, product={**setup.product, "subjects": None})
    assert monitoring.is_own_measure(anything, math)  # a tool that names no subject takes any
