"""Turn pydantic validation errors into one inline message per field, in people's words."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from models.form_errors import plain_message


def validation_messages(exc: ValidationError, labels: dict[str, str] | None = None) -> list[str]:
    labels = labels or {}
    out = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ()) if not isinstance(p, int)) or "form"
        name = labels.get(field, field.replace("_", " ").capitalize())
        out.append(f"**{name}**: {plain_message(error)}")
    return out


def entry_form_key(base: str) -> str:
    """The key of a form that adds entries one after another. Why not `clear_on_submit`: that also
    empties the form when the entry is refused, so people lose what they typed with the message that
    asks them to fix it. Call `entry_saved(base)` after a save: the next run shows an empty form."""
    return f"{base}.{st.session_state.get(f'{base}.saved', 0)}"


def entry_saved(base: str) -> None:
    st.session_state[f"{base}.saved"] = st.session_state.get(f"{base}.saved", 0) + 1


def show_validation_errors(exc: ValidationError, labels: dict[str, str] | None = None) -> None:
    st.error("Please fix the following:\n\n" + "\n".join(f"- {m}" for m in validation_messages(exc, labels)))
