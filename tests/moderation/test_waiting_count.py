"""The header's "Moderation (n)" (issue 16): moderators and admins see how many reported
posts and posts awaiting approval wait, loaded with their own row (no query of its own on
any page); members see no link and their page costs nothing more."""
from __future__ import annotations

import re

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Post, Topic
from forum.extensions import db
from forum.moderation import services as moderation


def _waiting(page: str) -> str | None:
    match = re.search(r'href="/moderation/review"[^>]*>Moderation(?: <span class="notify-count">'
                      r'\((\d+)<span class="visually-hidden"> waiting</span>\)</span>)?</a>',
                      page)
    return (match.group(1) or "0") if match else None


def test_moderators_see_what_waits_without_a_query_more(app, make, login, client,
                                                        count_queries, monkeypatch):
    moderator = make.user("Mo Derator", role=Role.MODERATOR)
    forum = make.forum(slug="waits")
    topic = make.topic(forum=forum, replies=1)
    login(moderator)
    with count_queries() as before:
        page = client.get("/latest").text
    assert _waiting(page) == "0"

    monkeypatch.setitem(app.config, "APPROVAL_ENABLED", True)
    newcomer, reporters = make.user(), [make.user(), make.user()]
    with app.app_context():
        board.post_reply(db.session.get(User, newcomer.id), db.session.get(Topic, topic.id),
                         "Hello, my first post.")
        reply = db.session.scalar(select(Post).where(Post.topic_id == topic.id,
                                                     Post.position == 2))
        for who in reporters:  # two reports of one post count once
            moderation.report_post(db.session.get(User, who.id), reply, "spam")
        db.session.commit()
    with count_queries() as after:
        page = client.get("/latest").text
    assert _waiting(page) == "2"
    assert after.count == before.count

    member = app.test_client()
    login(make.user(), client=member)
    assert _waiting(member.get("/latest").text) is None


def test_suspension_presets(app, make, login, client):
    from datetime import timedelta

    from forum import clock
    login(make.user("Mo Derator", role=Role.MODERATOR))
    for name, length, days in (("Day Member", "1", 1), ("Week Member", "7", 7),
                               ("Month Member", "30", 30)):
        make.user(name)
        form = client.get(f"/u/{name}/suspend").text
        assert re.search(r'<input checked id="length-1" name="length" type="radio" '
                         r'value="7">', form), "one week is chosen to start with"
        response = client.post(f"/u/{name}/suspend", data={"length": length,
                                                            "reason": "Cooling off"})
        assert response.status_code == 302, response.text
        with app.app_context():
            until = db.session.scalar(select(User.suspended_until).where(
                User.display_name == name))
        assert until.date() == clock.now().date() + timedelta(days=days), name
    make.user("Date Member")
    page = client.post("/u/Date Member/suspend", data={"length": "date", "until": "",
                                                       "reason": "x"}).text
    assert "Enter the last day of the suspension." in page
