"""`flask forum check-links` against a small HTTP server on 127.0.0.1, started here."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.library import services as library
from forum.library.models import LinkEntry, LinkHealth

SLOW_SECONDS = 1.5


class Handler(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        path = self.path
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
        if path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", "/loop")
        elif path == "/hop":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        else:
            code = {"/ok": 200, "/slow": 200, "/no-head": 200, "/missing": 404,
                    "/error": 500}.get(path, 404)
            self.send_response(code)
        self.send_header("Content-Length", "2" if body else "0")
        self.end_headers()
        if body:
            try:
                self.wfile.write(b"ok")
            except OSError:  # the checker gave up on /slow and closed the connection
                pass

    def do_HEAD(self) -> None:  # noqa: N802 (the standard library's naming)
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site(app):
    # The checker refuses internal addresses; this test server is one, allowed on purpose.
    app.config["LINK_ALLOWED_NETWORKS"] = ["127.0.0.1/32"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        app.config["LINK_ALLOWED_NETWORKS"] = []


PATHS = {"ok": ("/ok", False), "hop": ("/hop", False), "no-head": ("/no-head", False),
         "missing": ("/missing", True), "error": ("/error", True), "slow": ("/slow", True),
         "loop": ("/loop", True)}


def test_check_links_marks_exactly_the_broken_ones(app, make, site):
    staff = make.user(role=Role.STAFF)
    with app.app_context():
        actor = db.session.get(User, staff.id)
        ids = {name: library.create_link(actor, library.LinkData(
            title=f"Endpoint {name}", url=site + path, annotation="A test endpoint.")).id
            for name, (path, _) in PATHS.items()}
        placeholder = library.create_link(actor, library.LinkData(
            title="Placeholder", url="https://example.org/placeholder/01-x",
            annotation="Unknown address.")).id
        db.session.commit()
    started = time.monotonic()
    result = app.test_cli_runner().invoke(
        args=["forum", "check-links", "--timeout", "0.4", "--concurrency", "4"])
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert "7 links checked, 4 broken, 1 placeholders skipped." in result.output
    assert elapsed < 5, f"check-links took {elapsed:.1f} s"
    with app.app_context():
        links = {link.id: link for link in db.session.scalars(select(LinkEntry))}
        broken = {name for name, link_id in ids.items() if links[link_id].is_broken}
        assert broken == {name for name, (_, bad) in PATHS.items() if bad}
        assert all(links[i].health == LinkHealth.OK for name, i in ids.items()
                   if name not in broken)
        assert links[ids["missing"]].status_code == 404
        assert links[ids["error"]].check_error == "HTTP 500"
        assert links[ids["slow"]].check_error == "Timed out"
        assert links[ids["loop"]].check_error == "Too many redirects"
        assert links[ids["no-head"]].status_code == 200  # HEAD refused, GET answered
        assert all(links[i].last_checked_at is not None for i in ids.values())
        assert links[placeholder].health == LinkHealth.UNCHECKED
        assert links[placeholder].last_checked_at is None


def test_a_link_that_works_again_is_no_longer_flagged(app, make, site):
    staff = make.user(role=Role.STAFF)
    with app.app_context():
        link = library.create_link(db.session.get(User, staff.id), library.LinkData(
            title="Comes back", url=site + "/ok", annotation="Was down."))
        link.health, link.status_code, link.check_error = LinkHealth.BROKEN, 500, "HTTP 500"
        db.session.commit()
        link_id = link.id
    result = app.test_cli_runner().invoke(args=["forum", "check-links", "--timeout", "1"])
    assert "1 links checked, 0 broken" in result.output
    with app.app_context():
        link = db.session.get(LinkEntry, link_id)
        assert (link.health, link.status_code, link.check_error) == (LinkHealth.OK, 200, None)


def test_check_links_works_where_an_event_loop_is_already_running(app, make, site):
    """The command can be called from code that is itself inside an event loop (as the test
    suite is once the browser tests have started): it brings its own loop."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from forum.library.checker import check_links
    staff = make.user(role=Role.STAFF)
    with app.app_context():
        library.create_link(db.session.get(User, staff.id), library.LinkData(
            title="Fine", url=site + "/ok", annotation="Works."))
        db.session.commit()

    async def inside_a_loop():
        with app.app_context():
            return check_links(timeout=2)
    # A thread of the test's own runs the loop (this thread may already have one running).
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(lambda: asyncio.run(inside_a_loop())).result() == (1, 0, 0)
