"""Word-level history diffs: changes marked in text, everything else escaped."""
from __future__ import annotations

from forum.board import services as board
from forum.accounts.models import User
from forum.board.models import Post
from forum.extensions import db
from forum.textdiff import word_diff

ADDED = '<ins><span class="visually-hidden">[added: </span>{}<span class="visually-hidden"> ]</span></ins>'
REMOVED = '<del><span class="visually-hidden">[removed: </span>{}<span class="visually-hidden"> ]</span></del>'


def test_words_added_removed_and_replaced():
    assert word_diff("the quick fox", "the quick fox") == "the quick fox"
    assert word_diff("the fox", "the quick fox") == "the " + ADDED.format("quick ") + "fox"
    assert word_diff("the quick fox", "the fox") == "the " + REMOVED.format("quick ") + "fox"
    assert word_diff("a cat sat", "a dog sat") == (
        "a " + REMOVED.format("cat") + ADDED.format("dog") + " sat")


def test_everything_is_escaped():
    out = word_diff("<b>x</b>", "<script>alert(1)</script> <b>x</b>")
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;b&gt;x&lt;/b&gt;" in out


def test_history_page_shows_each_version_against_the_one_before(client, make, app):
    author = make.user("Ann Lee")
    topic = make.topic(author=author, title="Counter queues", body="We open at nine.")
    with app.app_context():
        post = db.session.get(Post, topic.first_post_id)
        editor = db.session.get(User, author.id)
        board.edit_post(editor, post, "We open at half past eight.", reason="New hours",
                        title="Counter queues and hours")
        db.session.commit()
    page = client.get(f"/p/{topic.first_post_id}/history").text
    assert "We open at " + REMOVED.format("nine.") + ADDED.format("half past eight.") in page
    assert "Counter queues" + ADDED.format(" and hours") in page
    assert "Reason: New hours" in page and "By Ann Lee" in page
    assert "<pre class=\"source\">We open at nine.</pre>" in page  # the original, whole
