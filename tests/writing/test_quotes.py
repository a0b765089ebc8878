"""Quotes: "Quote" fills the reply form with an attributed quote linking to the post; the
quoted post shows "N replies quote this", kept in step with edits, hiding and restoring."""
from __future__ import annotations

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Post, Topic
from forum.extensions import db
from forum.moderation import services as moderation
from forum.writing.services import quote_markdown, quoted_ids


def _setup(make):
    ann, bob = make.user("Ann Lee"), make.user("Bob Smith")
    topic = make.topic(author=ann, title="Queues at the counter",
                       body="We use a *ticket machine*.\nIt works.")
    return ann, bob, topic


def _count(app, post_id) -> int:
    with app.app_context():
        return db.session.get(Post, post_id).quote_count


def test_quote_link_without_script_fills_the_reply_form(client, make, login):
    ann, bob, topic = _setup(make)
    login(bob)
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert f'href="/p/{topic.first_post_id}/quote"' in page
    form = client.get(f"/p/{topic.first_post_id}/quote")
    assert form.status_code == 200
    assert (f"&gt; [Ann Lee wrote](/p/{topic.first_post_id}):\n&gt;\n"
            "&gt; We use a *ticket machine*.\n&gt; It works.") in form.text
    assert f'action="/t/{topic.id}/reply"' in form.text


def test_replies_quoting_a_post_are_counted_on_it(client, make, login, app):
    ann, bob, topic = _setup(make)
    first = topic.first_post_id
    login(bob)
    body = quote_markdown("Ann Lee", f"/p/{first}", "ticket machine") + "Same here."
    assert client.post(f"/t/{topic.id}/reply", data={"body": body,
                                                      "submit": "Post reply"}).status_code == 302
    assert _count(app, first) == 1
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "1 reply quotes this" in page
    assert '<blockquote>' in page and f'<a href="/p/{first}" rel="nofollow ugc noopener">Ann Lee wrote</a>' in page
    # A second reply, quoting through the site's absolute address, counts too.
    body2 = f"> [Ann](http://localhost/p/{first}) said\n\nAgreed."
    client.post(f"/t/{topic.id}/reply", data={"body": body2, "submit": "Post reply"})
    assert _count(app, first) == 2
    assert "2 replies quote this" in client.get(f"/t/{topic.id}-{topic.slug}").text


def test_links_outside_quotes_other_sites_and_self_quotes_do_not_count(make, app):
    ann, bob, topic = _setup(make)
    first = topic.first_post_id
    with app.app_context():
        assert quoted_ids(f'<p><a href="/p/{first}">x</a></p>') == set()
        assert quoted_ids(f'<blockquote><a href="https://evil.example/p/{first}">x</a>'
                          '</blockquote>') == set()
        assert quoted_ids('<blockquote><a href="/p/99999999999">x</a></blockquote>') == set()
        assert quoted_ids(f'<blockquote><p><a href="/p/{first}/">x</a></p></blockquote>') \
            == {first}
        author = db.session.get(User, bob.id)
        t = db.session.get(Topic, topic.id)
        reply = board.post_reply(author, t, f"> [me](/p/{first})\n\nand [x](/p/{first})")
        board.post_reply(author, t, "> [nothing](/p/987654)\n\nno such post")
        db.session.commit()
        assert db.session.get(Post, first).quote_count == 1
        board.edit_post(author, reply, f"> [me](/p/{reply.id})\n\nquoting myself")
        db.session.commit()
        assert db.session.get(Post, first).quote_count == 0
        assert db.session.get(Post, reply.id).quote_count == 0


def test_hiding_the_quoting_reply_or_its_topic_takes_it_off_the_count(make, app):
    ann, bob, topic = _setup(make)
    first = topic.first_post_id
    moderator = make.user(role=Role.MODERATOR)
    with app.app_context():
        author = db.session.get(User, bob.id)
        t = db.session.get(Topic, topic.id)
        other = make.topic(author=bob, title="Elsewhere")
        quoting = board.post_reply(author, db.session.get(Topic, other.id),
                                   f"> [Ann](/p/{first})\n> text\n\nFrom another topic.")
        db.session.commit()
        assert db.session.get(Post, first).quote_count == 1
        board.hide_post(author, quoting)
        db.session.commit()
        assert db.session.get(Post, first).quote_count == 0
        board.restore_post(author, quoting)
        db.session.commit()
        assert db.session.get(Post, first).quote_count == 1
        mod = db.session.get(User, moderator.id)
        moderation.hide_topic(mod, db.session.get(Topic, other.id), "off topic")
        db.session.commit()
        assert db.session.get(Post, first).quote_count == 0
        moderation.restore_topic(mod, db.session.get(Topic, other.id))
        db.session.commit()
        assert db.session.get(Post, first).quote_count == 1
        assert t.id


def test_hidden_posts_cannot_be_quoted_and_visitors_are_sent_to_log_in(client, make, login,
                                                                        app):
    ann, bob, topic = _setup(make)
    with app.app_context():
        author = db.session.get(User, ann.id)
        reply = board.post_reply(author, db.session.get(Topic, topic.id), "Hidden later")
        board.hide_post(author, reply)
        db.session.commit()
    assert client.get(f"/p/{reply.id}/quote").status_code == 302
    login(bob)
    assert client.get(f"/p/{reply.id}/quote").status_code == 404
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert f"/p/{reply.id}/quote" not in page


def test_quote_markdown_escapes_the_name():
    text = quote_markdown("A [b](javascript:x) *c*", "/p/1", "line\r\nline 2\x00")
    assert text.startswith("> [A \\[b\\](javascript:x) \\*c\\* wrote](/p/1):\n>\n> line\n> line 2")


def test_a_quote_from_another_topic_shows_on_the_quoted_topics_kept_page(client, make, login):
    ann, bob, topic = _setup(make)
    elsewhere = make.topic(author=bob, title="Elsewhere")
    path = f"/t/{topic.id}-{topic.slug}"
    assert "quotes this" not in client.get(path).text  # the post list is kept now
    login(bob)
    client.post(f"/t/{elsewhere.id}/reply", data={
        "body": f"> [Ann](/p/{topic.first_post_id})\n> text\n\nAs Ann says.",
        "submit": "Post reply"})
    assert "1 reply quotes this" in client.get(path).text
    assert "1 reply quotes this" in app_client_page(client, path)


def app_client_page(client, path):
    client.post("/logout")
    return client.get(path).text
