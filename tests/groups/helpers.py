"""A private working group for the group tests: its forum, members and distinctive words."""
from __future__ import annotations

from dataclasses import dataclass

from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Forum, Topic
from forum.conversations import services as conversations
from forum.extensions import db
from forum.polls import services as polls
from forum.groups import services as groups
from forum.groups.models import Group

# Words that occur nowhere else: if a page shows one to an outsider, something leaked.
SECRET_WORDS = ["Quillfeather", "zorbanite", "Marrowgate"]
# The private text around them: pages that echo a word someone typed (a search, a log-in
# link back to the address asked for) must still show none of these.
SECRET_PHRASES = ["Quillfeather budget", "Quillfeather working", "zorbanite figures",
                  "zorbanite plan", "Marrowgate agrees", "Marrowgate projects",
                  "hear about zorbanite", "Zorbanite private", "Marrowgate salary"]


@dataclass
class PrivateWorld:
    group_id: int
    forum_slug: str
    forum_id: int
    topic_id: int
    post_ids: list[int]
    insider: User
    group_mod: User
    outsider: User      # a member of another group
    public_topic_id: int
    conversation_id: int
    poll_id: int
    message_id: int


def build(app, make) -> PrivateWorld:
    insider, group_mod, outsider = make.user(), make.user(), make.user()
    public_forum = make.forum(title="Open talk", slug="open-talk")
    public_topic = make.topic(author=outsider, forum=public_forum, title="An open question",
                              body="Anyone can read this.")
    forum = make.forum(title="Quillfeather working group", category="Marrowgate projects",
                       slug="quillfeather")
    with app.app_context():
        group = groups.create_group(None, "Revenue working group", "Cross-agency work.")
        other = groups.create_group(None, "Another team", "", members_public=True)
        groups.add_member(None, group, db.session.get(User, insider.id), owner=True)
        groups.add_member(None, group, db.session.get(User, group_mod.id))
        groups.add_member(None, other, db.session.get(User, outsider.id))
        f = db.session.get(Forum, forum.id)
        moderators = groups.create_group(None, "Quill moderators", "")
        groups.add_member(None, moderators, db.session.get(User, group_mod.id))
        groups.restrict_forum(None, f, group, "read")
        groups.restrict_forum(None, f, moderators, "moderate")
        db.session.commit()
        author = db.session.get(User, insider.id)
        topic = board.create_topic(
            author, f, "Quillfeather budget lines",
            f"The zorbanite figures, see [the open question](/t/{public_topic.id}).")
        reply = board.post_reply(db.session.get(User, group_mod.id), topic,
                                 "Marrowgate agrees with the zorbanite plan.")
        talk = conversations.start(author, [db.session.get(User, group_mod.id)],
                                   "Zorbanite private chat", "About the Marrowgate salary bands.")
        poll = polls.create_poll(author, topic, "Zorbanite plan: which week?", ["One", "Two"])
        db.session.commit()
        return PrivateWorld(group.id, "quillfeather", f.id, topic.id,
                            [topic.first_post_id, reply.id], insider, group_mod, outsider,
                            public_topic.id, talk.id, poll.id, talk.last_message_id)


def log_in(client, user: User) -> None:
    from tests.factories import PASSWORD
    response = client.post("/login", data={"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
