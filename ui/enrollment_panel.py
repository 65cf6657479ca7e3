"""The enrollment behind per-student seats: what is on file (school x grade) and a form to enter a count.

Returns what was entered; the page saves it through services/enrollment.py.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from models.costs import grade_label
from services.costs.fiscal import fiscal_year_label
from services.enrollment import MAX_STUDENTS
from ui.context import state_key

GRADES = list(range(-1, 13))


def enrollment_panel(
    table: pd.DataFrame, schools: dict[str, int], fiscal_year: int, *, can_edit: bool
) -> dict[str, Any] | None:
    """Show counts for `fiscal_year` as school x grade; return a count to save when one is entered."""
    if table.empty:
        st.caption(f"No enrollment on file for {fiscal_year_label(fiscal_year)}.")
    else:
        pivot = table.pivot_table(
            index="school", columns="grade", values="students", aggfunc="sum", fill_value=0
        )
        pivot.columns = [grade_label(int(g)) for g in pivot.columns]
        pivot["Total"] = pivot.sum(axis=1)
        sources = ", ".join(sorted(table["source"].unique()))
        st.caption(
            f"{fiscal_year_label(fiscal_year)} · source: {sources} · roster counts come from the import"
        )
        st.dataframe(pivot, width="stretch")
    if not can_edit or not schools:
        return None
    with st.form(state_key("budget", f"enrollment.{fiscal_year}")):
        c1, c2, c3 = st.columns(3)
        school = c1.selectbox("School", list(schools))
        grade = c2.selectbox("Grade", GRADES, index=1, format_func=grade_label)
        students = c3.number_input("Students", value=0, step=1, min_value=0, max_value=MAX_STUDENTS)
        if not st.form_submit_button(f"Enter a count for {fiscal_year_label(fiscal_year)}"):
            return None
    return {
        "school_id": schools[school],
        "fiscal_year": fiscal_year,
        "grade": grade,
        "students": int(students),
    }
