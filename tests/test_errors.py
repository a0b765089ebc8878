"""Every failure is a page of ours, never a stack trace."""
from __future__ import annotations

import pytest

from forum import create_app
from forum.config import TestConfig
from forum.extensions import db
from tests.conftest import config_dict


def test_404_page_is_ours(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text and "<title>Page not found" in response.text
    assert 'href="/"' in response.text


def test_405_page_and_allow_header(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "That action is not available here" in response.text


def test_too_large_request_gets_413_page(app, client, make, login):
    topic = make.topic()
    login(make.user())
    too_large = app.config["MAX_CONTENT_LENGTH"] + 1024  # attachments raised it (issue 17)
    response = client.post(f"/t/{topic.id}/reply", data={"body": "x" * too_large})
    assert response.status_code == 413
    assert "That was too large to send" in response.text


def test_nul_in_url_is_400(client):
    assert client.get("/f/a%00b").status_code in (400, 404)
    assert client.get("/t/1-x?page=%00").status_code == 400


@pytest.fixture
def broken_app(app):
    broken = create_app({**config_dict(TestConfig), "TESTING": False,
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @broken.get("/boom")
    def boom():
        raise RuntimeError("a bug")
    yield broken
    with broken.app_context():
        db.engine.dispose()


def test_unexpected_error_gives_our_500_page(broken_app):
    response = broken_app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.text
    assert "RuntimeError" not in response.text and "Traceback" not in response.text


def test_database_outage_gives_503_page(app):
    down = create_app({**config_dict(TestConfig), "TESTING": False,
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/x"})
    response = down.test_client().get("/")
    assert response.status_code == 503
    assert "The forum is briefly unavailable" in response.text


def test_security_headers_on_pages(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'self' covers it
    assert headers["Referrer-Policy"] == "same-origin"
