"""dbutil.in_ids: a list of integer ids bound by name, one array parameter on PostgreSQL.

An expanding IN list is rendered afresh for every request (one placeholder per id, which
psycopg then splits again), and its text changes with the number of ids, so PostgreSQL
cannot keep one prepared statement for it. The member's unread marks on the home page, the
latest page and a forum page, their helpful marks on a topic page and the groups a profile
shows them bind their ids with in_ids.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from forum.accounts import services as account_services
from forum.accounts.models import Role, User
from forum.board import queries as board_queries
from forum.board.models import Forum, Post
from forum.dbutil import in_ids
from forum.extensions import db
from forum.groups import queries as group_queries
from forum.notify import queries as notify_queries
from forum.polls import services as poll_services

HOT_STATEMENTS = {
    "home page, every forum readable": lambda: notify_queries._unread_forums_statement(
        (True, False)),
    "home page, some forums readable": lambda: notify_queries._unread_forums_statement(
        (False, True)),
    "latest page": notify_queries._unread_topics_statement,
    "forum page": notify_queries._forum_state_statement,
    "topic page's helpful marks": poll_services._helpful_marks_statement,
    "profile's groups": lambda: group_queries._shown_groups_statement(False),
}


@pytest.mark.parametrize("name", sorted(HOT_STATEMENTS))
def test_on_postgresql_the_unread_statements_bind_their_ids_as_one_array(name):
    compiled = HOT_STATEMENTS[name]().compile(dialect=postgresql.psycopg.dialect())
    sql = str(compiled)
    assert "POSTCOMPILE" not in sql, sql  # an expanding IN list
    assert "= ANY (" in sql and "::INTEGER[]" in sql, sql


EVERY_PAGE = {
    "a member's own row and session facts": lambda: account_services._session_statement()[1],
    "a topic page's topic": lambda: board_queries._topic_statement(True)[1],
    "a topic page's topic, its body kept": lambda: board_queries._topic_statement(False)[1],
}


@pytest.mark.parametrize("name", sorted(EVERY_PAGE))
def test_the_statements_of_every_page_render_no_list_per_run(app, name):  # app: every fact
    """An expanding IN list is rendered into the statement's text at every run: the member's
    statement had one (the roles that see moderation's count), on every page."""
    sql = str(EVERY_PAGE[name]().compile(dialect=postgresql.psycopg.dialect()))
    assert "POSTCOMPILE" not in sql, sql


def test_a_moderator_still_sees_what_waits_and_a_member_does_not(client, make, login):
    reporter, author = make.user(), make.user()
    topic = make.topic(author=author, replies=1)
    login(reporter)
    with client.application.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id,
                                                          Post.position == 2))
    assert client.post(f"/p/{post_id}/report", data={"reason": "spam",
                                                     "details": "Selling things."}
                       ).status_code == 302
    assert "Moderation" not in client.get("/").text.split("</nav>")[0]
    for role in (Role.MODERATOR, Role.ADMIN):
        page = login(make.user(role=role), client=client.application.test_client()).get("/")
        assert "Moderation <span class=\"notify-count\">(1" in page.text, role


def test_elsewhere_the_ids_are_an_expanding_in_list():
    sql = str(select(Forum.id).where(in_ids(Forum.id, "ids")).compile(
        dialect=sqlite.dialect()))
    assert "forums.id IN (__[POSTCOMPILE_ids])" in sql, sql


def test_the_same_statement_matches_exactly_the_ids_given_however_many(ctx, make):
    forums = [make.forum(title=f"Forum {i}", slug=f"forum-{i}") for i in range(5)]
    ids = [forum.id for forum in forums]
    statement = select(Forum.id).where(in_ids(Forum.id, "ids")).order_by(Forum.id)
    for wanted in ([], [ids[2]], ids[:3], ids, ids + ids[:2], [ids[0], 2_000_000_000]):
        assert list(db.session.scalars(statement, {"ids": wanted})) == sorted(
            set(wanted) & set(ids)), wanted


def test_a_member_whose_group_reads_a_restricted_forum_sees_its_unread_mark(app, make):
    """The home page's statement for a member who reads some restricted forums binds them as
    a second list (`readable`)."""
    insider = make.user(name="Insider Person", email="insider@example.gov")
    outsider = make.user(name="Outsider Person")
    author = make.user(name="Writer Person")
    secret = make.forum(title="Secret", slug="secret")
    public = make.forum(title="Public", slug="public")
    make.topic(author=author, forum=secret, title="Only for the team")
    make.topic(author=author, forum=public, title="For everyone")
    runner = app.test_cli_runner()
    for args in (["groups", "create", "Tax team"],
                 ["groups", "add-member", "Tax team", "insider@example.gov"],
                 ["forums", "restrict", "secret", "--group", "Tax team", "--can", "read"]):
        result = runner.invoke(args=["forum", *args])
        assert result.exit_code == 0, result.output
    with app.app_context():
        forum_ids = [secret.id, public.id]
        assert notify_queries.unread_forum_ids(
            db.session.get(User, insider.id), forum_ids) == {secret.id, public.id}
        assert notify_queries.unread_forum_ids(
            db.session.get(User, outsider.id), forum_ids) == {public.id}
