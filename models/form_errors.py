"""Turn a pydantic ValidationError into messages that name the field, for inline form errors.

Pages catch `ValidationError` from a form model and show `field_errors(exc)` (or
`ui.forms.show_validation_errors`); each form model gives its fields a `title` so the message uses
words people see on the form, not column names. `plain_message` says what to fix in the district's
words ("needs at least 10 characters"), not pydantic's ("String should have at least 10 characters").
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError


def _number(value: Any) -> str:
    """5.0 -> '5', 0.5 -> '0.5', 12000 -> '12,000'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" without the quotes."""
    return expected.replace("'", "")


def plain_message(error: dict[str, Any]) -> str:
    """What is wrong with one field, as a person filling in the form would say it."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "is required"
    if kind == "string_too_short":
        return f"needs at least {_number(ctx['min_length'])} characters"
    if kind == "string_too_long":
        return f"is too long: at most {_number(ctx['max_length'])} characters"
    if kind == "too_short":
        count = ctx.get("min_length", 1)
        return "pick at least one" if count == 1 else f"needs at least {_number(count)} entries"
    if kind == "too_long":
        return f"has too many entries: at most {_number(ctx['max_length'])}"
    bounds = {
        "greater_than": ("must be more than", "gt"),
        "greater_than_equal": ("must be at least", "ge"),
        "less_than": ("must be less than", "lt"),
        "less_than_equal": ("must be at most", "le"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {_number(ctx[key])}"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"):
        return "must be a number"
    if kind.startswith(("date_", "datetime_")):
        return "must be a date, such as 08/15/2026"
    if kind in ("enum", "literal_error"):
        return f"must be one of: {_choices(str(ctx.get('expected', '')))}"
    if kind.startswith("bool_"):
        return "must be yes or no"
    if kind.startswith("url_"):
        return "must be a web address that starts with https:// or http://"
    if kind == "string_pattern_mismatch":
        return "is not in the expected form"
    if kind in ("string_type", "list_type", "dict_type", "model_type"):
        return "is not valid"
    return (
        str(error.get("msg", "is not valid")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    )


def field_errors(exc: ValidationError, model: type[BaseModel] | None = None) -> dict[str, str]:
    """{field: "Field label: what is wrong"}; errors of the whole form are keyed by ''."""
    out: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        name = loc[0] if loc else ""
        label = name.replace("_", " ").capitalize()
        if model is not None and name in model.model_fields:
            label = model.model_fields[name].title or label
        message = plain_message(error)
        out.setdefault(name, f"{label}: {message}" if name else message)
    return out
