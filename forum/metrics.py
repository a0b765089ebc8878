"""Prometheus metrics (prometheus_client).

Under gunicorn every worker is a process of its own, so deploy/gunicorn.conf.py sets
PROMETHEUS_MULTIPROC_DIR before the app is imported: each worker writes its samples to files
there and `/metrics` adds them up with the MultiProcessCollector (gunicorn's `child_exit`
hook marks dead workers). Without that variable (`flask run`, tests), the process's own
registry is served.

Measured per request (in `init_app`): latency histogram and status counts per endpoint, SQL
statements per request (an engine event counts them), page cache hits and misses (hit ratio
= hits / (hits + misses)). Rate-limit refusals are counted where they are decided
(forum/ratelimit.py, the log-in delay). Values read at scrape time come from *gauge
sources* that features register (`gauge_source`), such as the outbox depth and the age of
its oldest message (forum/outbox.py).

`/metrics` is not public: it answers only a request carrying `Authorization: Bearer
<METRICS_TOKEN>` (404 to everyone else, and when no token is set), and deploy/nginx's site
does not pass it through; Prometheus scrapes each app server's own address.
"""
from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterable

from flask import Blueprint, Flask, Response, abort, current_app, g, has_request_context, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter,
                               Histogram, generate_latest, multiprocess)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event
from sqlalchemy.engine import Engine

bp = Blueprint("ops_metrics", __name__)

REQUEST_SECONDS = Histogram(
    "forum_request_duration_seconds", "Time to answer a request, per endpoint.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
REQUESTS = Counter("forum_requests_total", "Requests answered, per endpoint and status.",
                   ["endpoint", "method", "status"])
SQL_STATEMENTS = Histogram(
    "forum_sql_statements_per_request", "SQL statements run while answering a request.",
    ["endpoint"], buckets=(0, 1, 2, 3, 5, 8, 12, 20, 30, 50, 100))
PAGE_CACHE = Counter("forum_page_cache_total", "Visitor page cache lookups, by result.",
                     ["result"])
RATE_LIMITED = Counter("forum_rate_limited_total",
                       "Attempts refused by a rate limit or the log-in delay.", ["action"])

# name -> (help, function returning the value), read at every scrape in an app context
_gauges: dict[str, tuple[str, Callable[[], float]]] = {}


def gauge_source(name: str, help_text: str) -> Callable:
    """Decorator: `fn()` gives the gauge's value at scrape time (a feature registers it)."""
    def register(fn: Callable[[], float]) -> Callable[[], float]:
        _gauges[name] = (help_text, fn)
        return fn
    return register


class _GaugeCollector:
    def describe(self) -> list:
        return []  # names are known only at scrape time; nothing to check them against

    def collect(self) -> Iterable[GaugeMetricFamily]:
        for name, (help_text, fn) in sorted(_gauges.items()):
            try:
                value = float(fn())
            except Exception:  # the database is away: say nothing rather than fail
                current_app.logger.warning("Metric %s could not be read.", name)
                continue
            yield GaugeMetricFamily(name, help_text, value=value)


def refused(action: str) -> None:
    RATE_LIMITED.labels(action).inc()


def page_cache_result(hit: bool) -> None:
    PAGE_CACHE.labels("hit" if hit else "miss").inc()


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_request_context():
        g.sql_statements = g.get("sql_statements", 0) + 1


def _endpoint() -> str:
    return request.url_rule.endpoint if request.url_rule is not None else "unmatched"


CHILDREN_KEPT = 2048
_CHILDREN: dict[tuple[str, str, int], tuple] = {}


def _children(endpoint: str, method: str, status: int) -> tuple:
    """The request metrics' samples for this endpoint, method and status, found once per
    process (`labels()` takes a lock and builds its key on every call: a tenth of a
    member's page's hooks)."""
    key = (endpoint, method, status)
    found = _CHILDREN.get(key)
    if found is None:
        found = (REQUEST_SECONDS.labels(endpoint, method), SQL_STATEMENTS.labels(endpoint),
                 REQUESTS.labels(endpoint, method, str(status)))
        if len(_CHILDREN) < CHILDREN_KEPT:  # (a client chooses the method it sends)
            _CHILDREN[key] = found
    return found


def init_app(app: Flask) -> None:
    app.config.setdefault("METRICS_TOKEN", os.environ.get("METRICS_TOKEN"))
    app.register_blueprint(bp)

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()

    @app.teardown_request
    def observe(exc=None):
        started = g.pop("request_started", None)
        if started is None:
            return
        seconds, statements, answered = _children(_endpoint(), request.method,
                                                  g.get("response_status", 500))
        seconds.observe(time.perf_counter() - started)
        answered.inc()
        statements.observe(g.get("sql_statements", 0))

    @app.after_request
    def remember_status(response):
        g.response_status = response.status_code
        return response


REGISTRY.register(_GaugeCollector())


def registry() -> CollectorRegistry:
    """All workers' samples (multiprocess mode) or this process's, plus the gauges."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_GaugeCollector())
    return registry


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        abort(404)
    response = Response(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
