"""Two-factor sign-in and the security log in a real browser: enrol from settings (the QR
code is an image from our own origin; the key is typed into "the app", here pyotp), keep the
recovery codes, log in with a code, then with a recovery code. Every new page passes axe-core
and the Nu Html Checker; screenshots go to screenshots/."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from playwright.sync_api import expect

from forum import clock, sitesettings
from forum.accounts import twofactor
from forum.accounts.models import Role
from forum.extensions import db
from tests.browser.conftest import Checker, loaded_width, log_in, vnu_errors
from tests.factories import PASSWORD


def app_code(key: str) -> str:
    """What an authenticator app shows for the key on the page, at the forum's clock."""
    return twofactor.code_at(key.replace(" ", ""), twofactor.current_step())


def test_two_factor_journey_and_pages_are_accessible_and_valid(new_context, make):
    admin = make.user("Grace Hopper", role=Role.ADMIN)
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, admin.email)
    page.goto("/settings")
    page.get_by_role("link", name="Two-factor sign-in").click()
    checker.check("2fa-off", page.reload())
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert loaded_width(qr) > 100
    checker.here("2fa-enrol")
    key = page.locator(".manual-key").inner_text()
    assert pyotp.TOTP(key.replace(" ", "")).now()  # a key an app accepts
    page.get_by_label("Code").fill("000000" if app_code(key) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".error-summary")).to_contain_text("That code is not right")
    checker.here("2fa-enrol-error")
    page.get_by_label("Code").fill(app_code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    checker.here("2fa-recovery-codes")
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.locator("main")).to_contain_text("Two-factor sign-in is on")
    checker.here("2fa-on")
    page.get_by_role("button", name="Log out").click()

    clock.advance(timedelta(seconds=twofactor.STEP))
    page.goto("/login")
    page.get_by_label("Email address or display name").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your two-factor code")
    checker.here("2fa-login-code")
    page.get_by_label("Code").fill("123")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".error-summary")).to_contain_text("That code is not right")
    checker.here("2fa-login-code-error")
    page.get_by_label("Code").fill(app_code(key))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged in as Grace Hopper")

    checker.visit("security-log", "/settings/security")
    expect(page.locator("table.security-log")).to_contain_text("password + authenticator code")
    checker.visit("admin-security", "/admin/security")
    page.get_by_label("Moderators and admins must use two-factor sign-in").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("must now use two-factor")
    checker.visit("admin-security-log", "/admin/security-log?event=signed_in")
    expect(page.locator("table.security-log")).to_contain_text("Grace Hopper")

    # A recovery code, once.
    page.get_by_role("button", name="Log out").click()
    log_in_with = page.goto("/login")
    assert log_in_with.ok
    page.get_by_label("Email address or display name").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("You have 9 left")

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)


def test_a_moderator_is_sent_to_enrolment_first(new_context, make, app):
    make.user(role=Role.ADMIN)
    moderator = make.user("Mo Derator", role=Role.MODERATOR)
    with app.app_context():
        sitesettings.set_value(twofactor.REQUIRE_SETTING, "moderator,admin")
        db.session.commit()
    page = new_context().new_page()
    page.goto("/login")
    page.get_by_label("Email address or display name").fill(moderator.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Two-factor sign-in")
    expect(page.locator("main")).to_contain_text("Your role requires two-factor sign-in")
    page.goto("/moderation/queue")
    assert page.url.endswith("/settings/two-factor")
