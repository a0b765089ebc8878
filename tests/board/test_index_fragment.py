"""The home page's list of categories and forums is kept as a fragment per viewer scope
(pagecache.kept_fragment in board.views.index): members share it, each gets their own
"Unread" badges, no viewer gets another scope's forums, and writes show at once."""
from __future__ import annotations

from forum.accounts.models import Role
from forum.board.models import Forum
from forum.extensions import db
from forum.groups import services as groups


def test_members_share_one_rendered_list_with_their_own_unread_badges(
        app, make, login, rendered, count_queries):
    reader, other = make.user(), make.user()
    topic = make.topic(title="Where are the forms kept?")
    first = login(reader, client=app.test_client())
    second = login(other, client=app.test_client())
    first.get(f"/t/{topic.id}-{topic.slug}")  # the reader has read everything
    mine = first.get("/").text
    with count_queries() as counter:
        theirs = second.get("/").text
    assert rendered.count("board/_forum_index.html") == 1, "rendered again for the second"
    assert topic.forum.title in mine and topic.forum.title in theirs
    assert "<!--unread:" not in mine + theirs
    assert "unread-badge" not in mine and "unread-badge" in theirs
    # The member and session facts, and the unread badges: the list itself costs nothing.
    assert counter.count <= 2, [s[:80] for s in counter.statements]


def test_a_reply_or_a_new_forum_shows_at_once(app, client, make, login, rendered):
    admin = make.user(role=Role.ADMIN)
    member = login(make.user(), client=app.test_client())
    topic = make.topic(title="Budget codes")
    member.get("/")
    make.user()  # nothing that changes the list
    member.get("/")
    assert rendered.count("board/_forum_index.html") == 1
    login(admin)
    with app.app_context():
        category_id = db.session.get(Forum, topic.forum_id).category_id
    assert client.post("/admin/forums/new", data={
        "category": category_id, "title": "Shared services", "description": "",
        "slug": ""}).status_code == 302
    assert "Shared services" in member.get("/").text
    replier = login(make.user(), client=app.test_client())
    assert replier.post(f"/t/{topic.id}/reply", data={
        "body": "Ask finance for the code list."}).status_code == 302
    page = member.get("/").text
    assert "2 posts" in page and "unread-badge" in page


def _back_room(app, make, insider):
    """A forum only the group "Board team" reads, with `insider` in it; its one topic."""
    forum = make.forum(title="Back room", slug="back-room")
    topic = make.topic(forum=forum, title="Reorganisation plans")
    with app.app_context():
        group = groups.create_group(None, "Board team")
        db.session.flush()
        groups.restrict_forum(None, db.session.get(Forum, forum.id), group, "read")
        groups.add_member(None, group, db.session.get(type(insider), insider.id))
        db.session.commit()
    return topic


def test_a_private_forum_never_reaches_another_scope(app, make, login):
    insider, outsider = make.user(), make.user()
    _back_room(app, make, insider)
    inside = login(insider, client=app.test_client()).get("/").text
    outside = login(outsider, client=app.test_client()).get("/").text
    visitor = app.test_client().get("/").text
    assert "Back room" in inside and "Reorganisation plans" in inside
    for page in (outside, visitor):
        assert "Back room" not in page and "Reorganisation plans" not in page


def test_a_forum_page_is_shared_with_each_members_unread_badges_and_new_topics_at_once(
        app, make, login, rendered):
    # Members first: a topic older than a member's joining is read for them (to the second).
    reader = login(make.user(), client=app.test_client())
    other = login(make.user(), client=app.test_client())
    forum = make.forum(title="Procurement", slug="procurement")
    topic = make.topic(forum=forum, title="Framework renewals")
    reader.get(f"/t/{topic.id}-{topic.slug}")
    mine, theirs = reader.get("/f/procurement").text, other.get("/f/procurement").text
    assert rendered.count("board/_forum_topics.html") == 1
    assert "Framework renewals" in mine and "Framework renewals" in theirs
    assert "unread-badge" not in mine and "unread-badge" in theirs
    assert "<!--unread:" not in mine + theirs
    make.topic(forum=forum, title="Supplier onboarding")
    assert "Supplier onboarding" in reader.get("/f/procurement").text


def test_a_group_member_gets_unread_badges_for_the_private_forum_they_read(app, make, login):
    insider = make.user()
    topic = _back_room(app, make, insider)
    inside = login(insider, client=app.test_client())
    assert "unread-badge" in inside.get("/").text  # the only forum, unread
    inside.get(f"/t/{topic.id}-{topic.slug}")
    assert "unread-badge" not in inside.get("/").text
