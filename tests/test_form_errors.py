"""Form errors say what to fix in the words of the form, not pydantic's."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

import pytest
from pydantic import BaseModel, Field, HttpUrl, ValidationError, field_validator

from models.form_errors import field_errors, plain_message
from ui.forms import validation_messages


class Color(StrEnum):
    RED = "red"
    BLUE = "blue"


class Sample(BaseModel):
    title: str = Field(min_length=3, max_length=8, title="Request title")
    name: str = Field(min_length=1)
    seats: int = Field(gt=0, le=12000)
    cost: float = Field(ge=0)
    start: dt.date
    color: Color
    level: Literal["low", "high"]
    grades: list[int] = Field(min_length=1)
    link: HttpUrl
    note: str = ""

    @field_validator("note")
    @classmethod
    def no_shouting(cls, value: str) -> str:
        if value.isupper():
            raise ValueError("write it in ordinary case")
        return value


GOOD = dict(
    title="Phonics",
    name="Ann",
    seats=10,
    cost=5.0,
    start="2026-08-15",
    color="red",
    level="low",
    grades=[3],
    link="https://example.org",
)


def message_for(field: str, value) -> str:
    with pytest.raises(ValidationError) as exc:
        Sample(**{**GOOD, field: value})
    [error] = exc.value.errors()
    return plain_message(error)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("title", "ab", "needs at least 3 characters"),
        ("title", "a" * 9, "is too long: at most 8 characters"),
        ("name", "", "is required"),
        ("seats", 0, "must be more than 0"),
        ("seats", 12001, "must be at most 12,000"),
        ("seats", "ten", "must be a whole number"),
        ("seats", 2.5, "must be a whole number"),
        ("cost", -1, "must be at least 0"),
        ("cost", "five", "must be a number"),
        ("start", "13/45/2020", "must be a date, such as 08/15/2026"),
        ("color", "green", "must be one of: red or blue"),
        ("level", "mid", "must be one of: low or high"),
        ("grades", [], "pick at least one"),
        ("link", "ftp://example.org", "must be a web address that starts with https:// or http://"),
        ("note", "LOUD", "write it in ordinary case"),
    ],
)
def test_each_kind_of_mistake_is_said_plainly(field, value, expected):
    assert message_for(field, value) == expected


def test_a_missing_field_is_required():
    data = dict(GOOD)
    del data["seats"]
    with pytest.raises(ValidationError) as exc:
        Sample(**data)
    assert field_errors(exc.value, Sample) == {"seats": "Seats: is required"}


def test_field_errors_use_the_form_title_and_keep_one_message_per_field():
    with pytest.raises(ValidationError) as exc:
        Sample(**{**GOOD, "title": "ab", "cost": -2})
    assert field_errors(exc.value, Sample) == {
        "title": "Request title: needs at least 3 characters",
        "cost": "Cost: must be at least 0",
    }


def test_page_messages_use_the_labels_the_page_gives():
    with pytest.raises(ValidationError) as exc:
        Sample(**{**GOOD, "seats": -3, "grades": []})
    assert validation_messages(exc.value, {"seats": "Licenses"}) == [
        "**Licenses**: must be more than 0",
        "**Grades**: pick at least one",
    ]
