"""URL helpers shared by views: safe "return to" targets and page numbers."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths may be returned to after logging in: no open redirects."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def page_arg(last: int | None = None) -> int:
    """?page=N as a whole number from 1 (to `last`); anything odd means page 1."""
    raw = request.args.get("page", "1")
    page = int(raw) if re.fullmatch(r"[0-9]{1,8}", raw) else 1
    page = max(page, 1)
    return min(page, last) if last else page
