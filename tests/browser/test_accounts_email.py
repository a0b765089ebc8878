"""Accounts by e-mail in a real browser: "Forgot your password?" from the log-in page to a new
password (other devices logged out), changing address with its link, and the admin list of
government domains giving the badge. Every new page passes axe-core (WCAG 2.2 A and AA) and
the Nu Html Checker; screenshots go to screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum import clock
from forum.accounts import domains, email
from forum.accounts.domains import GovernmentDomain
from forum.accounts.models import Role, User
from forum.extensions import db
from forum.outbox import OutboxEmail
from tests.browser.conftest import Checker, log_in, vnu_errors

NEW_PASSWORD = "a brand new password"


def link_sent_to(app, address: str) -> str:
    with app.app_context():
        body = db.session.scalars(select(OutboxEmail.text_body).where(
            OutboxEmail.to_address == address).order_by(OutboxEmail.id.desc())).first()
    assert body, f"nothing queued for {address}"
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_forgotten_password_journey(new_context, make, app, javascript):
    member = make.user("Ada Lovelace", email="ada@dept.gov.example")
    other_device = new_context(java_script_enabled=javascript).new_page()
    log_in(other_device, member.email)

    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    page.get_by_label("Email address").fill("ADA@dept.gov.example")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    page.goto(link_sent_to(app, member.email))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill("not the same")
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator(".error-summary")).to_contain_text("The two passwords do not match.")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed")

    other_device.goto("/settings")
    assert "/login" in other_device.url  # the other device has been logged out


def test_change_of_address_and_government_badge_journey(new_context, make, app):
    admin = make.user("Grace Hopper", role=Role.ADMIN)
    member = make.user("Alan Turing", email="alan@home.example")
    page = new_context().new_page()
    log_in(page, admin.email)
    page.goto("/admin/government-domains")
    page.get_by_label("Domain", exact=True).fill("Gov.Example.")
    page.get_by_role("button", name="Add domain").click()
    expect(page.get_by_role("status")).to_contain_text("gov.example has been added")
    expect(page.locator(".domain-list")).to_contain_text("gov.example")

    page = new_context().new_page()
    log_in(page, member.email)
    page.goto("/settings")
    page.get_by_role("link", name="Email address").click()
    page.get_by_label("New email address").fill("alan@unit.gov.example")
    page.get_by_label("Current password").fill("correct horse battery")
    page.get_by_role("button", name="Send a link to the new address").click()
    expect(page.get_by_role("status")).to_contain_text("We have sent an email to "
                                                       "alan@unit.gov.example")
    expect(page.locator(".pending-email")).to_contain_text("You asked to change it to")
    page.goto(link_sent_to(app, "alan@unit.gov.example"))
    page.get_by_role("button", name="Use this address").click()
    expect(page.get_by_role("status")).to_contain_text("Your email address is now "
                                                       "alan@unit.gov.example")
    page.goto(f"/u/{member.display_name}")
    expect(page.locator(".member-badges")).to_contain_text("Government staff")


def test_email_pages_are_accessible_and_valid(new_context, make, app):
    admin = make.user("Grace Hopper", role=Role.ADMIN)
    member = make.user("Ada Lovelace", email="ada@dept.gov.example")
    forum = make.forum("Service design", slug="service-design")
    topic = make.topic(author=member, forum=forum, title="Where does government get it right?")
    with app.app_context():
        db.session.add_all([GovernmentDomain(domain="gov.example"),
                            GovernmentDomain(domain="xn--bcher-kva.example")])
        account = db.session.get(User, member.id)
        account.email_verified_at = clock.now()
        domains.refresh_badge(account)
        unverified = db.session.get(User, admin.id)
        verify_path = "/verify-email/" + email.make_token("verify", unverified)
        reset_path = "/reset-password/" + email.make_token("reset", account)
        db.session.commit()

    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    checker.visit("email-forgot-password", "/forgot-password")
    page.get_by_role("button", name="Send me a link").click()
    expect(page).to_have_title(re.compile("^Error: "))
    checker.here("email-forgot-password-error")
    checker.visit("email-forgot-password-sent", "/forgot-password?sent=1")
    checker.visit("email-reset-password", reset_path)
    page.get_by_role("button", name="Save new password").click()
    checker.here("email-reset-password-error")
    checker.visit("email-link-refused", "/reset-password/not-a-real-link", status=400)
    checker.visit("email-verify", verify_path)

    log_in(page, admin.email)
    checker.visit("email-settings-unconfirmed", "/settings")
    checker.visit("email-change", "/settings/email")
    page.get_by_label("New email address").fill("grace@")
    page.get_by_role("button", name="Send a link to the new address").click()
    checker.here("email-change-error")
    page.get_by_label("New email address").fill("grace@new.example")
    page.get_by_label("Current password").fill("correct horse battery")
    page.get_by_role("button", name="Send a link to the new address").click()
    expect(page.get_by_role("status")).to_contain_text("We have sent an email")
    checker.here("email-change-pending")
    checker.visit("email-confirm-change", link_sent_to(app, "grace@new.example"))
    checker.visit("email-government-domains", "/admin/government-domains")
    page.get_by_role("button", name="Add domain").click()
    checker.here("email-government-domains-error")
    # The suggested suffixes: nothing ticked is explained; ticking adds them.
    page.get_by_role("button", name="Add ticked suffixes").click()
    checker.here("email-government-suffixes-error")
    page.get_by_label("gov.uk · United Kingdom government").check()
    page.get_by_role("button", name="Add ticked suffixes").click()
    expect(page.get_by_role("status")).to_contain_text("Added gov.uk.")
    expect(page.locator(".domain-list")).to_contain_text("gov.uk")

    page = new_context(bypass_csp=True).new_page()
    checker.page = page
    log_in(page, member.email)
    checker.visit("email-settings-government", "/settings")
    checker.visit("email-profile-badge", f"/u/{member.display_name}")
    checker.visit("email-topic-badge", f"/t/{topic.id}-{topic.slug}")
    expect(page.locator(".post-header .gov-badge").first).to_have_text("Government staff")

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)
