"""Run the test OpenID Provider (tests/oidc/provider.mjs, the `oidc-provider` package) on
127.0.0.1 and a free port, and configure the forum to use it. A pytest plugin (see
tests/conftest.py): fixtures `op` (the provider) and `dept` (the forum configured with it).

`OpenIDProvider.login_as(...)` says who the next person to log in there is (with their
claims, amr and acr); `fault(mode)` makes its token endpoint misbehave ("nonce", "aud",
"expired", "signature"; "" for none).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCRIPT = HERE / "provider.mjs"
CLIENT_ID = "forum-tests"
CLIENT_SECRET = "client-secret-7f3a9c1e-never-shown"


class OpenIDProvider:
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def login_as(self, sub: str, email: str | None, name: str | None = None,
                 verified: bool = True, amr: list[str] | None = None,
                 acr: str | None = None, groups: list[str] | None = None,
                 deny: bool = False) -> None:
        person = {"sub": sub, "email_verified": verified, "deny": deny}
        if email is not None:
            person["email"] = email
        if name is not None:
            person["name"] = name
        if groups is not None:
            person["groups"] = groups
        if amr:
            person["amr"] = amr
        if acr:
            person["acr"] = acr
        httpx.post(f"{self.issuer}/__test/login", json=person, timeout=5).raise_for_status()

    def fault(self, mode: str) -> None:
        httpx.post(f"{self.issuer}/__test/fault", json={"mode": mode},
                   timeout=5).raise_for_status()


@contextmanager
def running_provider(redirect_uris: list[str], post_logout_redirect_uris: list[str]):
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("The OpenID Connect tests need node and the oidc-provider package: "
                    "run `npm install` (make npm-tools).", pytrace=False)
    clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": post_logout_redirect_uris,
                "grant_types": ["authorization_code"], "response_types": ["code"]}]
    process = subprocess.Popen([node, str(SCRIPT)], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={"PATH": "/usr/bin:/bin", "CLIENTS": json.dumps(clients)})
    try:
        line = process.stdout.readline()  # "READY <issuer>", or nothing if it failed
        if not line.startswith("READY "):
            pytest.fail(f"The test OpenID Provider did not start: {line!r}", pytrace=False)
        yield OpenIDProvider(line.split()[1])
    finally:
        process.stdin.close()
        process.stdout.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def provider_config(issuer: str, label: str = "Log in with Department ID",
                    government: bool = True) -> dict:
    return {"issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scopes": "openid email profile groups", "label": label, "government": government}


@pytest.fixture(scope="module")
def op(live_server):
    """The test provider, for the module's tests (its client's redirect URIs are ours)."""
    with running_provider([f"{live_server}/login/with/dept/callback"],
                          [f"{live_server}/"]) as provider:
        yield provider


@pytest.fixture
def dept(app, op):
    """The forum configured with the test provider (a government one) as "dept"."""
    saved = dict(app.config.get("OIDC_PROVIDERS") or {})
    app.config["OIDC_PROVIDERS"] = {"dept": provider_config(op.issuer)}
    op.fault("")
    yield op
    op.fault("")
    app.config["OIDC_PROVIDERS"] = saved
    app.config["LOCAL_PASSWORDS"] = True
