"""A growing delay after failed log-ins, per account and per address, that never locks the
real owner out for long."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import clock
from forum.accounts.throttle import POLICIES, LoginThrottle, delay_after
from forum.extensions import db
from tests.factories import PASSWORD

ACCOUNT = POLICIES["account"]


@pytest.fixture(autouse=True)
def still_clock():
    """The forum's clock stands still (clock.advance still moves it): a one-second wait
    must not run out between two requests on a slow machine (CI's PostgreSQL pass once saw
    an address's wait end before its next attempt)."""
    clock.freeze()
    yield
    clock.reset()


def _attempt(client, login, password="wrong password", address="10.0.0.1"):
    return client.post("/login", data={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_delay_doubles_after_the_free_failures_up_to_the_cap():
    assert [delay_after(n, ACCOUNT).total_seconds() for n in range(1, 10)] == [
        0, 0, 0, 0, 0, 1, 2, 4, 8]
    assert delay_after(40, ACCOUNT) == ACCOUNT.cap == timedelta(minutes=1)


def test_account_waits_after_repeated_failures_and_keeps_what_was_typed(client, make):
    owner = make.user()
    for _ in range(ACCOUNT.free + 1):
        assert _attempt(client, owner.email).status_code == 200
    blocked = _attempt(client, owner.email, password=PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert "try again in 1 second" in blocked.text
    assert f'value="{owner.email}"' in blocked.text
    # Named by display name instead of email: the same account, the same wait.
    assert _attempt(client, owner.display_name, password=PASSWORD,
                    address="10.0.0.2").status_code == 429


def test_owner_gets_in_once_the_short_wait_is_over_and_failures_are_forgotten(client, make,
                                                                              app):
    owner = make.user()
    for _ in range(ACCOUNT.free + 8):  # an attacker's burst: far past the free attempts
        _attempt(client, owner.email)
    clock.advance(ACCOUNT.cap + timedelta(seconds=1))  # never longer than the cap
    assert _attempt(client, owner.email, password=PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(LoginThrottle).where(
            LoginThrottle.key.like("account:%"))).all() == []


def test_no_password_is_checked_while_waiting(client, make):
    owner = make.user()
    for _ in range(ACCOUNT.free + 3):
        _attempt(client, owner.email)
    # Even the right password is refused until the wait ends: guessing gains nothing.
    assert _attempt(client, owner.email, password=PASSWORD).status_code == 429


def test_failures_are_forgotten_after_the_window(client, make):
    owner = make.user()
    for _ in range(ACCOUNT.free):
        _attempt(client, owner.email)
    clock.advance(timedelta(minutes=16))
    # The window ran out: this failure counts as the first again, so no wait follows.
    _attempt(client, owner.email)
    assert _attempt(client, owner.email, password=PASSWORD).status_code == 302


def test_an_address_trying_many_accounts_is_slowed(client, make):
    address_policy = POLICIES["address"]
    for n in range(address_policy.free + 1):
        _attempt(client, f"nobody-{n}@example.gov", address="10.9.9.9")
    assert _attempt(client, "someone-else@example.gov", address="10.9.9.9").status_code == 429
    # Another address is not affected.
    member = make.user()
    assert _attempt(client, member.email, password=PASSWORD,
                    address="10.1.1.1").status_code == 302


def test_rows_hold_no_raw_address_or_name(client, make, app):
    _attempt(client, "grace@example.gov", address="203.0.113.7")
    with app.app_context():
        keys = db.session.scalars(select(LoginThrottle.key)).all()
    assert len(keys) == 2
    assert not any("203.0.113.7" in key or "grace" in key for key in keys)


@pytest.mark.parametrize("login", ["nobody", "", " ", "x" * 254, "@", "ÄÖÜ@ß.de"])
def test_odd_names_never_fail(client, login):
    assert _attempt(client, login).status_code in (200, 429)


def test_log_in_service_raises_refused_then_throttled_like_other_services(app, make):
    """accounts.services.log_in: Refused (the failure is counted and kept by the caller),
    then Throttled while the delay runs, then the member once it is over."""
    from forum.accounts import services
    from forum.errors import Refused, Throttled
    owner = make.user()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        for _ in range(ACCOUNT.free + 1):
            with pytest.raises(Refused) as refused:
                services.log_in(owner.email, "wrong password")
            assert refused.value.field == "login"
            db.session.commit()  # what handlers.complete does with a Refused
        with pytest.raises(Throttled) as throttled:
            services.log_in(owner.email, PASSWORD)
        assert throttled.value.seconds >= 1 and "try again in" in throttled.value.message
        clock.advance(ACCOUNT.cap + timedelta(seconds=1))
        assert services.log_in(owner.email, PASSWORD).id == owner.id
        db.session.rollback()
