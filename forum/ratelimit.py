"""Rate limits for the actions people repeat: logging in, registering, posting, voting.

Built on `limits` (the engine of Flask-Limiter), used directly so that a limited form is
shown again with everything the person typed and "try again in N seconds", never an error
page that loses their text. Storage is in memory by default and Redis when REDIS_URL (or
RATELIMIT_STORAGE_URI) is set, so all worker processes share one count. If Redis is away,
requests are let through and a warning is logged: the forum keeps serving.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from . import metrics
from .client_address import client_address

DEFAULT_LIMITS = {
    "login": "10 per minute",
    "register": "5 per hour",
    "topic": "10 per hour",
    "reply": "30 per 10 minutes",
    "preview": "120 per 10 minutes",         # looser than posting: people preview a lot
    "vote": "60 per minute",
    "report": "20 per hour",
    "reset_password": "10 per hour",         # "forgot your password?" from one address
    "reset_password_to": "3 per hour",       # ... and for one e-mail address, from anywhere
    "email_link": "5 per hour",              # links a member asks for (verify, new address)
    "conversation": "20 per hour",           # starting private conversations
    "conversation_new": "3 per hour",        # ... by a member who joined this week
    "message": "60 per 10 minutes",          # replies in conversations
    "live_preview": "60 per minute",         # the composer's live preview (per member)
    "draft": "30 per minute",                # the composer saving drafts as people type
    "mention": "120 per minute",             # name suggestions as people type "@..."
}


class RateLimits:
    def init_app(self, app: Flask) -> None:
        uri = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") \
            or "memory://"
        app.config.setdefault("RATE_LIMITS", {})
        app.extensions["forum.ratelimit"] = MovingWindowRateLimiter(storage_from_string(uri))

    def retry_after(self, action: str, who: str | None = None) -> int | None:
        """Count one attempt at `action` by `who` (default: the client's address).

        Returns None if it is allowed, or the whole seconds to wait before trying again.
        """
        config = current_app.config
        if not config.get("RATELIMIT_ENABLED", True):
            return None
        limit = parse({**DEFAULT_LIMITS, **config["RATE_LIMITS"]}[action])
        key = who or client_address()
        strategy: MovingWindowRateLimiter = current_app.extensions["forum.ratelimit"]
        try:
            if strategy.hit(limit, action, key):
                return None
            reset_at = strategy.get_window_stats(limit, action, key).reset_time
            metrics.refused(action)
        except Exception:  # storage away: serve rather than refuse everyone
            current_app.logger.warning("Rate limit storage unavailable; not limiting %s", action)
            return None
        return max(1, math.ceil(reset_at - time.time()))


rate_limits = RateLimits()


def wait_message(seconds: int) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return (f"You have done that too often. Nothing was lost: try again in {seconds} {unit}.")
