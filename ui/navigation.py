"""The page registry: which pages exist, under which heading, and which permission shows them.

app.py builds the menu per role from this list with `st.navigation`. To add a page, add a line.
Services enforce permissions again; hiding a page is only a convenience.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.permissions import Action


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    action: Action
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec("pages/home.py", "Pipeline", "🏠", "Purchasing", Action.VIEW_PIPELINE, default=True),
    PageSpec("pages/request.py", "Request", "📄", "Purchasing", Action.VIEW_PIPELINE),
    PageSpec("pages/new_request.py", "New request", "➕", "Purchasing", Action.CREATE_REQUEST),
    PageSpec("pages/people.py", "People & roles", "👥", "Administration", Action.MANAGE_PEOPLE),
    PageSpec("pages/audit.py", "Audit log", "🧾", "Administration", Action.VIEW_AUDIT),
]
