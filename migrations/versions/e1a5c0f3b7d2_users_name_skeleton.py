"""Look-alike names: users.name_skeleton (UTS #39 confusable skeleton), indexed

Revision ID: e1a5c0f3b7d2
Revises: e5a1c2d3f4b6
Create Date: 2026-11-29 16:40:00

Existing rows are filled in batches with the same function the application uses
(forum.text.skeleton, ICU's SpoofChecker), then the column becomes NOT NULL. On PostgreSQL
without holding the users table for long (see upgrade()).
"""
from alembic import op
import sqlalchemy as sa

from forum.text import skeleton

# revision identifiers, used by Alembic.
revision = 'e1a5c0f3b7d2'
down_revision = 'e5a1c2d3f4b6'
branch_labels = None
depends_on = None

BATCH = 1000


def _fill(bind, missing_only: bool = False) -> None:
    users = sa.table('users', sa.column('id', sa.Integer),
                     sa.column('display_name', sa.String),
                     sa.column('name_skeleton', sa.String))
    after = 0
    while True:
        query = (sa.select(users.c.id, users.c.display_name).where(users.c.id > after)
                 .order_by(users.c.id).limit(BATCH))
        if missing_only:
            query = query.where(users.c.name_skeleton.is_(None))
        rows = bind.execute(query).all()
        if not rows:
            break
        bind.execute(users.update().where(users.c.id == sa.bindparam('uid'))
                     .values(name_skeleton=sa.bindparam('skel')),
                     [{'uid': id_, 'skel': skeleton(name)} for id_, name in rows])
        after = rows[-1][0]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        op.add_column('users', sa.Column('name_skeleton', sa.Text(), nullable=True))
        _fill(bind)
        with op.batch_alter_table('users') as batch_op:
            batch_op.alter_column('name_skeleton', existing_type=sa.Text(),
                                  nullable=False)
            batch_op.create_index('ix_users_name_skeleton', ['name_skeleton'])
        return
    # PostgreSQL: every page of a logged-in member reads `users`, so no step may hold it
    # for long (docs/operations.md; it held an exclusive lock for 1.3 s at 10,000 members
    # when all of this was one transaction). The column is added and committed at once; the
    # batches and the index then run outside any long transaction (each batch commits);
    # NOT NULL comes from a validated check, so it needs no scan under the exclusive lock.
    # Each step may run again if the migration is retried after a lock timeout.
    op.execute('ALTER TABLE users ADD COLUMN IF NOT EXISTS name_skeleton TEXT')
    with op.get_context().autocommit_block():
        _fill(bind)
        op.execute('CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_name_skeleton '
                   'ON users (name_skeleton)')
    _fill(bind, missing_only=True)  # members who registered meanwhile
    op.execute('ALTER TABLE users DROP CONSTRAINT IF EXISTS ck_users_name_skeleton_set')
    op.execute('ALTER TABLE users ADD CONSTRAINT ck_users_name_skeleton_set '
               'CHECK (name_skeleton IS NOT NULL) NOT VALID')
    op.execute('ALTER TABLE users VALIDATE CONSTRAINT ck_users_name_skeleton_set')
    op.alter_column('users', 'name_skeleton', existing_type=sa.Text(), nullable=False)
    op.execute('ALTER TABLE users DROP CONSTRAINT ck_users_name_skeleton_set')


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_index('ix_users_name_skeleton')
        batch_op.drop_column('name_skeleton')
