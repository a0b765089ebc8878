"""Article excerpts made from the body are plain text: undo the HTML entities stored in them

markup.excerpt() used to return bleach's HTML (`&quot;`, `&amp;`...), which the page escaped
again, so "&quot;" showed on /articles. Excerpts typed by hand were always plain text.

Revision ID: d16a0e1c2f01
Revises: 31121fc952e4, c4a9d7e2f1b3 (also joins the two heads main had)
Create Date: 2026-11-29 13:40:00

"""
import html

import sqlalchemy as sa
from alembic import op

revision = 'd16a0e1c2f01'
down_revision = ('31121fc952e4', 'c4a9d7e2f1b3')
branch_labels = None
depends_on = None

articles = sa.table('articles', sa.column('topic_id', sa.Integer), sa.column('excerpt', sa.Text),
                    sa.column('excerpt_given', sa.Boolean))


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(articles.c.topic_id, articles.c.excerpt)
                        .where(articles.c.excerpt_given.is_(False))
                        .where(articles.c.excerpt.like('%&%;%'))).all()
    for row in rows:
        bind.execute(articles.update().where(articles.c.topic_id == row.topic_id)
                     .values(excerpt=html.unescape(row.excerpt)))


def downgrade():
    pass  # the escaped form was the bug
