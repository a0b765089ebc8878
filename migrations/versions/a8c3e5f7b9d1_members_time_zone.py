"""Members' time zones: users.time_zone (an IANA name; NULL shows the site's time, UTC).

Revision ID: a8c3e5f7b9d1
Revises: b7d4f2a9c1e3
Create Date: 2026-11-29 17:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a8c3e5f7b9d1'
down_revision = 'b7d4f2a9c1e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
