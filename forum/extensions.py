"""Extensions are created once here and bound to an app in create_app()."""
import os
import re
import time
import weakref
from functools import lru_cache

import psycopg
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from psycopg.pq import ExecStatus
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations name the same thing on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay readable after the request's single commit (a redirect follows anyway).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, let readers work beside one writer, wait on locks."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


# What only reads: a SELECT, or a WITH whose parts are all SELECTs (search's ranking
# statement), that takes no row lock (FOR UPDATE, FOR SHARE...) and calls no function with
# an effect that a transaction would bound (an advisory transaction lock, a sequence, a
# notification). SQLAlchemy writes keywords in capitals and puts every value in a bound
# parameter, so nothing a member typed is in the text; a false alarm only costs a BEGIN.
_NOT_ONLY_READS = re.compile(
    r"\b(?:INSERT|UPDATE|DELETE|MERGE|FOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|SHARE|KEY\s+SHARE))\b"
    r"|\b(?:nextval|setval|pg_advisory_\w+|pg_notify|set_config)\s*\(", re.IGNORECASE)


@lru_cache(maxsize=2048)
def _reads_only(statement: str) -> bool:
    """Whether `statement` only reads (above). Each text is judged once per process: the
    same statements come back request after request."""
    return statement.startswith(("SELECT ", "WITH ")) and \
        _NOT_ONLY_READS.search(statement) is None


# A statement whose best plan depends on its values (which member, how skewed their posts
# are) runs unprepared, so PostgreSQL plans it for the values it is given each time:
# `select(...).execution_options(**PLAN_FOR_VALUES)`. bench/plans.py finds them.
PLAN_FOR_VALUES = {"plan_for_values": True}


def plan_each_statement(engine: Engine) -> None:
    """PostgreSQL: prepared statements keep PostgreSQL's own choice of plan, but no JIT
    and no parallel workers; a statement marked PLAN_FOR_VALUES is not prepared.

    After five runs of a prepared statement PostgreSQL may switch to one generic plan,
    which saves planning each time (1-3 ms of the database's CPU per page statement). Of
    the statements bench/plans.py runs both ways (the load run's pages, home tabs,
    feeds, the directory, moderation and admin pages), the generic plan is slower only
    for the counts of a member's posts in forums the viewer may not read (profile,
    directory: from 1 ms to 15-90 ms for the most prolific members) and for the Top,
    Latest and feed listings (board.queries.page_first: 2-5 ms to 17-26 ms), which are
    marked.
    JIT is off: a generic plan's cost estimate with an unknown LIMIT crossed
    jit_above_cost and the unread list spent 75 ms compiling a 2 ms query. Starting two
    parallel workers took 5 ms for a count that read nothing (a misestimate), and with a
    few cores the other requests need them more. Behind PgBouncer nothing is prepared
    and a session's SET would stay on a shared server connection: there the role
    carries the settings (docs/scaling.md). Without psycopg (SQLite) this does nothing."""
    if engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "connect")
    def set_planning(dbapi_connection, connection_record) -> None:
        threshold = dbapi_connection.prepare_threshold
        connection_record.info["prepare_threshold"] = threshold
        if threshold is None:
            return
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET max_parallel_workers_per_gather = 0")
        dbapi_connection.commit()

    @event.listens_for(engine, "before_cursor_execute")
    def prepare_unless_planned_for_values(conn: Connection, cursor, statement, parameters,
                                          context, executemany) -> None:
        threshold = conn.info.get("prepare_threshold")
        if threshold is None:
            return
        if context is not None and context.execution_options.get("plan_for_values"):
            threshold = None
        if cursor.connection.prepare_threshold != threshold:
            cursor.connection.prepare_threshold = threshold


def ping_after_idle(engine: Engine, seconds: float) -> None:
    """A pooled connection is pinged before use only when it has sat idle `seconds` or
    more (DATABASE_PING_AFTER_IDLE); a dead one is replaced before the request sees it.

    `pool_pre_ping` pinged at every checkout: a round trip more for every page that reads
    the database (on a member's Articles page 10-15% of the time and half of the system
    time that was left, bench/README.md), and a statement for PostgreSQL to answer. Under load a connection
    comes back to the pool and goes out again within milliseconds, so it is not pinged.
    A restart of PostgreSQL (or of the network between) keeps it away longer than that:
    a connection checked out during the outage fails as the database does (the 503 page),
    and every one checked out after it has sat idle at least as long, so it is pinged and
    replaced. What is not caught is a connection that dies while the database stays up
    (a backend ended by an administrator) and is taken again within `seconds`: its
    request fails once, and SQLAlchemy then replaces every connection of the pool.
    tests/test_transactions.py shows both. SQLite's connections do not die this way."""
    if engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "checkin")
    def idle_from(dbapi_connection, connection_record) -> None:
        connection_record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
        since = connection_record.info.get("idle_from")  # None: connected just now
        if since is None or time.monotonic() - since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the connection died while idle") from error  # pool retries


def read_outside_transactions(engine: Engine) -> None:
    """PostgreSQL: statements that only read run outside a transaction; the first one that
    does anything else starts one (BEGIN), which commits or rolls back as before.

    A page asks for its member, its topic, its posts: before, psycopg sent BEGIN before the
    first of them and the request ended with COMMIT, two round trips more than the page's
    statements (on a member's Articles page 5-7% of the time and a third of the system
    time, bench/README.md). Under PostgreSQL's READ COMMITTED each statement sees the
    data committed when it starts, in a transaction or not, so a reader sees the same.
    What a transaction does give, it still gives: a request that writes does so in one
    transaction (from its first write: rows locked FOR UPDATE stay locked, a failure rolls
    everything back), a streamed read (a server-side cursor) has its transaction, and a
    connection whose execution options set an isolation level (a migration's autocommit
    block) is left as they set it. (Only statements that go through SQLAlchemy are seen:
    code taking the raw psycopg connection, which none does, would be in autocommit.)

    Also why statements stay prepared: psycopg prepares a statement after its fifth run on
    a connection but forgets all it prepared on ROLLBACK, and every request ended with one
    (Flask-SQLAlchemy closes the session). A request that only read now ends with nothing
    to roll back. Without psycopg (SQLite) this does nothing."""
    if engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "checkout")
    def read_in_autocommit(dbapi_connection, connection_record, connection_proxy) -> None:
        if not dbapi_connection.autocommit:  # psycopg's setter is a call to the connection
            dbapi_connection.autocommit = True
        connection_record.info["reads_outside"] = True

    @event.listens_for(engine, "before_cursor_execute")
    def begin_before_anything_else(conn: Connection, cursor, statement: str, parameters,
                                   context, executemany) -> None:
        info = conn.connection.info
        # a streamed read (stream_results, yield_per) is DECLAREd as a server-side cursor,
        # which lives only in a transaction
        if info.get("reads_outside") and (not _reads_only(statement) or (
                context is not None and context.execution_options.get("stream_results"))):
            info["reads_outside"] = False
            if "isolation_level" not in conn.get_execution_options():
                cursor.connection.autocommit = False  # psycopg sends BEGIN first


_TUPLES = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class DescribedOnceCursor(psycopg.Cursor):
    """psycopg's cursor, whose `description` builds each result shape's Column objects
    once per process instead of once per statement.

    SQLAlchemy asks every result for `cursor.description`. For a statement it has seen
    (every statement of a page after the first request) it keeps its own description of
    the columns and only looks whether the answer is None; psycopg built a Column object
    per column all the same (31 for the session member's statement: 0.21M of its 1.27M
    instructions in the worker; 94 on a member's topic page, tests/test_transactions.py;
    a member's page 2.3% fewer instructions, bench/README.md). The shape is read
    from the result itself (each column's name, type, modifier and size: what a Column
    holds), so two results share Columns only if psycopg would have built equal ones.
    Column objects are immutable; each call gets its own list."""

    __slots__ = ()
    _shapes: dict[tuple, tuple] = {}

    @property
    def description(self):
        result = self.pgresult
        if not result:
            return None
        fields = result.nfields
        if not fields and result.status not in _TUPLES:
            return None
        each = range(fields)
        shape = (tuple(map(result.fname, each)), tuple(map(result.ftype, each)),
                 tuple(map(result.fmod, each)), tuple(map(result.fsize, each)))
        columns = self._shapes.get(shape)
        if columns is None:
            if len(self._shapes) >= 4096:  # statements are few; bound it all the same
                self._shapes.clear()
            columns = self._shapes[shape] = tuple(super().description)
        return list(columns)


def describe_results_once(engine: Engine) -> None:
    """PostgreSQL: the engine's connections make DescribedOnceCursor cursors (above).
    Without psycopg (SQLite) this does nothing."""
    if engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "connect")
    def use_described_once_cursors(dbapi_connection, connection_record) -> None:
        dbapi_connection.cursor_factory = DescribedOnceCursor


# Engines whose pooled connections a forked process must not use. gunicorn makes the app once
# in its master (preload_app, deploy/gunicorn.conf.py) and forks the workers from it: a
# connection the master had opened would otherwise be shared by every worker, their
# statements interleaved on one socket. A weak set: the tests make many apps.
_ENGINES_TO_FORGET_AFTER_FORK: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_pooled_connections() -> None:
    # close=False: the connections stay the parent's (psycopg closes a connection only in
    # the process that opened it); the child's pool starts empty. SQLAlchemy's documented
    # way ("Using Connection Pools with Multiprocessing or os.fork()").
    for engine in list(_ENGINES_TO_FORGET_AFTER_FORK):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pooled_connections)


def new_connections_after_fork(engine: Engine) -> None:
    """A process forked from this one opens its own connections to the engine's database."""
    _ENGINES_TO_FORGET_AFTER_FORK.add(engine)


migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"
