from __future__ import annotations

from functools import cache

from sqlalchemy import Integer, bindparam, select

from .. import clock
from ..board.models import Topic
from ..board.queries import public_topics
from ..extensions import db
from .models import Ping


@cache
def _pings_statement():
    """pings' statement, built once per process (board.queries' statements built once)."""
    return (select(Topic.id, Topic.slug, Topic.title, Ping.excerpt, Ping.created_at)
            .join(Topic, Topic.id == Ping.source_topic_id)
            .where(Ping.target_topic_id == bindparam("topic_id", type_=Integer),
                   public_topics())
            .order_by(Ping.created_at, Ping.id).limit(bindparam("limit", type_=Integer)))


def pings(topic_id: int, limit: int = 100) -> list:
    """Public topics linking here: (title, id, slug, excerpt, created_at), oldest first."""
    return list(db.session.execute(_pings_statement(), {
        "topic_id": topic_id, "now": clock.now(), "limit": limit}).all())
