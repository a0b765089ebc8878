"""The client's address behind PROXY_COUNT trusted proxies (forum/client_address.py): rate
limits, the log-in delay and link visits key on the real client, and a client cannot choose
its key by sending its own X-Forwarded-For."""
from __future__ import annotations

import pytest
from flask import request

from forum import clock
from forum.accounts.throttle import POLICIES
from forum.client_address import client_address
from tests.library.test_library import clicks, make_link

PROXY = "10.0.0.1"  # the address every request arrives from: the reverse proxy


@pytest.fixture
def proxied(other_app):
    def make_app(proxy_count: int, **extra):
        return other_app(**{"PROXY_COUNT": proxy_count, "RATELIMIT_ENABLED": True,
                            "RATE_LIMITS": {"login": "2 per minute"}, **extra})
    return make_app


def _login(client, forwarded_for: str | None, login: str = "x"):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/login", data={"login": login, "password": "wrong"},
                       headers=headers, environ_base={"REMOTE_ADDR": PROXY}).status_code


def test_behind_one_proxy_two_clients_are_limited_separately(proxied):
    client = proxied(1).test_client()
    assert [_login(client, "198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert [_login(client, "198.51.100.2") for _ in range(2)] == [200, 200]


def test_a_forged_forwarded_for_does_not_change_the_key(proxied):
    client = proxied(1).test_client()
    # The client sent "X-Forwarded-For: <anything>"; the proxy appended what it saw.
    statuses = [_login(client, f"203.0.113.{n}, 198.51.100.7") for n in range(4)]
    assert statuses == [200, 200, 429, 429]
    assert _login(client, "198.51.100.8") == 200  # another client still gets in


def test_without_proxies_the_header_is_ignored(proxied):
    client = proxied(0).test_client()
    # Every request comes from the proxy's address, whatever the header says.
    assert [_login(client, f"198.51.100.{n}") for n in range(3)] == [200, 200, 429]


def test_scheme_and_host_come_from_the_proxy(proxied):
    app = proxied(1)
    seen = {}

    @app.get("/_probe")
    def probe():
        seen.update(address=client_address(), scheme=request.scheme, host=request.host)
        return "ok"
    app.test_client().get("/_probe", headers={
        "X-Forwarded-For": "9.9.9.9, 198.51.100.1", "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "forum.example.gov"}, environ_base={"REMOTE_ADDR": PROXY})
    assert seen == {"address": "198.51.100.1", "scheme": "https", "host": "forum.example.gov"}


def test_the_login_delay_is_per_client_behind_a_proxy(proxied):
    # The clock stands still: an address's one-second wait must not run out between two
    # requests on a slow machine (CI's SQLite pass saw 200 where 429 was due).
    clock.freeze()  # the conftest puts the real clock back after the test
    client = proxied(1, RATELIMIT_ENABLED=False).test_client()
    free = POLICIES["address"].free
    for n in range(free + 1):
        assert _login(client, "198.51.100.3", login=f"nobody-{n}@example.gov") == 200
    assert _login(client, "198.51.100.3", login="other@example.gov") == 429
    assert _login(client, "9.9.9.9, 198.51.100.3", login="other@example.gov") == 429
    assert _login(client, "198.51.100.4", login="other@example.gov") == 200


def test_link_visits_count_each_client_behind_a_proxy(app, proxied, make):
    link_id = make_link(app, make)
    client = proxied(1).test_client()
    for forwarded in ("198.51.100.5", "198.51.100.6", "1.2.3.4, 198.51.100.6"):
        assert client.get(f"/links/{link_id}/go", headers={"X-Forwarded-For": forwarded},
                          environ_base={"REMOTE_ADDR": PROXY}).status_code == 302
    assert clicks(app, link_id) == 2
