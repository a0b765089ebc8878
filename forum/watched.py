"""Writes to some tables, seen on the engine: after a transaction that changed rows of one of
them commits, a callback runs (the member cache's and the kept rows' generations move).

The engine marks a connection that runs an INSERT, UPDATE or DELETE changing rows of a
watched table, or any statement not known to be a read (text SQL, TRUNCATE...), and the
callback runs when the connection goes back to the pool, which is after its commit and
before the writing request's answer is sent. A write made with the execution option
`neutral` (noting "last seen") is not one. The tables are asked for at each write (a
callable), so a table registered after the watch began is watched too."""
from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Statements of text (not built by SQLAlchemy) that only read; any other may write.
_READS = re.compile(r"\s*(SELECT|PRAGMA|SHOW|SET|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)\b",
                    re.IGNORECASE)


def watch_writes(engine: Engine, name: str, tables: Callable[[], frozenset[str]],
                 after_commit: Callable[[], None], neutral: str | None = None) -> None:
    mark = f"forum.written:{name}"  # on a pooled connection: call back when it comes back

    @event.listens_for(engine, "after_cursor_execute")
    def note_write(conn, cursor, statement, parameters, context, executemany) -> None:
        info = conn.info
        if mark in info:
            return
        if context is not None:
            if neutral is not None and context.execution_options.get(neutral):
                return
            element = getattr(context.compiled, "statement", None)
            if element is not None and element.is_select:
                return
            if element is not None and element.is_dml:
                if getattr(getattr(element, "table", None), "name", None) in tables() \
                        and not _changed_nothing(context, cursor):
                    info[mark] = True
                return
        if not _READS.match(statement):
            info[mark] = True

    @event.listens_for(engine, "checkin")
    def after_commit_back(dbapi_connection, connection_record) -> None:
        if connection_record.info.pop(mark, None):
            after_commit()


def _changed_nothing(context, cursor) -> bool:
    """An UPDATE or DELETE that matched no row (a topic read marks the notifications about
    its posts read: mostly there are none). Not an INSERT, nor anything RETURNING rows:
    SQLite counts those only as they are fetched."""
    return ((context.isupdate or context.isdelete) and not context.compiled.effective_returning
            and cursor.rowcount == 0)
