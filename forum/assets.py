"""Static files with their content in their URL.

`url_for('static', filename=...)` adds `?v=<first 12 hex digits of the file's SHA-256>`, so
a file's URL changes exactly when its content does. Browsers and nginx may then keep a
static file for a year (deploy/nginx: `expires max`, `immutable`), and a new release is
picked up at once. The app itself sends the same long lifetime for a fingerprinted request
(for set-ups without nginx). Hashes are computed once per file, modification time and size.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600
_hashes: dict[tuple[str, int, int], str] = {}


def fingerprint(path: Path) -> str | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return _hashes[key]


def init_app(app: Flask) -> None:
    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            folder = Path(app.static_folder or "")
            target = (folder / values["filename"]).resolve()
            if folder.resolve() in target.parents:
                if version := fingerprint(target):
                    values["v"] = version

    @app.after_request
    def keep_fingerprinted(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code in (
                200, 304):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response


