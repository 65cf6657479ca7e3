"""What an import is asked to do and what it reports: shared by the CLI, the service and the page."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

ImportKindName = Literal["roster", "usage", "assessments", "feedback"]


class ImportRequest(BaseModel):
    kind: ImportKindName
    path: Path
    format: str | None = Field(default=None, max_length=64)
    tool: str | None = Field(default=None, min_length=1, max_length=200)
    subject: str | None = Field(default=None, min_length=1, max_length=100)
    file_name: str | None = Field(default=None, max_length=255)  # the uploaded name, when path is a temp copy

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
