"""Attachments removed by an edit (kept, with who and when) and pending uploads (no post yet:
files kept across a Preview or a form shown again)

Revision ID: f7a2b9c4d1e3
Revises: a3c8e6f1d9b4
Create Date: 2026-11-29 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f7a2b9c4d1e3'
down_revision = 'a3c8e6f1d9b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachments') as batch_op:
        batch_op.alter_column('post_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('removed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_attachments_removed_by_id_users'), 'users',
                                    ['removed_by_id'], ['id'])


def downgrade():
    op.execute("DELETE FROM attachments WHERE post_id IS NULL")
    with op.batch_alter_table('attachments') as batch_op:
        batch_op.drop_constraint(op.f('fk_attachments_removed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('removed_by_id')
        batch_op.drop_column('removed_at')
        batch_op.alter_column('post_id', existing_type=sa.Integer(), nullable=False)
