"""Who is asking, kept between a member's requests: most of their pages ask the database
nothing to learn it.

Every page a member loads needs their row, their session record (ended? idle?) and the
session facts other features register (unread notifications and conversations, drafts,
what waits for moderators...): one statement (`services.load_session_user`). It was half
of what a member's Articles page cost the app beyond a visitor's, and as much again of
PostgreSQL's CPU (issue 15, bench/README.md).

**Kept.** Per worker, in memory, keyed by the session's id (`member:version:record`, so
another session or a new session version is another key): the columns of the member's
row, the record's "last seen" and the facts, with the *generation* read before the
statement ran. An entry is served only while that generation is still current, for at most
MEMBER_CACHE_SECONDS, and never once a "last seen" would be due, so sessions are still
touched every SESSION_TOUCH_SECONDS and idle ones still end. A hit puts a copy of the row
into the request's database session without a statement (`member`), so the rest of the
request uses it as if it had been loaded.

**The generation** is one counter for the site: in Redis when REDIS_URL is set (every
worker of every app server reads it, one GET per member's request), else in the process,
which is right only where one process serves (MEMBER_CACHE_LOCAL, as for the kept post
lists; tests). It moves after any transaction that wrote to a table the statement reads
(found in the statement itself, so a fact registered tomorrow is covered): the engine
marks a connection that runs an INSERT, UPDATE or DELETE changing rows of one of those
tables, or any statement not known to be a read (text SQL, TRUNCATE...), and the counter
moves when the connection goes back to the pool, which is after its commit. A request
reads the counter before its statement, so an entry is never kept under a generation that
a write it did not see has already passed. So a ban, a log-out elsewhere, a new role, a
new notification or a new report is seen on the member's next request, whichever worker
serves it. Noting "last seen" (`NEUTRAL`) does not move it.

Coarse on purpose: any reply (a post, its notifications) drops every member's entry, and
each pays the statement once on their next page. Reading is most of a forum's traffic.

**Checked in the page's round trip.** Reading the generation first was a round trip of its
own on every member's page, before the page's fragments were looked up in another (~170 us
of CPU of the worker and Redis together, bench/README.md). A GET (or HEAD) is served the
entry kept under the generation this worker last read (`assumed`) without reading it, and
owes the check (`check`, forum/roundtrip.py): the generation rides the page's
look-up of its fragments, or is read alone as the answer is ready, so no answer leaves
unchecked. If it moved, the member is loaded again there and then: the same row and facts
(a reply somewhere else moved it) and the request goes on, as if loaded now, under the new
generation; anything else (a ban, a log-out, a new notification) and the answer is dropped
and the request made again from the start, loading the member first as a POST always does.

When Redis does not answer, nothing is served from the cache. If the counter could not be
moved, this worker drops its own entries; other workers' entries end within
MEMBER_CACHE_SECONDS.
"""
from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from flask import Flask, current_app
from sqlalchemy.engine import Engine

from .. import clock, keptrows, roundtrip, watched
from ..extensions import db
from ..recent import Recent
from ..redisconn import redis_client
from .models import User

# Execution option of a write that cannot change an entry (sessions.touch_after_response).
NEUTRAL = "member_cache_neutral"
_COLUMNS = tuple(attribute.key for attribute in User.__mapper__.column_attrs)
log = logging.getLogger(__name__)  # a child of the app's logger ("forum")
# The generation where one process serves (MEMBER_CACHE_LOCAL), shared by its apps.
_process_generation = 0
_process_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Entry:
    generation: int
    until: datetime
    columns: dict[str, Any]
    last_seen_at: datetime
    facts: dict[str, Any]

    def same(self, user: User, facts: dict[str, Any]) -> bool:
        """Whether a member loaded now is what this entry kept (the "last seen" aside)."""
        loaded = user.__dict__
        return facts == self.facts and all(
            loaded.get(key) == value for key, value in self.columns.items())


class MemberCache:
    """This worker's entries and the site's generation (see the module's text)."""

    def __init__(self, app: Flask, tables: Callable[[], frozenset[str]]) -> None:
        config = app.config
        self.redis = redis_client(app)
        self.seconds = config["MEMBER_CACHE_SECONDS"]
        self.touch_seconds = config["SESSION_TOUCH_SECONDS"]
        self.key = config["MEMBER_CACHE_KEY"]
        self.enabled = self.seconds > 0 and (self.redis is not None
                                             or config["MEMBER_CACHE_LOCAL"])
        self.tables = tables
        self._entries: Recent[str, Entry] = Recent(config["MEMBER_CACHE_ENTRIES"])
        # the generation this worker read last: an entry kept under it may be assumed
        self.known: int | None = None

    # ------------------------------------------------------------------ the generation

    def generation(self) -> int | None:
        """The current generation, or None: keep and serve nothing (off, or no Redis)."""
        if not self.enabled:
            return None
        if self.redis is None:
            return _process_generation
        try:
            value = self.redis.get(self.key)
            if value is None:  # a new Redis (or flushed): start from a number nobody kept
                self.redis.set(self.key, secrets.randbits(62), nx=True)
                return None
            self.known = int(value)
            return self.known
        except (redis.RedisError, ValueError):
            return None

    def bump(self) -> None:
        """Move the generation on: every entry kept so far is out of date. The process's
        own moves too, whatever the app's kind: several apps in one process (tests) see
        each other's writes."""
        global _process_generation
        with _process_lock:
            _process_generation += 1
        if self.redis is None:
            return
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(self.key, secrets.randbits(62), nx=True)
            pipe.incr(self.key)
            self.known = pipe.execute()[1]
        except redis.RedisError:
            log.warning("Could not move the member cache's generation on.")
            self.clear()

    # ------------------------------------------------------------------------ entries

    def get(self, session_id: str, generation: int | None) -> Entry | None:
        if generation is None:
            return None
        entry = self._entries.get(session_id)
        if entry is None or entry.generation != generation or entry.until <= clock.now():
            return None
        return entry

    def assumed(self, session_id: str) -> Entry | None:
        """The entry kept under the generation this worker read last, for a request that
        owes the check (roundtrip.may_assume; `check`). Only with Redis: where one
        process serves, reading the generation costs nothing."""
        if self.redis is None or not roundtrip.may_assume():
            return None
        return self.get(session_id, self.known)

    def keep(self, session_id: str, generation: int | None, user: User,
             last_seen_at: datetime, facts: dict[str, Any]) -> None:
        """Keep what the statement loaded, under the generation read before it ran."""
        if generation is None:
            return
        until = min(clock.now() + timedelta(seconds=self.seconds),
                    last_seen_at + timedelta(seconds=self.touch_seconds))
        loaded = user.__dict__
        if until <= clock.now() or not all(key in loaded for key in _COLUMNS):
            return
        self._entries.put(session_id, Entry(
            generation, until, {key: loaded[key] for key in _COLUMNS}, last_seen_at,
            dict(facts)))

    def drop(self, session_id: str) -> None:
        self._entries.drop(session_id)

    def clear(self) -> None:
        self._entries.clear()

    @staticmethod
    def member(entry: Entry) -> User:
        """The kept member as a row of this request's database session, loaded without a
        statement (keptrows.made: as the ORM would have loaded it)."""
        return keptrows.made(User, entry.columns)

    def check(self, entry: Entry, still_current: Callable[[int | None], bool]
              ) -> roundtrip.GenerationCheck:
        """The check an `assumed` entry owes: if the generation moved,
        `still_current(generation)` loads the member again (keeping them under it) and says
        whether they are as the request used them; if not, the request is made again."""
        return roundtrip.GenerationCheck(self.key, entry.generation, self.learned,
                                         still_current)

    def learned(self, generation: int) -> None:
        self.known = generation


def init_app(app: Flask, tables: Callable[[], frozenset[str]]) -> MemberCache:
    """The app's member cache; `tables()` names the tables the member's statement reads.
    Writes to them are watched on the app's engine."""
    cache = MemberCache(app, tables)
    app.extensions["forum.member_cache"] = cache
    if cache.seconds > 0:  # watched even when not kept here: another app of the process may
        with app.app_context():
            _watch(db.engine, cache)
    return cache


def for_app() -> MemberCache:
    return current_app.extensions["forum.member_cache"]


def _watch(engine: Engine, cache: MemberCache) -> None:
    watched.watch_writes(engine, "member_cache", cache.tables, cache.bump, neutral=NEUTRAL)
