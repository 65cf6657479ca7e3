"""SOPPA posting: clocks (business days, twice-yearly updates, breaches, parent requests), the
escaped public page, the CSV, the registers and their bad input."""

from __future__ import annotations

import datetime as dt
import html.parser

import pytest
from pydantic import ValidationError

from models.errors import PermissionDenied
from models.form_errors import field_errors
from models.soppa import AgreementPostingForm, BreachForm, ParentRequestForm, PostingRules
from services import soppa_posting as posting
from services import soppa_registers as registers
from settings import Settings
from tests import steps69_factory as f

TODAY = f.TODAY  # Monday 11/02/2026
MALICIOUS = '<script>alert("x")</script> & Co'


def rules(**changes) -> PostingRules:
    base = PostingRules(
        parent_rights_text=posting.DEFAULT_PARENT_RIGHTS, data_use_text=posting.DEFAULT_DATA_USE
    )
    return base.model_copy(update=changes)


class TestClocks:
    def test_business_days_skip_weekends(self):
        friday = dt.date(2026, 11, 6)
        assert posting.add_business_days(friday, 1) == dt.date(2026, 11, 9)
        assert posting.add_business_days(TODAY, 10) == dt.date(2026, 11, 16)

    def test_district_holidays_are_not_business_days(self):
        # signed Monday 11/02/2026; Thanksgiving week closed Wed-Fri
        closed = [dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 27)]
        assert posting.add_business_days(dt.date(2026, 11, 20), 3, closed) == dt.date(2026, 11, 30)
        assert posting.agreement_posting_due(dt.date(2026, 11, 16), rules(holidays=closed)) == dt.date(
            2026, 12, 3
        )
        assert posting.agreement_posting_due(dt.date(2026, 11, 16), rules()) == dt.date(2026, 11, 30)

    def test_holidays_are_read_as_people_type_them_and_bad_ones_are_named(self):
        from pydantic import ValidationError

        parsed = PostingRules(
            parent_rights_text=posting.DEFAULT_PARENT_RIGHTS,
            data_use_text=posting.DEFAULT_DATA_USE,
            holidays="2026-12-25\n 11/26/2026 , 2026-12-25\n\n1/1/27",
        )
        assert parsed.holidays == [dt.date(2026, 11, 26), dt.date(2026, 12, 25), dt.date(2027, 1, 1)]
        with pytest.raises(ValidationError, match="'Dec 25' is not a date"):
            PostingRules(
                parent_rights_text=posting.DEFAULT_PARENT_RIGHTS,
                data_use_text=posting.DEFAULT_DATA_USE,
                holidays="2026-11-26\nDec 25",
            )

    def test_holidays_are_saved_and_read_back(self, con, people):
        closed = rules(holidays=[dt.date(2026, 11, 26), dt.date(2026, 12, 25)])
        posting.save_rules(con, people["compliance"], closed)
        assert posting.load_rules(con).holidays == [dt.date(2026, 11, 26), dt.date(2026, 12, 25)]
        posting.save_rules(con, people["compliance"], rules())
        assert posting.load_rules(con).holidays == []

    def test_posting_due_business_or_calendar(self):
        assert posting.agreement_posting_due(TODAY, rules()) == dt.date(2026, 11, 16)
        assert posting.agreement_posting_due(TODAY, rules(business_days=False)) == dt.date(2026, 11, 12)

    def test_update_periods_fiscal_and_calendar_year(self):
        assert posting.update_periods(TODAY, 7) == [
            ("calendar year 2026", dt.date(2026, 1, 1)),
            ("fiscal year 2026-27", dt.date(2026, 7, 1)),
        ]
        assert posting.update_periods(dt.date(2027, 3, 1), 7)[1][1] == dt.date(2027, 1, 1)
        assert posting.update_periods(TODAY, 1) == [("fiscal year 2026", dt.date(2026, 1, 1))]

    def test_breach_and_parent_request_due_dates(self):
        assert posting.breach_notice_due(TODAY, rules()) == TODAY + dt.timedelta(days=30)
        assert posting.parent_request_due(TODAY, "inspect", rules()) == TODAY + dt.timedelta(days=45)
        assert posting.parent_request_due(TODAY, "correct", rules()) == TODAY + dt.timedelta(days=90)

    def test_breach_share_rule_is_a_setting(self):
        assert not posting.breach_is_listed(posting.breach_share(40, 5000), rules())
        assert posting.breach_is_listed(posting.breach_share(40, 5000), rules(breach_min_share=0.0))
        assert posting.breach_is_listed(None, rules())  # unknown enrollment: listed


class TestOverdueItems:
    def test_everything_overdue_shows(self, con, db_path):
        settings = Settings(db=db_path)
        v = f.vendor(con)
        f.agreement(con, v, None, signed=TODAY - dt.timedelta(days=20))  # posting overdue
        f.agreement(con, v, None, signed=TODAY - dt.timedelta(days=20), posted=TODAY - dt.timedelta(days=15))
        con.execute(
            "INSERT INTO breaches (vendor_id, learned_on, students_affected) VALUES (?, ?, 10)",
            [v, TODAY - dt.timedelta(days=40)],
        )
        con.execute(
            "INSERT INTO parent_requests (received_on, kind) VALUES (?, 'inspect'), (?, 'correct')",
            [TODAY - dt.timedelta(days=46), TODAY - dt.timedelta(days=46)],
        )
        items = posting.overdue_items(con, settings, TODAY)
        whats = [i["what"] for i in items]
        assert sum("Post the signed agreement" in w for w in whats) == 1
        assert any("Notify parents of breach" in w for w in whats)
        assert any("parent request" in w and "inspect" in w for w in whats)
        assert not any("correct" in w for w in whats)  # 90 days
        assert any("fiscal year 2026-27" in w for w in whats) and any(
            "calendar year 2026" in w for w in whats
        )
        assert all(i["severity"] == "overdue" for i in items)
        assert set(items[0]) >= {"what", "due", "severity"}

    def test_publication_stops_update_clocks(self, con, db_path):
        con.execute("INSERT INTO soppa_publications (published_on) VALUES (?)", [dt.date(2026, 7, 15)])
        assert posting.overdue_items(con, Settings(db=db_path), TODAY) == []

    def test_law_enforcement_delay_pauses_breach_clock(self, con, db_path):
        con.execute("INSERT INTO soppa_publications (published_on) VALUES (?)", [TODAY])
        con.execute(
            "INSERT INTO breaches (learned_on, students_affected, law_enforcement_delay) VALUES (?, 5, true)",
            [TODAY - dt.timedelta(days=60)],
        )
        assert posting.overdue_items(con, Settings(db=db_path), TODAY) == []


class TestPublicPage:
    def _content(self, con):
        v = f.vendor(con, MALICIOUS, address='"><img src=x onerror=alert(1)>')
        p = f.product(con, v, "Tool <b>bold</b>")
        f.agreement(con, v, p, signed=TODAY, document="javascript:alert(1)")
        con.execute(
            "INSERT INTO breaches (vendor_id, learned_on, students_affected, enrollment_total)"
            " VALUES (?, ?, 900, 5000), (?, ?, 40, 5000)",
            [v, TODAY, v, TODAY],
        )
        return posting.posting_content(
            con, rules(parent_rights_text="Parents <em>may</em> inspect & correct.")
        )

    def test_every_value_is_escaped(self, con):
        page = posting.render_html(self._content(con), district_name="D <100>", generated_on=TODAY)
        assert "<script>" not in page and "<img" not in page and "<b>bold" not in page and "<em>" not in page
        assert "&lt;script&gt;" in page and "D &lt;100&gt;" in page
        assert "javascript:" not in page  # a non-web link is not made a link

    def test_well_formed_and_accessible(self, con):
        page = posting.render_html(self._content(con), district_name="District 100", generated_on=TODAY)
        checker = _TagChecker()
        checker.feed(page)
        assert checker.stack == [] and not checker.errors
        assert '<html lang="en">' in page and "<title>" in page and page.count("<caption>") == 2
        assert '<th scope="col">Operator</th>' in page and "<h1>" in page

    def test_breach_below_share_is_left_off(self, con):
        content = self._content(con)
        assert [b["students_affected"] for b in content["breaches"]] == [900]

    def test_csv_neutralises_formulas(self, con):
        v = f.vendor(con, "=cmd|' /C calc'!A0")
        f.agreement(con, v, None, signed=TODAY)
        data = posting.operators_csv(posting.posting_content(con, rules())).decode("utf-8-sig")
        assert "'=cmd|" in data and "\n=cmd" not in data

    def test_publish_records_and_marks_agreements_posted(self, con, people, db_path):
        agreement_id = f.agreement(con, f.vendor(con), None, signed=TODAY - dt.timedelta(days=3))
        page = posting.publish(con, people["compliance"], Settings(db=db_path), TODAY)
        assert "Quest Learning" in page
        assert (
            con.execute(
                "SELECT posted_date FROM agreements WHERE agreement_id = ?", [agreement_id]
            ).fetchone()[0]
            == TODAY
        )
        assert posting.publications(con)[0]["operators_listed"] == 1

    def test_only_compliance_publishes(self, con, people, db_path):
        with pytest.raises(PermissionDenied):
            posting.publish(con, people["teacher"], Settings(db=db_path), TODAY)


class TestRulesAndRegisters:
    def test_rules_round_trip_and_editable_rights_text(self, con, people):
        posting.save_rules(con, people["compliance"], rules(business_days=False, parent_rights_text="X" * 30))
        loaded = posting.load_rules(con)
        assert loaded.business_days is False and loaded.parent_rights_text == "X" * 30

    def test_agreement_date_in_future_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            AgreementPostingForm.model_validate(
                {"signed_date": TODAY + dt.timedelta(days=1)}, context={"today": TODAY}
            )
        assert "signed_date" in field_errors(exc.value, AgreementPostingForm)

    def test_posted_before_signed_is_refused(self):
        with pytest.raises(ValidationError):
            AgreementPostingForm.model_validate(
                {"signed_date": TODAY, "posted_date": TODAY - dt.timedelta(days=1)}, context={"today": TODAY}
            )

    def test_breach_register_clock_and_share(self, con, people):
        v = f.vendor(con)
        form = BreachForm.model_validate(
            {
                "vendor_id": v,
                "learned_on": TODAY - dt.timedelta(days=31),
                "students_affected": 600,
                "enrollment_total": 5000,
            },
            context={"today": TODAY},
        )
        registers.record_breach(con, people["compliance"], form)
        row = registers.list_breaches(con, people["compliance"], TODAY)[0]
        assert row["notify_by"] == TODAY - dt.timedelta(days=1) and row["clock"].startswith("overdue by 1")
        assert row["share_of_enrollment"] == pytest.approx(0.12) and row["listed_publicly"]

    def test_breach_future_learned_date_refused(self):
        with pytest.raises(ValidationError) as exc:
            BreachForm.model_validate(
                {"learned_on": TODAY + dt.timedelta(days=2), "students_affected": 1}, context={"today": TODAY}
            )
        assert "learned_on" in field_errors(exc.value, BreachForm)

    def test_parent_request_log(self, con, people):
        form = ParentRequestForm.model_validate(
            {"received_on": TODAY - dt.timedelta(days=10), "kind": "correct"}, context={"today": TODAY}
        )
        registers.record_parent_request(con, people["compliance"], form)
        row = registers.list_parent_requests(con, people["compliance"], TODAY)[0]
        assert row["due"] == TODAY + dt.timedelta(days=80) and row["clock"] == "due in 80 days"

    def test_teacher_cannot_write_registers(self, con, people):
        form = ParentRequestForm(received_on=dt.date(2026, 1, 5), kind="inspect")
        with pytest.raises(PermissionDenied):
            registers.record_parent_request(con, people["teacher"], form)


class _TagChecker(html.parser.HTMLParser):
    """Every non-void element closes in order."""

    VOID = {"meta", "br", "img", "input", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)
