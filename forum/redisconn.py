"""One Redis client per app, for the features that share state between app servers (the
page cache, buffered view counts, readiness). None when REDIS_URL is not set.

Timeouts are short: when Redis is away, a page is rendered without the cache rather than
waiting on it.
"""
from __future__ import annotations

import redis
from flask import Flask


def redis_client(app: Flask) -> redis.Redis | None:
    if "forum.redis" not in app.extensions:
        url = app.config.get("REDIS_URL")
        timeout = float(app.config.get("REDIS_TIMEOUT", 0.5))
        app.extensions["forum.redis"] = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout,
            health_check_interval=30) if url else None
    return app.extensions["forum.redis"]
