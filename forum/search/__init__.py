"""Full-text search over topic titles and post bodies, in the database's own engine.

SQLite: an FTS5 table (`search_fts`, external content) over `search_documents`, kept in step
by triggers. PostgreSQL: a weighted `tsvector` column on `search_documents` with a GIN index,
set by a trigger. Python only writes `search_documents` rows (forum/search/index.py, from the
board's signals, in the write's own transaction); forum/search/queries.py asks the engine.
"""
