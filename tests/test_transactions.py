"""Transactions on PostgreSQL (forum/extensions.py, read_outside_transactions).

Statements that only read run outside a transaction: no BEGIN before a page's statements and
no COMMIT after them, and nothing to roll back, so psycopg keeps the statements it prepared
and a warm worker skips planning them. The first statement that does anything else (a write,
a row lock, DDL) begins a transaction, which still commits or rolls back as a whole.
"""
from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import OperationalError

from forum.board.models import Forum
from forum.extensions import PLAN_FOR_VALUES, _reads_only, db


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL (TEST_DATABASE_URL)")


def _prepared_on_each_connection(app, path_statement: str) -> list[int]:
    """For every connection the pool holds, how many of its prepared statements start so."""
    counts = []
    with app.app_context():
        pool = db.engine.pool
        held = [pool.connect() for _ in range(pool.checkedin())]
        try:
            for connection in held:
                with connection.dbapi_connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM pg_prepared_statements "
                                   "WHERE statement LIKE %s", (path_statement + "%",))
                    counts.append(cursor.fetchone()[0])
                connection.dbapi_connection.commit()
        finally:
            for connection in held:
                connection.close()
    return counts


def _load_on_every_connection(app, client, url: str) -> None:
    """Ask for `url` often enough that every connection of the pool ran its statements more
    than psycopg's five times before preparing (the pool hands its connections round)."""
    with app.app_context():
        connections = max(db.engine.pool.checkedin(), 1)
    for _ in range(6 * connections + 6):
        assert client.get(url).status_code == 200, url


def test_a_warm_worker_reuses_the_statements_it_prepared(app, client, make):
    """psycopg prepares a statement after 5 runs on a connection, but forgot them all on
    every ROLLBACK, which ended every request: before, nothing was ever prepared."""
    with app.app_context():
        _postgresql_only()
    topic = make.topic(title="Prepared once, planned once", replies=2)
    _load_on_every_connection(app, client, f"/t/{topic.id}-{topic.slug}")
    counts = _prepared_on_each_connection(app, "SELECT topics.id")
    assert counts and all(count >= 1 for count in counts), counts


def test_an_uncommitted_write_is_still_rolled_back(app, make):
    """A request that wrote and did not commit (an error after a write, a view that gave up)
    leaves nothing behind, on both databases: Core and ORM writes alike."""
    forum = make.forum(title="Kept as it was")
    with app.app_context():
        with app.test_request_context():
            db.session.scalar(select(Forum.id).where(Forum.id == forum.id))  # reads first
            db.session.execute(insert(Forum.__table__).values(
                title="Never written", slug="never-written", position=99,
                category_id=forum.category_id))
            db.session.remove()
        with app.test_request_context():
            db.session.get(Forum, forum.id).title = "Renamed, not committed"
            db.session.flush()
            db.session.remove()
        with app.test_request_context():
            titles = set(db.session.scalars(select(Forum.title)))
            db.session.remove()
    assert titles == {"Kept as it was"}


def test_a_failed_read_is_rolled_back_and_the_connection_serves_again(app, make):
    """A statement that fails leaves the transaction in error: it is rolled back, not
    committed, and the next request on the same connection works."""
    make.forum(title="Still here")
    with app.app_context():
        with app.test_request_context():
            with pytest.raises(Exception):
                db.session.execute(text("SELECT no_such_column FROM forums"))
            db.session.remove()
        with app.test_request_context():
            assert db.session.scalars(select(Forum.title)).all() == ["Still here"]
            db.session.remove()


def test_app_connections_start_no_jit_and_no_parallel_workers(app):
    """PostgreSQL chooses between a generic and a custom plan itself, but JIT is off (a
    generic plan's estimate with an unknown LIMIT crossed jit_above_cost: 75 ms compiling a
    2 ms query) and no page statement starts parallel workers (5 ms to start two for a
    count that read nothing)."""
    with app.app_context():
        _postgresql_only()
        settings = {name: db.session.execute(text(f"SHOW {name}")).scalar()
                    for name in ("plan_cache_mode", "jit", "max_parallel_workers_per_gather")}
        db.session.remove()
    assert settings == {"plan_cache_mode": "auto", "jit": "off",
                        "max_parallel_workers_per_gather": "0"}


def test_a_statement_planned_for_its_values_is_never_prepared(app, make):
    """PLAN_FOR_VALUES (the counts of a member's posts out of the viewer's sight, whose
    generic plan read all of a prolific member's posts): run unprepared however often, so
    PostgreSQL plans it for each member; the statements after it are prepared as before."""
    make.forum(title="Counted")
    marked = select(Forum.slug).where(Forum.position >= 0).execution_options(
        **PLAN_FOR_VALUES)
    ordinary = select(Forum.title)
    prepared = text("SELECT statement FROM pg_prepared_statements")
    with app.app_context():
        _postgresql_only()
        with db.engine.connect() as conn:
            for _ in range(8):
                assert conn.execute(marked).scalars().all() == ["counted"]
                assert conn.execute(ordinary).scalars().all() == ["Counted"]
            statements = conn.execute(prepared).scalars().all()
            conn.rollback()
    assert any(s.startswith("SELECT forums.title \nFROM forums") and "WHERE" not in s
               for s in statements), statements
    assert not any("forums.position >=" in s for s in statements), statements


def test_a_profiles_out_of_sight_counts_are_planned_for_each_member(app, client, make):
    """The profile counts what of a member's posts the viewer may not read: that statement
    runs unprepared, on however warm a connection, while the page's others are prepared."""
    with app.app_context():
        _postgresql_only()
    author = make.user("Prolific Writer")
    make.topic(author=author, title="Counted once", replies=1)
    _load_on_every_connection(app, client, "/u/Prolific Writer")
    assert all(count == 0 for count in _prepared_on_each_connection(
        app, "SELECT (SELECT count(topics.id)"))
    assert any(count >= 1 for count in _prepared_on_each_connection(app, "SELECT "))


def test_listings_chosen_page_first_are_planned_for_each_page(app, client, make):
    """Top, Latest and the feeds pick their page's topic ids first (board.queries.page_first):
    a generic plan of that, blind to the limit and the period, took 17-26 ms against 2-5 ms,
    so it runs unprepared."""
    with app.app_context():
        _postgresql_only()
    make.topic(title="Fed once")
    _load_on_every_connection(app, client, "/feeds/latest.atom")
    # the listing's own statement (its subquery is named page), not the topic page's
    assert all(count == 0 for count in _prepared_on_each_connection(
        app, "SELECT topics.id, topics.forum_id%) AS page"))


def test_behind_pgbouncer_connections_set_nothing_of_their_own(app, other_app):
    """PGBOUNCER=1 (prepare_threshold None): a session's SET would stay on a server
    connection PgBouncer shares; the role carries the settings there (docs/scaling.md)."""
    with app.app_context():
        _postgresql_only()
        default = db.session.execute(text("SELECT boot_val FROM pg_settings "
                                          "WHERE name = 'plan_cache_mode'")).scalar()
        db.session.remove()
    pooled = other_app(SQLALCHEMY_ENGINE_OPTIONS={
        "pool_pre_ping": True, "connect_args": {"prepare_threshold": None}})
    with pooled.app_context():
        assert db.session.execute(text("SHOW plan_cache_mode")).scalar() == default
        db.session.remove()


def test_reads_with_common_table_expressions_keep_prepared_statements_writing_ones_not(app,
                                                                                     make):
    """Search's ranking statement starts with WITH: a read like that runs outside a
    transaction too (before, it dropped the connection's prepared statements); a CTE that
    writes, or any other statement, begins one and still ends with a ROLLBACK, which drops
    them."""
    make.forum(title="Counted")
    titles = select(Forum.title)
    count = text("SELECT count(*) FROM pg_prepared_statements "
                 "WHERE statement LIKE 'SELECT forums.title%'")
    with app.app_context():
        _postgresql_only()
        with db.engine.connect() as conn:
            def end(statement=None) -> int:
                if statement is not None:
                    conn.execute(statement)
                conn.rollback()  # as the end of a request: nothing to end when it only read
                prepared = conn.execute(count).scalar()
                conn.rollback()
                return prepared
            for _ in range(6):
                assert conn.execute(titles).scalars().all() == ["Counted"]
                conn.rollback()
            assert end() == 1
            assert end(text("WITH t AS (SELECT 1 AS one) SELECT one FROM t")) == 1
            assert end(text("WITH t AS (UPDATE forums SET title = title WHERE false "
                            "RETURNING id) SELECT count(*) FROM t")) == 0


@pytest.mark.parametrize("statement, reads", [
    ("SELECT forums.title FROM forums", True),
    ("WITH t AS (SELECT 1 AS one) SELECT one FROM t", True),
    ("SELECT users.updated_at, users.deleted FROM users", True),  # names, not keywords
    ("SELECT topics.id FROM topics WHERE topics.id = %(id)s FOR UPDATE", False),
    ("SELECT forums.id FROM forums FOR UPDATE SKIP LOCKED", False),
    ("SELECT forums.id FROM forums FOR NO KEY UPDATE", False),
    ("SELECT forums.id FROM forums FOR SHARE", False),
    ("SELECT forums.id FROM forums FOR KEY SHARE", False),
    ("SELECT pg_advisory_xact_lock(%(key)s)", False),
    ("SELECT nextval('topics_id_seq')", False),
    ("SELECT set_config('search_path', 'x', true)", False),
    ("WITH t AS (UPDATE forums SET title = title RETURNING id) SELECT count(*) FROM t", False),
    ("WITH t AS (DELETE FROM drafts RETURNING id) SELECT count(*) FROM t", False),
    ("INSERT INTO forums (title) VALUES (%(title)s)", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("SET LOCAL statement_timeout = 0", False),
    ("VACUUM forums", False),
])
def test_what_counts_as_only_reading(statement, reads):
    """Only a statement that reads and holds nothing runs outside a transaction: a row lock
    or a function whose effect a transaction bounds (an advisory transaction lock) would
    end with the statement."""
    assert _reads_only(statement) is reads


def _transaction_states():
    """psycopg's transaction status after each statement, for an after_cursor_execute
    listener."""
    states = []

    def after(conn, cursor, statement, parameters, context, executemany):
        states.append((cursor.connection.info.transaction_status.name, statement[:40]))
    return states, after


def test_a_page_that_only_reads_opens_no_transaction(app, client, make, login):
    """A member's home page and a topic page run their statements with no BEGIN before and
    no COMMIT after: two round trips fewer for every page (before: each statement ran in
    a transaction, which the request's end committed)."""
    with app.app_context():
        _postgresql_only()
        engine = db.engine
    member = make.user("Reader Only")
    topic = make.topic(title="Read without a transaction", replies=2)
    login(member)
    states, after = _transaction_states()
    event.listen(engine, "after_cursor_execute", after)
    try:
        for url in ("/", f"/t/{topic.id}-{topic.slug}", "/latest"):
            assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "after_cursor_execute", after)
    reads = [state for state in states if state[1].startswith("SELECT")]
    assert reads and all(state == "IDLE" for state, _ in reads), states


def test_the_first_write_begins_one_transaction_for_the_rest(app, make):
    """Reads before the first write run outside; the write and everything after it are one
    transaction, which a rollback undoes whole."""
    forum = make.forum(title="As it was")
    with app.app_context():
        _postgresql_only()
        states, after = _transaction_states()
        event.listen(db.engine, "after_cursor_execute", after)
        try:
            with app.test_request_context():
                db.session.scalar(select(Forum.id).where(Forum.id == forum.id))
                db.session.get(Forum, forum.id).title = "Renamed, then undone"
                db.session.flush()
                db.session.scalar(select(Forum.title).where(Forum.id == forum.id))
                db.session.rollback()
                assert db.session.scalar(select(Forum.title)) == "As it was"
                db.session.remove()
        finally:
            event.remove(db.engine, "after_cursor_execute", after)
    assert [state for state, _ in states] == ["IDLE", "IDLE", "INTRANS", "INTRANS", "IDLE"], \
        states


def test_rows_locked_for_update_stay_locked_until_the_end(app, make):
    """SELECT ... FOR UPDATE (a reply locks its topic; admin locks the forums it reorders)
    begins a transaction: the lock holds until it ends, so a second writer waits."""
    forum = make.forum(title="Locked")
    with app.app_context():
        _postgresql_only()
        with app.test_request_context():
            db.session.execute(select(Forum.id).where(Forum.id == forum.id).with_for_update())
            with db.engine.connect() as other:
                with pytest.raises(OperationalError, match="could not obtain lock"):
                    other.execute(select(Forum.id).where(Forum.id == forum.id)
                                  .with_for_update(nowait=True))
                other.rollback()
            db.session.remove()
        with db.engine.connect() as other:  # and is free once the first has ended
            assert other.execute(select(Forum.id).where(Forum.id == forum.id)
                                 .with_for_update(nowait=True)).scalar() == forum.id
            other.rollback()


def test_a_connection_set_to_autocommit_stays_so(app):
    """A migration's autocommit block (CREATE INDEX CONCURRENTLY) sets the connection's
    isolation level: its statements must not be put into a transaction."""
    with app.app_context():
        _postgresql_only()
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("VACUUM forums")  # refused inside a transaction block


def _pings(engine) -> list[int]:
    """Count the pings the engine's dialect sends (one entry per ping)."""
    sent = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection):
        sent.append(1)
        return ping(dbapi_connection)
    engine.dialect.do_ping = counted
    return sent


def _titles(other) -> list[str]:
    """What a request of `other` reads first: the forums' titles."""
    with other.test_request_context():
        try:
            return db.session.scalars(select(Forum.title)).all()
        finally:
            db.session.remove()


def _backend_of_pooled_connection(other) -> int:
    """The PostgreSQL backend of the one connection `other`'s pool holds."""
    with other.test_request_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
    return pid


def _end_backend(app, pid: int) -> None:
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
            conn.rollback()


def _one_connection(other_app, idle: float):
    return other_app(DATABASE_PING_AFTER_IDLE=idle,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})


def test_a_connection_in_steady_use_is_not_pinged(app, other_app, make):
    """Before, every checkout sent a ping (pool_pre_ping): a round trip more for each page.
    A connection that comes back and goes out again within DATABASE_PING_AFTER_IDLE is not
    pinged; one that sat idle longer is."""
    with app.app_context():
        _postgresql_only()
    make.forum(title="Read often")
    other = _one_connection(other_app, 0.3)
    with other.app_context():
        sent = _pings(db.engine)
    for _ in range(5):
        assert _titles(other) == ["Read often"]
    assert sent == []
    time.sleep(0.35)
    assert _titles(other) == ["Read often"]
    assert sent == [1]


def test_a_connection_that_died_while_idle_is_replaced_before_use(app, other_app, make):
    """A connection whose backend ended while it sat in the pool (the database restarted,
    a proxy dropped it) is pinged, found dead and replaced: the request never sees it."""
    with app.app_context():
        _postgresql_only()
    make.forum(title="Still served")
    other = _one_connection(other_app, 0.1)
    old = _backend_of_pooled_connection(other)
    _end_backend(app, old)
    time.sleep(0.15)
    assert _titles(other) == ["Still served"]
    assert _backend_of_pooled_connection(other) != old


def test_a_connection_that_died_in_steady_use_fails_once_then_the_pool_recovers(
        app, other_app, make):
    """The price of not pinging a connection in steady use: one whose backend ended while
    the database stayed up, taken again at once, fails the statement (a request gets the
    503 page: tests/bench/test_outage.py); SQLAlchemy then replaces the pool's connections
    and the next request is served."""
    with app.app_context():
        _postgresql_only()
    make.forum(title="Back at once")
    other = _one_connection(other_app, 60)
    _end_backend(app, _backend_of_pooled_connection(other))
    with pytest.raises(OperationalError):
        _titles(other)
    assert _titles(other) == ["Back at once"]


def test_results_streamed_from_a_server_side_cursor_still_come(app, make):
    """A server-side cursor (stream_results, yield_per: psycopg DECLAREs it) lives only in a
    transaction: a streamed read begins one."""
    make.forum(title="Streamed")
    with app.app_context():
        _postgresql_only()
        with db.engine.connect() as conn:
            streamed = conn.execution_options(stream_results=True, max_row_buffer=10)
            assert streamed.execute(select(Forum.title)).scalars().all() == ["Streamed"]
            conn.rollback()
        with app.test_request_context():
            assert [forum.title for forum in db.session.scalars(
                select(Forum).execution_options(yield_per=5))] == ["Streamed"]
            db.session.remove()


def test_a_warm_page_builds_no_column_descriptions(app, client, make, login, monkeypatch):
    """SQLAlchemy asks each result for `cursor.description` and, for a statement it knows,
    only looks whether it is None; psycopg built a Column per column all the same (31 for the
    session member's statement). Each result shape's Columns are built once per process."""
    with app.app_context():
        _postgresql_only()
    topic = make.topic(title="Described once", replies=2)
    login(make.user("Described Reader"))
    url = f"/t/{topic.id}-{topic.slug}"
    assert client.get(url).status_code == 200
    built = []
    original = psycopg.Column.__init__

    def counting(self, cursor, index):
        built.append(index)
        original(self, cursor, index)
    monkeypatch.setattr(psycopg.Column, "__init__", counting)
    assert client.get(url).status_code == 200
    assert built == []


def test_column_descriptions_are_shared_only_by_results_of_one_shape(app):
    """Two results share Columns only where psycopg would build equal ones: the same names,
    types, modifiers and sizes. A result without rows is described as None."""
    with app.app_context():
        _postgresql_only()
        with db.engine.connect() as conn:
            def described(statement: str):
                cursor = conn.exec_driver_sql(statement).cursor
                return [(c.name, c.type_code, c.internal_size) for c in cursor.description]
            for _ in range(2):
                assert described("SELECT 1 AS a") == [("a", 23, 4)]
                assert described("SELECT 'x'::text AS a") == [("a", 25, None)]
                assert described("SELECT 1::bigint AS a, 2 AS b") == [("a", 20, 8), ("b", 23, 4)]
                assert described("SELECT 2 AS b") == [("b", 23, 4)]
            raw = conn.connection.dbapi_connection
            with raw.cursor() as cursor:
                cursor.execute("SET jit = off")
                assert cursor.description is None
                cursor.execute("SELECT 1 AS a")
                first = cursor.description
                cursor.execute("SELECT 1 AS a")
                assert cursor.description == first and cursor.description is not first
            conn.rollback()
