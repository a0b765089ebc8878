"""The demo's link library: every entry of the old page, with its facts."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.board.models import Pin, Topic, TopicKind
from forum.demo import library as demo
from forum.extensions import db
from forum.library.models import PLACEHOLDER_PREFIX, LinkEntry

SEED_VIEWS = [263, 192, 180, 220, 455, 372, 443, 547, 303, 398, 370, 382, 373, 210, 245, 202,
              510, 457, 441, 625, 278, 9, 207, 343, 231, 193, 210, 248, 267, 335, 281, 129,
              123, 305, 216, 329, 302, 294, 233, 143, 176, 142, 168, 308, 208, 198]


def test_the_demo_library_has_all_46_entries_with_the_old_facts(app, client, make):
    curator = make.user(demo.CURATOR, role=Role.STAFF)
    with app.app_context():
        demo.load({demo.CURATOR: db.session.get(User, curator.id)})
        db.session.commit()
        links = db.session.scalars(select(LinkEntry).order_by(LinkEntry.id)).all()
        assert len(links) == len(demo.LINKS) == 46
        assert [link.click_count for link in links] == SEED_VIEWS
        assert {link.section for link in links} == {
            "What's Happening With Public Sector Customer Service Initiatives"}
        assert sum(link.source_author is None for link in links) == 6  # the "by na" ones
        assert links[1].source_author == "McKinsey"
        assert all(link.url.startswith(PLACEHOLDER_PREFIX) for link in links)
        assert len({link.url for link in links}) == 46
        for link in links:
            topic = link.topic
            assert (topic.kind, topic.pinned) == (TopicKind.LINK, Pin.FORUM)
            assert topic.forum.slug == "link-library"
            sentences = re.findall(r"[.!?](?:\s|$)", topic.first_post.body_source)
            assert 1 <= len(sentences) <= 3, topic.first_post.body_source
        assert db.session.scalar(select(func.count(Topic.id))) == 46
    page = client.get("/library").text
    assert page.count('class="link-entry') == 46
    assert "Views so far 625" in page and "by McKinsey" in page and "by na" not in page
