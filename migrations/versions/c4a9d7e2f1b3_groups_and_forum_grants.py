"""Groups, their members, forum grants by group, and the forums' restriction flags.

Revision ID: c4a9d7e2f1b3
Revises: b3e1c0d2a9f4
Create Date: 2026-11-29 13:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4a9d7e2f1b3'
down_revision = 'b3e1c0d2a9f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('slug', sa.String(length=90), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('members_public', sa.Boolean(), nullable=False),
        sa.Column('joining', sa.Enum('invitation', 'request', name='joining',
                                     native_enum=False, length=16), nullable=False),
        sa.Column('email_domain', sa.String(length=253), nullable=True),
        sa.Column('member_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
        sa.UniqueConstraint('slug'),
    )
    op.create_table(
        'group_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum('invited', 'requested', 'member', name='memberstate',
                                   native_enum=False, length=16), nullable=False),
        sa.Column('is_owner', sa.Boolean(), nullable=False),
        sa.Column('by_domain', sa.Boolean(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('group_id', 'user_id'),
    )
    op.create_index('ix_group_members_user', 'group_members', ['user_id', 'state'])
    op.create_table(
        'forum_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('forum_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['forum_id'], ['forums.id']),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('forum_id', 'group_id', 'action'),
    )
    op.create_index('ix_forum_grants_group', 'forum_grants', ['group_id'])
    with op.batch_alter_table('forums', schema=None) as batch_op:
        for name in ('read_restricted', 'reply_restricted', 'start_restricted'):
            batch_op.add_column(sa.Column(name, sa.Boolean(), server_default=sa.false(),
                                          nullable=False))


def downgrade():
    with op.batch_alter_table('forums', schema=None) as batch_op:
        for name in ('start_restricted', 'reply_restricted', 'read_restricted'):
            batch_op.drop_column(name)
    op.drop_index('ix_forum_grants_group', table_name='forum_grants')
    op.drop_table('forum_grants')
    op.drop_index('ix_group_members_user', table_name='group_members')
    op.drop_table('group_members')
    op.drop_table('groups')
