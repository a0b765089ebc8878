"""The frame every page shares (templates/base.html): its header and footer are kept in the
process by the values they show (templating.MemoExtension), and each viewer still sees
their own: their name, their counts, their session's CSRF token, the page they are on."""
from __future__ import annotations

import re

from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db
from tests.factories import PASSWORD

TOKEN = re.compile(r'action="/logout" data-forget-drafts>\s*<input type="hidden" '
                   r'name="csrf_token" value="([^"]+)"')


def _pieces(app) -> dict:
    return app.extensions["forum.template_pieces"]


def _count(page: str) -> int:
    return int(re.search(r'Notifications <span class="notify-count">\((\d+)', page).group(1))


def test_a_members_header_is_kept_and_is_theirs(app, make, login):
    ann, bob = make.user("Ann Header"), make.user("Bob Header")
    make.topic(author=ann, title="Counter queues")
    first, second = login(ann, client=app.test_client()), login(bob, client=app.test_client())
    first.get("/")  # keeps Ann's header on the home page, and the footer
    kept = len(_pieces(app))
    page = first.get("/").text
    assert len(_pieces(app)) == kept  # the same header: nothing rendered, nothing kept
    assert '>Ann Header</a>' in page and "Bob Header" not in page
    other = second.get("/").text
    assert len(_pieces(app)) == kept + 1  # Bob's own
    assert '>Bob Header</a>' in other and "Ann Header</a></li>" not in other
    # the page it is on is one of its values: aria-current moves with it
    assert 'href="/forums" aria-current="page"' not in first.get("/articles").text
    assert 'href="/articles" aria-current="page"' in first.get("/articles").text
    assert 'href="/articles" aria-current="page"' not in first.get("/").text


def test_a_kept_header_carries_each_sessions_own_csrf_token(csrf_app, make):
    """The same member in two browsers: one kept header, each session's token in its log-out
    form, which logs that session out (an app with CSRF protection on)."""
    ann = make.user("Ann Twice")
    protected = csrf_app
    here, there = protected.test_client(), protected.test_client()
    for client in (here, there):
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/login").text).group(1)
        assert client.post("/login", data={"csrf_token": token, "login": ann.email,
                                            "password": PASSWORD}).status_code == 302
    here.get("/")
    kept = len(_pieces(protected))
    mine = TOKEN.search(here.get("/").text).group(1)
    theirs = TOKEN.search(there.get("/").text).group(1)
    assert len(_pieces(protected)) == kept  # one header for both
    assert mine != theirs and "<!--csrf-->" not in here.get("/").text
    assert here.post("/logout", data={"csrf_token": mine}).status_code == 302
    assert "Log in</a>" in here.get("/").text
    assert "Log out" in there.get("/").text  # the other session is still in


def test_a_new_notification_shows_in_the_header_at_once(app, make, login):
    ann, bob = make.user("Ann Count"), make.user("Bob Count")
    topic = make.topic(author=ann, title="Queues at the counter")
    client = login(ann)
    assert _count(client.get("/").text) == 0
    with app.app_context():
        board.post_reply(db.session.get(User, bob.id), db.session.get(Topic, topic.id),
                         "A reply for Ann.")
        db.session.commit()
    assert _count(client.get("/").text) == 1


def test_a_visitors_log_in_link_returns_to_each_page(app, make, client):
    make.topic(title="Where to file")
    assert 'href="/login?next=/articles"' in client.get("/articles").text
    assert 'href="/login?next=/library"' in client.get("/library").text
    assert 'href="/login?next=/search?q%3Dfile"' in client.get("/search?q=file").text


def test_the_search_box_keeps_the_words_only_on_the_search_page(client, make):
    make.topic(title="Where to file")
    assert 'name="q" value="file"' in client.get("/search?q=file").text
    assert 'name="q" value="tax"' in client.get("/search?q=tax").text
    assert 'name="q" value=""' in client.get("/articles?q=file").text


def test_templates_that_reload_are_not_kept(app, client, make):
    make.topic(title="Where to file")
    app.jinja_env.auto_reload = True
    try:
        pieces = app.extensions.get("forum.template_pieces")
        before = len(pieces) if pieces is not None else 0
        client.get("/library")
        pieces = app.extensions.get("forum.template_pieces")
        assert (len(pieces) if pieces is not None else 0) == before
    finally:
        app.jinja_env.auto_reload = False


def test_a_piece_whose_values_cannot_be_a_key_is_made_each_time(app):
    """A value that cannot be a key (a list) is no error: the piece is rendered, not kept."""
    template = app.jinja_env.from_string(
        '{% memo "listed", names %}{{ names|join(", ") }}{% endmemo %}')
    with app.test_request_context("/"):
        assert template.render(names=["Ann", "Bob"]) == "Ann, Bob"
        assert template.render(names=["Cy"]) == "Cy"
        assert not any(key[0] == "listed"
                       for key in app.extensions.get("forum.template_pieces", {}))
