"""What the search index adds to the schema beyond its model, for Alembic's comparisons.

SQLite's FTS5 tables `search_fts` and `topic_fts` and their shadow tables (search_fts_data,
_idx, _docsize, _config) are created by the migration with raw SQL and kept by triggers; they are not
models (deleting rows from them directly would corrupt the index), so autogenerate and
the models-versus-migrations test must not propose dropping them.
"""
from __future__ import annotations

FTS_TABLES = ("search_fts", "topic_fts")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object hook: leave the engine's own index tables alone."""
    if type_ == "table" and reflected and compare_to is None and name and any(
            name == table or name.startswith(table + "_") for table in FTS_TABLES):
        return False
    return True
