"""Writing: quotes between posts (post_quotes, posts.quote_count) and drafts

Revision ID: 62e24c3011c6
Revises: c13a5e55e0a1
Create Date: 2026-11-29 14:13:44.879617

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '62e24c3011c6'
down_revision = 'c13a5e55e0a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'post_quotes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_post_id', sa.Integer(), nullable=False),
        sa.Column('source_topic_id', sa.Integer(), nullable=False),
        sa.Column('quoted_post_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['quoted_post_id'], ['posts.id'],
                                name=op.f('fk_post_quotes_quoted_post_id_posts')),
        sa.ForeignKeyConstraint(['source_post_id'], ['posts.id'],
                                name=op.f('fk_post_quotes_source_post_id_posts')),
        sa.ForeignKeyConstraint(['source_topic_id'], ['topics.id'],
                                name=op.f('fk_post_quotes_source_topic_id_topics')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_post_quotes')),
        sa.UniqueConstraint('source_post_id', 'quoted_post_id',
                            name=op.f('uq_post_quotes_source_post_id_quoted_post_id')))
    op.create_index('ix_post_quotes_quoted', 'post_quotes', ['quoted_post_id'])
    op.create_index(op.f('ix_post_quotes_source_topic_id'), 'post_quotes', ['source_topic_id'])
    op.create_table(
        'drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_drafts_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_drafts_user_id_key')))
    op.add_column('posts', sa.Column('quote_count', sa.Integer(), server_default='0',
                                     nullable=False))


def downgrade():
    with op.batch_alter_table('posts') as batch_op:
        batch_op.drop_column('quote_count')
    op.drop_table('drafts')
    op.drop_index(op.f('ix_post_quotes_source_topic_id'), table_name='post_quotes')
    op.drop_index('ix_post_quotes_quoted', table_name='post_quotes')
    op.drop_table('post_quotes')
