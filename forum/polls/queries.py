from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..board.models import Forum, Topic
from ..extensions import db
from .models import Poll


def poll_for_topic(topic_id: int) -> Poll | None:
    return db.session.scalars(select(Poll).where(Poll.topic_id == topic_id)
                              .options(joinedload(Poll.options))).unique().first()


def poll(poll_id: int) -> Poll | None:
    return db.session.scalars(
        select(Poll).where(Poll.id == poll_id)
        .options(joinedload(Poll.options),
                 joinedload(Poll.topic).joinedload(Topic.forum).joinedload(Forum.category))
    ).unique().first()
