"""Logging in with an identity provider in Chromium, against the real test OpenID Provider
(tests/oidc/provider.mjs): a first log-in that asks for a name, linking an existing account,
and logging out with the offer to log out at the provider too. The new pages pass axe-core
and the Nu Html Checker; screenshots go to screenshots/."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import Checker, vnu_errors
from tests.factories import PASSWORD


def test_first_log_in_linking_and_log_out_in_a_browser(new_context, make, dept):
    make.user("Grace Hopper")
    make.user("Alan Turing", email="alan@dept.example")
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    checker.visit("oidc-login", "/login")
    dept.login_as("grace-2", "grace@dept.example", "Grace Hopper", amr=["pwd", "otp"])
    page.get_by_role("link", name="Log in with Department ID").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your display name")
    expect(page.get_by_label("Display name")).to_have_value("Grace Hopper")
    checker.here("oidc-name")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".error-summary")).to_contain_text("That display name is taken")
    checker.here("oidc-name-error")
    page.get_by_label("Display name").fill("Grace M. Hopper")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged in as Grace M. Hopper")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have logged out")
    checker.here("oidc-logged-out")
    expect(page.get_by_role("link", name="Log out there too")).to_have_attribute(
        "href", re.compile(re.escape(dept.issuer) + "/session/end"))

    page = new_context(bypass_csp=True).new_page()
    checker.page = page
    dept.login_as("alan-9", "alan@dept.example", "A. Turing")
    page.goto("/login")
    page.get_by_role("link", name="Log in with Department ID").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link your account")
    checker.here("oidc-link")
    page.get_by_label("Your password").fill("not it")
    page.get_by_role("button", name="Link and log in").click()
    expect(page.locator(".error-summary")).to_contain_text("Your password is not right")
    checker.here("oidc-link-error")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Link and log in").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is now linked")
    checker.visit("oidc-security-log", "/settings/security")
    expect(page.locator(".linked-providers")).to_contain_text("Log in with Department ID")

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)
