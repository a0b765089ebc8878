"""Avatars: users.avatar_key

Revision ID: bc7c1944f023
Revises: a934e23fa6fc
Create Date: 2026-11-29 15:05:57.969448

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bc7c1944f023'
down_revision = 'a934e23fa6fc'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('avatar_key', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('avatar_key')
