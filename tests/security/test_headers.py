"""Transport and caching headers (issue 13, point 12): HSTS over HTTPS, Secure cookies by
default when SITE_URL is https, and `Cache-Control: private, no-store` on every response to a
logged-in session (by a rule in forum/security_headers.py; the authorization matrix checks it
on every route)."""
from __future__ import annotations

import pytest

from forum import create_app
from forum.config import TestConfig
from tests.conftest import config_dict
from tests.factories import PASSWORD


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://forum.example.gov")
    hsts = secure.headers.get("Strict-Transport-Security", "")
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts


@pytest.mark.parametrize("site_url, secure", [("https://forum.example.gov", True),
                                              ("http://localhost:5000", False)])
def test_cookies_are_secure_by_default_when_the_site_is_https(database, site_url, secure):
    app = create_app({**config_dict(TestConfig), "SQLALCHEMY_DATABASE_URI": database,
                      "SITE_URL": site_url, "SESSION_COOKIE_SECURE": None,
                      "REMEMBER_COOKIE_SECURE": None})
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure


def test_an_explicit_setting_wins(database):
    app = create_app({**config_dict(TestConfig), "SQLALCHEMY_DATABASE_URI": database,
                      "SITE_URL": "https://forum.example.gov", "SESSION_COOKIE_SECURE": False,
                      "REMEMBER_COOKIE_SECURE": None})
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("path", ["/settings", "/settings/sessions", "/notifications",
                                  "/moderation/log", "/moderation/queue", "/admin/forums", "/"])
def test_pages_for_a_logged_in_person_are_private_and_not_stored(app, client, make, path):
    from forum.accounts.models import Role
    admin = make.user(role=Role.ADMIN)
    client.post("/login", data={"login": admin.email, "password": PASSWORD})
    response = client.get(path)
    assert response.status_code == 200, path
    cache = response.headers.get("Cache-Control", "")
    assert "private" in cache and "no-store" in cache, (path, cache)


def test_visitor_pages_stay_cacheable(client, make):
    make.topic()
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
