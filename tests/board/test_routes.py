"""The board through HTTP: reading, starting topics, replying, editing, hiding."""
from __future__ import annotations

import re

from forum.accounts.models import Role
from forum.board.models import Post, PostRevision
from forum.extensions import db


def test_index_lists_forums_with_counts_and_freshest_topic(client, make):
    forum = make.forum("Miscellaneous", slug="miscellaneous")
    make.topic(forum=forum, title="Where does government get it right?", replies=2)
    page = client.get("/").text
    assert "Miscellaneous" in page
    assert "1 topic, 3 posts" in page
    assert "Where does government get it right?" in page


def test_forum_page_lists_pinned_first_then_latest_activity(client, make, app):
    from datetime import timedelta

    from forum import clock
    from forum.accounts.models import User
    from forum.board import services
    from forum.board.models import Pin, Topic
    forum = make.forum(slug="misc")
    titles = ["Oldest topic", "Middle topic", "Newest topic", "Pinned notice"]
    topics = []
    for title in titles:
        topics.append(make.topic(forum=forum, title=title))
        clock.advance(timedelta(minutes=5))
    with app.app_context():
        oldest = db.session.get(Topic, topics[0].id)
        services.post_reply(db.session.get(User, oldest.author_id), oldest, "bump")
        db.session.get(Topic, topics[3].id).pinned = Pin.FORUM
        db.session.commit()
    page = client.get("/f/misc").text
    order = sorted(titles, key=page.index)
    assert order == ["Pinned notice", "Oldest topic", "Newest topic", "Middle topic"]
    assert "1 reply" in page and "Started by" in page and "Pinned" in page


def test_topic_page_summary_breadcrumbs_and_posts(client, make):
    author, other = make.user("Dana Whitfield"), make.user("Robert Bacal")
    forum = make.forum("Miscellaneous", slug="miscellaneous")
    topic = make.topic(author=author, forum=forum, title="When does it go right?",
                       body="Share **examples**.", replies=1, repliers=[other])
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert re.search(r"This topic contains 1 reply, has 2 voices, and was last updated by\s*"
                     r"<a [^>]*>Robert Bacal</a>\s*<time datetime=", page)
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page, re.S).group(0)
    assert [c for c in re.findall(r">([^<>]+)</(?:a|span)>", crumbs)] == [
        "Home", "Forums", "Miscellaneous", "When does it go right?"]
    assert "<strong>examples</strong>" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="\d{1,2} \w+ \d{4} at',
                     page)


def test_topic_url_without_or_with_wrong_slug_redirects_to_canonical(client, make):
    topic = make.topic(title="Plain language in letters")
    assert client.get(f"/t/{topic.id}").headers["Location"].endswith(
        f"/t/{topic.id}-plain-language-in-letters")
    assert client.get(f"/t/{topic.id}-wrong").status_code == 301


def test_unknown_and_malformed_ids_are_404(client, make):
    make.topic()
    for url in ["/t/999999", "/t/0", "/t/abc", "/t/99999999999999999999999", "/t/2147483648", "/p/2147483648", "/p/123456",
                "/f/nope", "/u/nobody", "/p/1/edit/../../x", "/t/-1"]:
        assert client.get(url).status_code == 404, url


def test_pagination_25_per_page_and_permalink_finds_page(client, make, app):
    topic = make.long_topic(60)
    first = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert first.count('<li class="post') == 25
    assert 'aria-label="Pages of this topic"' in first
    third = client.get(f"/t/{topic.id}-{topic.slug}?page=3").text
    assert third.count('<li class="post') == 11  # positions 51..61
    with app.app_context():
        post = db.session.query(Post).filter_by(topic_id=topic.id, position=40).one()
    location = client.get(f"/p/{post.id}").headers["Location"]
    assert location.endswith(f"/t/{topic.id}-{topic.slug}?page=2#post-{post.id}")
    assert client.get(f"/t/{topic.id}-{topic.slug}?page=99").status_code == 301
    for odd in ["0", "-3", "abc", "1e9", "99999999999999999999"]:
        assert client.get(f"/t/{topic.id}-{topic.slug}?page={odd}").status_code in (200, 301)


def test_visitor_must_log_in_to_reply_and_link_returns_to_topic(client, make):
    topic = make.topic()
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "You must be logged in to reply to this topic." in page
    notice = re.search(r'<p class="login-to-reply">.*?</p>', page, re.S).group(0)
    link = re.search(r'href="(/login\?next=[^"]+)"', notice).group(1)
    assert "name=\"body\"" not in page
    user = make.user()
    response = client.post(link.replace("&amp;", "&"),
                           data={"login": user.email, "password": "correct horse battery"})
    assert response.headers["Location"] == f"/t/{topic.id}-{topic.slug}#reply"


def test_reply_requires_login(client, make):
    topic = make.topic()
    response = client.post(f"/t/{topic.id}/reply", data={"body": "hello"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_start_topic_and_reply(client, make, login):
    forum = make.forum(slug="misc")
    login(make.user("Priya Natarajan"))
    response = client.post("/t/new?forum=misc", data={
        "forum": forum.id, "title": "Plain language in benefit letters",
        "body": "What has worked for you?", "submit": "Post topic"})
    assert response.status_code == 302
    topic_url = response.headers["Location"]
    response = client.post(topic_url.split("#")[0].replace("-plain-language-in-benefit-letters",
                                                            "/reply"),
                           data={"body": "Short sentences help.", "submit": "Post reply"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"].split("#")[0]).text
    assert "Short sentences help." in page
    assert "This topic contains 1 reply, has 1 voice" in page


def test_new_topic_form_shows_errors_next_to_fields_and_keeps_text(client, make, login):
    forum = make.forum(slug="misc")
    login(make.user())
    response = client.post("/t/new?forum=misc", data={
        "forum": forum.id, "title": "x", "body": "My carefully written text",
        "submit": "Post topic"})
    page = response.text
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert 'href="#title"' in page
    assert 'id="title-error"' in page and "Title must be between 3 and 150" in page
    assert "My carefully written text" in page
    assert 'aria-describedby="title-hint title-error"' in page


def test_preview_renders_without_posting(client, make, login, app):
    topic = make.topic()
    login(make.user())
    response = client.post(f"/t/{topic.id}/reply", data={"body": "Some **bold** idea",
                                                          "preview": "Preview"})
    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.text
    assert "Some **bold** idea" in response.text  # the text stays in the box
    with app.app_context():
        assert db.session.query(Post).filter_by(topic_id=topic.id).count() == 1


def test_author_edits_post_revision_kept_and_edited_mark_shown(client, make, login, app):
    author = make.user()
    topic = make.topic(author=author, replies=1)
    with app.app_context():
        reply = db.session.query(Post).filter_by(topic_id=topic.id, position=2).one()
    login(author)
    response = client.post(f"/p/{reply.id}/edit", data={"body": "Better words",
                                                         "reason": "typo",
                                                         "submit": "Save changes"})
    assert response.status_code == 302
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "Better words" in page and "Edited" in page
    with app.app_context():
        versions = [r.body_source for r in db.session.query(PostRevision)
                    .filter_by(post_id=reply.id).order_by(PostRevision.id)]
    assert versions == ["Reply number 1.", "Better words"]
    history = client.get(f"/p/{reply.id}/history").text
    # The original in full, then the new words marked as added (word-level diff, issue 17).
    assert "Reply number 1." in history and "typo" in history
    assert "[added: </span>Better" in history and "[added: </span>words" in history


def test_others_cannot_edit_or_hide(client, make, login):
    topic = make.topic(replies=1)
    login(make.user())
    post_id = topic.first_post_id
    assert client.get(f"/p/{post_id}/edit").status_code == 403
    assert client.post(f"/p/{post_id}/edit", data={"body": "vandalism"}).status_code == 403
    assert client.post(f"/p/{post_id}/hide", data={}).status_code == 403


def test_author_hides_own_reply_softly(client, make, login, app):
    author = make.user()
    topic = make.topic(author=author, replies=1)
    with app.app_context():
        reply = db.session.query(Post).filter_by(topic_id=topic.id, position=2).one()
    login(author)
    response = client.post(f"/p/{reply.id}/hide", data={"reason": "Posted in error",
                                                         "submit": "Hide post"})
    assert response.status_code == 302
    with app.app_context():
        kept = db.session.get(Post, reply.id)
        assert kept is not None and kept.hidden_at is not None and kept.body_source
    visitor = client.application.test_client()
    page = visitor.get(f"/t/{topic.id}-{topic.slug}").text
    assert "This post has been hidden." in page and "Reply number 1." not in page
    assert "This topic contains 0 replies" in page
    own = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "Reply number 1." in own and "Posted in error" in own
    assert client.post(f"/p/{reply.id}/restore").status_code == 302
    assert "This topic contains 1 reply" in visitor.get(f"/t/{topic.id}-{topic.slug}").text


def test_moderator_sees_edit_and_hide_on_others_posts(client, make, login):
    topic = make.topic(replies=1)
    login(make.user(role=Role.MODERATOR))
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert f'href="/p/{topic.first_post_id}/edit"' in page
    assert f'href="/p/{topic.first_post_id}/hide"' in page


def test_view_counter_counts_without_write_per_view(client, make, app):
    from forum.board.viewcount import views
    topic = make.topic()
    app.config["VIEW_FLUSH_SECONDS"] = 3600
    try:
        for _ in range(3):
            client.get(f"/t/{topic.id}-{topic.slug}")
        assert "4 views" in client.get(f"/t/{topic.id}-{topic.slug}").text
        with app.app_context():
            from forum.board.models import Topic
            assert db.session.get(Topic, topic.id).view_count == 0  # still buffered
            views.flush()
            db.session.expire_all()
            assert db.session.get(Topic, topic.id).view_count == 4
    finally:
        app.config["VIEW_FLUSH_SECONDS"] = 0
