"""topic_words: every word a topic has held, the topic-level index a search intersects in
first (FTS5 topic_fts on SQLite, a GIN-indexed lexeme set on PostgreSQL), filled from the
posts' search documents

Revision ID: c5e7a9b1d3f6
Revises: b4d6f8a0c2e5
Create Date: 2026-11-29 20:30:00

A new table, filled by reading search_documents and posts (no lock that blocks their
writers): about 1 s per 100,000 posts on PostgreSQL (bench/generate.py data).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = 'c5e7a9b1d3f6'
down_revision = 'b4d6f8a0c2e5'
branch_labels = None
depends_on = None

# The same tokenizer as search_fts, so a word found in a post is found in its topic.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE topic_fts USING fts5(words, content='topic_words', "
    "content_rowid='topic_id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER topic_words_ai AFTER INSERT ON topic_words BEGIN "
    "INSERT INTO topic_fts(rowid, words) VALUES (new.topic_id, new.words); END",
    "CREATE TRIGGER topic_words_ad AFTER DELETE ON topic_words BEGIN "
    "INSERT INTO topic_fts(topic_fts, rowid, words) VALUES ('delete', old.topic_id, old.words); "
    "END",
    "CREATE TRIGGER topic_words_au AFTER UPDATE OF words ON topic_words BEGIN "
    "INSERT INTO topic_fts(topic_fts, rowid, words) VALUES ('delete', old.topic_id, old.words); "
    "INSERT INTO topic_fts(rowid, words) VALUES (new.topic_id, new.words); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS topic_words_au",
    "DROP TRIGGER IF EXISTS topic_words_ad",
    "DROP TRIGGER IF EXISTS topic_words_ai",
    "DROP TABLE IF EXISTS topic_fts",
]
# The union of lexeme sets, for filling a topic's row from its posts' documents.
POSTGRES_UP = [
    "CREATE AGGREGATE lexeme_union(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, "
    "INITCOND = '')",
    "INSERT INTO topic_words (topic_id, words, tsv) "
    "SELECT p.topic_id, '', lexeme_union(strip(d.tsv)) FROM search_documents d "
    "JOIN posts p ON p.id = d.post_id GROUP BY p.topic_id",
    # The planner's statistics for the new rows now, not at autovacuum's next pass.
    "ANALYZE topic_words",
]
POSTGRES_DOWN = ["DROP AGGREGATE IF EXISTS lexeme_union(tsvector)"]


def _fill_sqlite():
    """Each topic's distinct chunks (split at whitespace, as the FTS5 tokenizer never joins
    across it), from its posts' documents."""
    bind = op.get_bind()
    chunks: dict[int, dict[str, None]] = {}
    for topic_id, title, body in bind.execute(sa.text(
            "SELECT p.topic_id, d.title, d.body FROM search_documents d "
            "JOIN posts p ON p.id = d.post_id ORDER BY p.topic_id, p.id")):
        seen = chunks.setdefault(topic_id, {})
        for chunk in f"{title} {body}".split():
            seen.setdefault(chunk, None)
    if chunks:
        bind.execute(sa.text("INSERT INTO topic_words (topic_id, words) VALUES (:t, :w)"),
                     [{"t": t, "w": " ".join(seen)} for t, seen in chunks.items()])


def upgrade():
    op.create_table('topic_words',
    sa.Column('topic_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('tsv', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_topic_words_topic_id_topics')),
    sa.PrimaryKeyConstraint('topic_id', name=op.f('pk_topic_words'))
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        _fill_sqlite()
    else:
        for statement in POSTGRES_UP:
            op.execute(statement)
    with op.batch_alter_table('topic_words', schema=None) as batch_op:
        batch_op.create_index('ix_topic_words_tsv', ['tsv'], unique=False, postgresql_using='gin')


def downgrade():
    with op.batch_alter_table('topic_words', schema=None) as batch_op:
        batch_op.drop_index('ix_topic_words_tsv', postgresql_using='gin')
    statements = SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
    op.drop_table('topic_words')
