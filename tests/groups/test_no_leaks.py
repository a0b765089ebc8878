"""Nothing private leaks: a private forum with distinctive words, then every page a visitor
and an outside member can reach (links followed from the home page), every feed, search,
permalink, profile, notification and e-mail, looked through for those words and links."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Forum, Topic
from forum.extensions import db
from forum.notify.models import Notification
from forum.outbox import OutboxEmail
from tests.groups.helpers import SECRET_PHRASES, SECRET_WORDS, build, log_in

HREF = re.compile(r'''(?:href|action)="([^"]+)"''')
MAX_PAGES = 400
SKIP = ("/logout", "/static/", "/unsubscribe/")


def crawl(client, starts: list[str]) -> dict[str, str]:
    """Every same-site page reachable by GET from `starts` (bounded), url -> body."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        body = response.get_data(as_text=True)
        seen[url] = body
        if response.status_code in (301, 302, 303):
            location = urlsplit(response.headers["Location"])
            queue.append(location.path + (f"?{location.query}" if location.query else ""))
            continue
        if "html" not in response.content_type and "xml" not in response.content_type:
            continue
        for link in HREF.findall(body):
            link = urljoin(url, link.replace("&amp;", "&"))
            parts = urlsplit(link)
            if parts.netloc not in ("", "localhost"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen and not path.startswith(SKIP):
                queue.append(path)
    return seen


def assert_nothing_private(pages: dict[str, str], world, who: str) -> None:
    ids = "|".join(str(pid) for pid in world.post_ids)
    forbidden = re.compile(  # links (or feed entry ids) to the private forum, topic, posts
        rf'(?:href="|<id>|<uri>)(?:https?://[^/"<]+)?'
        rf'(?:/t/{world.topic_id}[-"/?<]|/p/(?:{ids})[-"/?<]|/f/{world.forum_slug}["/?<]'
        rf'|/messages/{world.conversation_id}["/?#<])')
    for url, body in pages.items():
        for word in SECRET_PHRASES + [w for w in SECRET_WORDS if w.lower() not in url.lower()]:
            assert word.lower() not in body.lower(), f"{who} saw {word!r} at {url}"
        found = forbidden.search(body)
        assert found is None, f"{who} saw a link {found and found.group(0)!r} at {url}"


def _extra_urls(world) -> list[str]:
    searches = [f"/search?q={word}" for word in SECRET_WORDS] + [
        f"/search?q={word}&forum={world.forum_slug}" for word in SECRET_WORDS]
    return ["/", "/forums", "/groups", "/feeds/latest.atom", "/feeds/articles.atom",
            f"/feeds/f/{world.forum_slug}.atom", f"/feeds/t/{world.topic_id}.atom",
            f"/t/{world.public_topic_id}", f"/feeds/t/{world.public_topic_id}.atom",
            f"/u/{world.insider.display_name}", f"/u/{world.group_mod.display_name}",
            f"/groups/revenue-working-group", *searches]


def _notifications_and_mail_for(app, world) -> None:
    """The outsider follows the forum's old public self, is mentioned in a private post and
    follows the public topic the private one links to: none of it may reach them."""
    with app.app_context():
        outsider = db.session.get(User, world.outsider.id)
        insider = db.session.get(User, world.insider.id)
        topic = db.session.get(Topic, world.topic_id)
        board.post_reply(insider, topic,
                         f"@{outsider.display_name} should not hear about zorbanite.")
        db.session.commit()


def test_visitor_and_outsider_find_nothing_private(app, make):
    world = build(app, make)
    _notifications_and_mail_for(app, world)
    visitor = app.test_client()
    pages = crawl(visitor, _extra_urls(world))
    assert len(pages) > 20, len(pages)
    assert any("An open question" in body for body in pages.values())  # the crawl works
    assert_nothing_private(pages, world, "a visitor")

    outsider = app.test_client()
    log_in(outsider, world.outsider)
    pages = crawl(outsider, _extra_urls(world) + ["/notifications", "/settings/notifications",
                                                  "/t/new", "/messages"])
    assert outsider.get(f"/messages/{world.conversation_id}").status_code == 404
    assert "/notifications" in pages
    assert_nothing_private(pages, world, "an outside member")
    with app.app_context():
        assert db.session.scalar(select(Notification).where(
            Notification.user_id == world.outsider.id, Notification.topic_id == world.topic_id
        )) is None
        for message in db.session.scalars(select(OutboxEmail).where(
                OutboxEmail.to_address == world.outsider.email)):
            text = f"{message.subject} {message.text_body} {message.html_body}".lower()
            assert all(word.lower() not in text for word in SECRET_WORDS)

    # The same crawl as a group member does find the private forum (the test can fail).
    insider = app.test_client()
    log_in(insider, world.insider)
    pages = crawl(insider, ["/", f"/search?q={SECRET_WORDS[1]}"])
    assert any("Quillfeather budget lines" in body for body in pages.values())
    assert any("Marrowgate salary" in body for body in pages.values())  # via Messages
    assert any("zorbanite" in body for url, body in pages.items() if url.startswith("/search"))


def test_counts_exclude_what_the_viewer_cannot_see(app, make, count_queries):
    world = build(app, make)
    client = app.test_client()
    index = client.get("/").get_data(as_text=True)
    assert "Quillfeather" not in index and "Marrowgate" not in index
    profile = client.get(f"/u/{world.insider.display_name}").get_data(as_text=True)
    assert re.search(r"<dt>Topics started</dt><dd>0</dd>", profile), profile
    insider = app.test_client()
    log_in(insider, world.insider)
    profile = insider.get(f"/u/{world.insider.display_name}").get_data(as_text=True)
    assert re.search(r"<dt>Topics started</dt><dd>1</dd>", profile)
    # Within the query budget: a profile costs one query more than before, for everyone.
    with count_queries() as counter:
        assert client.get(f"/u/{world.insider.display_name}").status_code == 200
    assert counter.count <= 6, counter.statements


def test_visitor_page_cache_never_keeps_a_page_of_a_forum_made_private(app, make,
                                                                        monkeypatch):
    from forum.board.models import Forum as ForumModel
    from forum.groups import services as groups
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    cache = app.extensions["forum.pagecache"]
    cache.clear()
    try:
        forum = make.forum(title="Soon private", slug="soon-private")
        topic = make.topic(forum=forum, title="Zorbanite rollout notes")
        visitor = app.test_client()
        for url in ("/", f"/t/{topic.id}-{topic.slug}", "/feeds/latest.atom"):
            assert "Zorbanite rollout" in visitor.get(url).get_data(as_text=True)
            assert visitor.get(url).headers.get("X-Page-Cache") == "hit"
        with app.app_context():
            group = groups.create_group(None, "Rollout team")
            groups.restrict_forum(None, db.session.get(ForumModel, forum.id), group, "read")
            db.session.commit()
        assert "Zorbanite" not in visitor.get("/").get_data(as_text=True)
        assert "Zorbanite" not in visitor.get("/feeds/latest.atom").get_data(as_text=True)
        assert visitor.get(f"/t/{topic.id}-{topic.slug}").status_code == 404
        # A member's request is never answered from the cache: their own page, always.
        member = make.user()
        client = app.test_client()
        log_in(client, member)
        response = client.get("/")
        assert response.headers.get("X-Page-Cache") is None
    finally:
        cache.clear()


def test_every_route_about_a_private_thing_is_closed_to_an_outsider(app, make):
    """Every route that names a topic, post, poll, forum (by slug) or conversation, asked
    with the private ones by a member of another group, GET and POST: 404 or 403, and no
    private words in the answer. A new route of that shape is covered without a change."""
    world = build(app, make)
    values = {"topic_id": world.topic_id, "post_id": world.post_ids[1],
              "poll_id": world.poll_id, "conversation_id": world.conversation_id,
              "message_id": world.message_id, "action": "lock", "slug": world.forum_slug}
    outsider, staff = app.test_client(), app.test_client()
    log_in(outsider, world.outsider)
    log_in(staff, make.user(role=Role.STAFF))  # staff export polls, but not this one
    checked = []
    for rule, client in ((r, c) for r in app.url_map.iter_rules() for c in (outsider, staff)):
        args = set(rule.arguments)
        if not args or not args <= set(values) or rule.endpoint.startswith("notify.outbox"):
            continue
        if "slug" in args and not rule.rule.startswith(("/f/", "/feeds/f/")):
            continue  # group, page, tag and series slugs name nothing private
        path = rule.rule
        for name in args:
            path = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", str(values[name]), path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"body": "x", "reason": "x"})
            body = response.get_data(as_text=True).lower()
            assert response.status_code in (403, 404), (method, path, response.status_code)
            assert not any(w.lower() in body for w in SECRET_PHRASES), (method, path)
            checked.append((method, rule.endpoint))
    assert len(checked) > 60 and ("GET", "polls.export") in checked, checked
    with app.app_context():
        topic = db.session.get(Topic, world.topic_id)
        assert topic.reply_count == 1 and not topic.locked  # nothing an outsider sent stuck
