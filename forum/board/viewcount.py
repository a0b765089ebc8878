"""Topic view counts without a write per page view.

Views are added up in memory and written in one UPDATE per topic at most every
VIEW_FLUSH_SECONDS, after the response has been sent, in a transaction of their own. Pages
show the stored count plus what this process has not written yet.
"""
from __future__ import annotations

import atexit
import threading
import time
from collections import Counter

from flask import Flask, g, has_request_context
from sqlalchemy import update

from ..extensions import db
from .models import Topic


class ViewCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[int] = Counter()
        self._last_flush = time.monotonic()
        self.app: Flask | None = None

    def init_app(self, app: Flask) -> None:
        self.app = app
        app.extensions["forum.views"] = self
        atexit.register(self._flush_at_exit)

    def record(self, topic_id: int) -> None:
        if has_request_context():  # a cached copy of this page still counts its views
            g.viewed_topic = topic_id
        with self._lock:
            self._pending[topic_id] += 1

    def pending(self, topic_id: int) -> int:
        return self._pending.get(topic_id, 0)

    def due(self, interval: float) -> bool:
        return bool(self._pending) and time.monotonic() - self._last_flush >= interval

    def flush(self) -> int:
        """Write the buffered counts; returns the number of topics updated."""
        with self._lock:
            batch, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not batch:
            return 0
        try:
            with db.engine.begin() as conn:
                for topic_id, views in sorted(batch.items()):
                    conn.execute(update(Topic.__table__).where(Topic.__table__.c.id == topic_id)
                                 .values(view_count=Topic.__table__.c.view_count + views))
        except Exception:  # the database is away: keep the counts for the next try
            with self._lock:
                self._pending.update(batch)
            raise
        return len(batch)

    def _flush_at_exit(self) -> None:
        if self.app is None or not self._pending:
            return
        try:
            with self.app.app_context():
                self.flush()
        except Exception:
            pass


views = ViewCounter()
