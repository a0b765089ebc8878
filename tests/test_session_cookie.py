"""The session cookie's signature is checked once per process for each value
(forum/sessioncookie.py); a forged, expired or changed session is never served from it."""
from __future__ import annotations

import time

import itsdangerous
from forum import sessioncookie


def _cookie(client, app) -> str:
    return client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value


def test_a_cookie_is_verified_once(app, make, login, client, monkeypatch):
    login(make.user())
    for _ in range(2):  # the first page puts a CSRF token in the session: a new cookie
        client.get("/settings")
    verified = []
    real = itsdangerous.Signer.verify_signature
    monkeypatch.setattr(itsdangerous.Signer, "verify_signature",
                        lambda self, *args: verified.append(1) or real(self, *args))
    for _ in range(3):
        assert client.get("/settings").status_code == 200
    assert verified == []


def test_a_changed_or_forged_cookie_is_refused(app, make, login, client):
    login(make.user())
    assert client.get("/settings").status_code == 200
    value = _cookie(client, app)
    forged = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    client.set_cookie("session", forged)
    response = client.get("/settings")
    assert response.status_code == 302 and "/login" in response.location


def test_an_expired_cookie_is_refused_though_it_was_kept(app, make, login, client,
                                                        monkeypatch):
    login(make.user())
    assert client.get("/settings").status_code == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr(sessioncookie.time, "time", lambda: later)
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = client.get("/settings")
    assert response.status_code == 302 and "/login" in response.location


def test_what_one_request_changes_is_not_seen_by_another_with_the_same_cookie(app, make,
                                                                             login, client):
    """A request that changes its session (a flash message) gets a new cookie; another
    request still sending the old one (another tab) does not see the change."""
    login(make.user())
    client.get("/settings")
    value = _cookie(client, app)
    with app.test_request_context("/", headers={"Cookie": f"session={value}"}) as ctx:
        session = app.session_interface.open_session(app, ctx.request)
        session.setdefault("_flashes", []).append(("info", "Only for this request."))
        session["note"] = "changed"
    with app.test_request_context("/", headers={"Cookie": f"session={value}"}) as ctx:
        again = app.session_interface.open_session(app, ctx.request)
    assert "_flashes" not in again and "note" not in again and again.get("_user_id")


def test_a_kept_session_of_plain_values_is_copied_without_deepcopy_and_a_list_still_is(
        app, make, login, client, monkeypatch):
    """Each request gets its own copy of a kept session: a plain dict copy when every value
    is plain (copy.deepcopy was ~10 us of every member's page), a deep copy when a value is
    a list or a dict, which a request may change in place (flashed messages)."""
    login(make.user())
    for _ in range(2):  # (the cookie the first page sets is verified, and kept, by the next)
        client.get("/settings")
    value = _cookie(client, app)
    deep = []
    real = sessioncookie.copy.deepcopy
    monkeypatch.setattr(sessioncookie.copy, "deepcopy", lambda data: (deep.append(1),
                                                                      real(data))[1])
    with app.test_request_context("/", headers={"Cookie": f"session={value}"}) as ctx:
        session = app.session_interface.open_session(app, ctx.request)
    assert deep == [] and session.get("_user_id")
    kept = {"_user_id": "1", "_flashes": [("info", "Kept.")]}
    copied = sessioncookie._copy(kept)
    copied["_flashes"].append(("info", "Only for this request."))
    assert kept["_flashes"] == [("info", "Kept.")] and deep == [1]
