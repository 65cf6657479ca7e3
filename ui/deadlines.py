"""The home page's steps 6-9 section: SOPPA clocks and upcoming plan reviews.

Kept here (not in pages/home.py) so the home page needs one call; the rules behind each date
live in services/soppa_posting.py and services/plans.py.
"""

from __future__ import annotations

import streamlit as st

from services import plans, soppa_posting
from services.permissions import Action
from ui.plain import md
from ui.widgets import page_link

BADGES = {
    "overdue": ":red-badge[Overdue]",
    "due_soon": ":orange-badge[Due soon]",
    "upcoming": ":blue-badge[Upcoming]",
}


def show_deadlines(ctx, within_days: int = 30) -> None:
    """SOPPA items overdue or due within a week, and plan reviews due within `within_days`."""
    st.subheader("SOPPA deadlines and plan reviews")
    soppa_due = soppa_posting.overdue_items(ctx.con, ctx.settings)
    reviews = plans.upcoming_reviews(ctx.con, within_days=within_days)
    if not soppa_due and not reviews:
        st.success(f"No SOPPA deadline is near and no plan review is due in the next {within_days} days.")
        return
    for item in soppa_due:
        st.markdown(f"{BADGES[item['severity']]} {md(item['what'])}: due {item['due']:%m/%d/%Y}")
    if soppa_due and ctx.can(Action.VIEW_PIPELINE):
        page_link("pages/soppa.py", "Open SOPPA posting and registers", icon=":material/shield_person:")
    for review in reviews:
        st.markdown(
            f"{BADGES[review['severity']]} {md(review['what'])} for {md(review['product'])}: "
            f"{review['due']:%m/%d/%Y}"
        )
    if reviews:
        page_link("pages/goals_plan.py", "Open goals and plans", icon=":material/flag:")
