"""Control characters: cleaned at input by every form (one filter in forum/forms.py), and the
feeds stay valid XML whatever is already stored (issue 13, point 1)."""
from __future__ import annotations

import importlib
import pkgutil

import feedparser
import pytest
from sqlalchemy import update
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField

import forum
from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Forum, Post, Topic
from forum.extensions import db
from forum.forms import Form

CONTROLS = "\x01\x0b\x1f\x7f\x0c\x1b\x85\ufffe"


def _all_form_classes():
    for info in pkgutil.walk_packages(forum.__path__, "forum."):
        if info.name.endswith(".forms"):
            importlib.import_module(info.name)
    seen, todo = set(), [Form]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted(seen, key=lambda c: c.__module__ + c.__qualname__)


def test_every_form_cleans_control_characters_from_every_text_field(app):
    classes = _all_form_classes()
    assert len(classes) > 20
    checked = 0
    for cls in classes:
        with app.test_request_context("/", method="POST"):
            names = [f.name for f in cls(meta={"csrf": False}, formdata=None)
                     if isinstance(f, (StringField, TextAreaField))
                     and not isinstance(f, PasswordField)]
            data = MultiDict({name: f"a{CONTROLS}b\tc\r\nd" for name in names})
            form = cls(formdata=data, meta={"csrf": False})
            for name in names:
                field = form[name]
                value = field.data
                assert not any(c in value for c in CONTROLS), (cls, name, value)
                if isinstance(field, TextAreaField):
                    assert value == "ab\tc\nd", (cls, name)   # tab and new lines kept
                else:
                    assert "\n" not in value and "\r" not in value, (cls, name)
                checked += 1
    assert checked > 30


def test_a_topic_posted_with_control_characters_is_stored_clean(client, make, login):
    member = make.user()
    make.forum(slug="general")
    login(member)
    with client.application.app_context():
        forum_id = db.session.scalar(db.select(Forum.id).where(Forum.slug == "general"))
    response = client.post("/t/new?forum=general", data={
        "forum": forum_id, "title": "Bell\x07 and\x01 whistle\x7f", "kind": "discussion",
        "body": "Line\x0b one\tcolumn\r\nline two\x1f", "submit": "Post topic"})
    assert response.status_code == 302, response.text
    with client.application.app_context():
        topic = db.session.scalar(db.select(Topic).order_by(Topic.id.desc()))
        assert topic.title == "Bell and whistle"
        assert topic.first_post.body_source == "Line one\tcolumn\nline two"
    for url in ("/feeds/latest.atom", "/feeds/f/general.atom", f"/feeds/t/{topic.id}.atom"):
        assert client.get(url).status_code == 200


def test_feeds_stay_valid_whatever_is_stored(app, client, make):
    """Rows written before the input filter existed (or by a script) may hold anything."""
    author = make.user()
    forum_ = make.forum(title="Ops", slug="ops")
    topic = make.topic(author=author, forum=forum_, title="Plain title")
    with app.app_context():
        board.post_reply(db.session.get(User, author.id), db.session.get(Topic, topic.id),
                         "A reply")
        board.set_tags(db.session.get(Topic, topic.id), ["Tagged"])
        db.session.execute(update(Topic).values(title="Ti\x01tle\x0b \x1f\x7f\ufffe"))
        db.session.execute(update(Post).values(body_html="<p>bo\x01dy\x0c \x1b</p>"))
        db.session.execute(update(Forum).values(title="Op\x02s"))
        db.session.commit()
    for url in ("/feeds/latest.atom", "/feeds/f/ops.atom", f"/feeds/t/{topic.id}.atom",
                "/feeds/tags/tagged.atom", "/feeds/articles.atom"):
        response = client.get(url)
        assert response.status_code == 200, url
        parsed = feedparser.parse(response.data)
        assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
        text = response.data.decode()
        assert not any(c in text for c in "\x01\x0b\x1f\x0c\x1b\x02\ufffe"), url
    entries = feedparser.parse(client.get("/feeds/latest.atom").data).entries
    assert entries[0].title.strip() == "Title"
