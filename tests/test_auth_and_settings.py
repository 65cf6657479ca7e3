"""Local sign-in (argon2 hashes, lockout), the student-id key file, and the page registry."""

from __future__ import annotations

import datetime as dt
import stat

import pytest

from models.enums import Role
from models.errors import PermissionDenied
from services import auth
from services.permissions import PERMISSIONS, Action, can, require
from settings import Settings
from tests.conftest import make_person


@pytest.fixture
def account(con):
    actor = make_person(con, "pat@district.test", Role.REQUESTER)
    con.execute(
        "UPDATE people SET password_hash = ? WHERE person_id = ?",
        [auth.hash_password("correct horse battery"), actor.person_id],
    )
    return actor


class TestSignIn:
    def test_right_password_signs_in_with_roles(self, con, account):
        actor = auth.authenticate(con, "  PAT@district.test ", "correct horse battery")
        assert actor.person_id == account.person_id and actor.roles == {Role.REQUESTER}

    def test_hashes_are_salted_and_slow(self):
        first, second = auth.hash_password("same password!"), auth.hash_password("same password!")
        assert first != second and first.startswith("$argon2id$")

    def test_wrong_password_and_unknown_email_get_the_same_message(self, con, account):
        with pytest.raises(auth.SignInFailed) as wrong:
            auth.authenticate(con, "pat@district.test", "nope nope nope")
        with pytest.raises(auth.SignInFailed) as unknown:
            auth.authenticate(con, "nobody@district.test", "nope nope nope")
        assert wrong.value.message == unknown.value.message

    def test_lockout_after_repeated_failures_even_with_the_right_password(self, con, account):
        now = dt.datetime(2026, 11, 28, 9, 0)
        for _ in range(4):
            with pytest.raises(auth.SignInFailed):
                auth.authenticate(con, "pat@district.test", "bad password", now=now)
        with pytest.raises(auth.SignInFailed, match="locked"):
            auth.authenticate(con, "pat@district.test", "bad password", now=now)
        with pytest.raises(auth.SignInFailed, match="locked"):
            auth.authenticate(
                con, "pat@district.test", "correct horse battery", now=now + dt.timedelta(minutes=5)
            )
        later = now + dt.timedelta(minutes=16)
        assert (
            auth.authenticate(con, "pat@district.test", "correct horse battery", now=later).email
            == account.email
        )

    def test_deactivated_people_cannot_sign_in(self, con, account):
        con.execute("UPDATE people SET active = false WHERE person_id = ?", [account.person_id])
        with pytest.raises(auth.SignInFailed):
            auth.authenticate(con, "pat@district.test", "correct horse battery")

    def test_short_passwords_are_refused(self):
        with pytest.raises(auth.SignInFailed, match="at least"):
            auth.hash_password("short")


class TestPermissions:
    def test_each_role_only_does_its_own_step(self, people):
        assert can(people["compliance"], Action.RECORD_SOPPA)
        assert not any(can(people[h], Action.RECORD_SOPPA) for h in people if h != "compliance")
        assert can(people["technology"], Action.VERIFY_INTEGRATION)
        assert not any(can(people[h], Action.VERIFY_INTEGRATION) for h in people if h != "technology")
        assert not can(people["requester"], Action.DECIDE_REQUEST)

    def test_a_teacher_can_only_read_the_catalog(self, people):
        teacher_actions = {a for a in Action if can(people["teacher"], a)}
        assert teacher_actions == {Action.VIEW_CATALOG}

    def test_every_action_has_someone_who_may_do_it(self):
        assert all(PERMISSIONS[a] for a in Action)

    def test_refusal_names_the_roles_that_can(self, people):
        with pytest.raises(PermissionDenied, match="Compliance officer"):
            require(people["requester"], Action.RECORD_SOPPA)


class TestSettings:
    def test_key_file_is_created_once_with_owner_only_permissions(self, tmp_path):
        settings = Settings(db=tmp_path / "x.duckdb", id_secret=None)
        secret = settings.student_id_secret()
        assert settings.student_id_secret() == secret and len(secret) == 64
        assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600

    def test_environment_secret_wins_and_is_never_written(self, tmp_path, monkeypatch):
        monkeypatch.setenv("EDTECH_ID_SECRET", "from-env")
        monkeypatch.setenv("EDTECH_DB", str(tmp_path / "y.duckdb"))
        settings = Settings()
        assert settings.student_id_secret() == b"from-env" and not settings.key_file.exists()
        assert settings.db_path == tmp_path / "y.duckdb"

    def test_defaults(self, monkeypatch):
        for var in ("EDTECH_DB", "EDTECH_SMALL_CELL_THRESHOLD", "EDTECH_FISCAL_YEAR_START_MONTH"):
            monkeypatch.delenv(var, raising=False)
        settings = Settings()
        assert (settings.small_cell_threshold, settings.fiscal_year_start_month) == (10, 7)
        assert settings.db_path.name == "edtech.duckdb" and settings.db_path.parent.name == "data"


class TestNavigation:
    def test_every_registered_page_exists_and_every_page_is_registered(self):
        from ui.navigation import PAGES, ROOT

        registered = {spec.path for spec in PAGES}
        assert all(spec.exists() for spec in PAGES), [s.path for s in PAGES if not s.exists()]
        on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
        assert on_disk == registered
