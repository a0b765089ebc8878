"""Accounts by e-mail: verifying an address, "forgot your password?", changing address.

Nothing is sent: the tests read what was queued in the outbox (forum/outbox.py).
"""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from forum import clock, create_app
from forum.accounts import email
from forum.accounts.domains import GovernmentDomain
from forum.accounts.models import User
from forum.config import TestConfig
from forum.errors import Invalid
from forum.extensions import db
from forum.outbox import OutboxEmail
from tests.conftest import config_dict
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new password"


def mail_to(app, address: str) -> list[OutboxEmail]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxEmail).where(
            OutboxEmail.to_address == address).order_by(OutboxEmail.id)))
        db.session.expunge_all()
        return rows


def link_in(message: OutboxEmail) -> str:
    """The path of the site link in an e-mail (plain text and HTML carry the same one)."""
    found = re.findall(
        r"https?://[^/\s]+(/(?:verify-email|reset-password|confirm-email)/[^\s<\"]+)",
        message.text_body)
    assert len(found) == 1, message.text_body
    assert found[0] in message.html_body
    return found[0]


def user(app, user_id: int) -> User:
    with app.app_context():
        found = db.session.get(User, user_id)
        db.session.expunge(found)
        return found


def add_domain(app, domain: str) -> None:
    with app.app_context():
        db.session.add(GovernmentDomain(domain=domain))
        db.session.commit()


# ------------------------------------------------------------------------- verification

def test_registering_queues_a_verification_link_that_works_once(app, client):
    add_domain(app, "gov.example")
    response = client.post("/register", data={
        "display_name": "Ada Clerk", "email": "Ada@Sub.Gov.Example",
        "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    assert client.post("/login", data={"login": "ada@sub.gov.example",
                                       "password": PASSWORD}).status_code == 302
    [message] = mail_to(app, "ada@sub.gov.example")
    assert message.subject == "Confirm your email address"
    assert "Hello Ada Clerk" in message.text_body
    path = link_in(message)
    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == "ada@sub.gov.example"))
        assert member.email_verified_at is None and not member.is_government_verified

    page = client.get(path)  # opening the link changes nothing (mail scanners open links)
    assert page.status_code == 200 and "Confirm your email address" in page.text
    assert user(app, member.id).email_verified_at is None

    done = client.post(path)
    assert done.status_code == 302 and done.headers["Location"].endswith("/settings")
    after = user(app, member.id)
    assert after.email_verified_at is not None
    assert after.is_government_verified  # a verified address at a government domain

    again = client.post(path)
    assert again.status_code == 400 and "already been used" in again.text
    assert client.get(path).status_code == 400


def test_registration_refused_queues_nothing(app, client, make):
    make.user("Taken Name")
    response = client.post("/register", data={
        "display_name": "Taken Name", "email": "new@example.gov",
        "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 200 and "display name is taken" in response.text
    assert mail_to(app, "new@example.gov") == []


def test_verification_link_expires(app, client, make):
    member = make.user()
    with app.app_context():
        token = email.make_token("verify", db.session.get(User, member.id))
    clock.advance(email.MAX_AGE["verify"] - timedelta(minutes=1))
    assert client.get(f"/verify-email/{token}").status_code == 200
    clock.advance(timedelta(minutes=2))
    for response in (client.get(f"/verify-email/{token}"), client.post(f"/verify-email/{token}")):
        assert response.status_code == 400 and "This link has expired" in response.text
    assert user(app, member.id).email_verified_at is None


def test_expiry_can_be_configured(app, make):
    member = make.user()
    with app.app_context():
        app.config["EMAIL_LINK_MAX_AGE"] = {"verify": 60}
        try:
            token = email.make_token("verify", db.session.get(User, member.id))
            clock.advance(timedelta(seconds=61))
            with pytest.raises(email.LinkRefused) as refused:
                email.read_token("verify", token)
            assert refused.value.reason == "expired"
        finally:
            del app.config["EMAIL_LINK_MAX_AGE"]


def _tampered(token: str) -> str:
    payload, _, rest = token.partition(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    return f"{flipped}.{rest}"


@pytest.mark.parametrize("purpose", ["verify", "reset", "change"])
def test_forged_tampered_and_wrong_purpose_links_are_refused_with_a_clear_page(
        app, client, make, purpose):
    member = make.user()
    with app.app_context():
        account = db.session.get(User, member.id)
        account.pending_email = "elsewhere@example.gov"
        tokens = {kind: email.make_token(kind, account) for kind in email.SALTS}
        db.session.commit()
    prefix = {"verify": "/verify-email/", "reset": "/reset-password/",
              "change": "/confirm-email/"}[purpose]
    good = tokens[purpose]
    assert client.get(prefix + good).status_code == 200
    other_purposes = [token for kind, token in tokens.items() if kind != purpose]
    forged_with_another_key = good[:-6] + "AAAAAA"
    bad = [_tampered(good), forged_with_another_key, "not-a-token", "x" * 2000,
           "eyJ1IjoxfQ.abc.def", "%FF%FE", *other_purposes]
    for token in bad:
        for method in ("GET", "POST"):
            response = client.open(prefix + token, method=method,
                                   data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
            assert response.status_code == 400, (token, method, response.status_code)
            assert "This link does not work" in response.text
    after = user(app, member.id)
    assert after.email_verified_at is None and after.email == member.email


def test_a_token_with_a_valid_signature_but_a_strange_payload_is_refused(app, make):
    make.user()
    with app.app_context():
        for payload in ([1, 2], {"u": "1", "s": "x"}, {"u": 2**40, "s": "x"}, {"u": 999, "s": "x"}):
            token = email._serializer("verify").dumps(payload)
            with pytest.raises(email.LinkRefused) as refused:
                email.read_token("verify", token)
            assert refused.value.reason == "invalid"


def test_resending_the_link_replaces_nothing_but_stops_after_verification(app, client, make,
                                                                           login):
    member = make.user()
    login(member)
    response = client.post("/settings/email/send-link")
    assert response.status_code == 302
    [message] = mail_to(app, member.email)
    client.post(link_in(message))
    assert user(app, member.id).email_verified_at is not None
    client.post("/settings/email/send-link")
    assert len(mail_to(app, member.email)) == 1  # already verified: no more links
    page = client.get("/settings")
    assert "Send the link again" not in page.text


# ------------------------------------------------------------------------- password reset

def test_login_page_links_to_forgot_password(client):
    page = client.get("/login")
    assert 'href="/forgot-password"' in page.text and "Forgot your password?" in page.text


def test_forgot_password_never_says_whether_an_address_is_registered(app, client, make):
    member = make.user(email="known@example.gov")
    known = client.post("/forgot-password", data={"email": "Known@Example.gov"})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.gov"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert client.get(known.headers["Location"]).text == client.get(
        unknown.headers["Location"]).text
    assert len(mail_to(app, "known@example.gov")) == 1
    assert mail_to(app, "nobody@example.gov") == []
    [message] = mail_to(app, member.email)
    assert message.subject == "Reset your password"


def test_forgot_password_form_errors_keep_the_text(client):
    response = client.post("/forgot-password", data={"email": "not an address"})
    assert response.status_code == 200
    assert "Error: " in response.text and 'value="not an address"' in response.text
    assert "There is a problem" in response.text


def test_password_reset_works_once_ends_other_sessions_and_logs_in(app, client, make, login):
    member = make.user()
    elsewhere = app.test_client()
    login(member, client=elsewhere)
    assert elsewhere.get("/settings").status_code == 200
    client.post("/forgot-password", data={"email": member.email})
    [message] = mail_to(app, member.email)
    path = link_in(message)

    form = client.get(path)
    assert form.status_code == 200 and "Choose a new password" in form.text
    mismatch = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": "different"})
    assert mismatch.status_code == 200 and "do not match" in mismatch.text

    done = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/settings").status_code == 200  # logged in here
    assert elsewhere.get("/settings").status_code == 302  # the other session has ended
    assert user(app, member.id).email_verified_at is not None  # the link proved the address

    fresh = app.test_client()
    assert fresh.post("/login", data={"login": member.email, "password": PASSWORD}
                      ).status_code == 200  # the old password no longer works
    assert fresh.post("/login", data={"login": member.email, "password": NEW_PASSWORD}
                      ).status_code == 302

    again = client.post(path, data={"new_password": "yet another password",
                                     "confirm": "yet another password"})
    assert again.status_code == 400 and "already been used" in again.text
    notices = mail_to(app, member.email)
    assert [m.subject for m in notices] == ["Reset your password",
                                            "Your password has been changed"]


def test_reset_link_expires_after_an_hour(app, client, make):
    member = make.user()
    client.post("/forgot-password", data={"email": member.email})
    path = link_in(mail_to(app, member.email)[0])
    clock.advance(timedelta(hours=1, seconds=1))
    response = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400 and "This link has expired" in response.text
    assert 'href="/forgot-password"' in response.text


def test_an_older_reset_link_stops_working_once_a_newer_one_is_used(app, client, make):
    member = make.user()
    client.post("/forgot-password", data={"email": member.email})
    client.post("/forgot-password", data={"email": member.email})
    first, second = (link_in(m) for m in mail_to(app, member.email))
    assert client.post(second, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
                       ).status_code == 302
    assert client.get(first).status_code == 400


@pytest.fixture
def limited_client(app):
    limited = create_app({**config_dict(TestConfig), "RATELIMIT_ENABLED": True,
                          "RATELIMIT_STORAGE_URI": "memory://",
                          "RATE_LIMITS": {"reset_password": "3 per hour",
                                          "reset_password_to": "2 per hour"},
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield limited, limited.test_client()
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_forgot_password_is_rate_limited_per_address_and_per_client(app, make, limited_client):
    limited, client = limited_client
    member = make.user()
    codes = [client.post("/forgot-password", data={"email": member.email}).status_code
             for _ in range(3)]
    assert codes == [302, 302, 429]
    assert len(mail_to(app, member.email)) == 2  # per e-mail address: 2 an hour
    other = client.post("/forgot-password", data={"email": "other@example.gov"})
    assert other.status_code == 429  # per client: 3 an hour
    assert "try again in" in other.text and 'value="other@example.gov"' in other.text
    assert int(other.headers["Retry-After"]) > 0


# ------------------------------------------------------------------------- change address

def test_change_email_takes_effect_only_when_the_new_link_is_followed(app, client, make, login):
    add_domain(app, "gov.example")
    member = make.user(email="me@agency.gov.example")
    with app.app_context():
        account = db.session.get(User, member.id)
        account.email_verified_at = clock.now()
        db.session.commit()
    login(member)
    with app.app_context():
        from forum.accounts import domains
        account = db.session.get(User, member.id)
        domains.refresh_badge(account)
        db.session.commit()
    assert user(app, member.id).is_government_verified
    assert "Government staff" in client.get(f"/u/{member.display_name}").text

    wrong = client.post("/settings/email", data={"email": "me@private.example",
                                                 "password": "wrong password"})
    assert wrong.status_code == 200 and "current password is not right" in wrong.text
    assert 'value="me@private.example"' in wrong.text

    asked = client.post("/settings/email", data={"email": "Me@Private.Example",
                                                 "password": PASSWORD})
    assert asked.status_code == 302
    still = user(app, member.id)
    assert still.email == "me@agency.gov.example" and still.pending_email == "me@private.example"
    assert still.is_government_verified
    [notice] = mail_to(app, "me@agency.gov.example")
    assert "me@private.example" in notice.text_body and notice.subject.startswith("A change")
    [confirm] = mail_to(app, "me@private.example")
    path = link_in(confirm)
    assert path.startswith("/confirm-email/")
    # The new address cannot be used to log in until confirmed.
    assert app.test_client().post("/login", data={"login": "me@private.example",
                                                  "password": PASSWORD}).status_code == 200

    page = app.test_client().get(path)  # works without logging in: the link is the proof
    assert page.status_code == 200 and "me@private.example" in page.text
    assert app.test_client().post(path).status_code == 302
    moved = user(app, member.id)
    assert moved.email == "me@private.example" and moved.pending_email is None
    assert moved.email_verified_at is not None
    assert not moved.is_government_verified  # the badge goes with the government address
    assert "Government staff" not in client.get(f"/u/{moved.display_name}").text
    told = mail_to(app, "me@agency.gov.example")
    assert [m.subject for m in told][-1] == "Your email address has been changed"
    assert client.post(path).status_code == 400  # once


def test_moving_to_a_government_address_earns_the_badge(app, client, make, login):
    add_domain(app, "gc.ca")
    member = make.user(email="me@home.example")
    login(member)
    client.post("/settings/email", data={"email": "me@tbs-sct.GC.CA", "password": PASSWORD})
    client.post(link_in(mail_to(app, "me@tbs-sct.gc.ca")[0]))
    assert user(app, member.id).is_government_verified


def test_change_email_refuses_own_address_and_never_takes_another(app, client, make, login):
    make.user(email="taken@example.gov")
    member = make.user()
    login(member)
    response = client.post("/settings/email", data={"email": member.email,
                                                    "password": PASSWORD})
    assert response.status_code == 200 and "already your email address" in response.text
    assert user(app, member.id).pending_email is None
    # A taken address answers as a free one would (tests/security/test_enumeration.py), but
    # no link goes there and the address never changes.
    response = client.post("/settings/email", data={"email": "taken@example.gov",
                                                    "password": PASSWORD})
    assert response.status_code == 302
    assert [m.subject for m in mail_to(app, "taken@example.gov")] == [
        "Someone tried to move an account to your address"]
    assert user(app, member.id).email == member.email


def test_a_newer_change_request_replaces_the_older_link(app, client, make, login):
    member = make.user()
    login(member)
    client.post("/settings/email", data={"email": "first@example.gov", "password": PASSWORD})
    client.post("/settings/email", data={"email": "second@example.gov", "password": PASSWORD})
    first = link_in(mail_to(app, "first@example.gov")[0])
    assert client.post(first).status_code == 400
    assert user(app, member.id).email == member.email


def test_cancelled_change_link_no_longer_works(app, client, make, login):
    member = make.user()
    login(member)
    client.post("/settings/email", data={"email": "new@example.gov", "password": PASSWORD})
    assert client.post("/settings/email/cancel").status_code == 302
    assert user(app, member.id).pending_email is None
    assert client.get(link_in(mail_to(app, "new@example.gov")[0])).status_code == 400


def test_address_taken_meanwhile_is_refused_at_confirmation(app, client, make, login):
    member = make.user()
    login(member)
    client.post("/settings/email", data={"email": "wanted@example.gov", "password": PASSWORD})
    path = link_in(mail_to(app, "wanted@example.gov")[0])
    make.user(email="wanted@example.gov")
    response = client.post(path)
    assert response.status_code == 200 and "has not changed" in response.text
    assert user(app, member.id).email == member.email


def test_settings_page_shows_address_state_and_links(app, client, make, login):
    member = make.user()
    login(member)
    page = client.get("/settings")
    assert "not confirmed your email address" in page.text
    assert 'href="/settings/email"' in page.text


# ----------------------------------------------------------------------- arbitrary input

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


@FUZZ
@given(prefix=st.sampled_from(["/verify-email/", "/reset-password/", "/confirm-email/"]),
       token=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=500),
       method=st.sampled_from(["GET", "POST"]))
def test_any_link_is_refused_with_a_page_never_a_crash(client, prefix, token, method):
    response = client.open(prefix + quote(token, safe=""), method=method,
                           data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    # 308: a "/" in the token merges into the path and is redirected, like any URL.
    assert response.status_code in (308, 400, 404), (token, response.status_code)


@FUZZ
@given(address=TEXT)
def test_forgot_password_form_never_fails(client, address):
    response = client.post("/forgot-password", data={"email": address})
    assert response.status_code in (200, 302)


def test_change_email_form_never_fails(app, make, login, client):
    member = make.user()
    login(member)

    @FUZZ
    @given(address=TEXT, password=st.sampled_from([PASSWORD, "wrong", ""]))
    def run(address, password):
        response = client.post("/settings/email", data={"email": address,
                                                        "password": password})
        assert response.status_code in (200, 302)
        with app.app_context():
            pending = db.session.get(User, member.id).pending_email
            assert pending is None or len(pending) <= 254
    run()


def test_a_new_address_that_grows_when_lower_cased_is_refused(app, make):
    member = make.user()
    address = "İ" * 125 + "@example.gov"  # 137 characters, 262 once lower-cased
    assert len(address) <= 254 < len(address.lower())
    with app.app_context():
        account = db.session.get(User, member.id)
        with pytest.raises(Invalid) as error:
            email.request_email_change(account, address, PASSWORD)
        assert error.value.field == "email" and account.pending_email is None
        db.session.rollback()


# -------------------------------------------------------------------------------- CSRF

@pytest.fixture
def csrf_client(app):
    protected = create_app({**config_dict(TestConfig), "WTF_CSRF_ENABLED": True,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield protected.test_client()
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def test_link_forms_without_a_csrf_token_change_nothing(app, make, csrf_client):
    member = make.user()
    with app.app_context():
        account = db.session.get(User, member.id)
        verify = "/verify-email/" + email.make_token("verify", account)
        reset = "/reset-password/" + email.make_token("reset", account)
    for path in (verify, reset):
        response = csrf_client.post(path, data={"new_password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD})
        assert response.status_code == 400 and "This form had expired" in response.text
    after = user(app, member.id)
    assert after.email_verified_at is None and after.session_version == 1
    response = csrf_client.post("/forgot-password", data={"email": member.email})
    assert response.status_code == 400 and f'value="{member.email}"' in response.text
    assert mail_to(app, member.email) == []
