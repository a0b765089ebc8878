"""Whole pages for visitors, kept for a few seconds.

Most readers of a public forum are not logged in, and they all see the same page. For them a
page is rendered once and served from memory for PAGE_CACHE_SECONDS (0 turns this off), the
way Discourse serves anonymous readers. Only what is identical for every visitor is kept:

- a GET or HEAD with no session or remember-me cookie (so no flash message, no log-in, no
  form with a CSRF token for them);
- a 200 HTML or Atom response that sets no cookie and was not rate limited.

Anyone logged in always gets a fresh page, so members never see their own write missing; a
visitor may see a page up to PAGE_CACHE_SECONDS old. A topic page served from the cache still
counts its view. The cache is per worker process and bounded (PAGE_CACHE_ENTRIES, least
recently used dropped first), so memory stays flat.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session

CACHED_TYPES = ("text/html", "application/atom+xml")
# Pages that are personal or have effects even for a visitor: never kept.
PRIVATE_BLUEPRINTS = {"notify", "moderation", "admin"}
PRIVATE_ENDPOINTS = {"library.go"}


@dataclass(frozen=True)
class Entry:
    body: bytes
    content_type: str
    expires: float
    viewed_topic: int | None


class PageCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[str, Entry] = OrderedDict()

    def init_app(self, app: Flask) -> None:
        app.extensions["forum.pagecache"] = self
        app.config.setdefault("PAGE_CACHE_SECONDS", 0)
        app.config.setdefault("PAGE_CACHE_ENTRIES", 500)
        app.before_request(self._serve)
        app.after_request(self._keep)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)

    @staticmethod
    def _key() -> str | None:
        """The page's key, or None when this request must be answered afresh."""
        config = current_app.config
        if not config["PAGE_CACHE_SECONDS"] or request.method not in ("GET", "HEAD"):
            return None
        cookies = request.cookies
        if config["SESSION_COOKIE_NAME"] in cookies or \
                config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return None
        endpoint = request.endpoint
        if endpoint in (None, "static") or endpoint.partition(".")[0] in PRIVATE_BLUEPRINTS \
                or endpoint in PRIVATE_ENDPOINTS:
            return None
        return f"{request.host}{request.full_path}"

    def _serve(self) -> Response | None:
        key = self._key()
        g.page_cache_key = key
        if key is None:
            return None
        now = time.monotonic()
        with self._lock:
            entry = self._pages.get(key)
            if entry is not None and entry.expires > now:
                self._pages.move_to_end(key)
            else:
                entry = None
        if entry is None:
            return None
        if entry.viewed_topic is not None:
            current_app.extensions["forum.views"].record(entry.viewed_topic)
        g.page_cache_hit = True
        response = Response(entry.body, content_type=entry.content_type)
        response.headers["X-Page-Cache"] = "hit"
        return response

    def _keep(self, response: Response) -> Response:
        key = g.get("page_cache_key")
        if key is None:
            return response
        response.vary.add("Cookie")
        if g.get("page_cache_hit"):
            return response
        if (response.status_code != 200 or response.direct_passthrough
                or response.mimetype not in CACHED_TYPES or "Set-Cookie" in response.headers
                or session.modified or session  # a cookie will be set: this page is theirs
                or g.get("rate_limited") or request.method != "GET"):
            return response
        config = current_app.config
        entry = Entry(response.get_data(), response.content_type,
                      time.monotonic() + config["PAGE_CACHE_SECONDS"], g.get("viewed_topic"))
        with self._lock:
            self._pages[key] = entry
            self._pages.move_to_end(key)
            while len(self._pages) > config["PAGE_CACHE_ENTRIES"]:
                self._pages.popitem(last=False)
        response.headers["X-Page-Cache"] = "miss"
        return response


page_cache = PageCache()
