"""What a person sees in Chromium when logging in with an identity provider goes wrong
(issue 19), against the real test OpenID Provider (tests/oidc/provider.mjs): a sign-in
answer that was not started here (forged state), a person who declines at the provider, an
address an account already has that the provider has not confirmed, an ID token with a wrong
nonce, a wrong audience or past its expiry, and a provider that does not answer. Each ends on the log-in page with a plain message, nobody logged in, the
password form still there; every page passes axe-core and the Nu Html Checker."""
from __future__ import annotations

import socket

from playwright.sync_api import expect

from forum.accounts.models import Role
from forum.extensions import db
from forum.groups import services as groups
from tests.browser.conftest import Checker, log_in, vnu_errors
from tests.factories import PASSWORD
from tests.oidc.server import provider_config


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _on_login_page_with(page, checker: Checker, name: str, message: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("status")).to_contain_text(message)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)  # nobody logged in
    expect(page.get_by_label("Password")).to_be_visible()
    checker.here(name)


def test_identity_failures_say_what_happened_in_a_browser(new_context, make, dept, app):
    member = make.user("Alan Turing", email="alan@dept.example")
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)

    # 1. A sign-in answer this browser did not start (forged or replayed state).
    dept.login_as("eve-1", "eve@dept.example", "Eve Example")
    page.goto("/login/with/dept/callback?code=stolen-code&state=forged-state")
    _on_login_page_with(page, checker, "oidc-state-mismatch",
                        "That sign-in link was not started here")

    # 2. The person declines at the provider.
    dept.login_as("ada-1", "ada@dept.example", "Ada Lovelace", deny=True)
    page.goto("/login")
    page.get_by_role("link", name="Log in with Department ID").click()
    _on_login_page_with(page, checker, "oidc-denied",
                        "You did not let Log in with Department ID tell us who you are, so "
                        "you are not logged in. Nothing has changed here.")

    # 3. An address an account already has, which the provider has not confirmed.
    dept.login_as("mallory", "alan@dept.example", "Mallory", verified=False)
    page.goto("/login")
    page.get_by_role("link", name="Log in with Department ID").click()
    _on_login_page_with(page, checker, "oidc-email-collision",
                        "has not confirmed the address")

    # 4. An ID token that fails its checks (wrong nonce, wrong audience, expired): the
    # provider answered, but what it sent is not trusted.
    for fault in ("nonce", "aud", "expired"):
        dept.login_as(f"victim-{fault}", f"victim-{fault}@dept.example", "Victim Example")
        dept.fault(fault)
        try:
            page.goto("/login")
            page.get_by_role("link", name="Log in with Department ID").click()
            _on_login_page_with(page, checker, f"oidc-token-{fault}",
                                "We could not check the answer from Log in with Department ID")
        finally:
            dept.fault("")

    # 5. A provider that does not answer: say so, and the password still works.
    saved = app.config["OIDC_PROVIDERS"]
    app.config["OIDC_PROVIDERS"] = {**saved, "down": provider_config(
        f"http://127.0.0.1:{_closed_port()}", label="Log in with Down Agency")}
    try:
        page.goto("/login")
        page.get_by_role("link", name="Log in with Down Agency").click()
        _on_login_page_with(page, checker, "oidc-provider-down",
                            "Log in with Down Agency is not answering at the moment")
        page.get_by_label("Email address or display name").fill(member.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("You are logged in")
    finally:
        app.config["OIDC_PROVIDERS"] = saved

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)


def test_the_identity_admin_pages_pass_axe_and_vnu(new_context, make, dept, app):
    """The admin pages of issue 19: identity providers (with an error shown) and the
    provider-group mapping of a group."""
    admin = make.user("Site Keeper", role=Role.ADMIN)
    with app.app_context():
        groups.add_provider_rule(None, groups.create_group(None, "Tax policy"), "dept",
                                 "tax-policy")
        db.session.commit()
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, admin.email)
    checker.visit("admin-identity-providers", "/admin/identity-providers")
    page.get_by_label("Short name").fill("Not valid!")
    page.get_by_role("button", name="Add provider").click()
    expect(page.locator(".error-summary")).to_contain_text("lower-case letters")
    expect(page.get_by_label("Short name")).to_have_value("Not valid!")
    checker.here("admin-identity-providers-error")
    checker.visit("group-provider-rules", "/admin/groups/tax-policy/providers")
    expect(page.get_by_role("button", name="Remove tax-policy")).to_be_visible()
    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)
