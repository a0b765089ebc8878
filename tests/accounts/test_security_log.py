"""The security log: every sign-in event (time, method, address, device), readable by the
member in settings and queryable by admins."""
from __future__ import annotations

from datetime import timedelta

from forum import clock
from forum.accounts import security_log
from forum.accounts.models import Role
from forum.accounts.security_log import describe_device
from forum.extensions import db
from tests.factories import PASSWORD

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


def attempt(client, login, password, address, agent):
    return client.post("/login", data={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers={"User-Agent": agent})


def test_devices_are_named_from_the_browser_header():
    assert describe_device(FIREFOX) == "Firefox on Windows"
    assert describe_device(SAFARI) == "Safari on iPhone"
    assert describe_device("") == "Unknown"
    assert describe_device("curl/8.5.0") == "curl/8.5.0"


def test_a_member_reads_their_own_sign_ins_and_failures(client, make):
    owner, other = make.user(), make.user()
    attempt(client, owner.email, "typed-guess-42", "192.0.2.7", SAFARI)
    clock.advance(timedelta(minutes=1))
    attempt(client, other.email, PASSWORD, "198.51.100.1", FIREFOX)
    client.post("/logout")
    clock.advance(timedelta(minutes=1))
    assert attempt(client, owner.display_name, PASSWORD, "203.0.113.5",
                   FIREFOX).status_code == 302
    page = client.get("/settings/security").text
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2  # newest first, and only the owner's
    assert "Signed in" in rows[0] and "203.0.113.5" in rows[0] and "Firefox on Windows" in rows[0]
    assert "Wrong password" in rows[1] and "192.0.2.7" in rows[1] and "Safari on iPhone" in rows[1]
    assert "198.51.100.1" not in page
    assert "typed-guess-42" not in page  # nothing typed is kept


def test_a_name_with_no_account_leaves_no_row(client, app, make):
    make.user()
    attempt(client, "nobody@example.gov", "whatever", "192.0.2.1", FIREFOX)
    with app.app_context():
        assert db.session.query(security_log.SignInEvent).count() == 0


def test_admins_query_everyones_events_by_member_event_and_address(client, make):
    admin = make.user(role=Role.ADMIN)
    alice, bob = make.user("Alice Example"), make.user("Bob Example")
    attempt(client, alice.email, "wrong password", "192.0.2.10", FIREFOX)
    attempt(client, bob.email, "wrong password", "198.51.100.20", SAFARI)
    attempt(client, bob.email, PASSWORD, "198.51.100.20", SAFARI)
    client.post("/logout")
    attempt(client, admin.email, PASSWORD, "203.0.113.1", FIREFOX)

    everything = client.get("/admin/security-log").text
    assert "Alice Example" in everything and "Bob Example" in everything
    by_member = client.get("/admin/security-log?member=alice example").text
    assert "192.0.2.10" in by_member and "198.51.100.20" not in by_member
    by_event = client.get("/admin/security-log?event=wrong_password").text
    assert "192.0.2.10" in by_event and "198.51.100.20" in by_event
    assert "203.0.113.1" not in by_event
    by_address = client.get("/admin/security-log?address=198.51.").text
    assert "Bob Example" in by_address and "Alice Example" not in by_address.split("<tbody>")[1]
    # Odd filters are just filters.
    for query in ("?address=%25", "?address=_", "?event=nonsense", "?member=" + "x" * 500,
                  "?page=-3", "?page=99999999999"):
        assert client.get("/admin/security-log" + query).status_code == 200


def test_the_log_pages_cost_a_fixed_number_of_queries(client, make, count_queries):
    admin = make.user(role=Role.ADMIN)
    people = [make.user() for _ in range(3)]
    attempt(client, admin.email, PASSWORD, "203.0.113.1", FIREFOX)

    def measure(url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = (measure("/admin/security-log"), measure("/settings/security"))
    for person in people:
        for _ in range(4):
            attempt(client, person.email, "nope", "192.0.2.1", FIREFOX)
    for _ in range(20):
        client.post("/logout")
        attempt(client, admin.email, PASSWORD, "203.0.113.1", FIREFOX)
    assert (measure("/admin/security-log"), measure("/settings/security")) == few
