"""Members' time zones: a setting (the browser's zone offered when script runs, UTC
without), times on pages shown in the member's zone, and article scheduling read in the
author's zone and stored in UTC."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from forum import clock
from forum.accounts.models import Role, User
from forum.board.models import Topic
from forum.extensions import db

from tests.articles.test_articles import _form


def _title_of_first_time(page: str) -> str:
    return re.search(r'<span class="post-date"><time [^>]*title="([^"]+)"', page,
                     re.S).group(1)


def test_member_chooses_a_zone_and_sees_times_in_it(app, client, make, login):
    member = make.user()
    topic = make.topic()
    with app.app_context():
        created = db.session.get(Topic, topic.id).created_at
    login(member)
    page = client.get("/settings/time-zone")
    assert page.status_code == 200
    assert 'data-browser-zone' in page.text and "time-zone.js" in page.text
    assert '<option selected value="">' in page.text  # UTC, the site's time, until chosen
    path = f"/t/{topic.id}-{topic.slug}"
    assert _title_of_first_time(client.get(path).text).endswith(
        f"{created:%H:%M} UTC")
    bad = client.post("/settings/time-zone", data={"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    saved = client.post("/settings/time-zone", data={"time_zone": "Asia/Kolkata"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(User, member.id).time_zone == "Asia/Kolkata"
    local = created.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Asia/Kolkata"))
    assert _title_of_first_time(client.get(path).text).endswith(f"{local:%H:%M} IST")
    # Machine-readable times stay in UTC.
    assert f'datetime="{created.replace(microsecond=0).isoformat()}Z"' in client.get(path).text
    # Back to the site's time.
    client.post("/settings/time-zone", data={"time_zone": ""})
    assert _title_of_first_time(client.get(path).text).endswith("UTC")


def test_articles_are_scheduled_in_the_authors_zone(app, client, make, login):
    author = make.user(role=Role.STAFF, time_zone="America/New_York")
    login(author)
    form = client.get("/articles/new").text
    assert "Publish at (America/New_York)" in form
    when = (clock.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0,
                                                      microsecond=0)
    response = client.post("/articles/new", data=_form(
        status="schedule", publish_at=when.strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 302, response.text
    with app.app_context():
        topic = db.session.scalar(select(Topic))
        expected = when.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(
            ZoneInfo("UTC")).replace(tzinfo=None)
        assert topic.publish_at == expected
        topic_id = topic.id
    # The edit form shows the time as it was typed, in the author's zone.
    edit = client.get(f"/articles/{topic_id}/edit").text
    assert f'value="{when:%Y-%m-%dT%H:%M}"' in edit

