"""Checks a request owes before its answer may go, sent in its one Redis round trip, and the
request made once more when a check finds its answer was made from something out of date.

A member's page asked Redis twice: whether the kept member was still current (the member
cache's generation, forum/accounts/membercache.py) before anything else, then the page's
kept fragments. A round trip costs a worker more CPU than anything it carries (waking,
two system calls, redis-py's pool: ~130 us against ~55 us for a second command in the same
trip, bench/README.md), so a GET may be made with what was kept, and the check *owed*:

- `owe(check)`: the check rides the request's next round trip (pagecache's look-up of its
  fragments, `riders()`), or is sent alone when the answer is ready (`settle`, the last
  thing before it goes), so no answer leaves without it;
- a check that finds the request used something out of date raises `Outdated`; the answer
  made so far is dropped and the request is made once more from the start (`Redo`, around
  the whole app), where nothing is assumed (`may_assume()` is false).

Only a GET or HEAD is made again: one that wrote (a read mark, a view counted) writes again,
which those writes allow (a read mark only moves forward; a view counted twice is a view).
Redis not answering is as if the check found the request out of date.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import redis
from flask import Flask, Response, current_app, g, request

from .redisconn import Trip, redis_client

REDOABLE = "forum.redoable"  # environ: this request may be made again
_OWED = "_forum_owed_checks"
_MARK = "X-Forum-Made-Again"  # on the dropped answer, never sent
_METHODS = ("GET", "HEAD")


class RidesAlong(Protocol):
    """Redis commands sent in another's round trip (pagecache.kept_fragments(..., along=);
    the topic page's view count, board/viewcount.py; the checks owed here)."""

    def queue(self, pipe: Trip) -> None:
        """Add the commands to the round trip (redisconn.Trip)."""

    def answered(self, answers: list) -> None:
        """Their answers, in order. Not called when they did not go (no fragment to look
        up, no Redis, Redis away): then the page sends them itself."""


class Check(RidesAlong, Protocol):
    def unanswered(self) -> None:
        """Redis did not answer: as if out of date (raise Outdated), or nothing to check."""


class Outdated(Exception):
    """The request was made with something that changed meanwhile: made again (`Redo`)."""


class GenerationCheck:
    """A Check that a counter in Redis (`key`: a generation, which writes move) still reads
    `expected`, the one what the request used was kept under. What it reads goes to
    `learn`; if it moved (or Redis did not answer), `still_current(generation)` reads what
    the request used again (keeping it under that generation) and says whether it is the
    same: if not, the request is made again (the member cache, kept rows)."""

    def __init__(self, key: str, expected: int, learn: Callable[[int], None],
                 still_current: Callable[[int | None], bool]) -> None:
        self.key, self.expected = key, expected
        self.learn, self.still_current = learn, still_current

    def queue(self, pipe) -> None:
        pipe.get(self.key)

    def answered(self, answers: list) -> None:
        try:  # (none: a new or flushed Redis, as if it moved)
            generation = None if answers[0] is None else int(answers[0])
        except ValueError:
            generation = None
        if generation is not None:
            self.learn(generation)
        self._found(generation)

    def unanswered(self) -> None:
        self._found(None)

    def _found(self, generation: int | None) -> None:
        if generation is not None and generation == self.expected:
            return
        if not self.still_current(generation):
            raise Outdated


def may_assume() -> bool:
    """Whether this request may use what it has to check later (a GET or HEAD, not already
    made again, in an app that can make it again)."""
    return request.environ.get(REDOABLE) is True


def owe(check: Check) -> None:
    g.setdefault(_OWED, []).append(check)


def riders() -> list[Check]:
    """The checks owed, taken by the round trip that will send them."""
    return g.pop(_OWED, [])


def answered(checks: list[Check], answers: list) -> list:
    """Give each check its answer (one command each, first in the trip); the rest of the
    answers, for the trip's own commands. Raises Outdated."""
    for check, answer in zip(checks, answers):
        check.answered([answer])
    return answers[len(checks):]


def unanswered(checks: list[Check]) -> None:
    for check in checks:
        check.unanswered()


def settle(response: Response) -> Response:
    """The first after_request (registered last): the checks no round trip took, sent
    together, before anything keeps or logs the answer."""
    checks = riders()
    if not checks:
        return response
    try:
        try:
            trip = Trip(redis_client(current_app))
            for check in checks:
                check.queue(trip)
            answers = trip.execute()
        except redis.RedisError:
            unanswered(checks)
        else:
            answered(checks, answers)
    except Outdated:
        return made_again()
    return response


def made_again() -> Response:
    """The answer dropped (logged and counted as a redirect to itself, which it is). A
    request that may not be made again assumed nothing, so has no check to fail: should one
    fail all the same, it is asked to try again, never sent the mark."""
    if not may_assume():
        return Response("Please try again.", 503, {"Retry-After": "1"})
    response = Response("", 307)
    response.headers[_MARK] = "1"
    return response


class Redo:
    """Around the app: a GET or HEAD whose answer says it was made from something out of
    date is made once more, from the request as it came (its answer is never sent)."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in _METHODS:
            return self.wsgi_app(environ, start_response)
        pristine = dict(environ)
        outdated = False

        def first(status, headers, exc_info=None):
            nonlocal outdated
            if any(name == _MARK for name, _ in headers):
                outdated = True
                return lambda data: None
            return start_response(status, headers, exc_info)

        environ[REDOABLE] = True
        body = self.wsgi_app(environ, first)
        if not outdated:
            return body
        if hasattr(body, "close"):
            body.close()
        return self.wsgi_app(pristine, start_response)


def init_app(app: Flask) -> None:
    """Last in create_app: the checks are settled before any other after_request runs (they
    run last registered first) and Redo is the outermost wrapper."""
    app.register_error_handler(Outdated, lambda error: made_again())
    app.after_request(settle)
    app.wsgi_app = Redo(app.wsgi_app)
