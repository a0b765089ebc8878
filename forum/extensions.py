"""Extensions are created once here and bound to an app in create_app()."""
import re

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from psycopg.pq import TransactionStatus
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine
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


_WRITES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b")


def _reads_only(statement: str) -> bool:
    """A SELECT, or a SELECT with common table expressions none of which writes (search's
    ranking statement): SQLAlchemy writes SQL keywords in capitals, and anything else, or
    a CTE with INSERT, UPDATE, DELETE or MERGE anywhere (a FOR UPDATE too), counts as a
    write."""
    if statement.startswith("SELECT "):
        return True
    return statement.startswith("WITH ") and _WRITES.search(statement) is None


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


def end_reads_with_commit(engine: Engine) -> None:
    """PostgreSQL: end a transaction that only read with COMMIT instead of ROLLBACK, so that
    psycopg keeps the statements it has prepared.

    psycopg 3 prepares a statement on the server after its fifth run on a connection, which
    then skips parsing (and, with generic plans, planning). But psycopg forgets every
    prepared statement on ROLLBACK (the transaction might have dropped what they refer
    to), and every request ended with one: Flask-SQLAlchemy closes the session after the
    request, which rolls back. So no statement was ever prepared. For a transaction that
    wrote nothing, COMMIT and ROLLBACK do the same thing; a transaction that ran anything
    but a read (a write, DDL, a SET, a savepoint, a CTE that writes) still ends with a real
    ROLLBACK. Without psycopg (SQLite) this does nothing.
    """
    if engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "before_cursor_execute")
    def note_writes(conn: Connection, cursor, statement: str, *args) -> None:
        if not _reads_only(statement):
            conn.info["wrote"] = True

    @event.listens_for(engine, "commit")
    def forget_writes(conn: Connection) -> None:
        conn.info.pop("wrote", None)

    @event.listens_for(engine, "rollback")
    def commit_reads(conn: Connection) -> None:
        # Runs just before the ROLLBACK; after a COMMIT psycopg's rollback() has no
        # transaction to end and sends nothing.
        if conn.info.pop("wrote", False) or conn.invalidated:
            return
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection is not None and \
                dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
            dbapi_connection.commit()


migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"
