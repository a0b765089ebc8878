"""Identity providers added by admins: identity_providers (client secret encrypted)

Revision ID: b7d4f2a9c1e3
Revises: f6b2d3e4a5c7
Create Date: 2026-11-29 17:05:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b7d4f2a9c1e3'
down_revision = 'f6b2d3e4a5c7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'identity_providers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=255), nullable=False),
        sa.Column('sealed_client_secret', sa.Text(), nullable=False),
        sa.Column('scopes', sa.String(length=255), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('government', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('groups_claim', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_providers')),
        sa.UniqueConstraint('name', name=op.f('uq_identity_providers_name')),
    )


def downgrade():
    op.drop_table('identity_providers')
