"""Test fixtures: an app from the factory on a migrated database, clean tables per test.

The database is SQLite (a file per test session) unless FORUM_TEST_DB=postgres, which uses
TEST_DATABASE_URL. The schema is built by running the Alembic migrations, so the tests
exercise what production runs.
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
import zlib
from contextlib import contextmanager
from datetime import timedelta

# Tests never write into the real instance/ folder (secret key, demo credentials).
os.environ["FORUM_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="forum-instance-")

import pytest
import redis
from flask import template_rendered
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, make_url, text
from werkzeug.serving import make_server
from xdist.scheduler import LoadFileScheduling

from forum import clock, create_app, pagecache
from forum.config import TestConfig, normalise_database_url
from forum.extensions import db

pytest_plugins = ["tests.factories", "tests.oidc.server"]

# Test files whose tests pytest-xdist may share out among its workers, in this many parts;
# every other file runs whole on one worker (--dist loadfile).
SHARED_OUT = {"tests/test_authorization.py": 8}


class LoadFileSharingOut(LoadFileScheduling):
    """--dist loadfile, but the files of SHARED_OUT go out in parts: the route x role
    matrix (each test builds its own world) is 60% of the suite's time, and as one file it
    kept one worker busy for ten minutes after the other had finished everything else."""

    def _split_scope(self, nodeid: str) -> str:
        scope = super()._split_scope(nodeid)
        parts = SHARED_OUT.get(scope)
        return f"{scope}#{zlib.crc32(nodeid.encode()) % parts}" if parts else scope


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") == "loadfile":
        return LoadFileSharingOut(config, log)
    return None


def database_url() -> str:
    if os.environ.get("FORUM_TEST_DB") == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            raise RuntimeError("FORUM_TEST_DB=postgres needs TEST_DATABASE_URL")
        url = normalise_database_url(url)
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return worker_database(url, worker) if worker else url
    # Its own directory: pytest prunes old tmp_path folders, even those of a run still going.
    return f"sqlite:///{tempfile.mkdtemp(prefix='forum-test-')}/forum.db"


def worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets a database of its own beside TEST_DATABASE_URL's
    (test_gw0, test_gw1...), made on first use."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if not exists:
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def reset_schema(url: str) -> None:
    """Start from an empty database so the migrations build everything."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def database() -> str:
    url = database_url()
    reset_schema(url)
    return url


def config_dict(config: type) -> dict:
    return {key: getattr(config, key) for key in dir(config) if key.isupper()}


@pytest.fixture(scope="session")
def app(database):
    app = create_app({**config_dict(TestConfig), "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        assert db.engine.url.render_as_string(hide_password=False) == database
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _clean(app) -> None:
    # ids start again: so must kept pages and fragments, and which topic pages were kept
    pagecache.store(app).clear()
    app.extensions.pop("forum.kept_bodies", None)
    app.extensions.pop("forum.template_pieces", None)  # (each test counts its own pieces)
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # DELETE, not TRUNCATE: a test's few rows go in ~4 ms, where TRUNCATE's new
                # files for 55 tables took ~100 ms after every test. The replica role skips
                # the foreign keys' checks; every sequence starts at 1 again.
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                conn.exec_driver_sql("; ".join(f"DELETE FROM {table}" for table in tables))
                conn.exec_driver_sql(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'")
            else:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                for table in tables:
                    conn.execute(db.metadata.tables[table].delete())
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture(autouse=True)
def _fresh_tables(request):
    """Every test that uses the app starts with empty tables and the real clock."""
    yield
    clock.reset()
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        from forum.board.viewcount import views
        views._pending.clear()
        _clean(app)


FAKE_DNS = {"localhost": ["127.0.0.1"], "metadata.google.internal": ["169.254.169.254"]}


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):
    """Tests send no traffic but to 127.0.0.1: host names a link checker or a saved link
    resolves get fixed answers (a public address, unless listed in FAKE_DNS or *.internal)."""
    from forum.library import netguard

    def resolve(host: str) -> list[str]:
        if host in FAKE_DNS:
            return FAKE_DNS[host]
        return ["10.0.0.7"] if host.endswith(".internal") else ["93.184.215.14"]
    monkeypatch.setattr(netguard, "resolve", resolve)


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served over HTTP on a free local port, for the whole session."""
    # One log line per request drowns the failure output; errors are still logged.
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        werkzeug_log.setLevel(level)


@pytest.fixture
def other_app(app):
    """`other_app(**config)`: another app (another 'process' or server) on the test database,
    with TestConfig and these settings; its connections are closed after the test."""
    made = []

    def make_app(**config):
        made.append(create_app({**config_dict(TestConfig),
                                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                **config}))
        return made[-1]
    yield make_app
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    """An app with CSRF protection on, sharing the test database, keeping post lists in its
    own memory as one process serving does: for pages whose kept parts carry each
    session's own token."""
    protected = create_app({**config_dict(TestConfig), "WTF_CSRF_ENABLED": True,
                            "POST_LIST_CACHE_LOCAL": True,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context for calling services directly."""
    with app.app_context():
        yield
        db.session.rollback()


class QueryCounter:
    """The statements run while counting. `count` leaves out loading the logged-in member
    (the query with their session record): that runs only on a member's first request
    after a write to what it reads (forum/accounts/membercache.py, tested on its own in
    tests/accounts/test_member_cache.py), so a page's budget is the same whether or not
    something was written just before, or a connection let go of by the garbage collector
    moved the generation on."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def member_loads(self) -> int:
        return sum(_loads_member(statement) for statement in self.statements)

    @property
    def count(self) -> int:
        return len(self.statements) - self.member_loads


def _loads_member(statement: str) -> bool:
    return statement.lstrip().startswith("SELECT users.id") and "JOIN member_sessions" in statement


@pytest.fixture
def count_queries(app):
    """Use as `with count_queries() as counter: client.get(...)`; counter.count is the
    total but for loading the logged-in member (QueryCounter)."""
    @contextmanager
    def counting():
        with app.app_context():
            engine = db.engine
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    return counting


@pytest.fixture
def still_clock():
    """The forum's clock stands still (clock.advance still moves it; the clock is started
    again after every test): for tests that count what two requests cost, which a kept
    fragment's 30-second window turning between them would change."""
    clock.freeze()


@pytest.fixture
def start_of_a_window(app):
    """The clock stands still at the start of a kept fragment's window, so the few seconds
    a test moves it never end a kept copy: an answer that is right only because its copy
    expired would not be caught."""
    clock.freeze()
    window = app.config["POST_LIST_CACHE_SECONDS"]
    clock.advance(timedelta(seconds=window - int(clock.now().timestamp()) % window))


@pytest.fixture
def rendered(app):
    """The names of the templates the app renders during the test, in order (to count how
    often a kept fragment's template was rendered). The forum's clock stands still (it still
    moves by clock.advance), so a fragment's 30-second window cannot turn between two
    requests of the test."""
    clock.freeze()
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)
    template_rendered.connect(record, app)  # blinker keeps a weak reference: `record` lives here
    yield names
    template_rendered.disconnect(record, app)


def record_round_trips(monkeypatch) -> list[list[str]]:
    """What is sent to Redis from now on: per round trip, the names of its commands (a
    pipeline sends several at once)."""
    trips: list[list[str]] = []
    real = redis.connection.Connection.send_packed_command

    def sending(self, command, check_health=True):
        chunks = [command] if isinstance(command, (bytes, str)) else command
        tokens = b"".join(c.encode() if isinstance(c, str) else bytes(c)
                          for c in chunks).split(b"\r\n")
        names, i = [], 0
        while i < len(tokens) and tokens[i].startswith(b"*"):
            names.append(tokens[i + 2].decode())
            i += 1 + 2 * int(tokens[i][1:])
        trips.append(names)
        return real(self, command, check_health)
    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", sending)
    return trips
