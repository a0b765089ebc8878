"""Pings: a public post linking to another topic shows on that topic as "N pings"."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.pings.models import Ping
from forum.board import services as board
from forum.board.models import Post, Topic
from forum.extensions import db
from forum.moderation import services as moderation
from tests.articles.helpers import path, write


def _pings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Ping.id)))


def test_an_article_linking_to_a_topic_pings_it_and_edits_update_it(client, make, login, app):
    staff = make.user(role=Role.STAFF)
    target = write(app, staff, title="New Series: helping employees")
    other = make.topic(title="Another topic")
    source = write(app, staff, title="The payoff for managers", body=(
        "An opening paragraph.\n\n"
        f"As we said in [the series]({path(target)}), managers who stay close to the "
        "front line find out sooner what is going wrong."))
    page = client.get(path(target)).text
    assert "1 ping" in page and "The payoff for managers" in page
    assert "managers who stay close to the front line" in page
    assert "An opening paragraph" not in page.split("1 ping")[1]

    # Editing the source to point elsewhere moves the ping.
    login(staff)
    client.post(f"/articles/{source.id}/edit", data={
        "title": "The payoff for managers", "status": "publish", "submit": "Save article",
        "body": f"Now about [this one](/t/{other.id})."})
    assert "ping" not in client.get(path(target)).text.split('id="reply-title"')[0] \
        .split("Staff article")[1]
    assert "1 ping" in client.get(path(other)).text


def test_replies_with_post_links_and_absolute_links_ping(client, make, app):
    target = make.topic(title="Target topic", replies=1)
    with app.app_context():
        reply_id = db.session.scalar(select(Post.id).where(Post.topic_id == target.id,
                                                           Post.position == 2))
    source = make.topic(title="Source topic")
    # Absolute links count when they name the host the request came to.
    with app.test_request_context("/", base_url="http://localhost"):
        author = db.session.get(User, source.author_id)
        topic = db.session.get(Topic, source.id)
        board.post_reply(author, topic, f"See [that reply](/p/{reply_id}) and "
                                        f"[this](http://localhost/t/{target.id}-target-topic).")
        board.post_reply(author, topic, f"[Elsewhere](https://example.com/t/{target.id}) and "
                                        f"[myself](/t/{source.id}) do not count.")
        db.session.commit()
    assert _pings(app) == 1  # one ping per source post and target
    page = client.get(path(target)).text
    assert "1 ping" in page and "Source topic" in page


def test_hiding_the_source_removes_the_ping_and_restoring_brings_it_back(client, make, app):
    target = make.topic(title="Target topic")
    source = make.topic(title="Source topic", body=f"Read [this](/t/{target.id}).")
    assert "1 ping" in client.get(path(target)).text
    moderator = make.user(role=Role.MODERATOR)
    with app.app_context():
        actor = db.session.get(User, moderator.id)
        moderation.hide_topic(actor, db.session.get(Topic, source.id), "spam")
        db.session.commit()
    assert _pings(app) == 0 and "1 ping" not in client.get(path(target)).text
    with app.app_context():
        actor = db.session.get(User, moderator.id)
        moderation.restore_topic(actor, db.session.get(Topic, source.id))
        db.session.commit()
    assert "1 ping" in client.get(path(target)).text


def test_hiding_a_linking_reply_removes_its_ping(client, make, app):
    target = make.topic(title="Target topic")
    source = make.topic(title="Source topic")
    with app.app_context():
        author = db.session.get(User, source.author_id)
        reply = board.post_reply(author, db.session.get(Topic, source.id),
                                 f"Linking to [it](/t/{target.id}).")
        db.session.commit()
        assert _pings(app) == 1
        board.hide_post(author, reply, "never mind")
        db.session.commit()
    assert _pings(app) == 0 and "ping" not in client.get(path(target)).text.split(
        "Reply to this topic")[0].split("Opening post")[1]


def test_drafts_do_not_ping_until_published(client, make, login, app):
    staff = make.user(role=Role.STAFF)
    target = make.topic(title="Target topic")
    draft = write(app, staff, title="Draft that links", status="draft",
                  body=f"See [the target](/t/{target.id}).")
    assert _pings(app) == 0
    login(staff)
    client.post(f"/articles/{draft.id}/edit", data={
        "title": "Draft that links", "status": "publish", "submit": "Save article",
        "body": f"See [the target](/t/{target.id})."})
    assert _pings(app) == 1
    assert "Draft that links" in client.get(path(target)).text


def test_pings_and_quotes_know_the_same_site_hosts(make, app, monkeypatch):
    """One definition of "this site" (sitelinks.site_hosts): SITE_URL's host, the other names in
    SITE_HOSTS, SERVER_NAME and the request's host, for pings and quotes alike, also when
    a job writes outside any request."""
    monkeypatch.setitem(app.config, "SITE_URL", "https://forum.example.gov")
    monkeypatch.setitem(app.config, "SITE_HOSTS", ["old-forum.example.gov"])
    target = make.topic(title="Target topic", replies=1)
    source = make.topic(title="Source topic")
    with app.app_context():  # no request: as publish_due or a CLI command would write
        quoted = db.session.scalar(select(Post.id).where(Post.topic_id == target.id,
                                                         Post.position == 2))
        author = db.session.get(User, source.author_id)
        topic = db.session.get(Topic, source.id)
        for host in ("forum.example.gov", "old-forum.example.gov"):
            board.post_reply(author, topic, f"> [Ann wrote](https://{host}/p/{quoted}):\n"
                                            f"> quoted words\n\nSee [this](https://{host}/t/"
                                            f"{target.id}-target-topic).")
        board.post_reply(author, topic, f"> [Ann](https://example.com/p/{quoted})\n\n"
                                        f"[Elsewhere](https://example.com/t/{target.id}).")
        db.session.commit()
        assert db.session.get(Post, quoted).quote_count == 2
    assert _pings(app) == 2


def test_a_new_ping_shows_at_once_on_a_page_seen_before(client, make, app):
    """What follows the opening post is a kept fragment: a ping made since drops it."""
    target = make.topic(title="Target topic")
    source = make.topic(title="Source topic")
    assert "ping" not in client.get(path(target)).text.split("Opening post")[1][:2000]
    with app.app_context():
        author = db.session.get(User, source.author_id)
        board.post_reply(author, db.session.get(Topic, source.id),
                         f"Linking to [it](/t/{target.id}).")
        db.session.commit()
    assert "1 ping" in client.get(path(target)).text
