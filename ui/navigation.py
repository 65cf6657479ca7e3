"""The page registry: which pages exist, under which heading, and which permission shows them.

app.py builds the menu per role from this list with `st.navigation`. To add a page, add a line.
Services enforce permissions again; hiding a page is only a convenience.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.permissions import Action

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    action: Action
    default: bool = False

    def exists(self) -> bool:
        """tests/test_navigation.py fails when a registered page file is missing."""
        return (ROOT / self.path).exists()


PAGES: list[PageSpec] = [
    PageSpec(
        "pages/home.py", "Pipeline", ":material/dashboard:", "Purchasing", Action.VIEW_PIPELINE, default=True
    ),
    PageSpec("pages/request.py", "Request", ":material/description:", "Purchasing", Action.VIEW_PIPELINE),
    PageSpec(
        "pages/new_request.py", "New request", ":material/add_circle:", "Purchasing", Action.CREATE_REQUEST
    ),
    PageSpec(
        "pages/criteria.py", "Vendor criteria", ":material/checklist:", "Purchasing", Action.MANAGE_CRITERIA
    ),
    PageSpec(
        "pages/agreements.py", "Agreements & SOPPA", ":material/lock:", "Purchasing", Action.MANAGE_AGREEMENTS
    ),
    PageSpec(
        "pages/budget.py",
        "Budget & cost scenarios",
        ":material/payments:",
        "Purchasing",
        Action.VIEW_PIPELINE,
    ),
    PageSpec("pages/review.py", "Vendor review", ":material/star:", "Purchasing", Action.VIEW_PIPELINE),
    PageSpec(
        "pages/compare.py", "Compare vendors", ":material/compare_arrows:", "Purchasing", Action.VIEW_PIPELINE
    ),
    PageSpec(
        "pages/decision.py", "Decision & purchase", ":material/task_alt:", "Purchasing", Action.VIEW_PIPELINE
    ),
    # first VIEW_CATALOG page: a teacher (no pipeline access) lands here
    PageSpec("pages/catalog.py", "Tool catalog", ":material/apps:", "Catalog", Action.VIEW_CATALOG),
    PageSpec(
        "pages/contracts.py", "Contracts", ":material/contract:", "Contracts & privacy", Action.VIEW_PIPELINE
    ),
    PageSpec(
        "pages/soppa.py",
        "SOPPA posting",
        ":material/shield_person:",
        "Contracts & privacy",
        Action.VIEW_PIPELINE,
    ),
    PageSpec(
        "pages/goals_plan.py", "Goals & plan", ":material/flag:", "Implementation", Action.VIEW_PIPELINE
    ),
    PageSpec(
        "pages/monitoring.py", "Usage & outcomes", ":material/monitoring:", "Evidence", Action.VIEW_EVIDENCE
    ),
    PageSpec("pages/decisions.py", "Reflect & decide", ":material/gavel:", "Evidence", Action.VIEW_EVIDENCE),
    PageSpec("pages/imports.py", "Import data", ":material/upload_file:", "Evidence", Action.IMPORT_DATA),
    PageSpec("pages/people.py", "People & roles", ":material/group:", "Administration", Action.MANAGE_PEOPLE),
    PageSpec("pages/audit.py", "Audit log", ":material/history:", "Administration", Action.VIEW_AUDIT),
]
