"""Shared fixtures: a fresh migrated DuckDB file per test, people with roles, a demo copy per test."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db.connection import connect  # noqa: E402
from db.migrate import apply_migrations  # noqa: E402
from models.enums import Role  # noqa: E402
from models.people import Actor  # noqa: E402
from settings import Settings  # noqa: E402


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def con(db_path: Path):
    connection = connect(db_path)
    apply_migrations(connection)
    yield connection
    connection.close()


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings(db=db_path, id_secret="test-secret")


def make_person(con, email: str, *roles: Role, name: str | None = None) -> Actor:
    person_id = con.execute(
        "INSERT INTO people (email, full_name) VALUES (?, ?) RETURNING person_id",
        [email, name or email.split("@")[0].title()],
    ).fetchone()[0]
    for role in roles:
        con.execute("INSERT INTO person_roles VALUES (?, ?)", [person_id, role.value])
    return Actor(person_id=person_id, email=email, full_name=name or email, roles=frozenset(roles))


@pytest.fixture
def people(con) -> dict[str, Actor]:
    """One person per role, plus a second requester and a second reviewer."""
    handles = {
        "requester": Role.REQUESTER,
        "requester2": Role.REQUESTER,
        "reviewer": Role.COMMITTEE_REVIEWER,
        "reviewer2": Role.COMMITTEE_REVIEWER,
        "compliance": Role.COMPLIANCE_OFFICER,
        "technology": Role.TECHNOLOGY,
        "business": Role.BUSINESS_OFFICE,
        "approver": Role.APPROVER,
        "teacher": Role.TEACHER,
        "admin": Role.ADMIN,
    }
    return {h: make_person(con, f"{h}@district.test", role) for h, role in handles.items()}


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo district, built once per test session; tests get a private copy (`demo_db`)."""
    from demo.seed import seed_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    settings = Settings(db=path, id_secret="demo-test-secret")
    connection = connect(path)
    apply_migrations(connection)
    seed_demo(connection, settings)
    connection.close()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the demo database; the app under AppTest is pointed at it."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("EDTECH_DB", str(path))
    monkeypatch.setenv("EDTECH_ID_SECRET", "demo-test-secret")
    return path
