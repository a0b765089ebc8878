from __future__ import annotations

from sqlalchemy import select

from ..board.models import Topic
from ..extensions import db
from .models import Ping


def pings(topic_id: int, limit: int = 100) -> list:
    """Public topics linking here: (title, id, slug, excerpt, created_at), oldest first."""
    return list(db.session.execute(
        select(Topic.id, Topic.slug, Topic.title, Ping.excerpt, Ping.created_at)
        .join(Topic, Topic.id == Ping.source_topic_id)
        .where(Ping.target_topic_id == topic_id, Topic.public())
        .order_by(Ping.created_at, Ping.id).limit(limit)).all())
