"""The shared endings of write views (forum/handlers.py): complete, preview_or_save, act,
settle."""
from __future__ import annotations

import pytest
from flask import get_flashed_messages
from sqlalchemy import select

from forum.accounts.models import User
from forum.errors import Invalid, PermissionDenied, Refused
from forum.extensions import db
from forum.handlers import act, settle
from forum.urls import page_count, page_of


def _bio(user_id: int) -> str:
    return db.session.scalar(select(User.bio).where(User.id == user_id))


def test_act_commits_once_says_so_and_redirects(app, make):
    member = make.user()
    with app.test_request_context("/", method="POST"):
        def do():
            db.session.get(User, member.id).bio = "changed"
            return 3
        response = act(do, "/back", lambda n: f"{n} things done.")
        assert response.status_code == 302 and response.location == "/back"
        assert get_flashed_messages(with_categories=True) == [("success", "3 things done.")]
    with app.app_context():
        assert _bio(member.id) == "changed"


def test_act_refused_keeps_nothing_and_says_why(app, make):
    member = make.user()
    with app.test_request_context("/", method="POST"):
        def do():
            db.session.get(User, member.id).bio = "half done"
            raise Invalid("That cannot be done now.")
        response = act(do, "/back", "Done.")
        assert response.status_code == 302 and response.location == "/back"
        assert get_flashed_messages(with_categories=True) == [("info", "That cannot be done now.")]
    with app.app_context():
        assert _bio(member.id) != "half done"


def test_act_with_nothing_to_say_sets_no_message(app):
    with app.test_request_context("/", method="POST"):
        assert act(lambda: None, "/x").status_code == 302
        assert get_flashed_messages() == []


def test_settle_commits_once_and_returns_the_result(app, make):
    member = make.user()
    with app.test_request_context("/", method="POST"):
        def do():
            db.session.get(User, member.id).bio = "settled"
            return "page"
        assert settle(do) == "page"
    with app.app_context():
        assert _bio(member.id) == "settled"


@pytest.mark.parametrize("error, kept", [(Invalid("no"), False), (PermissionDenied(), False),
                                         (Refused("no, and noted"), True)])
def test_settle_raises_again_keeping_only_a_refused_attempt(app, make, error, kept):
    member = make.user()
    with app.test_request_context("/", method="POST"):
        def do():
            db.session.get(User, member.id).bio = "attempt"
            raise error
        with pytest.raises(type(error)):
            settle(do)
    with app.app_context():
        assert (_bio(member.id) == "attempt") is kept


def test_page_count_and_page_of():
    assert [page_count(n, 25) for n in (0, 1, 25, 26, 50, 51)] == [1, 1, 1, 2, 2, 3]
    assert [page_of(p, 25) for p in (1, 25, 26, 50, 51)] == [1, 1, 2, 2, 3]
