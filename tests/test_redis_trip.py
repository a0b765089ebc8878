"""redisconn.Trip: the page's commands in one round trip on a pooled connection, answered
in order; an error answer raised only once every answer is read (the connection stays in
step for the next trip); Redis away is a redis.RedisError within the timeout."""
from __future__ import annotations

import socket
import time
import uuid

import pytest
import redis
from flask import Flask

from forum.redisconn import Trip, _packed, redis_client

REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def client():
    client = redis.Redis.from_url(REDIS, socket_timeout=0.5, socket_connect_timeout=0.5)
    prefix = f"forum-test-trip-{uuid.uuid4().hex}:"
    yield client, prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_answers_come_in_order_on_one_connection(client, monkeypatch):
    client, prefix = client
    client.set(f"{prefix}a", b"alpha")
    sent = []
    real = redis.connection.Connection.send_packed_command
    monkeypatch.setattr(redis.connection.Connection, "send_packed_command",
                        lambda self, command, check_health=True: (
                            sent.append(command), real(self, command, check_health))[1])
    trip = Trip(client)
    trip.get(f"{prefix}a")
    trip.mget([f"{prefix}a", f"{prefix}missing"])
    trip.hincrby(f"{prefix}h", "7", 2)
    trip.getrange(f"{prefix}a", 0, 2)
    assert trip.execute() == [b"alpha", [b"alpha", None], 2, b"alp"]
    assert len(sent) == 1  # one send: one round trip
    assert Trip(client).execute() == []


def test_an_error_answer_is_raised_after_every_answer_is_read(client):
    client, prefix = client
    client.set(f"{prefix}s", b"text")
    trip = Trip(client)
    trip.hincrby(f"{prefix}s", "1")  # WRONGTYPE: a string, not a hash
    trip.get(f"{prefix}s")
    with pytest.raises(redis.ResponseError):
        trip.execute()
    again = Trip(client)  # the pooled connection is still in step
    again.get(f"{prefix}s")
    assert again.execute() == [b"text"]


def test_redis_away_is_a_redis_error_within_the_timeout():
    """With the app's client (redisconn.redis_client, made from a URL): no back-off between
    tries (a client made with redis.Redis(host=...) waited ~8 s here before giving up)."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = Flask(__name__)
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    trip = Trip(redis_client(app))
    trip.get("anything")
    started = time.monotonic()
    with pytest.raises(redis.RedisError):
        trip.execute()
    assert time.monotonic() - started < 2


def test_commands_are_packed_as_redis_py_packs_them(client):
    client, prefix = client
    commands = [("GET", f"{prefix}é"), ("MGET", "a", b"b\r\n", "c"), ("HINCRBY", "h", "7", 1),
                ("GETRANGE", "k", 0, 120)]
    connection = client.connection_pool.get_connection()
    try:
        assert _packed(commands) == b"".join(connection.pack_commands(commands))
    finally:
        client.connection_pool.release(connection)
    with pytest.raises(TypeError):
        _packed([("GET", 1.5)])
