"""Listing indexes in page order: forum pages and global pins read an index range

ix_topics_listing was (forum_id, status, pinned, last_post_at): status in second place kept
PostgreSQL from reading topics in the page's order, so every forum page sorted all of the
forum's topics (37 ms for 2,000 topics). Now (forum_id, pinned, last_post_at, id), scanned
backwards for ORDER BY pinned DESC, last_post_at DESC, id DESC (0.1 ms). ix_topics_pinned
serves the topics pinned everywhere shown above every forum (12 ms -> under 1 ms).
ix_topics_kind lets /articles and /library find their 2,000 / 1,000 topics among 100,000
without reading the table (the article count: 20 ms -> 3 ms).

Revision ID: b3e1c0d2a9f4
Revises: 23b70f93f05e
Create Date: 2026-11-23 12:20:00

"""
from alembic import op

revision = 'b3e1c0d2a9f4'
down_revision = '23b70f93f05e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index('ix_topics_listing')
        batch_op.create_index('ix_topics_listing', ['forum_id', 'pinned', 'last_post_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_topics_pinned', ['pinned', 'last_post_at'], unique=False)
        batch_op.create_index('ix_topics_kind', ['kind', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index('ix_topics_kind')
        batch_op.drop_index('ix_topics_pinned')
        batch_op.drop_index('ix_topics_listing')
        batch_op.create_index('ix_topics_listing', ['forum_id', 'status', 'pinned',
                                                    'last_post_at'], unique=False)
