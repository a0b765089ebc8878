"""Load a topic or post for the current person, or stop with 404 (for any feature's views)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..permissions import require
from . import queries
from .models import Post, Topic


def visible_topic(topic_id: int, summary: bool = True) -> Topic:
    """The topic, with its summary's posts unless `summary=False` (board.queries.topic)."""
    viewer = current_user._get_current_object()  # (asked of the proxy once)
    topic = queries.topic(topic_id, viewer.id if viewer.is_authenticated else None, summary)
    if topic is None:
        abort(404)
    require(viewer, "view_topic", topic)
    return topic


def visible_post(post_id: int) -> Post:
    post = queries.post(post_id)
    if post is None:
        abort(404)
    require(current_user, "view_topic", post.topic)
    return post
