"""A topic page's post list is rendered once for everyone and kept (board/postlist.py); each
viewer's controls are added to it; any write to the topic drops it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import template_rendered
from sqlalchemy import select

from forum import clock, pagecache, templating
from forum.board import postlist
from forum.accounts.models import Role, User
from forum.board.models import Approval, Post, Topic, TopicKind
from forum.board.queries import PostFacts
from forum.extensions import db


@pytest.fixture
def list_renders(app):
    """How many times the shared list template was rendered (the clock stands still, as
    for the `rendered` fixture)."""
    clock.freeze()
    rendered = []

    def record(sender, template, context, **extra):
        if template.name == "board/_post_list.html":
            rendered.append(context["abilities"])
    template_rendered.connect(record, app)
    yield rendered
    template_rendered.disconnect(record, app)


def _reply_ids(app, topic):
    with app.app_context():
        return list(db.session.scalars(select(Post.id).where(
            Post.topic_id == topic.id, Post.position > 1).order_by(Post.position)))


def test_list_is_rendered_once_for_visitors_and_members_alike(app, client, make, login,
                                                              list_renders):
    topic = make.topic(replies=3)
    url = f"/t/{topic.id}-{topic.slug}"
    visitor = client.get(url).text
    login(make.user(), client=app.test_client()).get(url)
    member = login(make.user(), client=app.test_client()).get(url).text
    assert len(list_renders) == 1
    for page in (visitor, member):
        assert "<!--viewer:" not in page and "Reply number 3." in page
    assert "Report<span" not in visitor and "Report<span" in member


def test_controls_are_drawn_once_per_kind_and_carry_each_posts_own_values(
        app, client, make, login, rendered):
    """Twenty posts by two authors give a member two kinds of control sets (their own post:
    edit; the others: helpful, report), each rendered once and copied with each post's id,
    number and (escaped) author name; no stamp is left on the page."""
    me, other = make.user("Dana Reader"), make.user("Seán O'Brien")
    topic = make.topic(author=other, repliers=[other, me], replies=19)
    login(me)
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert rendered.count("board/_post_controls.html") == 1
    assert str(postlist.STAMP.id) not in page and str(postlist.STAMP.position) not in page
    assert "\x01" not in page
    with app.app_context():
        posts = list(db.session.execute(select(Post.id, Post.position, Post.author_id)
                                        .where(Post.topic_id == topic.id)))
    for post_id, position, author_id in posts:
        if author_id == me.id:
            assert f'href="/p/{post_id}/edit"' in page and f'/p/{post_id}/report"' not in page
        else:
            assert f'href="/p/{post_id}/report"' in page
            assert (f'action="/p/{post_id}/helpful"' in page) == (position > 1)
        assert f'data-quote-post="{post_id}"' in page
        assert f"Report<span class=\"visually-hidden\"> post #{position}</span>" in page \
            or author_id == me.id
    mine = sum(1 for *_, author_id in posts if author_id == me.id)
    assert page.count('data-quote-author="Seán O&#39;Brien"') == len(posts) - mine
    assert page.count('data-quote-author="Dana Reader"') == mine > 0


def test_controls_are_the_viewers_own(app, client, make, login):
    author, voter = make.user(), make.user()
    moderator = make.user(role=Role.MODERATOR)
    topic = make.topic(author=author, repliers=[author, voter], replies=2)
    first, second = _reply_ids(app, topic)
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(url)  # keep the list
    login(voter)
    assert client.post(f"/p/{first}/helpful", data={"helpful": "1"}).status_code == 302
    page = client.get(url).text
    assert f'href="/p/{second}/edit"' in page and f'href="/p/{first}/edit"' not in page
    assert f'href="/p/{first}/report"' in page and f'href="/p/{second}/report"' not in page
    assert "1 member found this helpful" in page and 'aria-pressed="true"' in page
    mod = login(moderator, client=app.test_client()).get(url).text
    assert f'href="/p/{first}/hide"' in mod and f'href="/p/{second}/hide"' in mod
    assert 'aria-pressed="true"' not in mod


@pytest.mark.parametrize("write", ["reply", "edit", "hide", "helpful"])
def test_a_write_to_the_topic_drops_the_kept_list(app, client, make, login, list_renders,
                                                  write):
    author, other = make.user(), make.user()
    topic = make.topic(author=author, repliers=[author], replies=2)
    reply_id = _reply_ids(app, topic)[0]
    url = f"/t/{topic.id}-{topic.slug}"
    visitor = app.test_client()
    visitor.get(url)
    login(other if write == "helpful" else author)
    client.get(url)
    assert len(list_renders) == 1
    if write == "reply":
        client.post(f"/t/{topic.id}/reply", data={"body": "A brand new reply."})
        expected = "A brand new reply."
    elif write == "edit":
        client.post(f"/p/{reply_id}/edit", data={"body": "Reworded entirely.", "reason": ""})
        expected = "Reworded entirely."
    elif write == "hide":
        client.post(f"/p/{reply_id}/hide", data={"reason": "Oops"})
        expected = "This post has been hidden."
    else:
        client.post(f"/p/{reply_id}/helpful", data={"helpful": "1"})
        expected = "1 member found this helpful"
    assert expected in visitor.get(url).text
    assert len(list_renders) == 2


def test_who_may_see_a_hidden_post_gets_a_list_of_their_own(app, client, make, login,
                                                            list_renders):
    author = make.user()
    topic = make.topic(repliers=[author], replies=2)
    reply_id = _reply_ids(app, topic)[0]
    login(author)
    client.post(f"/p/{reply_id}/hide", data={"reason": "Second thoughts"})
    url = f"/t/{topic.id}-{topic.slug}"
    visitor = app.test_client().get(url).text
    own = client.get(url).text
    moderator = login(make.user(role=Role.MODERATOR), client=app.test_client()).get(url).text
    assert "This post has been hidden." in visitor and "Second thoughts" not in visitor
    assert "Second thoughts" in own and "Only you and moderators" in own
    assert "Second thoughts" in moderator and "Only you, the author and moderators" in moderator
    assert f'action="/p/{reply_id}/restore"' in own
    # the shared list once (for the visitor); the author and the moderator each their own
    assert [a.user_id for a in list_renders].count(None) == 1 and len(list_renders) == 3


def _same_apart_from_tokens(page: str) -> str:
    """A page without what differs between two requests of the same viewer: CSRF tokens
    and the view count."""
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
    return re.sub(r"[\d,]+ views?", "", page)


def test_a_kept_list_gives_every_viewer_the_page_a_fresh_render_gives(app, make, login,
                                                                      monkeypatch):
    """With the list kept, the page reads its posts' facts kept with it (queries.PostFacts):
    the rules and the controls must come out as from Post objects, for every kind of viewer and
    post (hidden by its author, accepted, a moderator's, a suspended member's view...)."""
    author, other, replier = make.user(), make.user(), make.user()
    moderator, staff = make.user(role=Role.MODERATOR), make.user(role=Role.STAFF)
    suspended = make.user()
    topic = make.topic(author=author, repliers=[replier, other], replies=5)
    first, second, third, *_ = _reply_ids(app, topic)
    url = f"/t/{topic.id}-{topic.slug}"
    login(replier, client=app.test_client()).post(f"/p/{first}/hide",
                                                  data={"reason": "Second thoughts"})
    with app.app_context():
        topic_row = db.session.get(Topic, topic.id)
        topic_row.kind = TopicKind.QUESTION
        topic_row.accepted_post_id = third
        db.session.get(User, suspended.id).suspended_until = clock.now() + timedelta(days=3)
        db.session.commit()
    clock.freeze()
    viewers = [None, author, other, replier, moderator, staff, suspended]
    for viewer in viewers:
        client = app.test_client() if viewer is None else login(viewer, client=app.test_client())
        client.get(url)  # the read mark moves on the first view
        monkeypatch.setitem(app.config, "POST_LIST_CACHE_SECONDS", 0)  # (restored after)
        fresh = client.get(url).text
        monkeypatch.setitem(app.config, "POST_LIST_CACHE_SECONDS", 30)
        app.test_client().get(url)  # a visitor keeps the list
        kept = client.get(url).text
        assert _same_apart_from_tokens(kept) == _same_apart_from_tokens(fresh), viewer
        assert "Reply number 5." in kept


def test_the_facts_kept_with_a_list_read_back_as_they_were(app, make):
    """A kept list's posts are read from the JSON kept before its HTML: every fact the post
    rules read comes back the same (a hidden post's time, a waiting post's approval)."""
    topic = make.topic(replies=2)
    with app.app_context():
        posts = db.session.scalars(db.select(Post).where(Post.topic_id == topic.id)
                                   .order_by(Post.position)).all()
        posts[1].hidden_at = datetime(2026, 11, 30, 9, 15, 7, 123456)
        posts[1].hidden_by_id = posts[1].author_id
        posts[2].approval = Approval.PENDING
        posts[2].vote_count = 3
        topic_row = db.session.get(Topic, topic.id)
        kept = pagecache.KeptFragment("test-facts", [pagecache.SITE], look_up=False)
        kept.html = postlist._pack(posts, topic_row, "<ol>the list</ol>")
        found = postlist.look_up(kept, topic_row)
        assert found.html == "<ol>the list</ol>"
        assert found.posts == [PostFacts.of(post, topic_row) for post in posts]
        assert found.posts[1].is_hidden and found.posts[2].awaiting_approval
        kept.html = "<ol>a list kept before its facts were</ol>"
        assert postlist.look_up(kept, topic_row) is None


def test_a_filled_list_is_kept_for_members_with_the_same_controls(app, make, login,
                                                                   monkeypatch):
    """Members whose page gets the same controls on each post share one filled list, each
    page with its own session's CSRF token; a member with a post of their own on the page
    gets a list filled for them."""
    author = make.user()
    topic = make.topic(author=author, repliers=[author], replies=3)
    first = _reply_ids(app, topic)[0]
    url = f"/t/{topic.id}-{topic.slug}"
    filled = []
    fill_afresh = postlist._filled
    monkeypatch.setattr(postlist, "_filled", lambda *args: filled.append(args[4]) or
                        fill_afresh(*args))
    clock.freeze()
    pages = [login(member, client=app.test_client()).get(url).text
             for member in (make.user(), make.user())]
    assert filled == [topic.id]  # the second member's page took the first's filled list
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) for page in pages]
    assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]
    assert all(f'action="/p/{first}/helpful"' in page for page in pages)
    own = login(author, client=app.test_client()).get(url).text
    assert filled == [topic.id, topic.id]  # filled for the author's controls
    assert f'href="/p/{first}/edit"' in own and "/edit" not in pages[0]


def test_a_kept_filled_list_has_its_token_marks_found_once(app, make, login, monkeypatch):
    """A filled list kept in the process is kept split at its CSRF token's marks
    (templating.csrf_parts): each page joins the parts around its session's token, and
    does not search the ~50 KB list for the marks again (~40 us a topic page: HTML's many
    '<' and '>' slow the search)."""
    topic = make.topic(replies=3)
    url = f"/t/{topic.id}-{topic.slug}"
    clock.freeze()
    login(make.user(), client=app.test_client()).get(url)
    searched = []
    real_split = templating.csrf_parts
    monkeypatch.setattr(postlist, "csrf_parts", lambda html: (searched.append(len(html)),
                                                              real_split(html))[1],
                        raising=False)
    monkeypatch.setattr(postlist, "with_csrf_token", lambda html: (searched.append(len(html)),
                                                                   html), raising=False)
    client = login(make.user(), client=app.test_client())
    page = client.get(url).text
    assert searched == []
    token = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(token) == 1 and templating.CSRF_MARK not in page
    parts = templating.csrf_parts("a<!--csrf-->b<!--csrf-->c")
    assert parts == ("a", "b", "c") and templating.csrf_parts("plain") == ("plain",)


@pytest.fixture
def big_copies(monkeypatch):
    """The sizes of the large texts made into Markup while it is in use: each such call
    copies the whole text (a str subclass cannot share a str's characters)."""
    copied = []
    real_new = templating.Markup.__new__

    def new(cls, base="", encoding=None, errors="strict"):
        if isinstance(base, str) and len(base) > 4000:
            copied.append(len(base))
        return real_new(cls, base, encoding, errors)
    monkeypatch.setattr(templating.Markup, "__new__", new)
    return copied


def test_a_topic_page_joins_its_posts_into_the_page_once(app, make, login, big_copies):
    """The list of posts (~50 KB for 25 posts) and the body around it are joined into the
    page once, at the end, for visitors and members: they were copied three more times on
    the way (made into Markup twice, passed through the page template's `{{ body }}`, which
    copies any Markup once more), ~4% of a member's topic page (issue 15)."""
    topic = make.topic(replies=24)
    url = f"/t/{topic.id}-{topic.slug}"
    clock.freeze()
    visitor = app.test_client()
    member = login(make.user(), client=app.test_client())
    for client in (visitor, member, visitor, member):  # rendered and kept, then kept ones
        del big_copies[:]
        page = client.get(url).text
        assert page.count("Reply number ") == 24
        assert "<!--page:" not in page and "<!--topic:" not in page
        assert big_copies == []


def test_a_visitors_list_is_kept_as_filled(app, make, monkeypatch):
    """A visitor's list has no controls: the markers are taken out of the kept list once
    per process (FILLED_KEPT), not searched for in ~50 KB on every visitor's page."""
    topic = make.topic(replies=3)
    url = f"/t/{topic.id}-{topic.slug}"
    clock.freeze()
    client = app.test_client()
    first = client.get(url).text
    searched = []
    real_sub = postlist.MARKER.sub
    monkeypatch.setattr(postlist, "MARKER", type("Counted", (), {
        "sub": staticmethod(lambda *a: searched.append(1) or real_sub(*a)),
        "split": postlist.MARKER.split}))
    again = client.get(url).text
    assert searched == []
    assert re.sub(r"\d+ views?", "", again) == re.sub(r"\d+ views?", "", first)
    assert "Reply number 3." in again and "<!--viewer:" not in again
