"""Two-factor sign-in (TOTP): enrolment, the second log-in step, replay, recovery codes,
the log-in delay, enforcement for moderators and admins, and secrets kept off pages and logs.
Time is the test clock (forum/clock.py), so code windows are exact."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import clock
from forum.accounts import security_log, twofactor
from forum.accounts.models import Role, User
from forum.accounts.security_log import Event, SignInEvent
from forum.accounts.throttle import POLICIES
from forum.accounts.twofactor import RecoveryCode, TotpCredential
from forum.extensions import db
from tests.factories import PASSWORD


def log_in(client, user, password=PASSWORD, address="10.1.1.1"):
    return client.post("/login", data={"login": user.email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def secret_of(app, user) -> str:
    with app.app_context():
        return twofactor.seed(db.session.get(TotpCredential, user.id))


def code_now(secret: str, offset: int = 0) -> str:
    return twofactor.code_at(secret, twofactor.current_step() + offset)


def enrol(client, app, user) -> tuple[str, list[str]]:
    """Turn two-factor on through the pages; returns (seed, recovery codes)."""
    assert log_in(client, user).status_code == 302
    assert client.post("/settings/two-factor/start").status_code == 302
    secret = secret_of(app, user)
    page = client.post("/settings/two-factor/enrol", data={"code": code_now(secret)})
    assert page.status_code == 200, page.text
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>", page.text)
    client.post("/logout")
    clock.advance(timedelta(seconds=twofactor.STEP))  # past the code used to enrol
    return secret, codes


def test_enrolment_shows_a_local_qr_code_and_the_key_then_ten_recovery_codes(client, app,
                                                                              make):
    user = make.user()
    log_in(client, user)
    assert "Set up two-factor sign-in" in client.get("/settings/two-factor").text
    assert client.get("/settings/two-factor/qr.svg").status_code == 404  # nothing started
    client.post("/settings/two-factor/start")
    secret = secret_of(app, user)
    page = client.get("/settings/two-factor/enrol")
    assert twofactor.manual_key(secret) in page.text
    assert 'src="/settings/two-factor/qr.svg"' in page.text  # our own origin
    assert "no-store" in page.headers["Cache-Control"]
    qr = client.get("/settings/two-factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.data.lstrip().startswith(b"<?xml") and b"<svg" in qr.data
    assert "no-store" in qr.headers["Cache-Control"]

    wrong = client.post("/settings/two-factor/enrol", data={"code": "000000"
                                                          if code_now(secret) != "000000"
                                                          else "111111"})
    assert "That code is not right" in wrong.text
    done = client.post("/settings/two-factor/enrol", data={"code": code_now(secret)})
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>", done.text)
    assert len(set(codes)) == 10
    assert "no-store" in done.headers["Cache-Control"]
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.digest)
                                    .where(RecoveryCode.user_id == user.id)).all()
        assert len(stored) == 10 and not set(stored) & set(codes)  # only digests are kept
        assert twofactor.is_enrolled(db.session.get(User, user.id))
    # Once confirmed, the seed is never shown again: no QR code, no key.
    assert client.get("/settings/two-factor/qr.svg").status_code == 404
    status = client.get("/settings/two-factor")
    assert "Two-factor sign-in is on" in status.text
    assert secret not in status.text and twofactor.manual_key(secret) not in status.text
    assert client.get("/settings/two-factor/enrol").status_code == 302


def test_log_in_asks_for_the_code_after_the_password_and_grants_nothing_before(client,
                                                                            app, make):
    user = make.user()
    secret, _ = enrol(client, app, user)
    first = log_in(client, user)
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/code")
    # Half logged in: no page treats this as a member.
    assert "/login" in client.get("/settings").headers["Location"]
    assert "Log in" in client.get("/").text
    assert client.post("/logout").status_code == 302
    log_in(client, user)
    done = client.post("/login/code", data={"code": code_now(secret)},
                       environ_base={"REMOTE_ADDR": "10.1.1.1"},
                       headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"})
    assert done.status_code == 302
    assert client.get("/settings").status_code == 200
    with app.app_context():
        event = db.session.scalars(select(SignInEvent).where(
            SignInEvent.user_id == user.id, SignInEvent.event == Event.SIGNED_IN)
            .order_by(SignInEvent.id.desc())).first()
        assert event.method == "password + authenticator code"
        assert event.address == "10.1.1.1" and event.device == "Firefox on Linux"


def test_a_used_code_is_refused_within_its_window_and_the_next_one_works(client, app, make):
    user = make.user()
    secret, _ = enrol(client, app, user)
    code = code_now(secret)
    log_in(client, user)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    clock.advance(timedelta(seconds=10))  # the same code is still inside its window
    log_in(client, user)
    replay = client.post("/login/code", data={"code": code})
    assert replay.status_code == 200 and "has been used already" in replay.text
    # An older code inside the drift window is refused too: steps only move forward.
    assert client.post("/login/code", data={"code": code_now(secret, -1)}).status_code == 200
    clock.advance(timedelta(seconds=twofactor.STEP))
    assert client.post("/login/code", data={"code": code_now(secret)}).status_code == 302


def test_codes_from_the_neighbouring_steps_are_accepted_for_clock_drift(client, app, make):
    user = make.user()
    secret, _ = enrol(client, app, user)
    log_in(client, user)
    assert client.post("/login/code", data={"code": code_now(secret, +1)}).status_code == 302
    client.post("/logout")
    clock.advance(timedelta(seconds=5 * twofactor.STEP))
    log_in(client, user)
    assert client.post("/login/code", data={"code": code_now(secret, -2)}).status_code == 200


def test_a_recovery_code_works_once(client, app, make):
    user = make.user()
    _, codes = enrol(client, app, user)
    log_in(client, user)
    used = client.post("/login/code", data={"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 302
    assert "9 left" in client.get("/").text
    client.post("/logout")
    log_in(client, user)
    again = client.post("/login/code", data={"code": codes[3]})
    assert again.status_code == 200 and "That code is not right" in again.text
    assert client.post("/login/code", data={"code": codes[4]}).status_code == 302
    with app.app_context():
        event = db.session.scalars(select(SignInEvent).where(
            SignInEvent.event == Event.SIGNED_IN).order_by(SignInEvent.id.desc())).first()
        assert event.method == "password + recovery code"


def test_failed_codes_count_in_the_log_in_delay(client, app, make):
    user = make.user()
    secret, _ = enrol(client, app, user)
    log_in(client, user)
    failures = POLICIES["account"].free + 4   # the next attempt waits 8 s: no race with time
    for _ in range(failures):
        response = client.post("/login/code", data={"code": "12345x"})
        if response.status_code == 429:  # wait as asked (1, 2, 4 s), then fail again
            clock.advance(timedelta(seconds=int(response.headers["Retry-After"])))
            response = client.post("/login/code", data={"code": "12345x"})
        assert response.status_code == 200
    # Now even the right code is not checked until the wait is over...
    blocked = client.post("/login/code", data={"code": code_now(secret)})
    assert blocked.status_code == 429 and "try again in" in blocked.text
    # ...and a right password does not clear the count (the code is still owed).
    client.post("/logout")
    assert log_in(client, user).status_code == 429
    clock.advance(timedelta(seconds=9))
    assert log_in(client, user).headers["Location"].endswith("/login/code")
    assert client.post("/login/code", data={"code": code_now(secret)}).status_code == 302
    with app.app_context():
        assert security_log.count(user.id, Event.WRONG_CODE) == failures


def test_the_code_step_expires_and_a_password_change_ends_it(client, app, make):
    user = make.user()
    secret, _ = enrol(client, app, user)
    log_in(client, user)
    clock.advance(timedelta(minutes=6))
    late = client.post("/login/code", data={"code": code_now(secret)})
    assert late.status_code == 302 and "/login" in late.headers["Location"]
    assert "/login" in client.get("/settings").headers["Location"]


def test_moderators_and_admins_are_sent_to_enrol_when_admins_require_it(client, app, make):
    admin = make.user(role=Role.ADMIN)
    moderator = make.user(role=Role.MODERATOR)
    member = make.user()
    log_in(client, admin)
    # The admin page is itself behind the rule once it is on, so the admin enrols first.
    assert client.post("/admin/security", data={"required": "y"}).status_code == 302
    sent = client.get("/")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/settings/two-factor")
    client.post("/logout")

    log_in(client, moderator)
    for url in ("/", "/moderation/queue", "/settings", f"/u/{member.display_name}"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/settings/two-factor")
    assert "Your role requires two-factor" in client.get("/settings/two-factor").text
    client.post("/settings/two-factor/start")
    secret = secret_of(app, moderator)
    client.post("/settings/two-factor/enrol", data={"code": code_now(secret)})
    assert client.get("/moderation/queue").status_code == 200
    off = client.post("/settings/two-factor/off", data={"off-password": PASSWORD})
    assert "cannot be turned off" in off.text
    client.post("/logout")

    log_in(client, member)  # members are not concerned
    assert client.get("/").status_code == 200


def test_turning_off_and_new_codes_need_the_password(client, app, make):
    user = make.user()
    _, codes = enrol(client, app, user)
    secret = secret_of(app, user)
    log_in(client, user)
    client.post("/login/code", data={"code": code_now(secret)})
    wrong = client.post("/settings/two-factor/recovery-codes",
                        data={"codes-password": "not it"})
    assert "Your password is not right" in wrong.text
    fresh = client.post("/settings/two-factor/recovery-codes",
                        data={"codes-password": PASSWORD})
    new_codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>", fresh.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert "Your password is not right" in client.post(
        "/settings/two-factor/off", data={"off-password": "nope"}).text
    assert client.post("/settings/two-factor/off",
                       data={"off-password": PASSWORD}).status_code == 302
    client.post("/logout")
    assert log_in(client, user).headers["Location"] == "/"  # no code asked any more
    with app.app_context():
        kinds = [e.event for e in security_log.events_of(db.session.get(User, user.id))[0]]
        assert {Event.TWO_FACTOR_ON, Event.TWO_FACTOR_OFF, Event.RECOVERY_CODES} <= set(kinds)


def test_the_seed_appears_in_no_log_and_on_no_page_but_enrolment(client, app, make, caplog):
    caplog.set_level(logging.DEBUG)
    user = make.user()
    secret, codes = enrol(client, app, user)
    log_in(client, user)
    pages = [client.get("/login/code").text]
    client.post("/login/code", data={"code": code_now(secret)})
    for url in ("/settings", "/settings/two-factor", "/settings/security",
                f"/u/{user.display_name}"):
        pages.append(client.get(url).text)
    everything = "\n".join(pages) + "\n".join(r.getMessage() for r in caplog.records)
    for secret_form in (secret, secret.lower(), twofactor.manual_key(secret)):
        assert secret_form not in everything
    assert not any(code in everything for code in codes)


def test_codes_cannot_be_used_twice_even_by_concurrent_requests(app, make):
    """The step moves forward in one conditional UPDATE: of two checks of one code, one wins."""
    user = make.user()
    with app.test_request_context():
        member = db.session.get(User, user.id)
        twofactor.start_enrolment(member)
        credential = twofactor.credential(member)
        credential.confirmed_at = clock.now()
        db.session.commit()
        code = code_now(twofactor.seed(credential))
        assert twofactor.verify(member, code) == "authenticator code"
        db.session.commit()
        # A second worker that read the credential before the first wrote it.
        db.session.expire_all()
        assert twofactor._use_step(member.id, twofactor.current_step()) is False
        assert twofactor.verify(member, code) is None


@pytest.mark.parametrize("code", ["", " ", "１２３４５６", "abc", "0" * 40, "\u202e123456",
                                  "12345678901234567890"])
def test_odd_codes_are_refused_plainly(client, app, make, code):
    user = make.user()
    enrol(client, app, user)
    log_in(client, user)
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 200
