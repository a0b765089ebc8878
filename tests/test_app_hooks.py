"""Flask asks of each hook and view, on every request, whether it is an `async def`
function (`ensure_sync`): fifteen `inspect.iscoroutinefunction` calls for a cached
visitor's page, 6% of its CPU in-process (issue 15). The app asks once per function."""
from __future__ import annotations

import flask.app
import pytest


def test_each_hook_and_view_is_asked_once_whether_it_is_async(app, client, monkeypatch):
    asked = []
    original = flask.app.iscoroutinefunction

    def counting(func):
        asked.append(func)
        return original(func)
    monkeypatch.setattr(flask.app, "iscoroutinefunction", counting)
    # the app is shared by the tests of this process: start from what a new one knows
    monkeypatch.setattr(app, "sync_checked", set())
    assert client.get("/articles").status_code == 200
    first = len(asked)
    assert first > 5  # the request's hooks and its view were asked about
    assert client.get("/articles").status_code == 200
    assert len(asked) == first


def test_an_async_function_is_still_refused_and_a_requests_own_are_not_kept(app, monkeypatch):
    monkeypatch.setattr(app, "sync_checked", set())  # the shared app's own is left as it was
    async def answer():
        return "from a coroutine"
    # The forum leaves out Flask's async support (asgiref): an async view is refused, the
    # second time as the first.
    for _ in range(2):
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(answer)

    def plain():
        return "plain"
    assert app.ensure_sync(plain) is plain and app.ensure_sync(plain) is plain
    # Functions made for one request (after_this_request) do not pile up: bounded.
    for _ in range(3000):
        app.ensure_sync(lambda response: response)
    assert len(app.sync_checked) <= app.SYNC_CHECKED_LIMIT
