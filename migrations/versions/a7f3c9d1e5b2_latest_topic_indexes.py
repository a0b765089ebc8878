"""Latest-activity indexes: suggested topics and the Latest tab read an index range

A topic page lists the most recently active other topics of its forum, and the home page's
Latest tab the most recently active topics of all; both order by (last_post_at, id) without
the pin, so ix_topics_listing (forum_id, pinned, ...) could not give that order and each
topic page sorted its whole forum (20,000 topics at a million posts). Now
ix_topics_forum_latest (forum_id, last_post_at, id) and ix_topics_latest (last_post_at, id),
scanned backwards.

Revision ID: a7f3c9d1e5b2
Revises: 896d6d06d40e
Create Date: 2026-11-29 14:50:00

"""
from alembic import op

revision = 'a7f3c9d1e5b2'
down_revision = '896d6d06d40e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.create_index('ix_topics_forum_latest', ['forum_id', 'last_post_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_topics_latest', ['last_post_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index('ix_topics_latest')
        batch_op.drop_index('ix_topics_forum_latest')
