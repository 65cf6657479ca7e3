"""Turn a pydantic ValidationError into messages that name the field, for inline form errors.

Pages catch `ValidationError` from a form model and show `field_errors(exc)`; each form model
gives its fields a `title` so the message uses words people see on the form, not column names.
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError


def field_errors(exc: ValidationError, model: type[BaseModel] | None = None) -> dict[str, str]:
    """{field: "Field label: what is wrong"}; errors of the whole form are keyed by ''."""
    out: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        name = loc[0] if loc else ""
        label = name.replace("_", " ").capitalize()
        if model is not None and name in model.model_fields:
            label = model.model_fields[name].title or label
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        out.setdefault(name, f"{label}: {message}" if name else message)
    return out
