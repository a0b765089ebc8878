"""Backups: `pg_dump -Fc` of a populated forum, `pg_restore` into a new database, and the
app on the copy serves the same pages, counts and uploaded files (database storage, the
deploy default), and takes new writes (docs/operations.md)."""
from __future__ import annotations

import os
import shutil
import subprocess

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from forum import create_app
from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.board.viewcount import views
from forum.config import TestConfig
from forum.extensions import db
from forum.polls import services as polls
from forum.uploads import services as uploads
from forum.uploads.models import Attachment
from tests.conftest import config_dict
from tests.factories import Factory
from tests.uploads.test_uploads import PDF

pytestmark = pytest.mark.service
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def databases():
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are needed (apt-get install postgresql-client)")
    try:
        admin = psycopg.connect(ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL on 127.0.0.1 is needed: {error}")
    names = [f"forum_backup_{kind}_{os.getpid()}" for kind in ("live", "restored")]
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{names[0]}"')
    yield [f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}" for name in names], admin
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _app(url: str):
    return create_app({**config_dict(TestConfig), "SQLALCHEMY_DATABASE_URI": url,
                       "UPLOAD_STORAGE": "database"})


def _populate(app) -> int:
    make = Factory(app)
    author, other = make.user(), make.user()
    forum = make.forum("Records", slug="records")
    topic = make.topic(author=author, forum=forum, title="Retention schedules", replies=4,
                       repliers=[author, other])
    make.topic(forum=forum, title="Email archiving")
    with app.app_context():
        t = db.session.get(Topic, topic.id)
        reply = board.post_reply(db.session.get(User, other.id), t, "Hidden later.")
        board.hide_post(db.session.get(User, other.id), reply, "mine")
        poll = polls.create_poll(db.session.get(User, author.id), t, "Which?", ["A", "B"])
        db.session.flush()
        polls.cast_vote(db.session.get(User, other.id), poll, [poll.options[0].id])
        shared = board.post_reply(db.session.get(User, author.id), t, "The schedule, attached.")
        uploads.attach(db.session.get(User, author.id), shared, [("schedule.pdf", PDF)], [])
        db.session.commit()
    return topic.id


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _pages(app, topic_id: int) -> dict[str, bytes]:
    views._pending.clear()  # both apps live in this process, and so share its view buffer
    client = app.test_client()
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        urls = ["/", "/f/records", f"/t/{topic.id}-{topic.slug}", "/feeds/latest.atom",
                f"/u/{topic.author.display_name}"]
    return {url: client.get(url).data for url in urls}


def test_pg_dump_and_pg_restore_give_a_forum_with_the_same_pages_and_counts(databases, tmp_path):
    (live_url, restored_url), admin = databases
    live = _app(live_url)
    with live.app_context():
        upgrade()
    topic_id = _populate(live)
    dump = tmp_path / "forum.dump"
    plain = live_url.replace("+psycopg", "")
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), plain], check=True)
    admin.execute(f'CREATE DATABASE "{restored_url.rsplit("/", 1)[1]}"')
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d",
                    restored_url.replace("+psycopg", ""), str(dump)], check=True)
    restored = _app(restored_url)
    try:
        counts = _counts(live)
        assert counts["posts"] >= 8 and counts["poll_votes"] == 1
        assert counts["upload_blobs"] == counts["attachments"] == 1
        assert _counts(restored) == counts
        assert _pages(restored, topic_id) == _pages(live, topic_id)
        with restored.app_context():
            attachment = db.session.scalar(select(Attachment))
        assert restored.test_client().get(f"/files/{attachment.id}/schedule.pdf").data == PDF
        with restored.app_context():  # sequences came back too: new rows get new ids
            assert db.session.scalar(text("SELECT version_num FROM alembic_version"))
            topic = db.session.get(Topic, topic_id)
            reply = board.post_reply(topic.author, topic, "Written after the restore.")
            db.session.commit()
            assert reply.id > counts["posts"]
        assert restored.test_client().get("/readyz").status_code == 200
    finally:
        for app in (live, restored):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
