"""The migrations build the schema the models describe, and can be undone."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, inspect
from sqlalchemy.exc import OperationalError

from forum.extensions import db
from forum.search.schema import include_object


# SQLite's reflection skips indexes on expressions (the feeds' ix_topics_published), and so
# Alembic does not compare them there; the PostgreSQL pass does.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        # As env.py does: the search index's FTS5 tables are not models.
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(app):
    with app.app_context():
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    assert {"users", "categories", "forums", "topics", "posts", "post_revisions"} <= tables


def _last_two_steps() -> tuple[str, str, str]:
    """(two back, one back, head) on the migrations' one line of history."""
    script = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations"))
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    return script.get_revision(previous).down_revision, previous, head


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("lock_timeout and transactional DDL: PostgreSQL (TEST_DATABASE_URL)")


def test_each_migration_commits_on_its_own(app):
    """A lock a migration takes is held until its own commit, not to the end of the whole
    upgrade (docs/operations.md): so `flask db upgrade` commits after every migration."""
    with app.app_context():
        _postgresql_only()
        back, previous, head = _last_two_steps()
        downgrade(revision=back)
        seen: list[str] = []

        def executed(conn, cursor, statement, *args):
            seen.append(" ".join(statement.split())[:80])

        def committed(conn):
            seen.append("COMMIT")
        event.listen(db.engine, "before_cursor_execute", executed)
        event.listen(db.engine, "commit", committed)
        try:
            upgrade()
        finally:
            event.remove(db.engine, "before_cursor_execute", executed)
            event.remove(db.engine, "commit", committed)
    stamp = next(i for i, s in enumerate(seen)
                 if s.startswith("UPDATE alembic_version") and previous in s)
    assert seen[stamp + 1] == "COMMIT", seen[stamp:stamp + 3]
    assert any(s.startswith("SET lock_timeout") for s in seen[:stamp])


def _newest_locking_step() -> tuple[str, str]:
    """(the revision before it, the newest migration that locks a table against readers'
    ACCESS SHARE): the newest that does not only build indexes CONCURRENTLY (which waits for
    no reader's lock)."""
    script = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations"))
    revision = script.get_revision(script.get_current_head())
    while "CONCURRENTLY" in Path(revision.path).read_text():
        revision = script.get_revision(revision.down_revision)
    return revision.down_revision, revision.revision


def test_a_migration_gives_up_after_the_lock_timeout(app):
    """With a long transaction holding every table as a reader does (a report, a job; the
    app's own pages read outside transactions), the upgrade fails after about 1 s
    (MIGRATION_LOCK_TIMEOUT) instead of queueing every page behind it, and succeeds later."""
    with app.app_context():
        _postgresql_only()
        back, _ = _newest_locking_step()
        head = _last_two_steps()[2]
        downgrade(revision=back)
        with db.engine.connect() as blocker:
            for table in inspect(blocker).get_table_names():
                if table != "alembic_version":
                    blocker.exec_driver_sql(f'LOCK TABLE "{table}" IN ACCESS SHARE MODE')
            started = time.monotonic()
            with pytest.raises(OperationalError, match="lock timeout"):
                upgrade()
            waited = time.monotonic() - started
            blocker.rollback()
        upgrade()
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head
    assert waited < 5


def test_running_the_migrations_leaves_the_apps_loggers_working(app, caplog):
    """Alembic's env.py configures logging from alembic.ini; it must not disable the loggers
    that already exist (the app's, forum.*), or an upgrade in a running process (and any
    test after one) would silently drop their errors."""
    with app.app_context():
        upgrade()
    assert not logging.getLogger(app.logger.name).disabled
    app.logger.error("still heard after an upgrade")
    assert "still heard after an upgrade" in caplog.text
