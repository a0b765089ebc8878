"""Groups from identity-provider claims: provider_group_rules, group_members.by_provider

Revision ID: a3c8e6f1d9b4
Revises: f7b2d9c4e8a1
Create Date: 2026-11-29 17:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a3c8e6f1d9b4'
down_revision = 'f7b2d9c4e8a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider_group_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('claim_value', sa.String(length=200), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'],
                                name=op.f('fk_provider_group_rules_group_id_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_group_rules')),
        sa.UniqueConstraint('provider', 'claim_value', 'group_id',
                            name=op.f('uq_provider_group_rules_provider_claim_value_group_id')),
    )
    op.create_index('ix_provider_group_rules_group', 'provider_group_rules', ['group_id'])
    op.add_column('group_members', sa.Column('by_provider', sa.String(length=40),
                                             nullable=True))


def downgrade():
    with op.batch_alter_table('group_members') as batch_op:
        batch_op.drop_column('by_provider')
    op.drop_index('ix_provider_group_rules_group', table_name='provider_group_rules')
    op.drop_table('provider_group_rules')
