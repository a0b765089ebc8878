"""search_words.tail: a word's last two letters, so "did you mean" also finds a spelling
whose first two letters were mistyped ("nterpreter", "iterpreter" -> interpreter)

Revision ID: d6f8b0c2e4a7
Revises: c5e7a9b1d3f6
Create Date: 2026-11-29 21:00:00

One UPDATE of the spelling list (a few thousand to a few hundred thousand short rows); the
posts and topics are not touched.
"""
from alembic import op
import sqlalchemy as sa


revision = 'd6f8b0c2e4a7'
down_revision = 'c5e7a9b1d3f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_words') as batch_op:
        batch_op.add_column(sa.Column('tail', sa.String(length=2), nullable=True))
    op.execute("UPDATE search_words SET tail = substr(word, length(word) - 1, 2)")
    with op.batch_alter_table('search_words') as batch_op:
        batch_op.alter_column('tail', existing_type=sa.String(length=2), nullable=False)
        batch_op.create_index('ix_search_words_tail', ['tail'], unique=False)


def downgrade():
    with op.batch_alter_table('search_words') as batch_op:
        batch_op.drop_index('ix_search_words_tail')
        batch_op.drop_column('tail')
