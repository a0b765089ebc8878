"""Server-side session records: member_sessions (forum/accounts/sessions.py)

Revision ID: c13a5e55e0a1
Revises: d16a0e1c2f01, d5b8e3f4a2c6
Create Date: 2026-11-29 13:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c13a5e55e0a1'
down_revision = ('d16a0e1c2f01', 'd5b8e3f4a2c6')  # also joins the two heads main had
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_sessions'))
    )
    with op.batch_alter_table('member_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_member_sessions_user_open', ['user_id', 'ended_at'], unique=False)


def downgrade():
    with op.batch_alter_table('member_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_member_sessions_user_open')
    op.drop_table('member_sessions')
