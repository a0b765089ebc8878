"""Private conversations: start (with members or a group), reply, unread counts and e-mail,
leave, block, rate limits for new members; moderators do not read them; a reported message
is shown on its own; an admin opens one only with a reason its participants see."""
from __future__ import annotations

from datetime import timedelta

from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select

from forum import clock
from forum.accounts.models import Role, User
from forum.conversations.models import Conversation, Message
from forum.extensions import db
from forum.groups import services as groups
from forum.moderation.models import ModerationAction
from forum.outbox import OutboxEmail
from tests.groups.helpers import log_in


def _start(client, to: str, subject="Quarterly zorbanite figures",
           body="Shall we compare the Marrowgate numbers?", **extra):
    return client.post("/messages/new", data={"to": to, "subject": subject, "body": body,
                                              "group": "0", **extra})


def _old(make, **fields):
    """A member who joined weeks ago (not under the new members' limit)."""
    return make.user(created_at=clock.now() - timedelta(days=30),
                     email_verified_at=clock.now(), **fields)


def test_start_reply_read_and_email(app, make):
    ann, bob = _old(make), _old(make)
    a, b = app.test_client(), app.test_client()
    log_in(a, ann)
    log_in(b, bob)
    response = _start(a, bob.display_name)
    assert response.status_code == 302, response.get_data(as_text=True)
    conversation_url = response.headers["Location"].split("#")[0]
    assert "Messages <span class=\"notify-count\">(1)" in b.get("/").get_data(as_text=True)
    page = b.get(conversation_url).get_data(as_text=True)
    assert "Marrowgate numbers" in page
    assert "(1)" not in b.get("/messages").get_data(as_text=True).split("<main")[0]
    assert b.post(conversation_url, data={"body": "Yes, Tuesday."}).status_code == 302
    assert "Yes, Tuesday." in a.get(conversation_url).get_data(as_text=True)
    with app.app_context():
        to_bob = db.session.scalars(select(OutboxEmail).where(
            OutboxEmail.to_address == bob.email)).all()
        assert len(to_bob) == 1 and "Marrowgate numbers" in to_bob[0].text_body
        assert "Quarterly zorbanite figures" in to_bob[0].subject
        assert len(db.session.scalars(select(OutboxEmail).where(
            OutboxEmail.to_address == ann.email)).all()) == 1


def test_a_group_one_belongs_to(app, make):
    ann, bob, cy, out = _old(make), _old(make), _old(make), _old(make)
    with app.app_context():
        team = groups.create_group(None, "Policy team")
        for person in (ann, bob, cy):
            groups.add_member(None, team, db.session.get(User, person.id))
        other = groups.create_group(None, "Elsewhere")
        groups.add_member(None, other, db.session.get(User, out.id))
        db.session.commit()
        team_id, other_id = team.id, other.id
    client = app.test_client()
    log_in(client, ann)
    assert _start(client, "", group=str(team_id)).status_code == 302
    # A group one is not in is not offered, and a forged choice is refused.
    assert "Elsewhere" not in client.get("/messages/new").get_data(as_text=True)
    assert _start(client, "", group=str(other_id)).status_code == 200
    with app.app_context():
        conversation = db.session.scalar(select(Conversation))
    for person, ok in ((bob, 200), (cy, 200), (out, 404)):
        reader = app.test_client()
        log_in(reader, person)
        assert reader.get(f"/messages/{conversation.id}").status_code == ok


def test_not_readable_by_moderators_or_others_and_leaving(app, make):
    ann, bob = _old(make), _old(make)
    moderator, stranger = make.user(role=Role.MODERATOR), make.user()
    client = app.test_client()
    log_in(client, ann)
    url = _start(client, bob.display_name).headers["Location"].split("#")[0]
    for person in (moderator, stranger):
        other = app.test_client()
        log_in(other, person)
        assert other.get(url).status_code == 404
        assert other.post(url, data={"body": "Let me in"}).status_code == 404
        assert "zorbanite" not in other.get("/messages").get_data(as_text=True)
    assert app.test_client().get(url).status_code == 302  # visitors: log in first
    leaving = app.test_client()
    log_in(leaving, bob)
    assert leaving.post(f"{url}/leave").status_code == 302
    assert leaving.get(url).status_code == 404
    assert "zorbanite" not in leaving.get("/messages").get_data(as_text=True)
    assert "(left)" in client.get(url).get_data(as_text=True)


def test_blocked_members_cannot_start_a_conversation(app, make):
    ann, bob = _old(make), _old(make)
    blocker = app.test_client()
    log_in(blocker, bob)
    assert blocker.post(f"/u/{ann.display_name}/block").status_code == 302
    assert "Unblock" in blocker.get(f"/u/{ann.display_name}").get_data(as_text=True)
    client = app.test_client()
    log_in(client, ann)
    response = _start(client, bob.display_name)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You cannot start a conversation with" in page
    assert "Marrowgate numbers" in page  # what was typed is kept
    assert blocker.post(f"/u/{ann.display_name}/unblock").status_code == 302
    assert _start(client, bob.display_name).status_code == 302


def _block_button(page: str) -> str:
    """The profile's Block or Unblock button (its word, and its form's action must agree)."""
    form = page.split('class="post-actions member-actions"')[1].split("</ul>")[0]
    action = form.split('/block"')[0] if '/block"' in form else None
    word = form.split('class="link-button">')[-1].split("<")[0]
    assert (action is not None) == (word == "Block"), form
    return word


def test_a_profile_says_whether_its_viewer_blocks_the_member(app, make, count_queries):
    """Whether the viewer blocks the member comes with the member (a profile fact): right for
    each viewer, and right at once after blocking and unblocking."""
    ann, bob, cy = _old(make), _old(make), _old(make)
    blocker, other = app.test_client(), app.test_client()
    log_in(blocker, bob)
    log_in(other, cy)
    url = f"/u/{ann.display_name}"
    assert _block_button(blocker.get(url).get_data(as_text=True)) == "Block"
    assert blocker.post(f"{url}/block").status_code == 302
    page = blocker.get(url).get_data(as_text=True)
    assert _block_button(page) == "Unblock"
    assert _block_button(other.get(url).get_data(as_text=True)) == "Block"  # not theirs
    with count_queries() as counter:
        blocker.get(url)
    assert not [s for s in counter.statements if s.lstrip().startswith("SELECT member_blocks")]
    assert blocker.post(f"{url}/unblock").status_code == 302
    assert _block_button(blocker.get(url).get_data(as_text=True)) == "Block"
    own = app.test_client()
    log_in(own, ann)  # no button on one's own profile
    assert 'class="link-button">Block' not in own.get(url).get_data(as_text=True)


def test_new_members_have_a_stricter_limit(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", {"conversation_new": "1 per hour"})
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.extensions, "forum.ratelimit",
                        MovingWindowRateLimiter(storage_from_string("memory://")))
    newcomer, veteran, bob = make.user(), _old(make), _old(make)
    fresh, old = app.test_client(), app.test_client()
    log_in(fresh, newcomer)
    log_in(old, veteran)
    assert _start(fresh, bob.display_name).status_code == 302
    response = _start(fresh, bob.display_name, subject="Again")
    assert response.status_code == 429 and "Again" in response.get_data(as_text=True)
    for _ in range(2):
        assert _start(old, bob.display_name).status_code == 302


def test_a_reported_message_alone_reaches_moderators(app, make):
    ann, bob = _old(make), _old(make)
    moderator = make.user(role=Role.MODERATOR)
    client = app.test_client()
    log_in(client, ann)
    url = _start(client, bob.display_name).headers["Location"].split("#")[0]
    client.post(url, data={"body": "Second message about hats."})
    with app.app_context():
        first = db.session.scalar(select(Message).order_by(Message.id))
    reporter = app.test_client()
    log_in(reporter, bob)
    assert reporter.post(f"/messages/m/{first.id}/report",
                         data={"reason": "Not appropriate"}).status_code == 302
    mod = app.test_client()
    log_in(mod, moderator)
    page = mod.get("/moderation/messages").get_data(as_text=True)
    assert "Marrowgate numbers" in page and "Not appropriate" in page
    assert "hats" not in page and "Quarterly zorbanite" not in page
    assert mod.get(url).status_code == 404
    report_id = page.split("/moderation/messages/")[1].split("/")[0]
    assert mod.post(f"/moderation/messages/{report_id}/resolve").status_code == 302
    assert "Marrowgate numbers" not in mod.get("/moderation/messages").get_data(as_text=True)


def test_admins_open_a_conversation_only_with_a_reason_participants_see(app, make):
    ann, bob = _old(make), _old(make)
    admin = make.user(role=Role.ADMIN, name="Ada Admin")
    client = app.test_client()
    log_in(client, ann)
    url = _start(client, bob.display_name).headers["Location"].split("#")[0]
    boss = app.test_client()
    log_in(boss, admin)
    response = boss.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/open")
    response = boss.post(f"{url}/open", data={"reason": "short"})
    assert response.status_code == 200 and "10 to 500" in response.get_data(as_text=True)
    assert boss.post(f"{url}/open", data={"reason": "Harassment report #12 from a member"}
                     ).status_code == 302
    assert "Marrowgate numbers" in boss.get(url).get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "Ada Admin" in page and "Harassment report #12" in page
    with app.app_context():
        entry = db.session.scalar(select(ModerationAction).where(
            ModerationAction.action == "open_conversation"))
        assert entry.target_type == "conversation" and "Harassment" in entry.reason
    clock.advance(timedelta(hours=2))  # the opening lapses: a new reason is needed
    assert boss.get(url).status_code == 302
