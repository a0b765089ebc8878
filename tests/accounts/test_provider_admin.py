"""Identity providers added by admins on a page (issue 19, point 1: "configured by environment
or admin page"): validated next to the fields, the client secret stored encrypted and never
shown again, the provider's button on the log-in page, and a real log-in through it (the
`oidc-provider` test server, tests/oidc)."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, text

from forum.accounts.models import IdentityProviderSetting, Role
from forum.extensions import db
from tests.oidc.server import CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def no_env_providers(app):
    saved = app.config.get("OIDC_PROVIDERS")
    app.config["OIDC_PROVIDERS"] = {}
    yield
    app.config["OIDC_PROVIDERS"] = saved


def test_admins_add_a_provider_on_a_page_and_people_log_in_with_it(
        app, client, make, login, op, live_server, no_env_providers):
    login(make.user("Site Keeper", role=Role.ADMIN))
    page = client.get("/admin/identity-providers")
    assert page.status_code == 200 and "No identity provider is configured" in page.text
    bad = client.post("/admin/identity-providers", data={
        "name": "Bad name!", "issuer": "ftp://idp.example", "client_id": "",
        "client_secret": "s", "label": "Log in with Bad"})
    assert bad.status_code == 200 and "Error: " in bad.text
    assert "lower-case letters, digits and hyphens" in bad.text
    assert "https://" in bad.text and "Enter the client id" in bad.text
    assert 'value="Bad name!"' in bad.text and 'value="ftp://idp.example"' in bad.text
    added = client.post("/admin/identity-providers", data={
        "name": "dept", "issuer": op.issuer, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET, "scopes": "openid email profile",
        "label": "Log in with Department ID", "government": "y"}, follow_redirects=True)
    assert "Log in with Department ID has been added" in added.text
    assert CLIENT_SECRET not in added.text
    with app.app_context():
        stored = " ".join(str(v) for v in db.session.execute(
            text("SELECT * FROM identity_providers")).mappings().one().values())
        assert CLIENT_SECRET not in stored
    with httpx.Client(base_url=live_server, follow_redirects=True, timeout=15) as http:
        assert "Log in with Department ID" in http.get("/login").text
        op.login_as("ada-1", "ada@dept.example", "Ada Lovelace")
        done = http.get("/login/with/dept")
        assert "You are logged in as Ada Lovelace" in done.text
    with app.app_context():
        setting = db.session.scalar(select(IdentityProviderSetting))
    removed = client.post(f"/admin/identity-providers/{setting.id}/remove",
                          follow_redirects=True)
    assert "Log in with Department ID has been removed" in removed.text
    assert "Log in with Department ID" not in client.get("/login").text


def test_a_name_the_environment_uses_is_refused(app, client, make, login, dept):
    login(make.user("Site Keeper", role=Role.ADMIN))
    page = client.post("/admin/identity-providers", data={
        "name": "dept", "issuer": "https://idp.example", "client_id": "x",
        "client_secret": "s", "label": "Log in with Other"})
    assert "already a provider called dept" in page.text
