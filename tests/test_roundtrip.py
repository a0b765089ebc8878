"""forum/roundtrip.py: the checks a request owes ride its one Redis round trip or are sent as
its answer is ready, and a GET whose check fails is made once more, its first answer never
sent; a request that may not be made again never is."""
from __future__ import annotations

import pytest
import redis
from flask import Flask, g

from forum import roundtrip
from tests.conftest import record_round_trips

REDIS = "redis://127.0.0.1:6379/13"


class Check:
    """A check that answers "out of date" the first `failures` times it is asked."""

    def __init__(self, log: list[str], failures: int) -> None:
        self.log, self.failures = log, failures

    def queue(self, pipe) -> None:
        pipe.get("forum-test-roundtrip:nothing")  # (no such key: None)

    def answered(self, answers: list) -> None:
        self._found(f"answered {answers[0]}")

    def unanswered(self) -> None:
        self._found("unanswered")

    def _found(self, how: str) -> None:
        self.log.append(how)
        if len(self.log) <= self.failures:
            raise roundtrip.Outdated


@pytest.fixture
def tiny():
    """An app whose pages owe a check (only when they may assume, as the member cache)."""
    app = Flask(__name__)
    app.config["REDIS_URL"] = REDIS
    app.runs, app.log, app.failures = [], [], 1

    def owe_if_assuming() -> None:
        app.runs.append(roundtrip.may_assume())
        if roundtrip.may_assume():
            roundtrip.owe(Check(app.log, app.failures))

    @app.route("/alone", methods=["GET", "POST"])
    def alone():  # the check is sent as the answer is ready
        owe_if_assuming()
        return f"answer {len(app.runs)}"

    @app.get("/riding")
    def riding():  # the check rides the page's own round trip
        owe_if_assuming()
        checks = roundtrip.riders()
        with redis.Redis.from_url(REDIS).pipeline(transaction=False) as pipe:
            for check in checks:
                check.queue(pipe)
            pipe.echo("the page's own")
            answers = pipe.execute()
        own = roundtrip.answered(checks, answers)
        g.own = own
        return f"answer {len(app.runs)}: {own[0].decode()}"

    roundtrip.init_app(app)
    return app


@pytest.mark.parametrize("path", ["/alone", "/riding"])
def test_a_get_found_out_of_date_is_made_again_and_only_its_second_answer_sent(tiny, path):
    response = tiny.test_client().get(path)
    assert response.status_code == 200
    assert response.text.startswith("answer 2")
    assert "X-Forum-Made-Again" not in response.headers
    assert tiny.runs == [True, False]  # made again assuming nothing
    assert tiny.log == ["answered None"]


@pytest.mark.parametrize("path", ["/alone", "/riding"])
def test_a_get_whose_check_holds_is_made_once(tiny, path):
    tiny.failures = 0
    response = tiny.test_client().get(path)
    assert response.text.startswith("answer 1") and tiny.runs == [True]
    assert tiny.log == ["answered None"]


def test_the_riding_check_goes_in_the_pages_round_trip(tiny):
    tiny.failures = 0
    assert tiny.test_client().get("/riding").text == "answer 1: the page's own"


def test_a_check_redis_does_not_answer_is_told_so(tiny):
    tiny.failures = 0
    tiny.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    assert tiny.test_client().get("/alone").text == "answer 1"
    assert tiny.log == ["unanswered"]


def test_checks_owed_together_go_in_one_round_trip(tiny, monkeypatch):
    tiny.failures = 0
    trips = record_round_trips(monkeypatch)

    @tiny.before_request
    def owe_another() -> None:
        if roundtrip.may_assume():
            roundtrip.owe(Check(tiny.log, tiny.failures))
    assert tiny.test_client().get("/alone").text == "answer 1"
    assert trips[-1] == ["GET", "GET"], trips  # (after the connection's own set-up)
    assert tiny.log == ["answered None", "answered None"]


def test_a_post_is_never_made_again(tiny):
    """A POST may not assume, so owes nothing here; one that failed a check all the same is
    asked to try again, and the mark of a dropped answer is never sent."""
    tiny.failures = 5

    @tiny.before_request
    def owe_anyway() -> None:
        roundtrip.owe(Check(tiny.log, tiny.failures))
    response = tiny.test_client().post("/alone")
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert "X-Forum-Made-Again" not in response.headers
    assert tiny.runs == [False]
