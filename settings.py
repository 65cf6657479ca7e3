"""One home for configuration: every knob the product reads from the environment.

Read with `get_settings()`; tests build `Settings(db_path=...)` directly. The secret used to
pseudonymize student ids is never stored in the database: it comes from `EDTECH_ID_SECRET` or
from a key file created on first use beside the database with 0600 permissions.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.imports import DEFAULT_TIMEZONE, known_timezone

REPO_ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EDTECH_", extra="ignore")

    db: Path = Field(default=REPO_ROOT / "data" / "edtech.duckdb", description="DuckDB file")
    id_secret: str | None = Field(default=None, description="HMAC key for student ids")
    small_cell_threshold: int = Field(default=10, ge=1, le=100)
    fiscal_year_start_month: int = Field(default=7, ge=1, le=12)
    lock_wait_seconds: float = Field(default=15.0, ge=0, le=600)
    max_failed_logins: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=1440)
    # a local sign-in is remembered in the browser for this long (0: sign in again after a reload)
    session_hours: int = Field(default=8, ge=0, le=24 * 30)
    district_name: str = Field(default="District 100")
    # the district's clock: an export's time written in UTC or another zone is read in this one
    district_timezone: str = Field(default=DEFAULT_TIMEZONE)

    @field_validator("district_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return known_timezone(value)

    @field_validator("db", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        return Path(os.path.expanduser(str(value))) if value else value

    @property
    def db_path(self) -> Path:
        return self.db

    @property
    def key_file(self) -> Path:
        return self.db.with_name(self.db.name + ".key")

    def student_id_secret(self) -> bytes:
        """The HMAC key: from the environment, else a 0600 key file beside the database."""
        if self.id_secret:
            return self.id_secret.encode()
        path = self.key_file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return path.read_text().strip().encode()


def settings_problem(exc: ValidationError) -> str:
    """What to fix, one line, when an EDTECH_ environment variable cannot be read."""
    return "; ".join(
        f"EDTECH_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
