"""What an import is asked to do and what it reports: shared by the CLI, the service and the page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, Field, field_validator

ImportKindName = Literal["roster", "usage", "assessments", "feedback"]
DEFAULT_TIMEZONE = "America/Chicago"  # Illinois; settings.district_timezone says otherwise


@lru_cache(maxsize=1)
def _timezone_names() -> frozenset[str]:
    # 'localtime' names the server's own zone file: DuckDB does not know it, and it is not a place
    return frozenset(available_timezones() - {"localtime"})


def known_timezone(value: str) -> str:
    """An IANA time zone name ('America/Chicago'), else a message saying what to write."""
    if value not in _timezone_names():
        raise ValueError(
            f"'{value}' is not a time zone name; write one like America/Chicago or America/New_York"
        )
    return value


class ImportRequest(BaseModel):
    kind: ImportKindName
    path: Path
    format: str | None = Field(default=None, max_length=64)
    tool: str | None = Field(default=None, min_length=1, max_length=200)
    subject: str | None = Field(default=None, min_length=1, max_length=100)
    file_name: str | None = Field(default=None, max_length=255)  # the uploaded name, when path is a temp copy
    # times written with a zone (a UTC login timestamp) are read as the district's wall-clock time
    timezone: str = DEFAULT_TIMEZONE

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return known_timezone(value)

    @property
    def display_name(self) -> str:
        return self.file_name or self.path.name


class ImportOutcome(BaseModel):
    """The summary of one import; `--json` prints exactly this."""

    kind: str
    format: str
    file_name: str
    import_id: int | None = None
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rows_warned: int = 0
    already_imported: bool = False
    warnings: list[str] = Field(default_factory=list)
    message: str = ""
