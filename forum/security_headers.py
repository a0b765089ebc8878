"""Transport and caching rules for every response, in one place.

- HSTS (`Strict-Transport-Security`, one year, subdomains) on every response served over
  HTTPS (`request.is_secure`, which ProxyFix sets from the proxy's X-Forwarded-Proto).
- Session and remember-me cookies are `Secure` by default when SITE_URL is https
  (SESSION_COOKIE_SECURE / REMEMBER_COOKIE_SECURE set to 1 or 0 in the environment win).
- Every response to a request carrying a login session is `Cache-Control: private,
  no-store`: such pages show personal data (settings, notifications, moderation, admin, the
  header's unread count), so no shared proxy or browser cache may keep them. The rule reads
  the session cookie only (no query); visitors' pages stay cacheable. Static files keep
  their own caching.
"""
from __future__ import annotations

from flask import Flask, request, session

HSTS = "max-age=31536000; includeSubDomains"
PRIVATE = "private, no-store"


def init_app(app: Flask) -> None:
    https = str(app.config.get("SITE_URL") or "").lower().startswith("https://")
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(name) is None:
            app.config[name] = https

    @app.after_request
    def transport_and_caching(response):
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static" and "_user_id" in session:
            response.headers["Cache-Control"] = PRIVATE
            response.headers.pop("Expires", None)
        return response
