"""Name suggestions for @mentions: a small JSON endpoint for members, display names only (never
an address), a bounded list, a fixed number of queries, rate-limited, and in a private forum
only the people who can read it (a mention of anyone else would notify nobody)."""
from __future__ import annotations

from datetime import timedelta

from forum import clock
from tests.groups.helpers import build, log_in

URL = "/compose/mentions"


def _names(client, q: str, **params) -> list[str]:
    response = client.get(URL, query_string={"q": q, **params})
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("application/json")
    return response.get_json()["names"]


def test_suggests_display_names_by_name_start_and_word_start(client, make, login):
    me = make.user("Priya Natarajan")
    make.user("Priyanka Shah", email="ps@example.gov")
    make.user("Anand Priyadarshi")
    make.user("Sapriya Lee")  # "priya" inside a word: not a match
    make.user("Omar Hussein", email="priyaomar@example.gov")  # only the address matches
    login(me)
    names = _names(client, "pri")
    assert names == ["Priyanka Shah", "Anand Priyadarshi"]  # name start first; never oneself
    assert _names(client, "PRIYANKA s") == ["Priyanka Shah"]
    assert _names(client, "@Priyanka") == ["Priyanka Shah"]  # the "@" typed is ignored
    response = client.get(URL, query_string={"q": "priyaomar"})
    assert response.get_json()["names"] == []
    assert "@" not in client.get(URL, query_string={"q": "pri"}).text


def test_suspended_members_are_not_suggested(client, make, login):
    login(make.user("Dana Reader"))
    make.user("Priyanka Shah")
    make.user("Priya Away", suspended_until=clock.now() + timedelta(days=3),
              suspension_reason="Spam")
    make.user("Priya Back", suspended_until=clock.now() - timedelta(days=1))
    assert _names(client, "priya") == ["Priya Back", "Priyanka Shah"]


def test_the_list_is_bounded_and_the_query_budget_fixed(client, make, login, count_queries):
    me = make.user("Zed Viewer")
    for n in range(30):
        make.user(f"Casey {n:02d}")
    login(me)
    names = _names(client, "case")
    assert len(names) == 8 and names == sorted(names)
    with count_queries() as counter:
        _names(client, "casey 1")
    assert counter.count <= 3, counter.statements  # the member (with facts) and one search


def test_members_only(client, make, login):
    assert client.get(URL, query_string={"q": "a"}).status_code in (302, 401)
    login(make.user(suspended_until=clock.now() + timedelta(days=1)))
    assert client.get(URL, query_string={"q": "a"}).status_code == 403


def test_odd_queries_never_fail(client, make, login):
    make.user("Pat O'Brien-Smith")
    login(make.user())
    assert _names(client, "") == []
    assert _names(client, "   ") == []
    assert _names(client, "%") == []           # LIKE wildcards are literal
    assert _names(client, "_") == []
    assert client.get(URL, query_string={"q": "x\x00y"}).status_code in (200, 400)
    assert _names(client, "p" * 5000) == []
    assert client.get(URL).get_json() == {"names": []}
    assert _names(client, "o'brien") == ["Pat O'Brien-Smith"]


def test_is_rate_limited(app, make, other_app):
    limited = other_app(RATELIMIT_ENABLED=True, RATE_LIMITS={"mention": "2 per minute"})
    user = make.user()
    client = limited.test_client()
    log_in(client, user)
    assert client.get(URL, query_string={"q": "a"}).status_code == 200
    assert client.get(URL, query_string={"q": "a"}).status_code == 200
    refused = client.get(URL, query_string={"q": "a"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "try again in" in refused.get_json()["error"]


def test_in_a_private_forum_only_its_readers_are_suggested(app, make, client, count_queries):
    world = build(app, make)
    log_in(client, world.insider)
    with app.app_context():
        from forum.extensions import db
        from forum.accounts.models import User
        mod = db.session.get(User, world.group_mod.id).display_name
        outsider = db.session.get(User, world.outsider.id).display_name
    everyone = _names(client, "member")
    assert mod in everyone and outsider in everyone
    private = _names(client, "member", topic=world.topic_id)
    assert mod in private and outsider not in private
    with count_queries() as counter:
        _names(client, "member", topic=world.topic_id)
    assert counter.count <= 30
    # A topic the viewer cannot see is no way to learn who can.
    client = app.test_client()
    log_in(client, world.outsider)
    assert client.get(URL, query_string={"q": "member", "topic": world.topic_id}
                      ).status_code == 404
    assert client.get(URL, query_string={"q": "member", "topic": "x"}).status_code == 200
