"""One log line per request, with a request id.

The id is nginx's X-Request-ID (deploy/nginx sets it to `$request_id`) when it is a sane
token, else one made here; it is sent back in the response's X-Request-ID, so a line in
nginx's log, the app's log and a user's report can be matched. `LOG_FORMAT=json` writes each
line as a JSON object (for log shippers); otherwise plain text. Lines go to the
`forum.requests` logger (stderr under gunicorn). Nothing secret is logged: no query string
(it may carry tokens), no token from a path, no cookies, no form fields.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time

from flask import Flask, g, request

from .client_address import client_address

logger = logging.getLogger("forum.requests")
GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
SECRET_ARGS = {"token"}  # view arguments never written to the log


def request_id() -> str:
    found = g.get("request_id")
    if found is None:
        given = request.headers.get("X-Request-ID", "")
        # 32 hex digits, as uuid4().hex (which costs five times as much)
        found = g.request_id = given if GOOD_ID.fullmatch(given) else os.urandom(16).hex()
    return found


def _path() -> str:
    """The path, with any secret it carries (e-mailed links' tokens) left out."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_ARGS and isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path


def init_app(app: Flask) -> None:
    app.config.setdefault("LOG_FORMAT", "text")
    app.config.setdefault("REQUEST_LOG", not app.testing)
    if app.config["REQUEST_LOG"]:
        # Alembic's env.py (fileConfig) disables loggers that existed before it ran.
        logger.disabled = False
    if app.config["REQUEST_LOG"] and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)

    @app.before_request
    def start():
        g.log_started = time.perf_counter()
        request_id()

    @app.after_request
    def log(response):
        response.headers["X-Request-ID"] = found = request_id()
        if not app.config["REQUEST_LOG"]:
            return response
        started = g.get("log_started")
        fields = {
            "request_id": found, "client": client_address(), "method": request.method,
            "path": _path(), "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "endpoint": request.endpoint, "cache": response.headers.get("X-Page-Cache"),
        }
        if app.config["LOG_FORMAT"] == "json":
            logger.info(json.dumps(fields, separators=(",", ":")))
        else:
            logger.info("%s %s %s %s %s %sms id=%s", fields["client"], fields["method"],
                        fields["path"], fields["status"], fields["endpoint"], fields["ms"],
                        fields["request_id"])
        return response
