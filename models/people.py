"""Who is acting: the signed-in person and their roles, and the admin's person form."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.enums import Role


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    person_id: int
    email: str
    full_name: str
    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


class PersonCreate(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    full_name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    school_id: int | None = None
    roles: list[Role] = Field(min_length=1)

    @field_validator("full_name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())  # '  Trail  ' is 'Trail'
        if not value:
            raise ValueError("enter the person's name")
        return value

    @field_validator("title", "department")
    @classmethod
    def _optional_text(cls, value: str | None) -> str | None:
        return (" ".join(value.split()) or None) if value is not None else None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower()
        local, _, domain = value.partition("@")
        if not local or "." not in domain or " " in value:
            raise ValueError("enter an email address like name@district.org")
        return value
