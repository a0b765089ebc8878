"""Groups from an identity provider's group claims (issue 19): admins map a claim value to a
forum group; each log-in through that provider (the real `oidc-provider`, tests/oidc) joins
the mapped groups and leaves those it no longer lists; memberships made another way stay;
every join, leave and mapping change is in the moderation log."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.groups import services as groups
from forum.groups.models import Membership, ProviderGroupRule
from forum.moderation.models import ModerationAction
from tests.factories import PASSWORD


@pytest.fixture
def http(live_server):
    with httpx.Client(base_url=live_server, follow_redirects=True, timeout=15) as client:
        yield client


def groups_of(app, email: str) -> dict[str, str | None]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return {row.group.name: row.by_provider for row in db.session.scalars(
            select(Membership).where(Membership.user_id == user.id))}


def audit(app, *actions: str) -> list[tuple[str, dict, dict]]:
    with app.app_context():
        return [(a.action, a.before, a.after) for a in db.session.scalars(
            select(ModerationAction).where(ModerationAction.action.in_(actions))
            .order_by(ModerationAction.id))]


def test_group_claims_join_and_leave_the_mapped_groups_at_each_log_in(dept, http, app, make):
    with app.app_context():
        tax = groups.create_group(None, "Tax policy")
        audit_team = groups.create_group(None, "Audit office")
        club = groups.create_group(None, "Book club")
        groups.add_provider_rule(None, tax, "dept", "tax-policy")
        groups.add_provider_rule(None, audit_team, "dept", "auditors")
        groups.add_provider_rule(None, club, "dept", "readers")
        groups.add_provider_rule(None, club, "elsewhere", "auditors")  # another provider's
        db.session.commit()
    dept.login_as("ada-1", "ada@dept.example", "Ada Lovelace",
                  groups=["tax-policy", "auditors", "not-mapped"])
    assert "You are logged in as Ada Lovelace" in http.get("/login/with/dept").text
    assert groups_of(app, "ada@dept.example") == {"Tax policy": "dept", "Audit office": "dept"}
    with app.app_context():  # invited to the book club the ordinary way
        ada = db.session.scalar(select(User).where(User.email == "ada@dept.example"))
        groups.add_member(None, db.session.get(type(club), club.id), ada)
        db.session.commit()
    http.post("/logout")
    # Next time the provider lists only "auditors": she leaves Tax policy, keeps Audit office,
    # and the book club (not a claim's doing) is left alone though "readers" is not listed.
    dept.login_as("ada-1", "ada@dept.example", "Ada Lovelace", groups=["auditors"])
    http.get("/login/with/dept")
    assert groups_of(app, "ada@dept.example") == {"Audit office": "dept", "Book club": None}
    http.post("/logout")
    # No groups claim at all: no groups from this provider.
    dept.login_as("ada-1", "ada@dept.example", "Ada Lovelace")
    http.get("/login/with/dept")
    assert groups_of(app, "ada@dept.example") == {"Book club": None}
    with app.app_context():
        counts = {g.name: g.member_count for g in (db.session.get(type(tax), tax.id),
                                                  db.session.get(type(tax), audit_team.id))}
    assert counts == {"Tax policy": 0, "Audit office": 0}
    logged = audit(app, "provider_group_join", "provider_group_leave")
    assert [(action, (before or after)["group"]) for action, before, after in logged] == [
        ("provider_group_join", "Tax policy"), ("provider_group_join", "Audit office"),
        ("provider_group_leave", "Tax policy"), ("provider_group_leave", "Audit office")]
    assert logged[0][2] == {"group": "Tax policy", "provider": "dept", "claim": "tax-policy"}


def test_a_linked_account_follows_its_claims_too(dept, http, app, make):
    make.user("Alan Turing", email="alan@dept.example")
    with app.app_context():
        groups.add_provider_rule(None, groups.create_group(None, "Codebreakers"), "dept",
                                 "hut-8")
        db.session.commit()
    dept.login_as("alan-9", "alan@dept.example", "Alan Turing", groups=["hut-8"])
    http.get("/login/with/dept")
    http.post("/login/with/link", data={"password": PASSWORD})
    assert groups_of(app, "alan@dept.example") == {"Codebreakers": "dept"}


def test_admins_map_claim_values_on_the_groups_page(app, client, make, dept, login):
    admin = make.user("Site Keeper", role=Role.ADMIN)
    with app.app_context():
        groups.create_group(None, "Tax policy")
        db.session.commit()
    login(admin)
    page = client.get("/groups/tax-policy")
    assert "Members from identity provider groups" in page.text
    form = client.get("/admin/groups/tax-policy/providers")
    assert form.status_code == 200 and "Log in with Department ID" in form.text
    empty = client.post("/admin/groups/tax-policy/providers",
                        data={"provider": "dept", "claim_value": ""})
    assert "Enter the value the provider sends for its group" in empty.text
    added = client.post("/admin/groups/tax-policy/providers",
                        data={"provider": "dept", "claim_value": "tax-policy"},
                        follow_redirects=True)
    assert "will join Tax policy at their next log-in there" in added.text
    assert "<code>tax-policy</code>" in added.text
    with app.app_context():
        rule = db.session.scalar(select(ProviderGroupRule))
        assert (rule.provider, rule.claim_value) == ("dept", "tax-policy")
    removed = client.post(f"/admin/groups/tax-policy/providers/{rule.id}/remove",
                          follow_redirects=True)
    assert "no longer leads to Tax policy" in removed.text
    assert [a for a, _, _ in audit(app, "map_provider_group", "unmap_provider_group")] == [
        "map_provider_group", "unmap_provider_group"]
    log = client.get("/moderation/log").text
    assert "map provider group: an identity provider’s group mapping" in log
    assert "that no longer exists" not in log
