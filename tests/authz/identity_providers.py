"""Authorization rows for logging in with an identity provider.

The builder configures a provider whose issuer answers nothing (a closed port), so starting
a log-in with it sends a visitor back to the log-in page with a message ("login" outcome);
logged-in people are sent home. The way back and the first-log-in questions send a visitor
with nothing started to the log-in page too.
"""
from __future__ import annotations

import socket

from forum.accounts import oidc
from tests.authz import ADMINS, EVERYONE

VISITOR_TO_LOGIN = dict(EVERYONE, visitor="login")


def build(app, make, people, world) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app.config["OIDC_PROVIDERS"] = {"matrix": {
        "issuer": f"http://127.0.0.1:{port}", "client_id": "matrix", "client_secret": "x",
        "label": "Log in with Matrix"}}
    world.extra["provider_setting_id"] = oidc.add_provider(
        "added", f"http://127.0.0.1:{port}", "matrix-added", "x", "openid", "Log in with Added",
        False).id


ROWS = {
    ("oidc.start", "GET"): (lambda w: "/login/with/matrix", None, VISITOR_TO_LOGIN),
    ("oidc.callback", "GET"): (lambda w: "/login/with/matrix/callback?code=x&state=y", None,
                               VISITOR_TO_LOGIN),
    ("oidc.choose_name", "GET"): (lambda w: "/login/with/name", None, VISITOR_TO_LOGIN),
    ("oidc.choose_name", "POST"): (lambda w: "/login/with/name",
                                   lambda w: {"display_name": "Someone"}, VISITOR_TO_LOGIN),
    ("oidc.link", "GET"): (lambda w: "/login/with/link", None, VISITOR_TO_LOGIN),
    ("oidc.link", "POST"): (lambda w: "/login/with/link", lambda w: {"password": "x"},
                            VISITOR_TO_LOGIN),
    ("security.admin_providers", "GET"): (lambda w: "/admin/identity-providers", None,
                                          ADMINS),
    ("security.admin_providers", "POST"): (
        lambda w: "/admin/identity-providers",
        lambda w: {"name": "another", "issuer": "https://idp.example", "client_id": "c",
                   "client_secret": "s", "label": "Log in with Another"}, ADMINS),
    ("security.admin_remove_provider", "POST"): (
        lambda w: f"/admin/identity-providers/{w.extra['provider_setting_id']}/remove", None,
        ADMINS),
}
