"""A suspended member can read and look after their own account, but can change nothing other
people see (issue 13, point 6): their public profile included."""
from __future__ import annotations

from datetime import timedelta

from forum import clock
from forum.accounts.models import User
from forum.extensions import db
from tests.test_authorization import MATRIX

# Writes a suspended member may still make: their own account's security and private state,
# nothing shown to anyone else. A new write route allowed to suspended members must be
# added here on purpose (or refused by the policy).
PRIVATE_WRITES = {
    "accounts.change_password", "accounts.login", "accounts.logout", "accounts.register",
    "accounts.sessions_list", "accounts_email.cancel_change", "accounts_email.change_email",
    "accounts_email.confirm_change", "accounts_email.forgot_password",
    "accounts_email.resend_verification", "accounts_email.reset_password",
    "accounts_email.verify", "conversations.block", "conversations.unblock", "groups.leave",
    "moderation.warnings_seen", "notify.follow_forum", "notify.follow_topic",
    "notify.mark_all_read", "notify.mark_everything_read", "notify.mark_forum_read",
    "notify.settings", "notify.unfollow_forum", "notify.unfollow_topic", "notify.unsubscribe",
    "security.enrol", "security.login_code", "security.new_recovery_codes",
    "security.start_two_factor", "security.turn_off",
    # the time zone their own pages show times in
    "accounts.time_zone",
    # signing in with an organisation's account: linking it to one's own account, or
    # choosing the name of a new account (a logged-in member is sent on, nothing written)
    "oidc.link", "oidc.choose_name",
}


def test_every_write_a_suspended_member_may_make_is_private():
    allowed = {endpoint for (endpoint, method), (_, _, expected) in MATRIX.items()
               if method != "GET" and expected.get("suspended") == "ok"}
    assert allowed - PRIVATE_WRITES == set(), "public writes open to suspended members"
    assert "accounts.settings" not in allowed


def test_a_suspended_member_cannot_change_their_public_profile(app, client, make, login):
    member = make.user(bio="Before")
    login(member)
    with app.app_context():
        db.session.get(User, member.id).suspended_until = clock.now() + timedelta(days=3)
        db.session.commit()
    page = client.get("/settings")
    assert page.status_code == 200 and "suspended" in page.text
    assert 'name="bio"' not in page.text
    assert client.post("/settings", data={"bio": "Spam while suspended"}).status_code == 403
    with app.app_context():
        assert db.session.get(User, member.id).bio == "Before"
    assert client.get("/settings/password").status_code == 200  # own account: still theirs
