"""Every POST needs a CSRF token. A form whose token failed comes back with the text kept."""
from __future__ import annotations

import re

import pytest

from forum import create_app
from forum.config import TestConfig
from forum.extensions import db
from tests.conftest import config_dict
from tests.factories import PASSWORD


@pytest.fixture
def csrf_client(app):
    """A client of an app with CSRF protection on, sharing the test database."""
    protected = create_app({**config_dict(TestConfig), "WTF_CSRF_ENABLED": True,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield protected.test_client()
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _log_in(client, user):
    token = _token(client.get("/login").text)
    response = client.post("/login", data={"login": user.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


def test_reply_without_token_is_refused_with_message_and_text_kept(csrf_client, make, app):
    topic = make.topic()
    _log_in(csrf_client, make.user())
    response = csrf_client.post(f"/t/{topic.id}/reply",
                                data={"body": "A long reply I must not lose",
                                      "submit": "Post reply"})
    assert response.status_code == 400
    assert "This form had expired, so nothing was saved." in response.text
    assert "A long reply I must not lose" in response.text
    assert "There is a problem" in response.text
    # the re-shown form carries a fresh token that works
    response = csrf_client.post(f"/t/{topic.id}/reply", data={
        "body": "A long reply I must not lose", "submit": "Post reply",
        "csrf_token": _token(response.text)})
    assert response.status_code == 302
    assert "A long reply I must not lose" in csrf_client.get(
        response.headers["Location"].split("#")[0]).text


def test_expired_token_keeps_new_topic_text(csrf_client, make, app):
    forum = make.forum(slug="misc")
    _log_in(csrf_client, make.user())
    response = csrf_client.post("/t/new?forum=misc", data={
        "forum": forum.id, "title": "My typed title", "body": "My typed body",
        "csrf_token": "expired-or-forged", "submit": "Post topic"})
    assert response.status_code == 400
    assert 'value="My typed title"' in response.text and "My typed body" in response.text


@pytest.mark.parametrize("url", ["/login", "/register", "/logout", "/settings"])
def test_other_posts_without_token_are_refused(csrf_client, url):
    response = csrf_client.post(url, data={"login": "someone", "password": "whatever"})
    assert response.status_code == 400
    assert "This form had expired" in response.text


def test_action_buttons_without_token_do_nothing(csrf_client, make, app):
    user = make.user()
    topic = make.topic(author=user, replies=1)
    _log_in(csrf_client, user)
    from forum.board.models import Post
    with app.app_context():
        reply = db.session.query(Post).filter_by(topic_id=topic.id, position=2).one()
    assert csrf_client.post(f"/p/{reply.id}/hide", data={"reason": "x"}).status_code == 400
    assert csrf_client.post("/logout").status_code == 400
    with app.app_context():
        assert db.session.get(Post, reply.id).hidden_at is None
    assert "Log out" in csrf_client.get("/").text


def test_a_members_pages_reuse_the_signed_token_for_a_minute(csrf_client, make, app,
                                                            monkeypatch):
    """Signing the session's token is done for one page and reused by the next pages for
    CSRF_REUSE_SECONDS (forum/templating.py); the reused token is accepted."""
    import itsdangerous.timed
    from forum import templating
    seconds = iter(range(1_700_000_000, 1_800_000_000))  # every signature a second later
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: next(seconds))
    now = [1000.0]
    monkeypatch.setattr(templating.time, "monotonic", lambda: now[0])
    topic = make.topic()
    _log_in(csrf_client, make.user())
    first = _token(csrf_client.get("/settings").text)
    assert _token(csrf_client.get("/settings").text) == first
    now[0] += templating.CSRF_REUSE_SECONDS + 1
    later = _token(csrf_client.get("/settings").text)
    assert later != first
    assert _token(csrf_client.get("/settings").text) == later
    response = csrf_client.post(f"/t/{topic.id}/reply", data={"body": "Seen and answered.",
                                                              "csrf_token": later})
    assert response.status_code == 302, response.text
