"""Drafts: kept on the server as the member types (the composer's POST /drafts) and on
Preview without script, offered back on any device, ended when the text is sent."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.extensions import db
from forum.writing.models import Draft


def _drafts(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(d.key, d.title, d.body) for d in db.session.scalars(
            select(Draft).order_by(Draft.key))]


def test_typing_keeps_a_draft_that_comes_back_on_another_device(client, make, login, app):
    member = make.user()
    topic = make.topic(title="Queues at the counter")
    login(member)
    answer = client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "Half a rep"})
    assert answer.status_code == 200 and answer.get_json()["saved_at"].endswith("Z")
    client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "Half a reply"})
    assert _drafts(app) == [(f"reply:{topic.id}", "", "Half a reply")]

    other = app.test_client()  # another device: a new session
    login(member, client=other)
    page = other.get(f"/t/{topic.id}-{topic.slug}").text
    assert "Half a reply</textarea>" in page
    assert "We kept the text you had not sent yet" in page
    assert "Half a reply</textarea>" in other.get(f"/t/{topic.id}/reply").text

    # Sending the reply ends the draft.
    assert other.post(f"/t/{topic.id}/reply", data={"body": "The whole reply",
                                                     "submit": "Post reply"}).status_code == 302
    assert _drafts(app) == []
    assert "We kept the text" not in client.get(f"/t/{topic.id}-{topic.slug}").text


def test_preview_without_script_keeps_the_draft_and_new_topics_keep_their_title(client, make,
                                                                                  login, app):
    member = make.user()
    forum = make.forum(slug="ideas")
    topic = make.topic()
    login(member)
    client.post(f"/t/{topic.id}/reply", data={"body": "Previewed text", "preview": "Preview"})
    client.post("/t/new?forum=ideas", data={"forum": forum.id, "title": "A new idea",
                                            "body": "Its text", "preview": "Preview"})
    assert _drafts(app) == [(f"reply:{topic.id}", "", "Previewed text"),
                            ("topic", "A new idea", "Its text")]
    page = client.get("/t/new").text
    assert 'value="A new idea"' in page and "Its text</textarea>" in page
    client.post("/t/new", data={"forum": forum.id, "title": "A new idea", "body": "Its text",
                                "submit": "Post topic"})
    assert _drafts(app) == [(f"reply:{topic.id}", "", "Previewed text")]


def test_empty_text_discards_and_odd_keys_are_refused(client, make, login, app):
    member = make.user()
    topic = make.topic()
    login(member)
    client.post("/drafts", data={"key": "topic", "body": "x", "title": "y"})
    assert client.post("/drafts", data={"key": "topic", "body": "  "}).get_json() == {
        "discarded": True}
    assert _drafts(app) == []
    for key in ["", "reply:", "reply:0", "reply:99999999999", "reply:123456", "edit:1",
                "topic ", "\x00", "reply:1" * 10]:
        response = client.post("/drafts", data={"key": key, "body": "x"})
        assert response.status_code == 400, key
        assert response.get_json()["error"]
    assert _drafts(app) == []
    client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "y\x00" * 30_000})
    assert len(_drafts(app)[0][2]) == 30_000


def test_no_draft_for_topics_one_cannot_reply_to(client, make, login, app):
    from forum.accounts.models import Role
    from forum.board.models import Topic
    from forum.moderation import services as moderation
    from forum.accounts.models import User
    member, moderator = make.user(), make.user(role=Role.MODERATOR)
    topic = make.topic()
    with app.app_context():
        moderation.lock_topic(db.session.get(User, moderator.id),
                              db.session.get(Topic, topic.id), True, "done")
        db.session.commit()
    login(member)
    assert client.post("/drafts", data={"key": f"reply:{topic.id}",
                                        "body": "x"}).status_code == 400


def test_a_members_pages_do_not_look_for_drafts_they_do_not_have(client, make, login, app,
                                                                  count_queries):
    member = make.user()
    topic = make.topic()
    login(member)
    client.get(f"/t/{topic.id}-{topic.slug}")
    with count_queries() as none:
        client.get(f"/t/{topic.id}-{topic.slug}")
    client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "x"})
    with count_queries() as one:
        client.get(f"/t/{topic.id}-{topic.slug}")
    assert one.count == none.count + 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Draft.id))) == 1


def test_an_edit_keeps_a_draft_restored_on_return_and_discarded_on_save(client, make, login,
                                                                         app):
    author, other = make.user(), make.user()
    topic = make.topic(author=author, title="Queues at the counter", body="The first text")
    post_id = topic.first_post_id
    login(author)
    edit = client.get(f"/p/{post_id}/edit").text
    assert f'data-draft-key="edit:{post_id}"' in edit
    assert client.post("/drafts", data={"key": f"edit:{post_id}", "title": "Queues, again",
                                        "body": "The first text, better"}).status_code == 200
    device = app.test_client()
    login(author, client=device)
    back = device.get(f"/p/{post_id}/edit").text
    assert "The first text, better</textarea>" in back  # the draft replaces the old text
    assert "The first text\n\n" not in back
    assert 'value="Queues, again"' in back and "We kept the changes you had not saved yet" in back
    # Preview without script keeps it too.
    device.post(f"/p/{post_id}/edit", data={"title": "Queues, again", "body": "Previewed edit",
                                            "preview": "Preview"})
    assert _drafts(app) == [(f"edit:{post_id}", "Queues, again", "Previewed edit")]
    # Saving ends it, even when the text ends up as it was.
    assert device.post(f"/p/{post_id}/edit", data={
        "title": "Queues at the counter", "body": "The first text",
        "submit": "Save changes"}).status_code == 302
    assert _drafts(app) == []
    assert "We kept the changes" not in client.get(f"/p/{post_id}/edit").text
    # Nobody keeps a draft of a post they may not edit.
    stranger = app.test_client()
    login(other, client=stranger)
    refused = stranger.post("/drafts", data={"key": f"edit:{post_id}", "body": "Mine now"})
    assert refused.status_code == 400 and _drafts(app) == []
