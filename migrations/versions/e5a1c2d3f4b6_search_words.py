"""Search spelling list: search_words, the words the index holds, for "did you mean".
Filled here from search_documents in batches (the words are found in Python, as
forum/search/index.py does for every new post).

Revision ID: e5a1c2d3f4b6
Revises: bc7c1944f023
Create Date: 2026-11-29 16:50:00

"""
import re

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

# revision identifiers, used by Alembic.
revision = 'e5a1c2d3f4b6'
down_revision = 'bc7c1944f023'
branch_labels = None
depends_on = None

_WORD = re.compile(r"[^\W\d_]{3,40}")  # as forum/search/index.py


def upgrade():
    words = op.create_table('search_words',
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.Column('head', sa.String(length=2), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words'))
    )
    op.create_index('ix_search_words_head', 'search_words', ['head'], unique=False)
    bind = op.get_bind()
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    documents = sa.table("search_documents", sa.column("post_id"), sa.column("title"),
                         sa.column("body"))
    last = 0
    while True:
        rows = bind.execute(sa.select(documents.c.post_id, documents.c.title, documents.c.body)
                            .where(documents.c.post_id > last)
                            .order_by(documents.c.post_id).limit(5000)).all()
        if not rows:
            break
        found = sorted({w.lower() for row in rows
                        for w in _WORD.findall(f"{row.title or ''} {row.body or ''}")
                        if len(w.lower()) <= 40})
        for start in range(0, len(found), 1000):
            bind.execute(dialect.insert(words).values(
                [{"word": w, "head": w[:2]} for w in found[start:start + 1000]]).on_conflict_do_nothing())
        last = rows[-1].post_id


def downgrade():
    op.drop_index('ix_search_words_head', table_name='search_words')
    op.drop_table('search_words')
