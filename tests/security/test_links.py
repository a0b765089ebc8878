"""Link library addresses (issue 13, points 9-11): no internal address is saved or fetched
(the checker checks every redirect hop too; these tests send traffic to 127.0.0.1 only),
addresses are IDNA-normalised and refuse bidi controls, /go never answers 500, and a visit
counts once per address whatever the User-Agent."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import update

from forum.accounts.models import Role, User
from forum.errors import Invalid
from forum.extensions import db
from forum.library import checker
from forum.library import services as library
from forum.library.models import LinkEntry, LinkHealth


def make_link(app, make, url="https://www.example.gov/report") -> int:
    staff = make.user(role=Role.STAFF)
    with app.app_context():
        link = library.create_link(db.session.get(User, staff.id), library.LinkData(
            title="A report", url=url, annotation="Worth reading."))
        db.session.commit()
        return link.id


def save(app, make, url):
    staff = make.user(role=Role.STAFF)
    with app.app_context():
        try:
            return library.create_link(db.session.get(User, staff.id), library.LinkData(
                title="A report", url=url, annotation="Worth reading.")).url
        finally:
            db.session.rollback()


INTERNAL = ["http://127.0.0.1/", "http://127.0.0.1:8080/admin", "http://[::1]/",
            "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.5.4/",
            "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
            "http://metadata.google.internal/computeMetadata/v1/", "http://localhost:5000/",
            "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://127.1/",
            "http://0x7f000001/", "http://0.0.0.0/", "http://100.64.0.1/",
            "http://printer.internal/"]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_at_save(app, make, url):
    with pytest.raises(Invalid) as refused:
        save(app, make, url)
    assert refused.value.field == "url"


def test_the_form_says_why(app, client, make, login):
    login(make.user(role=Role.STAFF))
    response = client.post("/links/new", data={
        "title": "Internal", "url": "http://169.254.169.254/latest/meta-data/",
        "annotation": "x", "submit": "Add link"})
    assert response.status_code == 200
    assert "private network" in response.text


@pytest.mark.parametrize("url", ["https://example.gov/\u202egpj.exe",
                                 "https://exa\u200bmple.gov/", "https://example.gov/\u2066x",
                                 "https://user:pass@example.gov/", "https://gov.example@evil.test/",
                                 "https://xn--.example/", "https://a..b/"])
def test_addresses_with_bidi_controls_credentials_or_bad_names_are_refused(app, make, url):
    with pytest.raises(Invalid):
        save(app, make, url)


def test_international_names_are_stored_as_idna(app, make):
    assert save(app, make, "https://BÜCHER.example/Straße?q=1") == \
        "https://xn--bcher-kva.example/Straße?q=1"
    assert save(app, make, "HTTPS://Example.GOV.:8443/a") == "https://example.gov:8443/a"


def test_go_never_fails_on_a_stored_address(app, client, make):
    link_id = make_link(app, make)
    for stored in ["https://example.gov/\u202egpj.exe", "https://exa mple.gov/",
                   "https://\udcff.example/", "javascript:alert(1)", "https://[::1/",
                   "https://xn--.example/", "http://:80/"]:
        with app.app_context():
            try:
                db.session.execute(update(LinkEntry).where(LinkEntry.id == link_id)
                                   .values(url=stored))
                db.session.commit()
            except Exception:  # the database refuses it: nothing to serve then
                db.session.rollback()
                continue
        response = client.get(f"/links/{link_id}/go")
        assert response.status_code in (302, 404), stored


def test_a_visit_counts_once_per_address_whatever_the_user_agent(app, client, make):
    link_id = make_link(app, make)
    for agent in ("Firefox", "Chrome", "curl/8", "x" * 300, ""):
        client.get(f"/links/{link_id}/go", headers={"User-Agent": agent},
                   environ_base={"REMOTE_ADDR": "198.51.100.7"})
    client.get(f"/links/{link_id}/go", environ_base={"REMOTE_ADDR": "198.51.100.8"})
    with app.app_context():
        assert db.session.get(LinkEntry, link_id).click_count == 2


@pytest.fixture
def counting_server():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
        do_GET = do_HEAD  # noqa: N815

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_checker_never_fetches_an_internal_address(app, make, counting_server):
    base, hits = counting_server
    link_id = make_link(app, make)
    with app.app_context():  # stored before the rule existed
        db.session.execute(update(LinkEntry).where(LinkEntry.id == link_id)
                           .values(url=base + "/secret"))
        db.session.commit()
        checked, broken, _ = checker.check_links(timeout=2)
        link = db.session.get(LinkEntry, link_id)
        assert (checked, broken) == (1, 1) and link.health == LinkHealth.BROKEN
        assert link.check_error.startswith("Not checked")
        assert str(base.rsplit(":", 1)[1]) not in link.check_error
    assert hits == []


def test_the_checker_refuses_a_redirect_into_the_network(app, make):
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "www.example.gov":
            return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})
        return httpx.Response(200)
    link_id = make_link(app, make)
    with app.app_context():
        checker.check_links(timeout=2, transport=httpx.MockTransport(answer))
        link = db.session.get(LinkEntry, link_id)
        assert link.health == LinkHealth.BROKEN and link.check_error.startswith("Not checked")
    assert asked == ["https://www.example.gov/report"]
