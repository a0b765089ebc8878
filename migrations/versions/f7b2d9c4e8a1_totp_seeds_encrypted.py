"""Two-factor seeds stored encrypted: totp_credentials.secret -> sealed_secret

Revision ID: f7b2d9c4e8a1
Revises: e1a5c0f3b7d2
Create Date: 2026-11-29 16:50:00

Each stored seed is encrypted with the application's newest key (forum/sealing.py: Fernet
under ENCRYPTION_KEYS, else SECRET_KEY), so the migration runs with the application's
configuration (`flask db upgrade`). The downgrade decrypts them again.
"""
from alembic import op
import sqlalchemy as sa

from forum import sealing

# revision identifiers, used by Alembic.
revision = 'f7b2d9c4e8a1'
down_revision = 'e1a5c0f3b7d2'
branch_labels = None
depends_on = None

PURPOSE = "totp-seed"   # forum.accounts.twofactor.SEAL


def _table():
    return sa.table('totp_credentials', sa.column('user_id', sa.Integer),
                    sa.column('secret', sa.String), sa.column('sealed_secret', sa.Text))


def upgrade():
    op.add_column('totp_credentials', sa.Column('sealed_secret', sa.Text(), nullable=True))
    table, bind = _table(), op.get_bind()
    for user_id, secret in bind.execute(sa.select(table.c.user_id, table.c.secret)).all():
        bind.execute(table.update().where(table.c.user_id == user_id)
                     .values(sealed_secret=sealing.seal(PURPOSE, secret)))
    with op.batch_alter_table('totp_credentials') as batch_op:
        batch_op.alter_column('sealed_secret', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('secret')


def downgrade():
    op.add_column('totp_credentials', sa.Column('secret', sa.String(length=64), nullable=True))
    table, bind = _table(), op.get_bind()
    for user_id, sealed in bind.execute(sa.select(table.c.user_id,
                                                  table.c.sealed_secret)).all():
        bind.execute(table.update().where(table.c.user_id == user_id)
                     .values(secret=sealing.unseal(PURPOSE, sealed)))
    with op.batch_alter_table('totp_credentials') as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('sealed_secret')
