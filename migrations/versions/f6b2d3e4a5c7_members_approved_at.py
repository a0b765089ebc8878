"""Review page: users.approved_at, when a moderator let a new member through (their posts
stop waiting for approval).

Revision ID: f6b2d3e4a5c7
Revises: f7a2b9c4d1e3
Create Date: 2026-11-29 17:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f6b2d3e4a5c7'
down_revision = 'f7a2b9c4d1e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('approved_at')
