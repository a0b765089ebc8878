"""Rows that many pages read and few writes change, kept per worker: a GET uses the copy and
checks it in the page's one Redis round trip (forum/roundtrip.py).

A forum page's forum was one statement, about 490 us of a worker's CPU under load against
some 1,500 for the rest of the page, and 85 us of PostgreSQL's (bench/README.md, issue 15):
a statement costs far more than what it reads. So a *kind* of row (`Kind`: a model, and the
tables its statement reads) is kept per app and worker, each copy by its key (a forum's
slug), as the columns read, under the kind's *generation*: a counter in Redis that moves
after any commit that changed rows of those tables (forum/watched.py: text SQL too).

- A GET (roundtrip.may_assume) with a copy kept under the generation its worker read last
  gets a row made from it without a statement, and owes the check: the generation rides
  the page's round trip. If it moved, the row is read again there and kept under the new
  generation; the same, and the request goes on (a reply elsewhere moved it); anything
  else, and the answer is dropped and the request made again (roundtrip.Outdated), so no
  page is ever sent from a row that changed: not a forum just closed to its readers.
- Otherwise the row is read (a POST, no Redis, nothing kept). A GET keeps what it read
  under the generation its worker read *before* the statement (an older one only makes the
  next check read it again); a worker that has read none yet reads it first, once.
- A copy serves for at most KEPT_ROWS_SECONDS (a write that no engine of this app made, as
  by hand in psql, is seen within that), and each app keeps at most KEPT_ROWS_ENTRIES of a
  kind (least recently kept dropped first).

Coarse on purpose, as the member cache: any reply moves the topics' and forums' generations
(their counts), and each worker reads each row again once. Reading is most of the traffic.
A page made again is counted in the request log as a 307 to itself (bench/mixed.py counts
them: 51 of ~1,800 GETs with a fifth of the requests writing to a few topics).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import redis
from flask import Flask, current_app
from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.sql.util import find_tables

from . import roundtrip, watched
from .extensions import db
from .recent import Recent
from .redisconn import redis_client

M = TypeVar("M")
_KINDS: list[Kind] = []


@dataclass(frozen=True, slots=True)
class Entry:
    generation: int
    until: float  # time.monotonic()
    columns: Any


class _State:
    """A kind's copies and generation in one app."""

    def __init__(self, app: Flask, kind: Kind) -> None:
        self.redis = redis_client(app)
        self.key = f"{app.config['KEPT_ROWS_PREFIX']}{kind.name}:generation"
        self.seconds = app.config["KEPT_ROWS_SECONDS"]
        self.entries: Recent[Any, Entry] = Recent(app.config["KEPT_ROWS_ENTRIES"])
        self.known: int | None = None  # the generation this worker read last

    def learn(self) -> int | None:
        """The generation, read (once a worker: a round trip of its own); a new Redis (or
        flushed) starts it at 0 (INCRBY 0 makes the key)."""
        try:
            self.known = int(self.redis.incrby(self.key, 0))
        except (redis.RedisError, ValueError):
            return None
        return self.known

    def learned(self, generation: int) -> None:
        self.known = generation

    def bump(self) -> None:
        if self.redis is None:
            return
        try:
            self.known = self.redis.incr(self.key)
        except redis.RedisError:
            current_app.logger.warning("Could not move the kept rows' generation on.")
            self.entries.clear()


def columns_of(model) -> tuple[tuple[str, Any], ...]:
    """(attribute, column) of every column a model maps."""
    return tuple((attribute.key, attribute.columns[0])
                 for attribute in model.__mapper__.column_attrs)


def made(model: type[M], columns: dict[str, Any]) -> M:
    """A row of the request's database session made from its columns without a statement
    (as the ORM would have loaded it: relationships load when asked; a many-to-one whose
    row is in the session already asks nothing). A copy of it already in the session is
    left as it is."""
    mapper = model.__mapper__
    identity = mapper.identity_key_from_primary_key(tuple(
        columns[mapper.get_property_by_column(column).key] for column in mapper.primary_key))
    session = db.session()  # the request's Session itself, not the scoped proxy each time
    if (present := session.identity_map.get(identity)) is not None:
        return present
    row = mapper.class_manager.new_instance()
    row.__dict__.update(columns)
    make_transient_to_detached(row)
    # Session.add without its save-update cascade, which would walk every relationship of
    # the model and find nothing (none is loaded on a row made from its columns): ~100 us
    # of a member's topic page. `_update_impl` is the step of `add` that attaches a row
    # with an identity (SQLAlchemy 2.x); tests/test_kept_rows.py checks the row is as
    # `add` leaves it.
    session._update_impl(instance_state(row))
    return row


class Kind(Generic[M]):
    """Rows of `model` found by one column (`by`). Its tables are those its statement reads
    (a kind that reads more than its model's row says so in `statement` and `made`)."""

    def __init__(self, name: str, model: type[M], by) -> None:
        self.name, self.model, self.by = name, model, by
        self._statement = None
        self._tables: tuple[Any, frozenset[str]] | None = None
        _KINDS.append(self)

    def statement(self):
        """The statement reading a row by `kept_row_key`, built once (and its tables)."""
        if self._statement is None:
            self._statement = select(*(column.label(key)
                                       for key, column in columns_of(self.model))) \
                .where(self.by == bindparam("kept_row_key"))
        return self._statement

    def tables(self) -> frozenset[str]:
        """The tables the statement reads (found once for each statement built)."""
        statement = self.statement()
        if self._tables is None or self._tables[0] is not statement:
            self._tables = (statement, frozenset(
                table.name for table in find_tables(statement, include_aliases=True,
                                                    include_joins=True, include_selects=True)
                if isinstance(table, Table)))
        return self._tables[1]

    def columns(self, row) -> Any:
        """What is kept of a row of the statement (compared when checked)."""
        return dict(row._mapping)

    def made(self, kept) -> M:
        return made(self.model, kept)

    def _state(self) -> _State | None:
        states = current_app.extensions.get("forum.kept_rows")
        return None if states is None else states.get(self.name)

    def usable(self) -> bool:
        """Whether this request may use kept rows (a GET, with Redis, kept rows on)."""
        state = self._state()
        return state is not None and state.redis is not None and state.seconds > 0 \
            and roundtrip.may_assume()

    def get(self, key) -> M | None:
        """The row whose `by` is `key`, or None."""
        if not self.usable():
            return self._made(self._read(key))
        state = self._state()
        entry = state.entries.get(key)
        if entry is not None and entry.generation == state.known \
                and entry.until > time.monotonic():
            roundtrip.owe(roundtrip.GenerationCheck(
                state.key, entry.generation, state.learned,
                lambda generation: self._still_current(state, key, entry, generation)))
            return self._made(entry.columns)
        known = state.known if state.known is not None else state.learn()
        columns = self._read(key)
        self._keep(state, key, known, columns)
        return self._made(columns)

    def _still_current(self, state: _State, key, entry: Entry, generation: int | None) -> bool:
        """The check found the generation moved: read the row again (after the generation:
        kept under it) and say whether it is what the request used."""
        columns = self._read(key)
        self._keep(state, key, generation, columns)
        return columns == entry.columns

    def _read(self, key) -> Any:
        row = db.session.execute(self.statement(), {"kept_row_key": key}).first()
        return None if row is None else self.columns(row)

    def _keep(self, state: _State, key, generation: int | None, columns) -> None:
        if generation is None or columns is None:
            state.entries.drop(key)
            return
        state.entries.put(key, Entry(generation, time.monotonic() + state.seconds, columns))

    def _made(self, kept) -> M | None:
        return None if kept is None else self.made(kept)


def init_app(app: Flask) -> None:
    """Each kind's copies for this app, and its generation moved by writes to its tables."""
    states = app.extensions.setdefault("forum.kept_rows", {})
    with app.app_context():
        for kind in _KINDS:
            state = states[kind.name] = _State(app, kind)
            watched.watch_writes(db.engine, f"kept_rows:{kind.name}", kind.tables,
                                 state.bump)
