"""search index: search_documents, FTS5 (SQLite) or tsvector + GIN (PostgreSQL)

Revision ID: a7c3e91f5d20
Revises: 75c4bbc059d4
Create Date: 2026-11-23 12:10:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'a7c3e91f5d20'
down_revision = '75c4bbc059d4'
branch_labels = None
depends_on = None

# Kept in step with forum/search/schema.py (the same statements, for `flask forum reindex`).
SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', "
    "content_rowid='post_id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.post_id, new.title, new.body); "
    "END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.post_id, old.title, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE OF title, body ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.post_id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.post_id, new.title, new.body); "
    "END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_documents_au",
    "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_UP = [
    """CREATE FUNCTION search_documents_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.tsv := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
          || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B');
  RETURN NEW;
END $$""",
    "CREATE TRIGGER search_documents_tsv BEFORE INSERT OR UPDATE OF title, body "
    "ON search_documents FOR EACH ROW EXECUTE FUNCTION search_documents_tsv()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS search_documents_tsv ON search_documents",
    "DROP FUNCTION IF EXISTS search_documents_tsv()",
]


def upgrade():
    op.create_table('search_documents',
    sa.Column('post_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tsv', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_search_documents_post_id_posts')),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_search_documents'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_search_documents_tsv', ['tsv'], unique=False, postgresql_using='gin')
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade():
    statements = SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_tsv', postgresql_using='gin')
        batch_op.drop_index('ix_search_documents_created_at')
    op.drop_table('search_documents')
