"""A post revision names the files its edit added and removed, so an edit of files alone is a
version of the post too

Revision ID: b4d6f8a0c2e5
Revises: a8c3e5f7b9d1
Create Date: 2026-11-29 20:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4d6f8a0c2e5'
down_revision = 'a8c3e5f7b9d1'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column with no default: PostgreSQL adds it without rewriting the table.
    with op.batch_alter_table('post_revisions') as batch_op:
        batch_op.add_column(sa.Column('file_changes', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('post_revisions') as batch_op:
        batch_op.drop_column('file_changes')
