from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from ..board.models import Forum, Topic
from ..board.queries import topic_fact, topic_facts
from ..extensions import db
from .models import Poll


@topic_fact("has_poll")
def _has_poll(topic_id):
    return exists().where(Poll.topic_id == topic_id)


def poll_for_topic(topic: Topic) -> Poll | None:
    """The topic's poll with its options: no query when the topic was loaded knowing it
    has none (board.queries.topic_facts)."""
    if not topic_facts(topic).get("has_poll", True):
        return None
    return db.session.scalars(select(Poll).where(Poll.topic_id == topic.id)
                              .options(joinedload(Poll.options))).unique().first()


def poll(poll_id: int) -> Poll | None:
    return db.session.scalars(
        select(Poll).where(Poll.id == poll_id)
        .options(joinedload(Poll.options),
                 joinedload(Poll.topic).joinedload(Topic.forum).joinedload(Forum.category))
    ).unique().first()
