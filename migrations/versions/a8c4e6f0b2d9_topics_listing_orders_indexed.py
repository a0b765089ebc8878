"""Indexes for the orders of the Top tab and the feeds: topics by replies, views and id
(Top of all time), by creation (Top of a period: the period's topics), and by when they
became public, coalesce(publish_at, created_at) (every feed)

Revision ID: a8c4e6f0b2d9
Revises: d6f8b0c2e4a7
Create Date: 2026-11-30 07:10:00

Without them PostgreSQL sorted every topic for these pages (/top?period=all took 2 s and
/feeds/latest.atom 1.6 s at 100,000 topics, bench/plans.py). On PostgreSQL each is built
CONCURRENTLY, outside a transaction, so topics stay writable meanwhile; IF NOT EXISTS lets
a retried upgrade go on.
"""
from alembic import op
import sqlalchemy as sa


revision = 'a8c4e6f0b2d9'
down_revision = 'd6f8b0c2e4a7'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_topics_top': 'reply_count, view_count, id',
    'ix_topics_created': 'created_at, id',
    'ix_topics_published': '(coalesce(publish_at, created_at)), id',
}


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        for name, columns in INDEXES.items():
            op.execute(sa.text(f'CREATE INDEX IF NOT EXISTS {name} ON topics ({columns})'))
        return
    with op.get_context().autocommit_block():
        for name, columns in INDEXES.items():
            op.execute(sa.text(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON topics ({columns})'))


def downgrade():
    for name in INDEXES:
        op.execute(sa.text(f'DROP INDEX IF EXISTS {name}'))
