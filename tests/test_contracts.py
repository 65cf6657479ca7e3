"""Step 7: contract input rules, the expiry view, the calendar file and the exports."""

from __future__ import annotations

import datetime as dt
import decimal
import io

import openpyxl
import pytest
from icalendar import Calendar
from pydantic import ValidationError

from models.catalog import ContractForm
from models.errors import InvalidInput, PermissionDenied
from models.form_errors import field_errors
from services import contracts
from tests import steps69_factory as f

TODAY = f.TODAY


def form(product_id: int, *, days_left: int, notice: int = 60, **extra) -> ContractForm:
    end = TODAY + dt.timedelta(days=days_left)
    return ContractForm(
        product_id=product_id,
        start_date=end - dt.timedelta(days=365),
        end_date=end,
        notice_days=notice,
        annual_cost=decimal.Decimal("12500.50"),
        **extra,
    )


@pytest.fixture
def product_id(con):
    return f.product(con, f.vendor(con), "MathQuest")


class TestBadInput:
    def test_end_before_start_names_the_field(self):
        with pytest.raises(ValidationError) as exc:
            ContractForm(product_id=1, start_date=TODAY, end_date=TODAY - dt.timedelta(days=1), annual_cost=1)
        errors = field_errors(exc.value, ContractForm)
        assert list(errors) == ["end_date"]
        assert errors["end_date"].startswith("End date: must be after the start date")

    def test_notice_longer_than_term(self):
        with pytest.raises(ValidationError) as exc:
            ContractForm(
                product_id=1,
                start_date=TODAY,
                end_date=TODAY + dt.timedelta(days=30),
                notice_days=45,
                annual_cost=1,
            )
        errors = field_errors(exc.value, ContractForm)
        assert "notice_days" in errors and "longer than the contract term" in errors["notice_days"]

    def test_negative_cost_refused(self):
        with pytest.raises(ValidationError):
            ContractForm(
                product_id=1, start_date=TODAY, end_date=TODAY + dt.timedelta(days=30), annual_cost=-1
            )

    def test_agreement_of_another_vendor_refused(self, con, people, product_id):
        other = f.agreement(con, f.vendor(con, "Other Co"), None)
        with pytest.raises(InvalidInput, match="Linked agreement"):
            contracts.save_contract(
                con, people["business"], form(product_id, days_left=100, agreement_id=other)
            )

    def test_teacher_cannot_record(self, con, people, product_id):
        with pytest.raises(PermissionDenied):
            contracts.save_contract(con, people["teacher"], form(product_id, days_left=100))


class TestExpiry:
    def test_notice_deadline_is_end_minus_notice(self):
        assert contracts.notice_deadline(dt.date(2027, 6, 30), 60) == dt.date(2027, 5, 1)

    def test_windows(self, con, people, product_id):
        business = people["business"]
        ids = {
            days: contracts.save_contract(con, business, form(product_id, days_left=days, notice=notice))
            for days, notice in ((20, 0), (100, 60), (200, 30), (50, 90))
        }
        rows = {r["contract_id"]: r for r in contracts.expiring(con, business, TODAY, 120)}
        assert set(rows) == {ids[20], ids[100], ids[50]}  # 200 days, 30 notice: deadline in 170 days
        assert rows[ids[100]]["next_date"] == TODAY + dt.timedelta(days=40)
        assert rows[ids[100]]["window"] == 60
        end50 = TODAY + dt.timedelta(days=50)
        assert rows[ids[50]]["alert"].startswith("Notice deadline passed")
        assert rows[ids[50]]["alert"].endswith(f"{end50:%m/%d/%Y}") and rows[ids[50]]["days_left"] == 50
        assert rows[ids[20]]["window"] == 30
        only30 = contracts.expiring(con, business, TODAY, 30)
        assert {r["contract_id"] for r in only30} == {ids[20], ids[50]}

    def test_a_missed_notice_says_whether_the_contract_renews_or_ends(self, con, people, product_id):
        business = people["business"]
        renews = contracts.save_contract(con, business, form(product_id, days_left=30, auto_renew=True))
        ends = contracts.save_contract(con, business, form(product_id, days_left=31, auto_renew=False))
        rows = {r["contract_id"]: r["alert"] for r in contracts.expiring(con, business, TODAY, 120)}
        assert f"renews automatically {TODAY + dt.timedelta(days=30):%m/%d/%Y}" in rows[renews]
        assert f"ends {TODAY + dt.timedelta(days=31):%m/%d/%Y}" in rows[ends]

    def test_ended_or_cancelled_contracts_are_not_listed(self, con, people, product_id):
        contract_id = contracts.save_contract(con, people["business"], form(product_id, days_left=10))
        con.execute("UPDATE contracts SET status = 'cancelled' WHERE contract_id = ?", [contract_id])
        assert contracts.expiring(con, people["business"], TODAY, 120) == []

    def test_term_label(self):
        assert contracts.term_label(dt.date(2026, 7, 1), dt.date(2027, 6, 30)) == "1 year"
        assert contracts.term_label(dt.date(2026, 7, 1), dt.date(2029, 6, 30)) == "3 years"
        assert contracts.term_label(dt.date(2026, 7, 1), dt.date(2026, 12, 31)) == "6 months"
        # both days count: February is 28 days, a month is one month, a default term is one year
        assert contracts.term_label(dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == "1 month"
        assert contracts.term_label(dt.date(2026, 2, 1), dt.date(2026, 2, 14)) == "14 days"
        assert contracts.term_label(dt.date(2026, 2, 1), dt.date(2026, 2, 1)) == "1 day"
        today = dt.date(2026, 11, 29)
        assert contracts.default_end(today) == dt.date(2027, 11, 28)
        assert contracts.term_label(today, contracts.default_end(today)) == "1 year"


class TestCalendarAndExports:
    def test_ics_parses_with_notice_and_end_events(self, con, people, product_id):
        contracts.save_contract(con, people["business"], form(product_id, days_left=100, notice=60))
        rows = contracts.list_contracts(con, people["business"])
        data = contracts.calendar_ics(rows, district_name="District 100")
        cal = Calendar.from_ical(data)
        events = cal.walk("VEVENT")
        assert len(events) == 2
        starts = sorted(e.decoded("dtstart") for e in events)
        assert starts == [TODAY + dt.timedelta(days=40), TODAY + dt.timedelta(days=100)]
        assert all(e.get("uid") and e.get("dtstamp") for e in events)
        assert cal.get("version") == "2.0" and cal.get("prodid")

    def test_csv_neutralises_formulas_and_formats_money(self, con, people, product_id):
        contracts.save_contract(
            con,
            people["business"],
            form(product_id, days_left=100, po_number="=HYPERLINK(1)", funding_source="@SUM(A1)"),
        )
        text = contracts.export_csv(contracts.list_contracts(con, people["business"])).decode("utf-8-sig")
        assert "'=HYPERLINK(1)" in text and "'@SUM(A1)" in text
        assert '"$12,500.50"' in text

    def test_xlsx_money_format_and_text_cells(self, con, people, product_id):
        contracts.save_contract(con, people["business"], form(product_id, days_left=100, po_number="+1-2"))
        data = contracts.export_xlsx(contracts.list_contracts(con, people["business"]))
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        headers = [c.value for c in sheet[1]]
        cost = sheet.cell(row=2, column=headers.index("Annual cost") + 1)
        assert cost.value == 12500.5 and "$" in cost.number_format
        assert sheet.cell(row=2, column=headers.index("Purchase order") + 1).value == "'+1-2"


def test_the_default_end_date_survives_a_leap_day():
    """The contract form offers a one-year term from today; on 29 February date.replace() raised."""
    import datetime as dt

    from services.contracts import default_end

    assert default_end(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert default_end(dt.date(2028, 3, 1)) == dt.date(2029, 2, 28)
