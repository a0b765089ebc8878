"""Rate limits: a limited form keeps the typed text; Redis shares the count between
processes; without Redis the forum keeps serving."""
from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import func, select

from forum.board.models import Post
from forum.extensions import db
from tests.factories import PASSWORD

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def apps(other_app):
    """Another app on the same database with rate limits on (one 'process')."""
    def make_app(storage="memory://", **limits):
        return other_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage,
                         RATE_LIMITS=limits)
    return make_app


@pytest.fixture
def redis_storage():
    """Redis for the test, and a client address of its own: the limiter's keys name the
    address, so another test run sharing the server (CI's, a developer's) never sees this
    one's counts, and only this test's keys are removed after it (no FLUSHDB)."""
    address = f"127.{uuid.uuid4().int % 250 + 1}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    yield REDIS, address
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"*{address}*"):
        client.delete(key)
    client.close()


def _log_in(client, user):
    assert client.post("/login", data={"login": user.email, "password": PASSWORD}
                       ).status_code == 302


def test_limited_reply_keeps_the_text_and_saves_nothing(apps, app, make):
    limited = apps(reply="2 per minute")
    topic = make.topic()
    client = limited.test_client()
    _log_in(client, make.user())
    for n in (1, 2):
        assert client.post(f"/t/{topic.id}/reply", data={"body": f"Reply {n}"}
                           ).status_code == 302
    response = client.post(f"/t/{topic.id}/reply", data={"body": "My third, carefully typed"})
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "try again in" in response.text and "Nothing was lost" in response.text
    assert "My third, carefully typed" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id))
                                 .where(Post.topic_id == topic.id)) == 3
    # Preview never counts against the limit.
    assert client.post(f"/t/{topic.id}/reply", data={"body": "x", "preview": "Preview"}
                       ).status_code == 200


def test_login_limit_keeps_what_was_typed(apps, make):
    limited = apps(login="3 per minute")
    client = limited.test_client()
    for _ in range(3):
        assert client.post("/login", data={"login": "someone", "password": "wrong"}
                           ).status_code == 200
    response = client.post("/login", data={"login": "someone", "password": "wrong"})
    assert response.status_code == 429
    assert 'value="someone"' in response.text and "try again in" in response.text


def test_redis_shares_the_limit_between_two_processes(apps, make, redis_storage):
    storage, address = redis_storage
    first = apps(storage, login="4 per minute").test_client()
    second = apps(storage, login="4 per minute").test_client()
    for client in (first, second):
        client.environ_base["REMOTE_ADDR"] = address
    statuses = [client.post("/login", data={"login": "x", "password": "y"}).status_code
                for client in (first, second, first, second, first, second)]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_memory_storage_is_per_process(apps):
    first = apps(login="2 per minute").test_client()
    second = apps(login="2 per minute").test_client()
    statuses = [client.post("/login", data={"login": "x", "password": "y"}).status_code
                for client in (first, second, first, second, first)]
    assert statuses == [200, 200, 200, 200, 429]


def test_without_redis_the_forum_keeps_serving(apps, make):
    limited = apps("redis://127.0.0.1:1/0", login="1 per minute")
    client = limited.test_client()
    for _ in range(3):  # never limited, never an error
        assert client.post("/login", data={"login": "x", "password": "y"}).status_code == 200


def test_limits_are_per_member_for_posting(apps, make):
    limited = apps(topic="1 per minute")
    forum = make.forum(slug=f"f-{uuid.uuid4().hex[:6]}")
    for member in (make.user(), make.user()):
        client = limited.test_client()
        _log_in(client, member)
        assert client.post(f"/t/new?forum={forum.slug}", data={
            "forum": forum.id, "title": "A fine title", "body": "Body"}).status_code == 302
