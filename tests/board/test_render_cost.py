"""A topic page's rendering work per post is small and fixed: permissions decided once
(permissions.TopicAbilities), links filled in from a pattern (urls.path_for), the viewer
passed explicitly (no current_user look-up per post). Counted, never timed."""
from __future__ import annotations

from datetime import timedelta

import flask_login.utils
import pytest
import werkzeug.routing
from flask import url_for
from sqlalchemy import event

from forum import clock
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Post, Topic
from forum.extensions import db
from forum.permissions import TopicAbilities, can
from forum.urls import path_for

ODD_NAMES = ["Ann O'Neil", "Zoë Ünal", "a/b c", "100% sure?", "x#y&z=1", "tab\tand+plus"]


@pytest.mark.parametrize("script_root", ["", "/forum"])
def test_path_for_builds_what_url_for_builds(app, script_root):
    cases = [("board.post", {"post_id": 7}), ("board.edit_post", {"post_id": 123456}),
             ("polls.unaccept", {"topic_id": 42}), ("board.post_history", {"post_id": 1})]
    cases += [("accounts.profile", {"name": name}) for name in ODD_NAMES]
    with app.test_request_context("/", environ_base={"SCRIPT_NAME": script_root}):
        for endpoint, values in cases:
            assert path_for(endpoint, **values) == url_for(endpoint, **values), values
            # the second call is filled in from the kept pattern
            assert path_for(endpoint, **values) == url_for(endpoint, **values), values


def test_path_for_falls_back_to_url_for_for_extra_arguments(app):
    with app.test_request_context("/"):
        assert path_for("board.topic", topic_id=3, slug="a-b", page=2) == \
            url_for("board.topic", topic_id=3, slug="a-b", page=2)


@pytest.fixture
def cast(make, app):
    """A question with replies in every state, and people in every role."""
    author, other, replier = make.user(), make.user(), make.user()
    moderator = make.user(role=Role.MODERATOR)
    staff = make.user(role=Role.STAFF)
    suspended = make.user()
    topic = make.topic(author=author, repliers=[replier, other], replies=4)
    with app.app_context():
        t = db.session.get(Topic, topic.id)
        t.kind = t.kind.QUESTION
        posts = sorted(t.posts, key=lambda p: p.position) if hasattr(t, "posts") else \
            list(db.session.scalars(db.select(Post).where(Post.topic_id == t.id)
                                    .order_by(Post.position)))
        board.hide_post(db.session.get(User, replier.id), posts[1])  # hidden by its author
        t.accepted_post_id = posts[2].id
        db.session.get(User, suspended.id).suspended_until = clock.now() + timedelta(days=3)
        db.session.commit()
    return topic, [author, other, replier, moderator, staff, suspended]


def test_topic_abilities_say_what_the_rules_say(app, cast):
    topic, people = cast
    with app.test_request_context("/"):
        viewers = [flask_login.AnonymousUserMixin()] + [db.session.get(User, u.id)
                                                        for u in people]
        topic = db.session.get(Topic, topic.id)
        posts = list(db.session.scalars(db.select(Post).where(Post.topic_id == topic.id)))
        for viewer in viewers:
            abilities = TopicAbilities(viewer, topic)
            assert abilities.reply == can(viewer, "reply", topic)
            assert abilities.moderate == can(viewer, "moderate_topic", topic)
            assert abilities.add_poll == can(viewer, "add_poll", topic)
            assert abilities.manage_answer == can(viewer, "manage_answer", topic)
            assert abilities.user_id == getattr(viewer, "id", None)
            for post in posts:
                may = abilities.post(post)
                assert may == (can(viewer, "view_hidden_post", post),
                               can(viewer, "vote_post", post),
                               can(viewer, "accept_answer", post),
                               can(viewer, "edit_post", post),
                               can(viewer, "hide_post", post),
                               can(viewer, "restore_post", post),
                               can(viewer, "report_post", post)), (viewer, post.position)
                assert abilities.post(post) is may  # asked once
        # the cast covers both answers of every post rule
        every = [TopicAbilities(v, topic).post(p) for v in viewers for p in posts]
        for field in every[0]._fields:
            assert {getattr(a, field) for a in every} == {True, False}, field


def _count_calls(monkeypatch, owner, name):
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(owner, name, counted)
    return calls


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_url_building_and_current_user_look_ups_do_not_grow_with_the_posts_shown(
        client, make, login, monkeypatch, logged_in):
    short, full = make.topic(replies=2), make.topic(replies=24)
    if logged_in:
        login(make.user())
    for topic in (short, full):  # warm: read marks, template cache, patterns
        assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 200
    url_fors = _count_calls(monkeypatch, werkzeug.routing.MapAdapter, "build")
    users = _count_calls(monkeypatch, flask_login.utils, "_get_user")
    counts = {}
    for topic in (short, full):
        url_fors.clear()
        users.clear()
        assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 200
        counts[topic.id] = (len(url_fors), len(users))
    assert counts[short.id] == counts[full.id], counts


def test_topic_page_loads_only_the_columns_it_shows(client, make, login, count_queries):
    """Rendering the list: the columns shown. A kept list (board/postlist.py) comes with its
    posts' facts: the page asks nothing of its posts then."""
    clock.freeze()  # a kept copy serves within a 30-second window, which must not turn here
    topic = make.topic(replies=3)
    login(make.user())
    statements = []
    for _ in range(2):  # renders and keeps the list, then finds it kept
        with count_queries() as counter:
            assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 200
        statements.append([s for s in counter.statements
                           if "FROM posts" in s and "posts.hidden_by_id" in s])
    rendering, kept = statements
    assert len(rendering) == 1 and kept == []
    rendering = rendering[0]
    assert "posts.body_html" in rendering
    # It says how many rows it can give: without it PostgreSQL guessed thousands for a
    # long topic's range and hash-joined every member (queries._page_of_posts).
    assert "LIMIT" in rendering
    for unwanted in ("posts.body_source", "password_hash", ".email", ".bio_html"):
        assert unwanted not in rendering, unwanted


def test_the_topic_statement_loads_what_the_page_shows_of_its_last_and_accepted_post(
        app, client, make, login, count_queries, monkeypatch):
    """The topic comes with its last post's author and its accepted answer, not with every
    column of two posts and two members (their e-mail and password hash among them). The
    last page, which shows the last post in full too, asks nothing more for it."""
    clock.freeze()
    monkeypatch.setitem(app.config, "POST_LIST_CACHE_SECONDS", 0)  # the list is rendered
    topic = make.topic(replies=3)
    with app.app_context():
        row = db.session.get(Topic, topic.id)
        row.accepted_post_id = row.last_post_id
        db.session.commit()
    login(make.user())
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(url)  # the read mark's first write
    with count_queries() as counter:
        page = client.get(url)
    assert page.status_code == 200 and "Reply number 3." in page.text
    assert "read the answer in full" in page.text
    statement, = [s for s in counter.statements if "AS viewer_follows" in s]
    for unwanted in ("password_hash", ".email", ".bio_html", "body_source",
                     "posts_1.body_html"):
        assert unwanted not in statement, unwanted
    # the page's posts, the last among them, are one statement: no column of the last post
    # is asked for on its own
    posts = [s for s in counter.statements if s.startswith("SELECT posts.")]
    assert len(posts) == 1 and "WHERE posts.topic_id" in posts[0], posts


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_a_kept_post_list_makes_no_post_objects(app, client, make, login, logged_in):
    """Making 25 Post objects with their authors costs more than the statement: a page whose
    list is kept reads its posts' facts kept with it (queries.PostFacts)."""
    clock.freeze()  # a kept copy serves within a 30-second window, which must not turn here
    topic = make.topic(replies=24)
    if logged_in:
        login(make.user())
    url = f"/t/{topic.id}-{topic.slug}"
    assert client.get(url).status_code == 200  # keeps the list
    made = []

    def loaded(target, context):
        made.append(target.id)
    event.listen(Post, "load", loaded)
    try:
        page = client.get(url)
    finally:
        event.remove(Post, "load", loaded)
    assert page.status_code == 200 and "Reply number 24." in page.text
    # none, not even the topic's last post: the body that shows it is kept too
    # (board/topicbody.py), so the topic's statement does not join it
    assert made == []
