"""The migrations build the schema the models describe, and can be undone."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from forum.extensions import db
from forum.search.schema import include_object


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
