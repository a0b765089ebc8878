"""The composer's live preview: the server's one markup module, CSRF-protected, rate-limited,
members only."""
from __future__ import annotations

import re

from forum import create_app
from forum.config import TestConfig
from forum.extensions import db
from tests.conftest import config_dict
from tests.factories import PASSWORD


def test_preview_renders_through_the_markup_module(client, make, login):
    login(make.user())
    response = client.post("/compose/preview", data={
        "body": "**bold** <script>alert(1)</script> [x](javascript:alert(1)) # not a heading\n\n# Heading"})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "href=\"javascript" not in html
    assert "<h3>Heading</h3>" in html  # headings start at h3, as when stored


def test_preview_is_for_members_only(client, make, login):
    assert client.post("/compose/preview", data={"body": "x"}).status_code == 302  # log in
    login(make.user(suspended_until=__import__("forum").clock.now()
                    + __import__("datetime").timedelta(days=1)))
    assert client.post("/compose/preview", data={"body": "x"}).status_code == 403


def test_odd_input_never_fails(client, make, login):
    login(make.user())
    for body in ["", "\x00", "x" * 60_000, "\ud800" if False else "é" * 10, "<" * 1000]:
        response = client.post("/compose/preview", data={"body": body})
        assert response.status_code == 200
    assert client.post("/compose/preview").get_json() == {"html": ""}


def _app_with(app, **config):
    return create_app({**config_dict(TestConfig), **config,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_preview_needs_the_csrf_token(app, make):
    other = _app_with(app, WTF_CSRF_ENABLED=True)
    try:
        user = make.user()
        client = other.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"login": user.email, "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        assert client.post("/compose/preview", data={"body": "x"}).status_code == 400
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/t/new").text).group(1)
        answer = client.post("/compose/preview", data={"body": "*x*"},
                             headers={"X-CSRFToken": token})
        assert answer.status_code == 200 and answer.get_json()["html"] == "<p><em>x</em></p>"
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_preview_is_rate_limited(app, make):
    other = _app_with(app, RATELIMIT_ENABLED=True, RATE_LIMITS={"live_preview": "2 per minute"})
    try:
        user = make.user()
        client = other.test_client()
        assert client.post("/login", data={"login": user.email,
                                           "password": PASSWORD}).status_code == 302
        assert client.post("/compose/preview", data={"body": "a"}).status_code == 200
        assert client.post("/compose/preview", data={"body": "a"}).status_code == 200
        refused = client.post("/compose/preview", data={"body": "a"})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert "try again in" in refused.get_json()["error"]
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
