"""Authorization rows for the e-mail flows and the government domains list.

Links from e-mails (verify, reset, confirm a new address) need no log-in: their signed token
is the authority, so everyone gets the page. A member's own address settings are any
logged-in person's (suspended members too); the domain list is for admins in good standing.
"""
from __future__ import annotations

from forum.accounts import email
from forum.accounts.domains import GovernmentDomain
from forum.accounts.models import User
from forum.extensions import db
from tests.authz import ACCOUNT, ADMINS, EVERYONE


def build(app, make, people, world) -> None:
    author = db.session.get(User, people["author"].id)
    world.extra["verify_token"] = email.make_token("verify", author)
    world.extra["reset_token"] = email.make_token("reset", author)
    author.pending_email = "moved@example.gov"
    world.extra["change_token"] = email.make_token("change", author)
    entry = GovernmentDomain(domain="gov.example")
    db.session.add(entry)
    db.session.flush()
    world.extra["domain_id"] = entry.id
    world.extra["author_email"] = author.email


ROWS = {
    ("accounts_email.verify", "GET"): (
        lambda w: f"/verify-email/{w.extra['verify_token']}", None, EVERYONE),
    ("accounts_email.verify", "POST"): (
        lambda w: f"/verify-email/{w.extra['verify_token']}", None, EVERYONE),
    ("accounts_email.resend_verification", "POST"): (
        lambda w: "/settings/email/send-link", None, ACCOUNT),
    ("accounts_email.forgot_password", "GET"): (lambda w: "/forgot-password", None, EVERYONE),
    ("accounts_email.forgot_password", "POST"): (
        lambda w: "/forgot-password", lambda w: {"email": w.extra["author_email"]}, EVERYONE),
    ("accounts_email.reset_password", "GET"): (
        lambda w: f"/reset-password/{w.extra['reset_token']}", None, EVERYONE),
    ("accounts_email.reset_password", "POST"): (
        lambda w: f"/reset-password/{w.extra['reset_token']}",
        lambda w: {"new_password": "a brand new password", "confirm": "a brand new password"},
        EVERYONE),
    ("accounts_email.change_email", "GET"): (lambda w: "/settings/email", None, ACCOUNT),
    ("accounts_email.change_email", "POST"): (
        lambda w: "/settings/email",
        lambda w: {"email": "elsewhere@example.gov", "password": "not the password"}, ACCOUNT),
    ("accounts_email.cancel_change", "POST"): (
        lambda w: "/settings/email/cancel", None, ACCOUNT),
    ("accounts_email.confirm_change", "GET"): (
        lambda w: f"/confirm-email/{w.extra['change_token']}", None, EVERYONE),
    ("accounts_email.confirm_change", "POST"): (
        lambda w: f"/confirm-email/{w.extra['change_token']}", None, EVERYONE),
    ("accounts_email.government_domains", "GET"): (
        lambda w: "/admin/government-domains", None, ADMINS),
    ("accounts_email.government_domains", "POST"): (
        lambda w: "/admin/government-domains", lambda w: {"domain": "gc.ca"}, ADMINS),
    ("accounts_email.add_suggested_domains", "POST"): (
        lambda w: "/admin/government-domains/suggested", lambda w: {"suffix": "gc.ca"}, ADMINS),
    ("accounts_email.remove_government_domain", "POST"): (
        lambda w: f"/admin/government-domains/{w.extra['domain_id']}/remove", None, ADMINS),
}
