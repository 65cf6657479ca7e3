"""Fiscal years the district's way: FY2027 runs July 2026 - June 2027 when the year starts in July.

The one home of fiscal-year arithmetic and labels; the start month comes from
Settings.fiscal_year_start_month, so a district whose year starts in another month changes one setting.
A fiscal year is named after the calendar year in which it ends.
"""

from __future__ import annotations

import calendar
import datetime as dt


def fiscal_year_of(day: dt.date, start_month: int = 7) -> int:
    """The fiscal year a date falls in (named by the calendar year it ends in)."""
    if start_month == 1:
        return day.year
    return day.year + 1 if day.month >= start_month else day.year


def fiscal_year_label(fiscal_year: int) -> str:
    return f"FY{fiscal_year}"


def fiscal_year_span(fiscal_year: int, start_month: int = 7) -> str:
    """ "July 2026 - June 2027" for FY2027 with a July start."""
    first_year = fiscal_year if start_month == 1 else fiscal_year - 1
    end_month = 12 if start_month == 1 else start_month - 1
    return f"{calendar.month_name[start_month]} {first_year} - {calendar.month_name[end_month]} {fiscal_year}"


def next_fiscal_year(today: dt.date, start_month: int = 7) -> int:
    """Purchases are usually planned for the coming fiscal year."""
    return fiscal_year_of(today, start_month) + 1
