"""What deploy/ and the install rely on: fingerprinted static URLs, nginx's body limit equal
to the app's, gunicorn's kind of worker, the lock files covering pyproject.toml, and `flask
forum scheduled`."""
from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

from flask import url_for
from sqlalchemy import select

from forum import clock, create_app
from forum.accounts.models import Role
from forum.board.models import Topic, TopicStatus
from forum.board.viewcount import views
from forum.config import Config, TestConfig
from forum.extensions import db
from tests.articles.helpers import write
from tests.conftest import config_dict

ROOT = Path(__file__).resolve().parent.parent


def test_static_urls_carry_the_content_hash_and_change_with_it(app, tmp_path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    sheet = static / "css" / "forum.css"
    sheet.write_text("body { color: black; }")
    other = create_app({**config_dict(TestConfig),
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other.static_folder = str(static)
    with other.test_request_context():
        first = url_for("static", filename="css/forum.css")
        assert re.fullmatch(r"/static/css/forum\.css\?v=[0-9a-f]{12}", first)
        assert url_for("static", filename="css/forum.css") == first
        sheet.write_text("body { color: navy; }")
        second = url_for("static", filename="css/forum.css")
    assert second != first
    response = other.test_client().get(second)
    assert response.status_code == 200 and "navy" in response.text
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()
    with other.app_context():
        db.engine.dispose()


def test_pages_link_the_fingerprinted_stylesheet(client):
    assert re.search(r'href="/static/css/forum\.css\?v=[0-9a-f]{12}"', client.get("/").text)


def test_nginx_accepts_exactly_the_bodies_the_app_accepts():
    site = (ROOT / "deploy/nginx/forum.conf").read_text()
    size = re.search(r"^\s*client_max_body_size (\d+)([km]?);", site, re.M)
    number, unit = int(size.group(1)), size.group(2)
    assert number * {"": 1, "k": 1024, "m": 1024 * 1024}[unit] == Config.MAX_CONTENT_LENGTH


def _names(lock: Path) -> set[str]:
    return {re.split(r"[=\[ ]", line, maxsplit=1)[0].lower().replace("_", "-")
            for line in lock.read_text().splitlines() if re.match(r"^[A-Za-z0-9]", line)}


def _wanted(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower().replace("_", "-")
            for r in requirements}


def _gunicorn_settings(monkeypatch, tmp_path, **env) -> dict:
    for name in ("FORUM_WORKERS", "FORUM_THREADS", "FORUM_PRELOAD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # the file sets a default
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "deploy/gunicorn.conf.py"))


def test_gunicorn_runs_sync_workers_unless_threads_are_asked_for(monkeypatch, tmp_path):
    """One request at a time per process, behind nginx's buffering: measured against
    gthread (5 workers x 4 threads), the same requests/s and a members' p99 a half to a
    fifth (bench/README.md). FORUM_THREADS > 1 makes gunicorn use gthread workers."""
    settings = _gunicorn_settings(monkeypatch, tmp_path)
    assert settings.get("worker_class", "sync") == "sync" and settings["threads"] == 1
    assert settings["workers"] == (os.cpu_count() or 1) * 2 + 1
    settings = _gunicorn_settings(monkeypatch, tmp_path, FORUM_THREADS="4", FORUM_WORKERS="3")
    assert settings["threads"] == 4 and settings["workers"] == 3


def test_gunicorn_loads_the_app_once_before_forking_and_opens_no_control_socket(
        monkeypatch, tmp_path):
    """preload_app: the workers share the master's app (more member pages a second,
    bench/README.md); upgrades restart on systemd's socket (tests/service/test_restart.py).
    gunicorn's control socket (reload, shutdown, worker counts) is not opened."""
    settings = _gunicorn_settings(monkeypatch, tmp_path)
    assert settings["preload_app"] is True and settings["control_socket_disable"] is True
    assert _gunicorn_settings(monkeypatch, tmp_path, FORUM_PRELOAD="0")["preload_app"] is False
    service = (ROOT / "deploy/systemd/forum-web.service").read_text()
    assert "ExecReload=" not in service and "Requires=forum-web.socket" in service
    assert "ListenStream=127.0.0.1:8000" in (ROOT / "deploy/systemd/forum-web.socket").read_text()


def test_installs_compile_bytecode_for_a_read_only_app():
    """gunicorn runs with the app and its venv read-only (ProtectSystem=strict) and this
    machine sets PYTHONDONTWRITEBYTECODE: what the install does not compile is compiled at
    every start (3.0 s of CPU to make the app against 1.1 s, bench/README.md)."""
    readme = (ROOT / "README.md").read_text()
    step = readme[readme.index("3. **Dependencies"):readme.index("4. **Settings")]
    assert "--compile-bytecode" in step
    assert "-m compileall -q\n   /srv/forum/app/forum /srv/forum/app/migrations" in step
    assert "--compile-bytecode" in re.search(r"^UV_INSTALL = .*\n.*", (
        ROOT / "Makefile").read_text(), re.M).group()
    service = (ROOT / "deploy/systemd/forum-web.service").read_text()
    assert "ProtectSystem=strict" in service and "/srv/forum/app" not in re.search(
        r"^ReadWritePaths=.*", service, re.M).group()


def test_the_lock_files_pin_every_dependency_with_hashes():
    """After changing pyproject.toml's dependencies, run `make lock`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, test = ROOT / "requirements/runtime.txt", ROOT / "requirements/test.txt"
    assert _wanted(project["dependencies"]) <= _names(runtime), "run make lock"
    assert _wanted(project["dependencies"] + project["optional-dependencies"]["test"]) \
        <= _names(test), "run make lock"
    for lock in (runtime, test):
        text = lock.read_text()
        pins = re.findall(r"^[A-Za-z0-9][^\n]*==[^\n]*", text, re.M)
        assert pins and all("\\" in pin for pin in pins)  # each pin continues with hashes
        assert text.count("--hash=sha256:") >= len(pins)
    assert not _wanted(project["optional-dependencies"]["test"]) & _names(runtime)


def test_the_scheduled_command_publishes_flushes_and_checks(app, make):
    write(app, make.user(role=Role.STAFF), status="schedule",
          publish_at=clock.now() + timedelta(minutes=5))
    topic = make.topic()
    with app.test_request_context():
        views.record(topic.id)
    clock.advance(timedelta(minutes=6))
    result = app.test_cli_runner().invoke(args=["forum", "scheduled"])
    assert result.exit_code == 0, result.output
    assert "1 scheduled topic(s) published" in result.output
    assert "1 topic view count(s) written." in result.output
    with app.app_context():
        assert db.session.get(Topic, topic.id).view_count == 1
        assert db.session.scalar(select(Topic.status).where(
            Topic.status == TopicStatus.SCHEDULED)) is None


def test_behind_pgbouncer_psycopg_prepares_no_statements():
    """PGBOUNCER=1 (transaction pooling) turns psycopg's server-side prepared statements off."""
    show = ("from forum.config import Config; "
            "print(Config.SQLALCHEMY_ENGINE_OPTIONS.get('connect_args'))")
    for value, expected in (("1", "{'prepare_threshold': None}"), ("0", "None")):
        result = subprocess.run([sys.executable, "-c", show], cwd=ROOT, capture_output=True,
                                text=True, env={**os.environ, "PGBOUNCER": value}, check=True)
        assert result.stdout.strip() == expected


def _first_connection(engine) -> tuple[int, str]:
    """The pooled connection a checkout gets: its object, and on PostgreSQL its server process."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        backend = (str(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar())
                   if engine.dialect.name == "postgresql" else "")
        return id(raw), backend


def test_a_forked_worker_opens_its_own_database_connections(app):
    """gunicorn forks its workers from a master that made the app (preload_app): a connection
    the master had pooled must not be shared by the workers, whose statements would interleave
    on one socket. The child starts with an empty pool; the parent's connection still works."""
    with app.app_context():
        engine = db.engine
        engine.dispose()  # one connection in the pool (it hands them out oldest first)
        parent = _first_connection(engine)
        assert _first_connection(engine) == parent  # the pool gives the same one back
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report, and leave without pytest's clean-up
            try:
                os.write(write, repr(_first_connection(engine)).encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            child = pipe.read()
        os.waitpid(pid, 0)
        assert child and child != repr(parent)
        if engine.dialect.name == "postgresql":
            assert eval(child)[1] != parent[1]  # another server process
        assert _first_connection(engine) == parent
