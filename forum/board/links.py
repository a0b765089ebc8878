"""Canonical links to topics and posts, for any feature's views."""
from __future__ import annotations

from flask import current_app, url_for


def topic_url(topic, page: int = 1, post=None) -> str:
    anchor = f"post-{post.id}" if post is not None else None
    return url_for("board.topic", topic_id=topic.id, slug=topic.slug,
                   page=page if page > 1 else None, _anchor=anchor)


def post_url(post) -> str:
    """The page of its topic a post is on (by position; pages never shift)."""
    per_page = current_app.config["POSTS_PER_PAGE"]
    return topic_url(post.topic, page=(post.position - 1) // per_page + 1, post=post)
