"""Server-side session records (issue 13, point 5): log-out ends the session for every copy
of its cookie (and its remember-me cookie); members see their active sessions and can log the
others out; "last seen" is written at most every SESSION_TOUCH_SECONDS, not on every page."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from forum import clock
from forum.accounts.models import MemberSession
from forum.extensions import db
from tests.factories import PASSWORD


def _log_in(app, user, agent="Firefox on a desk", remember=False):
    client = app.test_client()
    response = client.post("/login", data={"login": user.email, "password": PASSWORD,
                                           **({"remember": "y"} if remember else {})},
                           headers={"User-Agent": agent})
    assert response.status_code == 302
    return client


def _copy(client, app, names=("session", "remember_token")):
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def _logged_in(client) -> bool:
    return client.get("/settings").status_code == 200


def test_log_out_ends_the_session_for_a_copied_cookie(app, make):
    member = make.user()
    browser = _log_in(app, member)
    thief = _copy(browser, app, names=("session",))
    assert _logged_in(thief)
    assert browser.post("/logout").status_code == 302
    assert not _logged_in(browser)
    assert not _logged_in(thief)


def test_log_out_ends_a_copied_remember_me_cookie_too(app, make):
    member = make.user()
    browser = _log_in(app, member, remember=True)
    assert browser.get_cookie("remember_token") is not None
    thief = _copy(browser, app, names=("remember_token",))
    assert _logged_in(thief)  # restored from the remember-me cookie alone
    browser.post("/logout")
    assert not _logged_in(_copy(browser, app, names=("remember_token",)))
    fresh_thief = app.test_client()
    fresh_thief.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert not _logged_in(fresh_thief)


def test_settings_list_sessions_and_log_out_the_others(app, make):
    member = make.user()
    desk = _log_in(app, member, agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    phone = _log_in(app, member, agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari")
    other = _log_in(app, make.user(), agent="Someone else's browser")
    page = desk.get("/settings/sessions")
    assert page.status_code == 200
    assert "Firefox" in page.text and "iPhone" in page.text
    assert "Someone else" not in page.text
    assert page.text.count("This device") == 1
    response = desk.post("/settings/sessions")
    assert response.status_code == 302
    assert _logged_in(desk) and not _logged_in(phone) and _logged_in(other)
    page = desk.get("/settings/sessions")
    assert "iPhone" not in page.text and "Firefox" in page.text


def test_changing_the_password_ends_every_other_session_record(app, make):
    member = make.user()
    desk, phone = _log_in(app, member), _log_in(app, member, agent="Phone")
    response = desk.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": "a brand new password",
        "confirm": "a brand new password"})
    assert response.status_code == 302
    assert _logged_in(desk) and not _logged_in(phone)
    with app.app_context():
        alive = db.session.scalars(select(MemberSession).where(
            MemberSession.user_id == member.id, MemberSession.ended_at.is_(None))).all()
        assert len(alive) == 1


def test_last_seen_is_written_at_most_every_few_minutes(app, make):
    member = make.user()
    browser = _log_in(app, member)
    writes: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE") and "member_sessions" in statement:
            writes.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert browser.get("/").status_code == 200
        assert writes == []
        clock.advance(timedelta(seconds=app.config["SESSION_TOUCH_SECONDS"] + 1))
        for _ in range(3):
            assert browser.get("/").status_code == 200
        assert len(writes) == 1
    finally:
        event.remove(engine, "before_cursor_execute", count)
    with app.app_context():
        record = db.session.scalar(select(MemberSession).where(
            MemberSession.user_id == member.id))
        assert record.last_seen_at > record.created_at
        assert record.user_agent == "Firefox on a desk"


def test_a_session_idle_too_long_is_over(app, make):
    member = make.user()
    browser = _log_in(app, member)
    clock.advance(timedelta(days=app.config["SESSION_IDLE_DAYS"], seconds=1))
    assert not _logged_in(browser)
