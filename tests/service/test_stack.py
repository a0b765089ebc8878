"""nginx in front of two gunicorn instances sharing PostgreSQL and Redis (conftest.py):
client addresses, shared cache, failover, readiness, metrics and static files."""
from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid

import httpx
import pytest

from forum import create_app
from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Category, Forum, Topic
from forum.extensions import db
from tests.service.conftest import METRICS_TOKEN, REDIS_URL, ROOT, SECRET_KEY

pytestmark = pytest.mark.service
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MEASURED: dict[str, float] = {}  # numbers for the report (printed with -s)


@pytest.fixture(scope="module")
def builder(stack):
    """An app in this process on the stack's database, to add members and topics fast."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": stack.database, "REDIS_URL": REDIS_URL,
                      "SECRET_KEY": SECRET_KEY, "ARGON2_TIME_COST": 1,
                      "ARGON2_MEMORY_COST": 1024, "APPROVAL_ENABLED": False,
                      "REQUEST_LOG": False})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _member(app) -> str:
    with app.app_context():
        n = uuid.uuid4().hex[:8]
        user = accounts.register(f"Member {n}", f"m{n}@example.gov", PASSWORD)
        db.session.commit()
        return user.email


def _topic(app, author_email: str) -> tuple[int, str]:
    with app.app_context():
        author = db.session.query(User).filter_by(email=author_email).one()
        forum = db.session.query(Forum).filter_by(slug="service").one_or_none()
        if forum is None:
            category = Category(title="Service")
            db.session.add(category)
            db.session.flush()
            forum = board.create_forum(category, "Service", "", slug="service")
        topic = board.create_topic(author, forum, f"Topic {uuid.uuid4().hex[:6]}", "Opening.")
        db.session.commit()
        return topic.id, f"/t/{topic.id}-{topic.slug}"


def _client(base: str, source: str = "127.0.0.1") -> httpx.Client:
    return httpx.Client(base_url=base, timeout=30, follow_redirects=False,
                        transport=httpx.HTTPTransport(local_address=source))


def _token(client: httpx.Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return CSRF.search(response.text).group(1)


def _log_in(client: httpx.Client, email: str) -> None:
    response = client.post("/login", data={"login": email, "password": PASSWORD,
                                           "csrf_token": _token(client, "/login")})
    assert response.status_code == 302, response.text[:500]


def _register(base: str, source: str, headers: dict | None = None) -> int:
    with _client(base, source) as client:
        token = _token(client, "/register")
        n = uuid.uuid4().hex[:8]
        return client.post("/register", headers=headers or {}, data={
            "display_name": f"New {n}", "email": f"n{n}@example.gov", "password": PASSWORD,
            "confirm": PASSWORD, "csrf_token": token}).status_code


def test_registrations_are_limited_per_client_address_behind_nginx(stack):
    statuses = [_register(stack.nginx, "127.0.0.2") for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert _register(stack.nginx, "127.0.0.3") == 302  # another client is not affected
    # A client that sends its own X-Forwarded-For still has its own address.
    for forged in ("127.0.0.3", "203.0.113.50", "127.0.0.3, 198.51.100.1"):
        assert _register(stack.nginx, "127.0.0.2", {"X-Forwarded-For": forged}) == 429
    assert _register(stack.nginx, "127.0.0.3") == 302


def _reply(client: httpx.Client, topic_id: int, path: str, body: str) -> int:
    token = _token(client, path)
    return client.post(f"/t/{topic_id}/reply", data={"body": body, "csrf_token": token}
                       ).status_code


def test_a_reply_through_one_instance_is_seen_through_the_other_within_a_second(
        stack, builder):
    email = _member(builder)
    topic_id, path = _topic(builder, email)
    first, second = stack.instances
    with _client(second) as visitor, _client(first) as member:
        visitor.get(path)
        assert visitor.get(path).headers.get("X-Page-Cache") == "hit"
        _log_in(member, email)
        text = f"Seen everywhere {uuid.uuid4().hex}"
        assert _reply(member, topic_id, path, text) == 302
        posted = time.monotonic()
        while text not in visitor.get(path).text:
            assert time.monotonic() - posted < 1.0, "reply not visible on the other server"
            time.sleep(0.01)
        MEASURED["cache staleness (s)"] = round(time.monotonic() - posted, 3)


def test_static_files_through_nginx_are_fingerprinted_and_kept_for_a_year(stack):
    with _client(stack.nginx) as client:
        page = client.get("/").text
        href = re.search(r'href="(/static/css/forum\.css\?v=([0-9a-f]{12}))"', page)
        assert href, "the stylesheet's URL carries no content hash"
        response = client.get(href.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    # The name is the content's hash, so it changes exactly when the content does.
    content = (ROOT / "static/css/forum.css").read_bytes()
    assert hashlib.sha256(content).hexdigest()[:12] == href.group(2)
    assert response.content == content
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"
    assert "X-Request-ID" in response.headers


def test_request_ids_go_from_nginx_to_the_app_and_back(stack):
    response = httpx.get(f"{stack.nginx}/healthz")
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    logs = "".join(p.read_text(errors="replace") for p in stack.work.glob("gunicorn-*.log"))
    assert f'"request_id":"{request_id}"' in logs
    assert httpx.get(f"{stack.nginx}/metrics").status_code == 404  # never public


def test_readyz_turns_503_when_postgresql_is_unreachable_and_200_when_it_returns(stack):
    url = f"{stack.instances[0]}/readyz"
    assert httpx.get(url).status_code == 200
    stack.proxy.down()
    try:
        response = httpx.get(url, timeout=30)
        assert response.status_code == 503 and response.text.startswith("database: ")
        assert httpx.get(f"{stack.instances[0]}/healthz").status_code == 200
    finally:
        stack.proxy.up()
    deadline = time.monotonic() + 15
    while httpx.get(url, timeout=30).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    MEASURED["readyz back after database returns (s)"] = round(15 - (deadline - time.monotonic()), 2)


REPLY_PACE = 0.45  # s between one member's replies: at most 12 / 0.45 < 30 in the run


def test_kill_9_of_one_instance_under_load_loses_no_acknowledged_write(stack, builder):
    """Members reply through nginx for a bounded time; one instance is killed -9 in the
    middle. Every reply acknowledged (302) is stored; nginx keeps serving from the other.
    Each member is paced under the reply limit (30 per 10 minutes), so a fast machine
    meets no 429: any refusal after the kill is the failover's."""
    members = [_member(builder) for _ in range(10)]
    topic_id, path = _topic(builder, members[0])
    acknowledged: list[str] = []
    failures: list[tuple[float, int | str]] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop = start + 12.0
    killed_at: list[float] = []
    done: list[float] = []  # when each acknowledged reply was answered

    def work(email: str, source: str) -> None:
        # Each member from an address of their own: ten log-ins from one address in a
        # minute would meet the log-in limit.
        with _client(stack.nginx, source) as client:
            _log_in(client, email)
            while time.monotonic() < stop:
                time.sleep(REPLY_PACE)
                text = f"Load reply {uuid.uuid4().hex}"
                try:
                    status = _reply(client, topic_id, path, text)
                    code: int | str = status
                except (httpx.HTTPError, AttributeError) as error:
                    code = type(error).__name__
                with lock:
                    if code == 302:
                        acknowledged.append(text)
                        done.append(time.monotonic())
                    else:
                        failures.append((time.monotonic(), code))

    threads = [threading.Thread(target=work, args=(email, f"127.0.1.{i + 1}"))
               for i, email in enumerate(members)]
    for thread in threads:
        thread.start()
    time.sleep(5)
    stack.kill(0)
    killed_at.append(time.monotonic())
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    stored = {row[0] for row in stack.sql(
        "SELECT body_source FROM posts WHERE topic_id = %s", topic_id)}
    lost = [text for text in acknowledged if text not in stored]
    assert not lost, f"{len(lost)} acknowledged replies lost"
    after_kill = [t for t, _ in failures if t > killed_at[0] + 1.0]
    assert not after_kill, f"errors after the kill: {failures}"
    after = [t for t in done if t > killed_at[0]]
    assert after, "no write succeeded after the kill"
    MEASURED["failover: requests failed at the kill (in flight there)"] = len(failures)
    MEASURED["failover: first acknowledged write after the kill (s)"] = round(
        min(after) - killed_at[0], 3)
    MEASURED["acknowledged replies (12 s, 6 members)"] = len(acknowledged)
    with _client(stack.nginx) as visitor:  # nginx still serves pages and writes
        assert visitor.get(path).status_code == 200


def test_metrics_show_histograms_after_the_load(stack):
    assert _register(stack.instances[1], "127.0.0.2") == 429  # one refusal on this server
    response = httpx.get(f"{stack.instances[1]}/metrics",
                         headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    text = response.text
    count = re.search(r'forum_request_duration_seconds_count\{endpoint="board.reply",'
                      r'method="POST"\} ([0-9.e+]+)', text)
    assert count and float(count.group(1)) > 0
    assert 'forum_request_duration_seconds_bucket{endpoint="board.topic"' in text
    assert "forum_sql_statements_per_request_bucket" in text
    assert re.search(r"forum_outbox_depth [0-9.e+]+", text)
    assert re.search(r'forum_rate_limited_total\{action="register"\} [1-9]', text)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if MEASURED:
        print("\nMeasured:", MEASURED)
