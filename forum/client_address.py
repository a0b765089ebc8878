"""Who the client is, behind PROXY_COUNT trusted reverse proxies.

`PROXY_COUNT` (default 0) is the number of reverse proxies in front of the app that each
append the address they saw to X-Forwarded-For (nginx: `$proxy_add_x_forwarded_for`).
Werkzeug's ProxyFix then takes the client address from the PROXY_COUNT-th entry counted from
the right, the scheme from X-Forwarded-Proto and the host from X-Forwarded-Host. Entries to
the left of that one were written by the client itself and are ignored, so a client that
sends its own X-Forwarded-For cannot choose its address. With 0, the headers are ignored and
the address is the TCP peer's.

Everything keyed on the client (rate limits, the log-in delay, link visits) asks
`client_address()`, never `request.remote_addr` or `access_route` directly.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def client_address() -> str:
    """The address of the client of this request (as seen by the first trusted proxy)."""
    return request.remote_addr or "unknown"
