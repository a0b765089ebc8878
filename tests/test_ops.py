"""Health, readiness, metrics and request logs (forum/health.py, metrics.py, requestlog.py)."""
from __future__ import annotations

import json
import logging

from forum.extensions import db
from forum import metrics, outbox

TOKEN = "a-long-random-metrics-token"


def test_healthz_needs_no_database_and_sets_no_cookie(other_app):
    down = other_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = down.test_client().get("/healthz")
    assert response.status_code == 200 and response.text == "ok\n"
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_200_when_the_database_is_at_head(client):
    response = client.get("/readyz")
    assert (response.status_code, response.text) == (200, "ready\n")


def test_readyz_is_503_with_the_reason_when_the_database_is_away(other_app):
    down = other_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = down.test_client().get("/readyz")
    assert response.status_code == 503 and response.text.startswith("database: ")


def test_readyz_is_503_when_migrations_are_behind(app, client, monkeypatch):
    monkeypatch.setitem(app.extensions, "forum.migration_heads", {"abc123newer"})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "migrations: database at " in response.text and "abc123newer" in response.text


def test_readyz_is_503_when_redis_is_configured_and_away(other_app):
    away = other_app(REDIS_URL="redis://127.0.0.1:1/0", REDIS_TIMEOUT=0.2)
    response = away.test_client().get("/readyz")
    assert response.status_code == 503 and response.text.startswith("redis: ")
    fine = other_app(REDIS_URL="redis://127.0.0.1:6379/12")
    assert fine.test_client().get("/readyz").status_code == 200


def test_metrics_are_hidden_without_the_token(client, other_app):
    assert client.get("/metrics").status_code == 404  # no token configured
    guarded = other_app(METRICS_TOKEN=TOKEN).test_client()
    assert guarded.get("/metrics").status_code == 404
    assert guarded.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
                       ).status_code == 200


def _sample(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus' text format (0 if absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{") or line.startswith(f"{name} "):
            head, _, value = line.rpartition(" ")
            if all(f'{k}="{v}"' in head for k, v in labels.items()) or not wanted:
                return float(value)
    return 0.0


def test_metrics_count_requests_statements_cache_limits_and_the_outbox(other_app, make, app):
    server = other_app(METRICS_TOKEN=TOKEN, PAGE_CACHE_SECONDS=30, RATELIMIT_ENABLED=True,
                       RATE_LIMITS={"login": "1 per minute"})
    client = server.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get("/metrics", headers=auth).text
    topic = make.topic()
    with app.app_context():
        outbox.enqueue("someone@example.gov", "Hello", "Text")
        db.session.commit()
    url = f"/t/{topic.id}-{topic.slug}"
    for _ in range(3):
        client.get(url)
    for _ in range(2):
        client.post("/login", data={"login": "x", "password": "y"})
    after = client.get("/metrics", headers=auth).text

    def grew(name, **labels):
        return _sample(after, name, **labels) - _sample(before, name, **labels)
    assert grew("forum_request_duration_seconds_count", endpoint="board.topic",
                method="GET") == 3
    assert grew("forum_request_duration_seconds_bucket", endpoint="board.topic",
                method="GET", le="+Inf") == 3
    assert grew("forum_requests_total", endpoint="board.topic", method="GET",
                status="200") == 3
    assert grew("forum_sql_statements_per_request_count", endpoint="board.topic") == 3
    assert grew("forum_sql_statements_per_request_sum", endpoint="board.topic") > 0
    assert grew("forum_page_cache_total", result="hit") == 2
    assert grew("forum_page_cache_total", result="miss") == 1
    assert grew("forum_rate_limited_total", action="login") == 1
    assert _sample(after, "forum_outbox_depth") == 1
    assert _sample(after, "forum_outbox_oldest_age_seconds") >= 0


def test_a_request_again_finds_its_metrics_samples_without_labels(client, monkeypatch):
    """The request metrics' samples are found once per endpoint, method and status
    (metrics._children): labels() takes a lock and builds a key on each call."""
    monkeypatch.setattr(metrics, "_CHILDREN", {})  # (the process's: other tests fill it)
    client.get("/healthz")
    asked = []
    for metric in (metrics.REQUEST_SECONDS, metrics.SQL_STATEMENTS, metrics.REQUESTS):
        real = metric.labels
        monkeypatch.setattr(metric, "labels", lambda *a, _real=real, **k: (
            asked.append(a), _real(*a, **k))[1])
    client.get("/healthz")
    assert asked == []
    client.get("/no-such-page")  # a new endpoint and status: asked once each
    assert len(asked) == 3


def test_a_request_is_logged_once_with_the_proxy_request_id(other_app, caplog):
    server = other_app(REQUEST_LOG=True)
    client = server.test_client()
    with caplog.at_level(logging.INFO, logger="forum.requests"):
        response = client.get("/healthz", headers={"X-Request-ID": "abc123def456"})
    assert response.headers["X-Request-ID"] == "abc123def456"
    lines = [r.getMessage() for r in caplog.records if r.name == "forum.requests"]
    assert len(lines) == 1 and "id=abc123def456" in lines[0] and " 200 " in lines[0]


def test_a_bad_request_id_is_replaced_and_json_lines_hide_tokens(other_app, caplog):
    server = other_app(REQUEST_LOG=True, LOG_FORMAT="json")
    client = server.test_client()
    with caplog.at_level(logging.INFO, logger="forum.requests"):
        response = client.get("/reset-password/secret-token-value",
                              headers={"X-Request-ID": "bad id; with <spaces>"})
    given = response.headers["X-Request-ID"]
    assert given != "bad id; with <spaces>" and len(given) == 32
    line = json.loads([r.getMessage() for r in caplog.records if r.name == "forum.requests"][0])
    assert line["request_id"] == given and line["status"] == response.status_code
    assert "secret-token-value" not in json.dumps(line)
    assert line["path"] == "/reset-password/<token>"
