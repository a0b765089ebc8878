"""The reply form under a topic is kept per topic for members with no draft, with each
session's own CSRF token put in (board.views.reply_form); a member with a draft gets their
text back in a form rendered for them."""
from __future__ import annotations

import re

from flask import template_rendered

from forum.board import views
from tests.test_csrf import _log_in, _token


def test_members_share_the_form_each_with_their_own_token_that_posts(csrf_app, make,
                                                                     rendered):
    protected = csrf_app
    topic = make.topic(title="Shared counters")
    url = f"/t/{topic.id}-{topic.slug}"
    first, second = protected.test_client(), protected.test_client()
    _log_in(first, make.user())
    _log_in(second, make.user())
    pages = [first.get(url).text, second.get(url).text]
    forms = [re.search(r'<form method="post" action="/t/\d+/reply".*?</form>', page,
                       re.S).group(0) for page in pages]
    tokens = [_token(form) for form in forms]
    assert tokens[0] != tokens[1] and "<!--csrf-->" not in pages[0] + pages[1]
    assert forms[0].replace(tokens[0], "") == forms[1].replace(tokens[1], "")
    answer = second.post(f"/t/{topic.id}/reply", data={
        "body": "Posted with the token of my own page.", "csrf_token": tokens[1]})
    assert answer.status_code == 302


def test_the_form_is_rendered_once_for_members_without_drafts(app, make, login, rendered):
    topic = make.topic(title="Counted forms")
    url = f"/t/{topic.id}-{topic.slug}"
    for _ in range(2):
        login(make.user(), client=app.test_client()).get(url)
    assert rendered.count("board/_reply_form.html") == 1


def test_a_member_with_a_draft_gets_their_text_back(app, make, login, rendered):
    topic = make.topic(title="Drafted replies")
    url = f"/t/{topic.id}-{topic.slug}"
    login(make.user(), client=app.test_client()).get(url)  # keeps the form
    writer = login(make.user(), client=app.test_client())
    assert writer.post("/drafts", data={"key": f"reply:{topic.id}",
                                        "body": "Half a reply"}).status_code == 200
    page = writer.get(url).text
    assert "Half a reply</textarea>" in page and "We kept the text" in page
    assert rendered.count("board/_reply_form.html") == 2
    other = login(make.user(), client=app.test_client()).get(url).text
    assert "Half a reply" not in other and "We kept the text" not in other


def test_a_kept_form_builds_no_form_object(app, make, login, monkeypatch):
    """Building a ReplyForm (fields, widgets, its CSRF field) was a tenth of what a member's
    topic page costs over a visitor's: when the kept form is served, none is built."""
    built = []
    real = views.ReplyForm

    class Counted(real):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)
    monkeypatch.setattr(views, "ReplyForm", Counted)
    topic = make.topic(title="Built once")
    url = f"/t/{topic.id}-{topic.slug}"
    first = login(make.user(), client=app.test_client()).get(url).text
    assert len(built) == 1  # the first member's page renders the form that is kept
    second = login(make.user(), client=app.test_client()).get(url).text
    assert len(built) == 1
    assert 'action="/t/%d/reply"' % topic.id in second and "<!--csrf-->" not in second
    assert "Error:" not in second and "Error:" not in first


def test_post_controls_are_kept_for_members_with_the_same_ones_each_with_their_token(
        csrf_app, make, rendered):  # rendered: the clock stands still
    """A topic page's controls (helpful, report, quote...) are rendered once per process for
    a set of shapes (board/postlist._controls) and given to the next member with the same
    ones, each with their own session's CSRF token, which works; a member who may do more
    (the author: edit) gets theirs rendered."""
    protected = csrf_app
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)
    template_rendered.connect(record, protected)
    try:
        author = make.user()
        topic = make.topic(author=author, repliers=[author], replies=2)
        url = f"/t/{topic.id}-{topic.slug}"
        first, second, writer = (protected.test_client() for _ in range(3))
        _log_in(first, make.user())
        _log_in(second, make.user())
        _log_in(writer, author)
        pages = [first.get(url).text, second.get(url).text]
        assert names.count("board/_post_controls.html") == 1
        helpful = [re.search(r'<form class="inline" method="post" action="/p/(\d+)/helpful">'
                             r'.*?</form>', page, re.S) for page in pages]
        tokens = [re.search(r'name="csrf_token" value="([^"]+)"', found.group(0)).group(1)
                  for found in helpful]
        assert tokens[0] != tokens[1] and "<!--csrf-->" not in pages[0] + pages[1]
        answer = second.post(f"/p/{helpful[1].group(1)}/helpful",
                             data={"helpful": "1", "csrf_token": tokens[1]})
        assert answer.status_code == 302
        own = writer.get(url).text
        assert names.count("board/_post_controls.html") == 2 and "/edit\"" in own
    finally:
        template_rendered.disconnect(record, protected)
