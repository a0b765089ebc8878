"""The moderation log reads as sentences about things: titles and names linked to what they
are about (not "topic #78"), changed fields as before → after, and a CSV with ISO 8601
times with their UTC offset, one column per changed field and no Python reprs."""
from __future__ import annotations

import csv
import io
import re

from forum.accounts.models import Role
from forum.board.models import Post
from forum.extensions import db

from .test_moderation import moderator  # noqa: F401 (fixture)


def test_log_links_targets_by_title_and_name(client, app, make, moderator):
    author = make.user("Alice Author")
    topic = make.topic(author=author, title="Old name", replies=1)
    with app.app_context():
        reply = db.session.scalar(db.select(Post).where(Post.topic_id == topic.id,
                                                        Post.position == 2))
        reply_id = reply.id
    client.post(f"/t/{topic.id}/moderate/rename", data={"title": "A clearer name",
                                                         "reason": "Clarity"})
    client.post(f"/p/{reply_id}/hide", data={"reason": "Off topic"})
    suspended = make.user("Sus Pended")
    client.post("/u/Sus Pended/suspend", data={"length": "7", "reason": "Cooling off"})
    page = client.get("/moderation/log").text
    assert "topic #" not in page and "post #" not in page
    assert re.search(rf'<a href="/t/{topic.id}-[^"]*">A clearer name</a>', page), page
    assert re.search(rf'<a href="[^"]*#post-{reply_id}">[^<]*A clearer name[^<]*</a>', page)
    assert f'<a href="/u/{suspended.display_name.replace(" ", "%20")}">Sus Pended</a>' in page
    assert "title: Old name &rarr; A clearer name" in page
    # The member's history on their profile reads the same way.
    profile = client.get("/u/Alice Author").text
    assert "topic #" not in profile and "post #" not in profile
    assert re.search(rf'<a href="/t/{topic.id}-[^"]*">A clearer name</a>', profile)


def test_log_csv_has_iso_times_with_offset_and_a_column_per_field(client, app, make,
                                                                  moderator):
    topic = make.topic(title="Plain topic")
    client.post(f"/t/{topic.id}/moderate/lock", data={"reason": "=HYPERLINK(\"x\")"})
    client.post(f"/t/{topic.id}/moderate/rename", data={"title": "Renamed topic",
                                                         "reason": "ok"})
    text = client.get("/moderation/log.csv").text
    assert "{" not in text and "'locked'" not in text  # no dict reprs
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row["when"]), row["when"]
    rename, lock = rows
    assert (rename["title before"], rename["title after"]) == ("Plain topic", "Renamed topic")
    assert (lock["locked before"], lock["locked after"]) == ("no", "yes")
    assert lock["title before"] == "" and rename["locked before"] == ""
    assert lock["target"] == "Renamed topic" and lock["target type"] == "topic"
    assert lock["reason"].startswith("'=")  # spreadsheet formulas neutralised
