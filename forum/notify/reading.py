"""The one write a topic page view may make: the member's read mark.

Called by the board's topic view. One query reads the member's state on the topic (follow
state and last position read). Only when the page shows posts past that position does it
write: the read mark moves forward in one upsert (`dbutil.insert_or_move_forward`: inserted
the first time, raised only if the new position is larger, so a racing older view never
moves it back) and, if it moved, the notifications about the posts shown are marked read,
committed at once; the member's read state is marked changed (queries.reader_scope), which
drops their kept "Unread" badges. A repeat view writes nothing.
A read mark that cannot be written (the database busy) is skipped with a warning: it is
never worth an error page.
"""
from __future__ import annotations


from flask import current_app, g
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from .. import clock, pagecache
from ..board.models import Post, Topic
from ..dbutil import insert_or_move_forward
from ..extensions import db
from .models import Notification, TopicRead
from .queries import notifications_scope, reader_scope, topic_state



def track(user, topic: Topic, positions: list[int]) -> None:
    """Note that the member saw posts at these positions (nothing for visitors, who cost no
    query; none for a member whose mark is there already)."""
    if not getattr(user, "is_authenticated", False):
        return
    _, seen = topic_state(user, topic)
    last = max(positions, default=0)
    if last <= seen:
        return
    try:
        move_read_mark(user.id, topic.id, last)
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        current_app.logger.warning("Read mark for user %s on topic %s not written "
                                   "(database busy).", user.id, topic.id)


def move_read_mark(user_id: int, topic_id: int, last: int) -> None:
    now = clock.now()
    if not insert_or_move_forward(TopicRead, "last_position", user_id=user_id,
                                  topic_id=topic_id, last_position=last, read_at=now):
        return  # another request of theirs already read further
    pagecache.changed(reader_scope(user_id))  # their kept "Unread" badges
    shown = select(Post.id).where(Post.topic_id == topic_id,
                                  Post.position <= last).scalar_subquery()
    marked = db.session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.topic_id == topic_id,
        Notification.read_at.is_(None), Notification.post_id.in_(shown)).values(read_at=now),
        execution_options={"synchronize_session": False}).rowcount
    if marked:  # the header's count, loaded with the member, is out of date for this page
        pagecache.changed(notifications_scope(user_id))  # and their kept page of them
        g.pop("unread_notifications", None)
        g.get("session_facts", {}).pop("unread_notifications", None)
