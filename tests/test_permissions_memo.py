"""TopicAbilities shares one answer among posts with the same facts (permissions.py): for posts
in every state a topic page can hold, and for every kind of viewer, the shared answers equal
what the rules say of each post asked alone. A rule that starts reading another attribute of
a post, without adding it to `_post_facts`, fails here."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select, update

from forum import clock
from forum.accounts.models import Role, User
from forum.board.models import Approval, Post, Topic, TopicKind
from forum.extensions import db
from forum.permissions import PostAbilities, TopicAbilities, can


def _alone(user, post) -> PostAbilities:
    return PostAbilities(*(can(user, rule, post) for rule in (
        "view_hidden_post", "vote_post", "accept_answer", "edit_post", "hide_post",
        "restore_post", "report_post")))


@pytest.mark.parametrize("kind, locked", [(TopicKind.QUESTION, False),
                                          (TopicKind.DISCUSSION, True),
                                          (TopicKind.LINK, False)])
def test_shared_post_abilities_equal_each_posts_own(app, make, kind, locked):
    author, other, mod = make.user("Author"), make.user("Other"), make.user(
        "Mod", role=Role.MODERATOR)
    staff = make.user("Staff", role=Role.STAFF)
    away = make.user("Away", suspended_until=clock.now() + timedelta(days=2),
                     suspension_reason="x")
    topic = make.topic(author=author, replies=16, repliers=[author, other, staff])
    states = itertools.cycle([
        {"hidden_at": None}, {"hidden_at": clock.now(), "hidden_by_id": author.id},
        {"hidden_at": clock.now(), "hidden_by_id": mod.id},
        {"hidden_at": clock.now(), "hidden_by_id": other.id},
        {"hidden_at": clock.now(), "approval": Approval.PENDING},
        {"hidden_at": clock.now(), "approval": Approval.REJECTED},
        {"approval": Approval.APPROVED}])
    with app.app_context():
        db.session.execute(update(Topic).where(Topic.id == topic.id)
                           .values(kind=kind, locked=locked))
        for post_id in db.session.scalars(select(Post.id).where(Post.topic_id == topic.id)
                                          .order_by(Post.position)):
            db.session.execute(update(Post).where(Post.id == post_id).values(**next(states)))
        db.session.commit()
        viewers = [AnonymousUserMixin()] + [db.session.get(User, u.id)
                                            for u in (author, other, mod, staff, away)]
        t = db.session.get(Topic, topic.id)
        posts = list(db.session.scalars(select(Post).where(Post.topic_id == t.id)
                                        .order_by(Post.position)))
        for viewer in viewers:
            shared = TopicAbilities(viewer, t)
            for post in posts:
                assert shared.post(post) == _alone(viewer, post), (viewer, post.position)
            if getattr(viewer, "is_authenticated", False):
                assert len(shared._by_facts) < len(posts)  # the answers really are shared
