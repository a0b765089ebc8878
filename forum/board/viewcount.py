"""Topic view counts without a write per page view.

Views are added up and written in one UPDATE per topic at most every VIEW_FLUSH_SECONDS
(per process), after the response has been sent, in a transaction of their own, and by
`flask forum flush-views` / `flask forum scheduled`. Pages show the stored count plus what
has not been written yet.

Where views wait: with REDIS_URL set, in one Redis hash shared by every worker of every app
server (HINCRBY per view; a flush takes the whole hash atomically, so two flushing workers
never write a view twice, and puts it back if the database is away), so every server shows
the same count and a worker that stops loses nothing. Without Redis, in this process's
memory (written at exit too). If Redis is away, views wait in memory until it returns.
"""
from __future__ import annotations

import atexit
import threading
import time
from collections import Counter

import redis
from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import update

from ..extensions import db
from ..redisconn import redis_client
from .models import Topic

KEY = "forum:views:pending"
# Take the whole hash and delete it in one step (no view counted twice, none lost between).
TAKE = "local v = redis.call('HGETALL', KEYS[1]); redis.call('DEL', KEYS[1]); return v"


class ViewCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[int] = Counter()
        self._recorded = False
        self._last_flush = time.monotonic()
        self.app: Flask | None = None

    def init_app(self, app: Flask) -> None:
        self.app = app
        app.extensions["forum.views"] = self
        app.config.setdefault("VIEW_COUNT_KEY", KEY)
        atexit.register(self._flush_at_exit)

    @staticmethod
    def _redis() -> tuple[redis.Redis | None, str]:
        if not has_app_context():
            return None, KEY
        return redis_client(current_app), current_app.config.get("VIEW_COUNT_KEY", KEY)

    def counting(self, topic_id: int) -> CountedView:
        """A view of a topic's page that the page counts in the round trip of its fragments'
        look-up (pagecache.kept_fragments(..., along=)); `.waiting()` after the look-up says
        what record() would have."""
        return CountedView(self, topic_id)

    def record(self, topic_id: int) -> int:
        """Count a view; returns the topic's views not written yet, this one included (what
        pending() would say next, without asking Redis again)."""
        self.counted(topic_id)
        client, key = self._redis()
        if client is not None:
            try:
                shared = int(client.hincrby(key, str(topic_id), 1))
                return shared + self._pending.get(topic_id, 0)
            except redis.RedisError:
                pass  # kept in memory below, written by this process's next flush
        with self._lock:
            self._pending[topic_id] += 1
            return self._pending[topic_id]

    def shared_key(self) -> str | None:
        """The Redis hash where views wait, for a look-up that counts one itself (the page
        cache's, forum/pagecache.py); None without Redis."""
        client, key = self._redis()
        return key if client is not None else None

    def counted(self, topic_id: int) -> None:
        """A view counted (by record(), or by a look-up in the shared hash itself): the
        page's topic for the page cache, and this process's flush is due."""
        if has_request_context():  # a cached copy of this page still counts its views
            g.viewed_topic = topic_id
        self._recorded = True

    def pending(self, topic_id: int) -> int:
        waiting = self._pending.get(topic_id, 0)
        client, key = self._redis()
        if client is not None:
            try:
                waiting += int(client.hget(key, str(topic_id)) or 0)
            except redis.RedisError:
                pass
        return waiting

    def due(self, interval: float) -> bool:
        return self._recorded and time.monotonic() - self._last_flush >= interval

    def flush(self) -> int:
        """Write the buffered counts; returns the number of topics updated."""
        with self._lock:
            batch, self._pending = self._pending, Counter()
            self._recorded = False
            self._last_flush = time.monotonic()
        taken: Counter[int] = Counter()
        client, key = self._redis()
        if client is not None:
            try:
                raw = client.eval(TAKE, 1, key)
                taken = Counter({int(raw[i]): int(raw[i + 1]) for i in range(0, len(raw), 2)})
            except redis.RedisError:
                current_app.logger.warning("View counts in Redis could not be read yet.")
        batch.update(taken)
        if not batch:
            return 0
        try:
            with db.engine.begin() as conn:
                for topic_id, views in sorted(batch.items()):
                    conn.execute(update(Topic.__table__).where(Topic.__table__.c.id == topic_id)
                                 .values(view_count=Topic.__table__.c.view_count + views))
        except Exception:  # the database is away: keep the counts for the next try
            self._put_back(batch, taken, client, key)
            raise
        return len(batch)

    def _put_back(self, batch: Counter[int], taken: Counter[int], client, key: str) -> None:
        local = batch - taken
        if taken and client is not None:
            try:
                with client.pipeline() as pipe:
                    for topic_id, views in taken.items():
                        pipe.hincrby(key, str(topic_id), views)
                    pipe.execute()
            except redis.RedisError:
                local = batch
        with self._lock:
            self._pending.update(local)
            self._recorded = True

    def _flush_at_exit(self) -> None:
        if self.app is None or not self._pending:
            return
        try:
            with self.app.app_context():
                self.flush()
        except Exception:
            pass


class CountedView:
    """One view, counted with Redis in the page's one round trip (pagecache.RidesAlong): a
    member's topic page asked Redis twice, HINCRBY then MGET (60 us of the worker's CPU and
    a round trip, bench/README.md). Where the count did not ride along (no fragment looked
    up, no Redis, Redis away), `waiting()` counts it as record() does."""

    def __init__(self, counter: ViewCounter, topic_id: int) -> None:
        self._counter = counter
        self._topic_id = topic_id
        self._shared: int | None = None

    def queue(self, pipe) -> None:
        _, key = self._counter._redis()
        pipe.hincrby(key, str(self._topic_id), 1)

    def answered(self, answers: list) -> None:
        self._shared = int(answers[0])
        self._counter.counted(self._topic_id)

    def waiting(self) -> int:
        if self._shared is None:
            return self._counter.record(self._topic_id)
        return self._shared + self._counter._pending.get(self._topic_id, 0)


views = ViewCounter()
