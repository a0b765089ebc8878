"""Flask's signed session cookie, its signature checked once per process for each value.

A logged-in member's every request carries the same cookie until the session changes.
Flask checks its signature and decodes it on every request (itsdangerous: a key
derivation, an HMAC, base64 and tagged JSON), about as much work as signing the CSRF token
was (issue 15, bench/README.md). `KeptSessionInterface` keeps what a cookie value decoded
to, by the whole value (signature included, so nothing unsigned is ever kept or served),
until the moment Flask would call that cookie expired (its signature's time plus
PERMANENT_SESSION_LIFETIME); each request gets its own copy to change. A value that does
not verify is never kept. Bounded per app (SESSION_COOKIES_KEPT, least recently verified
dropped first)."""
from __future__ import annotations

import copy
import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from .recent import Recent

SESSION_COOKIES_KEPT = 4096


class KeptSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._kept: Recent[str, tuple[float, dict[str, Any]]] = Recent(SESSION_COOKIES_KEPT)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return super().open_session(app, request)
        kept = self._kept.get(value)
        if kept is not None and time.time() <= kept[0]:
            return self.session_class(_copy(kept[1]))
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        self._kept.put(value, (signed_at.timestamp() + max_age, copy.deepcopy(data)))
        return self.session_class(data)


_PLAIN = (str, int, float, bool, type(None))


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """A request's own copy of a kept session: a dict of the same plain values (a member's
    session: ids, flags, the CSRF token) is copied as it is; one holding a list or a dict
    (flashed messages, which a request changes in place) is copied all the way down.
    copy.deepcopy of a member's session was ~10 us of every page."""
    if all(type(value) in _PLAIN for value in data.values()):
        return dict(data)
    return copy.deepcopy(data)
