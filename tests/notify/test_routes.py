"""The notification pages, follow buttons, unread marks and settings, through HTTP."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from forum import clock
from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db
from forum.notify.models import EmailMode, Notification, NotifySettings, Subscription


def _reply(app, user, topic, text="A reply."):
    with app.app_context():
        post = board.post_reply(db.session.get(User, user.id), db.session.get(Topic, topic.id),
                                text)
        db.session.commit()
        return post.id


UNREAD_BADGE = 'unread-badge">Unread'  # not the "Unread" tab the home page links to


def _header_count(page: str) -> int:
    match = re.search(r'Notifications <span class="notify-count">\((\d+)', page)
    return int(match.group(1))


def test_notifications_page_lists_and_marks_read(app, client, make, login):
    ann, bob = make.user("Ann"), make.user("Bob")
    topic = make.topic(author=ann, title="Counter queues")
    first = _reply(app, bob, topic, "One")
    _reply(app, bob, topic, "Two, @Ann")
    login(ann)
    page = client.get("/notifications")
    assert page.status_code == 200
    assert _header_count(page.text) == 2
    assert "Bob</a>\n        replied to" in page.text and "mentioned you in" in page.text
    assert page.text.count("Mark as read") == 2
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.post_id == first))
    response = client.post(f"/notifications/{note.id}/read", data={"next": "/notifications"})
    assert response.status_code == 302 and response.location == "/notifications"
    assert _header_count(client.get("/").text) == 1
    client.post("/notifications/read")
    page = client.get("/notifications")
    assert _header_count(page.text) == 0 and "Mark as read" not in page.text
    assert "Counter queues" in page.text


def test_a_member_cannot_mark_anothers_notification(app, client, make, login):
    ann, bob = make.user("Ann"), make.user("Bob")
    topic = make.topic(author=ann)
    _reply(app, bob, topic)
    login(bob)
    with app.app_context():
        note_id = db.session.scalar(select(Notification.id))
    assert client.post(f"/notifications/{note_id}/read").status_code == 403
    assert client.post("/notifications/999999/read").status_code == 404
    assert client.post("/notifications/abc/read").status_code == 404


def test_open_redirects_are_refused(app, client, make, login):
    login(make.user())
    response = client.post("/notifications/read", data={"next": "https://evil.example/"})
    assert response.location == "/notifications"


def test_follow_and_stop_following_a_topic(app, client, make, login):
    ann, bob = make.user("Ann"), make.user("Bob")
    topic = make.topic(author=ann)
    url = f"/t/{topic.id}-{topic.slug}"
    login(bob)
    assert "Follow this topic" in client.get(url).text
    client.post(f"/t/{topic.id}/follow")
    page = client.get(url).text
    assert "You are following this topic." in page and "Stop following" in page
    _reply(app, ann, topic, "Author's news")
    assert _header_count(client.get("/").text) == 1
    client.post(f"/t/{topic.id}/unfollow")
    assert "Follow this topic" in client.get(url).text
    assert client.post("/t/999999/follow").status_code == 404


def test_reading_a_topic_clears_its_unread_mark_and_notifications(app, client, make, login):
    ann, bob = make.user("Ann"), make.user("Bob")
    forum = make.forum(slug="marks")
    topic = make.topic(author=ann, forum=forum, title="Marked topic")
    other = make.topic(author=ann, forum=forum, title="Other topic")
    login(bob)
    listing = client.get("/f/marks").text
    assert listing.count("Unread") == 2  # new since Bob joined
    assert UNREAD_BADGE in client.get("/").text
    client.get(f"/t/{topic.id}-{topic.slug}")
    listing = client.get("/f/marks").text
    assert listing.count("Unread") == 1
    # Bob follows it (he looked, then replied); Ann replies: unread again, and notified.
    _reply(app, bob, topic, "Bob's reply")
    client.get(f"/t/{topic.id}-{topic.slug}")
    _reply(app, ann, topic, "Ann answers")
    assert client.get("/f/marks").text.count("Unread") == 2
    assert _header_count(client.get("/").text) == 1
    client.get(f"/t/{topic.id}-{topic.slug}")
    assert _header_count(client.get("/").text) == 0  # read on the page: notification too
    # Mark the forum read, then everything.
    client.post("/f/marks/mark-read")
    assert "Unread" not in client.get("/f/marks").text
    clock.advance(timedelta(seconds=5))
    _reply(app, ann, other, "Later news")
    assert client.get("/f/marks").text.count("Unread") == 1
    client.post("/mark-all-read")
    assert "Unread" not in client.get("/f/marks").text
    assert UNREAD_BADGE not in client.get("/").text


def test_visitors_see_no_marks_or_buttons(app, client, make):
    topic = make.topic(forum=make.forum(slug="open"))
    assert "Unread" not in client.get("/f/open").text
    assert "Follow this" not in client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "Notifications" not in client.get("/").text


def test_follow_a_forum(app, client, make, login):
    forum = make.forum(slug="watched")
    bob = make.user("Bob")
    login(bob)
    assert "Follow this forum" in client.get("/f/watched").text
    client.post("/f/watched/follow")
    assert "Stop following this forum" in client.get("/f/watched").text
    make.topic(forum=forum, title="Brand new")
    assert _header_count(client.get("/").text) == 1
    assert "started" in client.get("/notifications").text
    client.post("/f/watched/unfollow")
    assert "Follow this forum" in client.get("/f/watched").text
    assert client.post("/f/nowhere/follow").status_code == 404


def test_settings_page_saves_choices_and_lists_follows(app, client, make, login):
    ann = make.user("Ann")
    topic = make.topic(author=ann, title="Followed one")
    login(ann)
    page = client.get("/settings/notifications")
    assert page.status_code == 200 and "Followed one" in page.text
    assert re.search(r'<input checked id="email_mode-0"[^>]*value="each"', page.text)
    response = client.post("/settings/notifications", data={"email_mode": "digest"})
    assert response.status_code == 302
    with app.app_context():
        settings = db.session.get(NotifySettings, ann.id)
        assert settings.email_mode == EmailMode.DIGEST and settings.auto_subscribe is False
    bad = client.post("/settings/notifications", data={"email_mode": "hourly"})
    assert bad.status_code == 200 and "There is a problem" in bad.text
    client.post(f"/t/{topic.id}/unfollow", data={"next": "/settings/notifications"})
    with app.app_context():
        assert db.session.scalar(select(Subscription.active)) is False
    assert "Notifications</a>" in client.get("/settings").text  # linked from settings


def test_notifications_pages(app, client, make, login):
    ann, bob = make.user("Ann"), make.user("Bob")
    topic = make.topic(author=ann)
    with app.app_context():
        for i in range(35):
            board.post_reply(db.session.get(User, bob.id), db.session.get(Topic, topic.id),
                             f"Reply {i}")
        db.session.commit()
    login(ann)
    first = client.get("/notifications").text
    assert "99+" not in first and _header_count(first) == 35
    assert 'href="/notifications?page=2"' in first
    assert client.get("/notifications?page=2").text.count('class="notification unread"') == 5
    assert client.get("/notifications?page=99").status_code == 200


def _listed(page: str) -> list[str]:
    return re.findall(r'id="notification-(\d+)"', page)


def test_notifications_pages_past_the_end_and_after_a_new_one(app, client, make, login):
    """The page of notifications carries their count (one statement): a page past the end
    is the last page, as it was when they were counted first, and a new notification moves
    the pages at once."""
    ann, bob = make.user("Ann"), make.user("Bob")
    topic = make.topic(author=ann)
    login(ann)
    for url in ("/notifications", "/notifications?page=3"):  # none at all
        page = client.get(url).text
        assert "Nothing yet." in page and "(page" not in page
        assert "Notification pages" not in page
    for i in range(31):
        _reply(app, bob, topic, f"Reply {i}")
    first, second = client.get("/notifications").text, client.get("/notifications?page=2").text
    assert len(_listed(first)) == 30 and len(_listed(second)) == 1
    assert 'href="/notifications?page=2"' in first and "(page 2)" in second
    past = client.get("/notifications?page=7").text
    assert _listed(past) == _listed(second) and "<title>Notifications (page 2)" in past
    assert _listed(client.get("/notifications?page=x").text) == _listed(first)
    _reply(app, bob, topic, "One more")
    again = client.get("/notifications").text
    assert _listed(again)[0] not in _listed(first) and _listed(again)[1:] == _listed(first)[:29]
    assert len(_listed(client.get("/notifications?page=2").text)) == 2
    assert 'href="/notifications?page=3"' not in again


def test_a_busy_database_skips_the_read_mark_not_the_page(app, client, make, login,
                                                         monkeypatch):
    from sqlalchemy.exc import OperationalError

    from forum.notify import reading

    def busy(*args, **kwargs):
        raise OperationalError("UPDATE topic_reads", {}, Exception("database is locked"))

    topic = make.topic(title="Still readable", replies=2)
    login(make.user())
    monkeypatch.setattr(reading, "move_read_mark", busy)
    page = client.get(f"/t/{topic.id}-{topic.slug}")
    assert page.status_code == 200 and "Reply number 2." in page.text
    monkeypatch.undo()
    with app.app_context():
        from forum.notify.models import TopicRead
        assert db.session.scalar(select(TopicRead.last_position)) is None
    client.get(f"/t/{topic.id}-{topic.slug}")
    with app.app_context():
        assert db.session.scalar(select(TopicRead.last_position)) == 3
