"""A forum page's head (title, counts, what the viewer may do, the follow buttons, the first
pagination) is kept per process by the values it shows (templating.MemoExtension): kept
for the next viewer of the same kind, and new the moment one of those values changes."""
from __future__ import annotations

import re


def _pieces(app) -> dict:
    return app.extensions["forum.template_pieces"]


def _meta(page: str) -> str:
    return re.search(r'<p class="meta">([^<]+)</p>', page).group(1)


def test_a_visitors_forum_page_head_is_kept_and_counts_follow_writes(app, client, make):
    forum = make.forum(title="Benefits desk", slug="benefits-desk")
    make.topic(forum=forum, title="Opening hours", replies=1)
    first = client.get("/f/benefits-desk").text
    kept = len(_pieces(app))
    assert [key[:3] for key in _pieces(app) if key[0] == "forum-head"] == [
        ("forum-head", "/", "benefits-desk")]
    again = client.get("/f/benefits-desk").text
    assert len(_pieces(app)) == kept and again == first  # nothing new rendered or kept
    assert _meta(first) == "1 topic, 2 posts"
    assert 'href="/login?next=/f/benefits-desk">Log in to start a topic' in first
    # the return address is the page's own, whatever else the query held
    assert 'next=/f/benefits-desk">Log in' in client.get("/f/benefits-desk?utm=x").text
    make.topic(forum=forum, title="Forms we accept")
    assert _meta(client.get("/f/benefits-desk").text) == "2 topics, 3 posts"
    unanswered = client.get("/f/benefits-desk?show=unanswered").text
    assert '<strong aria-current="true">unanswered questions</strong>' in unanswered
    assert 'href="/login?next=/f/benefits-desk?show%3Dunanswered"' in unanswered


def test_a_members_forum_page_shows_their_own_abilities_and_follow_state(
        app, client, make, login):
    forum = make.forum(title="Benefits desk", slug="benefits-desk")
    make.topic(forum=forum, title="Opening hours")
    client.get("/f/benefits-desk")  # a visitor's head, kept
    login(make.user("Fay Follower"))
    page = client.get("/f/benefits-desk").text
    assert "Start a new topic" in page and "Log in to start a topic" not in page
    assert "Follow this forum" in page and 'name="next" value="/f/benefits-desk"' in page
    assert 'name="next" value="/f/benefits-desk"' in client.get("/f/benefits-desk?utm=x").text
    assert client.post("/f/benefits-desk/follow",
                       data={"next": "/f/benefits-desk"}).status_code == 302
    assert "Stop following this forum" in client.get("/f/benefits-desk").text
