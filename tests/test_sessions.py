"""Remembered local sign-ins (services/sessions.py): what a token can and cannot do."""

from __future__ import annotations

import datetime as dt

import pytest

from services import people as people_service
from services import sessions

NOW = dt.datetime(2026, 11, 28, 9, 0)


def test_a_token_signs_its_person_in_until_it_expires(con, people):
    token = sessions.start(con, people["approver"].person_id, hours=8, now=NOW)
    assert sessions.resume(con, token, now=NOW + dt.timedelta(hours=7)) == people["approver"].person_id
    assert sessions.resume(con, token, now=NOW + dt.timedelta(hours=8)) is None


def test_only_the_hash_is_stored(con, people):
    token = sessions.start(con, people["approver"].person_id, hours=8, now=NOW)
    stored = con.execute("SELECT token_hash FROM web_sessions").fetchall()
    assert len(stored) == 1 and token not in stored[0][0]


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 500])
def test_unknown_or_odd_tokens_sign_nobody_in(con, people, token):
    sessions.start(con, people["approver"].person_id, hours=8, now=NOW)
    assert sessions.resume(con, token, now=NOW) is None


def test_signing_out_ends_the_token_everywhere(con, people):
    token = sessions.start(con, people["approver"].person_id, hours=8, now=NOW)
    other = sessions.start(con, people["approver"].person_id, hours=8, now=NOW)
    sessions.end(con, token)
    assert sessions.resume(con, token, now=NOW) is None
    assert sessions.resume(con, other, now=NOW) == people["approver"].person_id  # another browser


def test_deactivation_and_a_password_reset_end_every_session(con, people):
    admin, approver, teacher = people["admin"], people["approver"], people["teacher"]
    mine = sessions.start(con, approver.person_id, hours=8)
    theirs = sessions.start(con, teacher.person_id, hours=8)
    people_service.reset_password(con, admin, approver.person_id, "a-new-long-password")
    assert sessions.resume(con, mine) is None
    people_service.set_active(con, admin, teacher.person_id, False)
    assert sessions.resume(con, theirs) is None


def test_expired_sessions_are_cleared_when_a_new_one_starts(con, people):
    sessions.start(con, people["approver"].person_id, hours=1, now=NOW)
    sessions.start(con, people["teacher"].person_id, hours=1, now=NOW + dt.timedelta(hours=2))
    assert con.execute("SELECT count(*) FROM web_sessions").fetchone() == (1,)


def test_the_cookie_script_sets_or_removes_only_a_token():
    token = "abc-DEF_123"
    assert "edtech_session=abc-DEF_123; Path=/; Max-Age=28800; SameSite=Strict" in sessions.cookie_script(
        token, hours=8
    )
    assert "edtech_session=; Path=/; Max-Age=0" in sessions.cookie_script(None, hours=8)
    with pytest.raises(ValueError):
        sessions.cookie_script("x'; alert(1); '", hours=8)
