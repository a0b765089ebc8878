"""Small database helpers that differ by dialect, used by the services."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def insert_ignoring_duplicates(model, **values) -> bool:
    """INSERT a row unless a unique constraint already holds one; True if a row was added.

    One statement on both databases (ON CONFLICT DO NOTHING), so two requests racing to add
    the same row never raise and never count twice.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__
    statement = (dialect.insert(table).values(**values).on_conflict_do_nothing()
                 .returning(*table.primary_key.columns))
    return db.session.execute(statement).first() is not None
