"""Markup rendering is bounded (issue 13, point 2): input size, markup count and nesting depth
are checked where text is saved and previewed, and render() itself never spends long on a body
beyond the bounds (rows stored before them): such a body is shown as plain text. Previews count
against their own, looser, rate limit. Times are measured in bench/markup_bounds.py, not here.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import markup
from forum.board.models import Post
from forum.errors import Invalid
from forum.extensions import db

# Bodies that took seconds to render before the bounds (each within the board's 50,000).
PATHOLOGICAL = {
    "nested tags": "<b>" * 5000 + "x",
    "nested quotes": "<q>" * 5000 + "x" + "</q>" * 5000,
    "many attributes": "<a " + " ".join(f'x{i}="1"' for i in range(6000)) + ">x</a>",
    "many tags": "<b>x</b>" * 6000,
    "many links": "[a](http://x.gov) " * 2500,
    "many entities": "&amp; " * 8000,
    "many line breaks": "word\n" * 9000,
    "long": "word " * 9000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_bodies_are_refused_with_a_clear_message(name):
    problem = markup.problem(PATHOLOGICAL[name])
    assert problem and len(problem) < 200, name
    with pytest.raises(Invalid) as raised:
        markup.check(PATHOLOGICAL[name], "body")
    assert raised.value.field == "body"


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_render_shows_a_body_beyond_the_bounds_as_plain_text(name):
    html = markup.render(PATHOLOGICAL[name])
    tags = {t.split(">")[0].split()[0].strip("/") for t in html.split("<")[1:]}
    assert tags <= {"p", "br"}, (name, tags)


def test_a_long_ordinary_post_is_still_markup():
    body = ("A paragraph with **bold**, a [link](https://example.gov/a) and `code`.\n\n" * 25)
    assert markup.problem(body) is None
    html = markup.render(body)
    assert html.count("<strong>") == 25 and html.count('<a href="https://example.gov/a"') == 25


def test_nesting_is_bounded():
    assert markup.problem("<q>" * (markup.MAX_DEPTH + 1) + "x") is not None
    assert markup.problem("<q>" * markup.MAX_DEPTH + "x" + "</q>" * markup.MAX_DEPTH) is None
    # closing tags bring the depth down again
    assert markup.problem("<b>x</b>" * (markup.MAX_DEPTH * 3)) is None


def test_a_pathological_reply_is_refused_and_kept_in_the_form(app, client, make, login):
    topic = make.topic()
    login(make.user())
    body = PATHOLOGICAL["nested tags"]
    for button in ("submit", "preview"):
        response = client.post(f"/t/{topic.id}/reply", data={"body": body, button: "1"})
        assert response.status_code == 200, button
        assert "too much formatting" in response.text or "nested" in response.text
        assert "&lt;b&gt;&lt;b&gt;" in response.text  # what was typed is still there
        assert "<b><b>" not in response.text           # and no preview was made of it
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 1


def test_previews_count_against_a_looser_limit(app, client, make, login):
    topic = make.topic()
    login(make.user())
    app.config.update(RATELIMIT_ENABLED=True, RATE_LIMITS={"preview": "2 per minute"})
    try:
        codes = [client.post(f"/t/{topic.id}/reply",
                             data={"body": f"Draft {i}", "preview": "Preview"}).status_code
                 for i in range(3)]
        assert codes == [200, 200, 429]
        last = client.post(f"/t/{topic.id}/reply", data={"body": "Draft 9", "preview": "1"})
        assert last.status_code == 429 and "Draft 9" in last.text
        assert "try again in" in last.text
    finally:
        app.config.update(RATELIMIT_ENABLED=False, RATE_LIMITS={})
    from forum.ratelimit import DEFAULT_LIMITS
    from limits import parse
    preview, reply = parse(DEFAULT_LIMITS["preview"]), parse(DEFAULT_LIMITS["reply"])
    assert preview.amount / preview.get_expiry() > reply.amount / reply.get_expiry()
