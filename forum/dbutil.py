"""Small database helpers that differ by dialect, used by the services."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import ARRAY, Boolean, Integer, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from .extensions import db


def string_enum(cls):
    """A Python enum stored as its values in a short VARCHAR (no database enum type, so a new
    member needs no migration of the type)."""
    return db.Enum(cls, native_enum=False, length=16,
                   values_callable=lambda e: [m.value for m in e])


class Facts(dict[str, Callable[[Any], Any]]):
    """Named facts other features register to be loaded with a row, in the same statement:
    name -> fn(key expression) giving a scalar subquery. `facts.register(name)` is the
    decorator (accounts' SESSION_FACTS, board's TOPIC_FACTS)."""

    def register(self, name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
        def add(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
            self[name] = fn
            return fn
        return add

    def statement(self, key, build: Callable[..., Any],
                  variant: Hashable = None) -> tuple[tuple[str, ...], Any]:
        """(names, build(*the facts of `key` as labelled columns)): the statement that
        loads the row with its facts, built once per process with bound parameters
        (building the subqueries afresh cost ~1.8 ms of CPU a request, issue 15), and
        again if a fact was registered since (facts register at import). A caller with
        several statements names each `variant`."""
        names = tuple(self)
        built = self.__dict__.setdefault("_built", {})
        found = built.get(variant)
        if found is None or found[0] != names:
            found = built[variant] = (
                names, build(*(self[name](key).label(name) for name in names)))
        return found


class InIds(ColumnElement[bool]):
    """`column IN` a list of integer ids given by name when the statement runs (`in_ids`)."""
    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("name", InternalTraversal.dp_string)]

    def __init__(self, column, name: str):
        self.column = column
        self.name = name


def in_ids(column, name: str) -> InIds:
    """`column` is one of the integer ids bound to `name` at execution, for statements
    built once per process. On PostgreSQL the list goes as one array parameter,
    `column = ANY(%(name)s::INTEGER[])`: the statement's text is the same for any number of
    ids, so it is prepared once, and neither SQLAlchemy nor psycopg renders and splits a
    placeholder per id on every request (the home page's 50 forums as an expanding IN list:
    a member's home page took 12.4M instructions, 9.9M with one array; issue 15).
    Elsewhere (SQLite) an expanding IN list. The list may be empty (matches nothing)."""
    return InIds(column, name)


@compiles(InIds)
def _in_list(element: InIds, compiler, **kw) -> str:
    return compiler.process(
        element.column.in_(bindparam(element.name, expanding=True, type_=Integer)), **kw)


@compiles(InIds, "postgresql")
def _any_array(element: InIds, compiler, **kw) -> str:
    return compiler.process(
        element.column == any_(bindparam(element.name, type_=ARRAY(Integer))), **kw)


def on_postgresql() -> bool:
    """True when the session's database is PostgreSQL (else it is SQLite)."""
    return db.session.get_bind().dialect.name == "postgresql"


def upsert_insert(table):
    """An INSERT on `table` that takes ON CONFLICT clauses, on either database."""
    return (postgresql if on_postgresql() else sqlite).insert(table)


def insert_ignoring_duplicates(model, **values) -> bool:
    """INSERT a row unless a unique constraint already holds one; True if a row was added.

    One statement on both databases (ON CONFLICT DO NOTHING), so two requests racing to add
    the same row never raise and never count twice.
    """
    table = model.__table__
    statement = (upsert_insert(table).values(**values).on_conflict_do_nothing()
                 .returning(*table.primary_key.columns))
    return db.session.execute(statement).first() is not None


def insert_or_move_forward(model, column: str, **values) -> bool:
    """INSERT a row, or move an existing one's `column` forward: where a row with the same
    primary key exists, its values are replaced only if the new `column` value is larger.
    One statement on both databases (ON CONFLICT DO UPDATE ... WHERE), so a repeated or
    older request writes nothing and two racing requests keep the larger value. True if a
    row was written."""
    table = model.__table__
    statement = upsert_insert(table).values(**values)
    keys = [c.name for c in table.primary_key.columns]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in values if name not in keys},
        where=table.c[column] < statement.excluded[column],
    ).returning(*table.primary_key.columns)
    return db.session.execute(statement).first() is not None


def insert_many_ignoring_duplicates(model, rows: list[dict]) -> None:
    """INSERT rows, skipping those a unique constraint already holds (ON CONFLICT DO NOTHING),
    in one statement. Callers pass rows in key order, so two writers adding overlapping
    sets lock them in the same order and never deadlock."""
    if not rows:
        return
    for start in range(0, len(rows), 1000):  # under SQLite's bound-parameter limit
        db.session.execute(upsert_insert(model.__table__).values(rows[start:start + 1000])
                           .on_conflict_do_nothing())
