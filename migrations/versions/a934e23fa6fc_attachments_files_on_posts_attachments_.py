"""Attachments: files on posts (attachments, posts.attachment_count) and the database storage backend (upload_blobs)

Revision ID: a934e23fa6fc
Revises: a7f3c9d1e5b2
Create Date: 2026-11-29 14:37:50.456349

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a934e23fa6fc'
down_revision = 'a7f3c9d1e5b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('uploader_id', sa.Integer(), nullable=False),
        sa.Column('storage_key', sa.String(length=64), nullable=False),
        sa.Column('thumb_key', sa.String(length=64), nullable=True),
        sa.Column('filename', sa.String(length=120), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('alt', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'],
                                name=op.f('fk_attachments_post_id_posts')),
        sa.ForeignKeyConstraint(['uploader_id'], ['users.id'],
                                name=op.f('fk_attachments_uploader_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')))
    op.create_index('ix_attachments_post', 'attachments', ['post_id'])
    op.create_index('ix_attachments_uploader', 'attachments', ['uploader_id', 'created_at'])
    op.create_table(
        'upload_blobs',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_upload_blobs')))
    op.add_column('posts', sa.Column('attachment_count', sa.Integer(), server_default='0',
                                     nullable=False))


def downgrade():
    with op.batch_alter_table('posts') as batch_op:
        batch_op.drop_column('attachment_count')
    op.drop_table('upload_blobs')
    op.drop_index('ix_attachments_uploader', table_name='attachments')
    op.drop_index('ix_attachments_post', table_name='attachments')
    op.drop_table('attachments')
