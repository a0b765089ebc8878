"""Government domains and the "Government staff" badge: the matching rule, the stored flag
kept current when addresses and the domain list change, the admin page and where it shows."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import clock
from forum.accounts import domains
from forum.accounts.domains import (GovernmentDomain, address_domain, canonical_domain,
                                    is_government_address)
from forum.accounts.models import Role, User
from forum.errors import Invalid
from forum.extensions import db


@pytest.mark.parametrize("address, allowed, expected", [
    ("ann@gov.example", ["gov.example"], True),
    ("ann@sub.gov.example", ["gov.example"], True),
    ("ann@deep.sub.gov.example", ["gov.example"], True),
    ("ann@notgov.example", ["gov.example"], False),
    ("ann@gov.example.attacker.test", ["gov.example"], False),
    ("ann@xgov.example", ["gov.example"], False),
    ("ann@gov.examplex", ["gov.example"], False),
    ("ann@example", ["gov.example"], False),
    # Suffix-style entries: a top-level or second-level government domain.
    ("ann@agency.gov", ["gov"], True),
    ("ann@gov", ["gov"], True),
    ("ann@agency.gov.uk", ["gov"], False),
    ("ann@agency.gov.uk", ["gov.uk"], True),
    ("ann@notgov.uk", ["gov.uk"], False),
    ("ann@tbs-sct.gc.ca", ["gc.ca"], True),
    ("ann@gc.ca.evil.com", ["gc.ca"], False),
    ("ann@agc.ca", ["gc.ca"], False),
    ("ann@canada.ca", ["gc.ca", "gov.uk"], False),
    ("ann@canada.ca", ["gc.ca", "canada.ca"], True),
    # Case, trailing dots and international names.
    ("Ann@Agency.GOV.UK", ["gov.uk"], True),
    ("ann@agency.gov.uk.", ["gov.uk"], True),
    ("ann@bücher.gov.example", ["gov.example"], True),
    ("ann@xn--bcher-kva.gov.example", ["gov.example"], True),
    ("ann@ministère.gouv.example", ["gouv.example"], True),
    ("ann@bücher.example", ["xn--bcher-kva.example"], True),
    ("ann@BÜCHER.example", ["xn--bcher-kva.example"], True),
    ("ann@bucher.example", ["xn--bcher-kva.example"], False),
    # Not addresses at all.
    ("", ["gov"], False),
    (None, ["gov"], False),
    ("no-at-sign.gov", ["gov"], False),
    ("ann@", ["gov"], False),
    ("ann@a..gov", ["gov"], False),
    ("ann@gov.example", [], False),
])
def test_badge_rule(address, allowed, expected):
    assert is_government_address(address, allowed) is expected


@pytest.mark.parametrize("text, canonical", [
    ("gov.example", "gov.example"),
    ("  GOV.Example. ", "gov.example"),
    ("gov", "gov"),
    ("gc.ca", "gc.ca"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("XN--BCHER-KVA.example", "xn--bcher-kva.example"),
    ("", None), (".", None), ("a..b", None), ("-bad.example", None), ("bad-.example", None),
    ("under_score.example", None), ("has space.example", None), ("1.2.3.4", None),
    ("a" * 64 + ".example", None), (".".join(["a"] * 130), None), ("ann@gov.example", None),
    ("<script>.example", None),
])
def test_canonical_domain(text, canonical):
    assert canonical_domain(text) == canonical


def test_address_domain_uses_the_last_at_sign():
    assert address_domain('"a@b"@Agency.Gov.') == "agency.gov"


# ------------------------------------------------------------------- stored flag, services

def _verified(make, app, address, verified=True):
    member = make.user(email=address)
    with app.app_context():
        account = db.session.get(User, member.id)
        account.email_verified_at = clock.now() if verified else None
        db.session.commit()
    return member.id


def _flags(app) -> dict[str, bool]:
    with app.app_context():
        return dict(db.session.execute(select(User.email, User.is_government_verified)).all())


def test_the_flag_follows_the_domain_list(app, make):
    admin = make.user(role=Role.ADMIN, email="boss@example.org")
    _verified(make, app, "a@sub.gov.example")
    _verified(make, app, "b@notgov.example")
    _verified(make, app, "c@gov.example.attacker.test")
    _verified(make, app, "d@gov.example", verified=False)  # not confirmed: no badge
    _verified(make, app, "e@agency.gc.ca")
    with app.app_context():
        actor = db.session.get(User, admin.id)
        entry = domains.add_domain(actor, "GOV.example.")
        assert entry.domain == "gov.example"
        db.session.commit()
    flags = _flags(app)
    assert flags["a@sub.gov.example"] and not flags["b@notgov.example"]
    assert not flags["c@gov.example.attacker.test"] and not flags["d@gov.example"]
    assert not flags["e@agency.gc.ca"]

    with app.app_context():
        actor = db.session.get(User, admin.id)
        domains.add_domain(actor, "*.gc.ca")
        db.session.commit()
    assert _flags(app)["e@agency.gc.ca"]

    with app.app_context():
        actor = db.session.get(User, admin.id)
        entry = db.session.scalar(select(GovernmentDomain).where(
            GovernmentDomain.domain == "gov.example"))
        domains.remove_domain(actor, entry)
        db.session.commit()
    flags = _flags(app)
    assert not flags["a@sub.gov.example"] and flags["e@agency.gc.ca"]


def test_recompute_walks_members_in_batches(app, make):
    """More members than one batch: every one of them is looked at."""
    from sqlalchemy import insert
    with app.app_context():
        db.session.execute(insert(User), [
            dict(display_name=f"Bulk {i}", name_key=f"bulk {i}", email=f"b{i}@x.gov.example",
                 password_hash="x", email_verified_at=clock.now()) for i in range(2100)])
        db.session.add(GovernmentDomain(domain="gov.example"))
        db.session.flush()
        assert domains.recompute_all() == 2100
        assert domains.recompute_all() == 0  # nothing left to change
        db.session.rollback()


def test_adding_a_domain_refuses_nonsense_and_duplicates(app, make):
    admin = make.user(role=Role.ADMIN)
    with app.app_context():
        actor = db.session.get(User, admin.id)
        domains.add_domain(actor, "gov.uk")
        for text, message in (("not a domain", "Enter a domain name"),
                              ("GOV.UK.", "already on the list"),
                              ("", "Enter a domain name")):
            with pytest.raises(Invalid) as error:
                domains.add_domain(actor, text)
            assert message in error.value.message and error.value.field == "domain"
        db.session.rollback()


def test_only_admins_may_change_the_list(app, make):
    moderator = make.user(role=Role.MODERATOR)
    from forum.errors import PermissionDenied
    with app.app_context():
        with pytest.raises(PermissionDenied):
            domains.add_domain(db.session.get(User, moderator.id), "gov")


# ---------------------------------------------------------------------------- the pages

def test_admin_page_adds_and_removes_domains(app, client, make, login):
    login(make.user(role=Role.ADMIN))
    member_id = _verified(make, app, "ann@dept.gov.example")
    page = client.get("/admin/government-domains")
    assert page.status_code == 200 and "No domains yet" in page.text

    bad = client.post("/admin/government-domains", data={"domain": "not a domain!"})
    assert bad.status_code == 200 and "Error: " in bad.text
    assert 'value="not a domain!"' in bad.text and 'aria-invalid="true"' in bad.text

    added = client.post("/admin/government-domains", data={"domain": "Gov.Example"})
    assert added.status_code == 302
    with app.app_context():
        assert db.session.get(User, member_id).is_government_verified
        entry_id = db.session.scalar(select(GovernmentDomain.id))
    listed = client.get("/admin/government-domains")
    assert "<code>gov.example</code>" in listed.text

    idn = client.post("/admin/government-domains", data={"domain": "bücher.example"})
    assert idn.status_code == 302
    assert "xn--bcher-kva.example</code> <span class=\"meta\">(bücher.example)" in client.get(
        "/admin/government-domains").text

    removed = client.post(f"/admin/government-domains/{entry_id}/remove")
    assert removed.status_code == 302
    with app.app_context():
        assert not db.session.get(User, member_id).is_government_verified
    assert client.post(f"/admin/government-domains/{entry_id}/remove").status_code == 404


def test_badge_shows_on_profile_and_next_to_posts(app, client, make):
    with app.app_context():
        db.session.add(GovernmentDomain(domain="gov.example"))
        db.session.commit()
    official = make.user(email="official@dept.gov.example")
    other = make.user(email="someone@gov.example.attacker.test")
    with app.app_context():
        for member_id in (official.id, other.id):
            account = db.session.get(User, member_id)
            account.email_verified_at = clock.now()
            domains.refresh_badge(account)
        db.session.commit()
    topic = make.topic(author=official)
    make_reply_topic = make.topic(author=other)
    page = client.get(f"/t/{topic.id}-{topic.slug}")
    assert page.text.count('class="badge gov-badge">Government staff') == 1
    page = client.get(f"/t/{make_reply_topic.id}-{make_reply_topic.slug}")
    assert "Government staff" not in page.text
    assert "Government staff" in client.get(f"/u/{official.display_name}").text
    assert "Government staff" not in client.get(f"/u/{other.display_name}").text


def test_badge_costs_no_query_per_post(app, client, make, count_queries):
    """The badge is a stored column of the author row the page loads anyway."""
    forum = make.forum(slug="badges")
    topic = make.topic(forum=forum, replies=5, repliers=[make.user() for _ in range(5)])
    url = f"/t/{topic.id}-{topic.slug}"

    def cost():
        with count_queries() as counter:
            assert "Reply number 5" in client.get(url).text
        return counter.count
    client.get(url)  # the page's kept fragments (pagecache.kept_fragment) are made
    before = cost()
    with app.app_context():
        db.session.add(GovernmentDomain(domain="example.gov"))
        db.session.flush()
        for account in db.session.scalars(select(User)):
            account.email_verified_at = clock.now()
        db.session.flush()
        domains.recompute_all()
        db.session.commit()
    page = client.get(url)
    assert page.text.count("Government staff") == 6
    assert cost() == before


def test_new_pages_cost_a_fixed_number_of_queries(app, client, make, login, count_queries):
    admin = make.user(role=Role.ADMIN)
    login(admin)
    pages = ["/admin/government-domains", "/settings", "/settings/email", "/forgot-password"]

    def costs():
        found = {}
        for url in pages:
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            found[url] = counter.count
        return found
    with app.app_context():
        db.session.add(GovernmentDomain(domain="gov.example"))
        db.session.commit()
    few = costs()
    with app.app_context():
        db.session.add_all(GovernmentDomain(domain=f"dept{i}.example") for i in range(60))
        db.session.commit()
    many = costs()
    assert few == many and max(many.values()) <= 12, many
    assert "dept59.example" in client.get("/admin/government-domains").text


def test_admin_ticks_well_known_government_suffixes(app, client, make, login):
    login(make.user(role=Role.ADMIN))
    member_id = _verified(make, app, "kim@justice.gov.uk")
    page = client.get("/admin/government-domains").text
    for suffix in ("gov.uk", "gc.ca", "gov.au", "govt.nz", "europa.eu"):
        assert f'name="suffix" value="{suffix}"' in page, suffix
    assert "Government of Canada" in page  # each says whose it is
    added = client.post("/admin/government-domains/suggested",
                        data={"suffix": ["gov.uk", "gc.ca", "not.on.the.list"]})
    assert added.status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(GovernmentDomain.domain))) == ["gc.ca", "gov.uk"]
        assert db.session.get(User, member_id).is_government_verified
    page = client.get("/admin/government-domains").text
    assert 'name="suffix" value="gov.uk"' not in page  # already on the list: not offered
    assert "<code>gov.uk</code>" in page
    # Nothing ticked: said on the page, nothing added.
    none = client.post("/admin/government-domains/suggested", data={})
    assert none.status_code == 400 and "Tick at least one" in none.text
    assert "<title>Error: " in none.text and 'href="#suffix"' in none.text
