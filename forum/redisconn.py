"""One Redis client per app, for the features that share state between app servers (the
page cache, buffered view counts, readiness). None when REDIS_URL is not set.

Timeouts are short: when Redis is away, a page is rendered without the cache rather than
waiting on it. (A client made from a URL does not retry with back-off, as one made with
redis.Redis(host=...) does, for up to eight seconds here: tests/test_redis_trip.py.)
"""
from __future__ import annotations

import redis
from flask import Flask


def redis_client(app: Flask) -> redis.Redis | None:
    if "forum.redis" not in app.extensions:
        url = app.config.get("REDIS_URL")
        timeout = float(app.config.get("REDIS_TIMEOUT", 0.5))
        app.extensions["forum.redis"] = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout,
            health_check_interval=30) if url else None
    return app.extensions["forum.redis"]


class Trip:
    """Commands for one round trip to Redis, sent together on one pooled connection and
    answered in order: what a page asks of Redis (pagecache.RedisStore.fetch_many, the
    checks roundtrip.settle sends). It stands for redis-py's pipeline, whose object, retry
    wrapper and per-command bookkeeping cost a worker some 40 us a trip, a tenth of the
    trip (issue 15); the commands it takes are the few the page's look-ups use.

    Answers are Redis's own (bytes or None, lists, integers). An error answer is raised as
    redis.ResponseError once every answer is read; a connection that fails is closed, never
    given back to the pool half read, and the error (a redis.RedisError) is raised: the
    callers then do without Redis for this request, as they do when it is away. It is
    tried once: a page waits at most REDIS_TIMEOUT to connect, and as long for answers."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._commands: list[tuple] = []

    def get(self, key: str) -> None:
        self._commands.append(("GET", key))

    def mget(self, keys: list[str]) -> None:
        self._commands.append(("MGET", *keys))

    def getrange(self, key: str, start: int, end: int) -> None:
        self._commands.append(("GETRANGE", key, start, end))

    def hincrby(self, name: str, key: str, amount: int = 1) -> None:
        self._commands.append(("HINCRBY", name, key, amount))

    def execute(self) -> list:
        if not self._commands:
            return []
        pool = self._client.connection_pool
        connection = pool.get_connection()
        try:
            connection.send_packed_command([_packed(self._commands)])
            answers = []
            for _ in self._commands:
                try:
                    answers.append(connection.read_response())
                except redis.ResponseError as error:  # read the rest all the same
                    answers.append(error)
        except BaseException:
            connection.disconnect()
            raise
        finally:
            pool.release(connection)
        for answer in answers:
            if isinstance(answer, redis.ResponseError):
                raise answer
        return answers


def _packed(commands: list[tuple]) -> bytes:
    """The commands in Redis's protocol (RESP arrays of bulk strings), as redis-py's
    Connection.pack_commands writes them (tests/test_redis_trip.py compares), in a third of
    its time (~11 us against ~33 for a topic page's trip): arguments are text, bytes or
    integers only."""
    parts = []
    for command in commands:
        parts.append(b"*%d\r\n" % len(command))
        for argument in command:
            if isinstance(argument, str):
                argument = argument.encode()
            elif isinstance(argument, int):
                argument = b"%d" % argument
            elif not isinstance(argument, bytes):
                raise TypeError(f"a Redis argument must be text, bytes or an integer: {argument!r}")
            parts.append(b"$%d\r\n%s\r\n" % (len(argument), argument))
    return b"".join(parts)
