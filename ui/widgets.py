"""Small rendering helpers shared by pages: links that survive a missing page, stage stepper,
money formatting, empty states."""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from models.enums import Stage
from services.lifecycle import PIPELINE_ORDER


def page_link(path: str, label: str, *, icon: str | None = None, query: dict[str, Any] | None = None) -> None:
    """st.page_link, or plain text when the page is not in this person's menu (or under AppTest)."""
    try:
        st.page_link(
            path, label=label, icon=icon, query_params={k: str(v) for k, v in (query or {}).items()} or None
        )
    except (StreamlitAPIException, KeyError, ValueError):
        st.caption(f"{label} (not available to your role)")


def go(path: str, query: dict[str, Any] | None = None) -> None:
    """Switch page, keeping the person signed in (same session)."""
    try:
        st.switch_page(path, query_params={k: str(v) for k, v in (query or {}).items()} or None)
    except StreamlitAPIException:
        st.info("That page is not in your menu.")


def money(value: Any) -> str:
    if value is None:
        return "—"
    return f"${float(value):,.0f}"


def stage_stepper(stage: Stage) -> None:
    """The ten SOP steps in one line, with the request's current step highlighted."""
    current = stage.sop_step
    parts = []
    seen_steps: set[int] = set()
    for s in PIPELINE_ORDER:
        step = s.sop_step
        if step in seen_steps:
            continue
        seen_steps.add(step)
        name = s.label.split("·", 1)[-1].strip()
        if current is None:
            parts.append(f"{step} {name}")
        elif step < current:
            parts.append(f"✅ {step} {name}")
        elif step == current:
            parts.append(f"**▶ {step} {name}**")
        else:
            parts.append(f"◻️ {step} {name}")
    st.markdown(" → ".join(parts))
    if current is None:
        st.info(f"This request is **{stage.label}**.")


def empty_state(message: str, *, next_step: str | None = None) -> None:
    st.info(message + (f"\n\n**Next:** {next_step}" if next_step else ""))
