"""Articles: who may write them, drafts and scheduling, excerpts, series, tags, revisions."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import clock
from forum.accounts.models import Role, User
from forum.articles import services as articles
from forum.articles.models import Article
from forum.board import services as board
from forum.board.models import Forum, Pin, PostRevision, Topic, TopicStatus
from forum.errors import Invalid, PermissionDenied
from forum.extensions import db
from tests.articles.helpers import path, write

LONG_BODY = " ".join(f"word{n}" for n in range(1, 80))


def _form(**fields):
    data = {"title": "Why front-line staff need backing", "body": "The body of it.",
            "status": "publish", "submit": "Save article"}
    data.update(fields)
    return data


@pytest.mark.parametrize("role", [Role.MEMBER])
def test_members_get_403_on_writing_or_editing_articles(client, make, login, role, app):
    staff = make.user(role=Role.STAFF)
    topic = write(app, staff)
    login(make.user(role=role))
    assert client.get("/articles/new").status_code == 403
    assert client.post("/articles/new", data=_form()).status_code == 403
    assert client.get(f"/articles/{topic.id}/edit").status_code == 403
    assert client.post(f"/articles/{topic.id}/edit", data=_form()).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.topic_id))) == 1
    assert "Write an article" not in client.get("/articles").text


def test_the_service_refuses_members_too(app, make):
    member = make.user()
    with app.app_context(), pytest.raises(PermissionDenied):
        articles.create_article(db.session.get(User, member.id),
                                articles.ArticleData(title="Sneaky", body="Text"))


@pytest.mark.parametrize("role", [Role.STAFF, Role.MODERATOR, Role.ADMIN])
def test_staff_write_an_article_pinned_in_the_articles_forum(client, make, login, app, role):
    login(make.user(role=role))
    response = client.post("/articles/new", data=_form(tags="customer service, Managers"))
    assert response.status_code == 302
    with app.app_context():
        topic = db.session.scalar(select(Topic))
        assert topic.kind.value == "article" and topic.pinned == Pin.FORUM
        assert topic.forum.slug == "articles" and topic.is_published
        assert sorted(t.name for t in topic.tags) == ["Managers", "customer service"]
        assert topic.forum.topic_count == 1 and topic.publish_at is not None
    assert response.headers["Location"].endswith(path(topic))
    page = client.get(path(topic)).text
    assert "Staff article" in page and "customer service" in page


def test_articles_sit_above_ordinary_topics_in_their_forum(client, make, app):
    staff = make.user(role=Role.STAFF)
    article = write(app, staff, title="The pinned article",
                    now=clock.now() - timedelta(days=30))
    with app.app_context():
        forum = db.session.get(Forum, article.forum_id)
        board.create_topic(db.session.get(User, staff.id), forum, "A newer ordinary topic",
                           "Text")
        db.session.commit()
    page = client.get("/f/articles").text
    assert page.index("The pinned article") < page.index("A newer ordinary topic")


def test_members_comment_on_articles(client, make, login, app):
    topic = write(app, make.user(role=Role.STAFF))
    login(make.user())
    response = client.post(f"/t/{topic.id}/reply", data={"body": "Thanks, useful.",
                                                         "submit": "Post reply"})
    assert response.status_code == 302
    assert "Thanks, useful." in client.get(path(topic)).text


def test_drafts_are_404_to_everyone_but_staff(client, make, login, app):
    author = make.user(role=Role.STAFF)
    topic = write(app, author, title="A draft about queues", status="draft",
                  tags="queues")
    assert client.get(path(topic)).status_code == 404
    assert "A draft about queues" not in client.get("/articles").text
    assert client.get("/tags/queues").status_code == 200
    assert "A draft about queues" not in client.get("/tags/queues").text
    login(make.user())
    assert client.get(path(topic)).status_code == 404
    client.post("/logout")
    login(make.user(role=Role.STAFF))
    page = client.get(path(topic))
    assert page.status_code == 200 and "Only staff can see this draft" in page.text
    assert "A draft about queues" in client.get("/articles").text  # the staff list
    with app.app_context():
        assert db.session.get(Topic, topic.id).forum.topic_count == 0


def test_scheduled_articles_appear_on_their_own_when_the_time_comes(client, make, login, app):
    author = make.user(role=Role.STAFF)
    when = clock.now() + timedelta(hours=2)
    topic = write(app, author, title="Coming soon: a series on phones", status="schedule",
                  publish_at=when, tags="phones", series="Phones", series_part=1)
    for url in (path(topic),):
        assert client.get(url).status_code == 404
    for url in ("/articles", "/tags/phones", "/series/phones"):
        assert "Coming soon" not in client.get(url).text
    login(make.user())
    assert client.get(path(topic)).status_code == 404
    clock.advance(timedelta(hours=2, minutes=1))
    assert client.get(path(topic)).status_code == 200
    for url in ("/articles", "/tags/phones", "/series/phones"):
        assert "Coming soon: a series on phones" in client.get(url).text, url
    # Counters follow once the promotion runs (idempotent: a second run changes nothing).
    with app.app_context():
        assert db.session.get(Topic, topic.id).forum.topic_count == 0
        assert articles.publish_due() == 1
        db.session.commit()
        assert articles.publish_due() == 0
        refreshed = db.session.get(Topic, topic.id)
        assert refreshed.status == TopicStatus.PUBLISHED and refreshed.forum.topic_count == 1
        assert refreshed.publish_at == when.replace(second=0)
        assert db.session.get(User, author.id).topic_count == 1


def test_the_promotion_runs_after_a_response_when_configured(client, make, app):
    topic = write(app, make.user(role=Role.STAFF), status="schedule",
                  publish_at=clock.now() + timedelta(minutes=5))
    clock.advance(timedelta(minutes=6))
    from forum.articles import views
    views._promotion["last"] = 0.0
    app.config["PUBLISH_DUE_SECONDS"] = 60
    try:
        client.get("/articles").close()
    finally:
        del app.config["PUBLISH_DUE_SECONDS"]
    with app.app_context():
        assert db.session.get(Topic, topic.id).status == TopicStatus.PUBLISHED


def test_the_publish_due_command(app, make):
    write(app, make.user(role=Role.STAFF), status="schedule",
          publish_at=clock.now() + timedelta(minutes=5))
    clock.advance(timedelta(minutes=6))
    result = app.test_cli_runner().invoke(args=["articles", "publish-due"])
    assert "1 scheduled topic(s) published." in result.output


def test_scheduling_needs_a_future_time_and_keeps_the_typed_text(client, make, login, app):
    login(make.user(role=Role.STAFF))
    past = (clock.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/articles/new", data=_form(status="schedule", publish_at=past,
                                                       body="Keep this text"))
    assert response.status_code == 200
    assert "Choose a time in the future" in response.text and "Keep this text" in response.text
    response = client.post("/articles/new", data=_form(status="schedule"))
    assert "Enter the date and time to publish it." in response.text
    response = client.post("/articles/new", data=_form(status="schedule",
                                                       publish_at="31/02/2026 9am"))
    assert response.status_code == 200 and "Error:" in response.text
    response = client.post("/articles/new", data=_form(series_part="2"))
    assert "Give the series a title" in response.text
    response = client.post("/articles/new", data=_form(status="sometime"))
    assert response.status_code == 200 and "Error:" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Topic.id))) == 0


def test_excerpts_are_given_or_made_from_the_first_50_words(app, make, client):
    staff = make.user(role=Role.STAFF)
    made = write(app, staff, title="Long one", body=LONG_BODY)
    given = write(app, staff, title="Short one", body=LONG_BODY,
                  excerpt="  A   summary written by hand. ")
    with app.app_context():
        assert db.session.get(Article, made.id).excerpt == \
            " ".join(f"word{n}" for n in range(1, 51)) + " …"
        assert db.session.get(Article, given.id).excerpt == "A summary written by hand."
    page = client.get("/articles").text
    assert "word50 …" in page and "word51" not in page
    assert "A summary written by hand." in page and "Continue reading" in page
    assert re.search(r'class="month">[A-Z][a-z]{2}</span> <span class="day">\d+<', page)


def test_articles_are_listed_newest_first_and_paginated(client, make, app):
    staff = make.user(role=Role.STAFF)
    start = clock.now() - timedelta(days=30)
    for n in range(12):
        write(app, staff, title=f"Article number {n:02d}", now=start + timedelta(days=n))
    first = client.get("/articles").text
    assert first.index("Article number 11") < first.index("Article number 10")
    assert "Article number 01" not in first and 'rel="next"' in first
    second = client.get("/articles?page=2").text
    assert "Article number 01" in second and "Article number 11" not in second
    assert client.get("/articles?page=banana").status_code == 200
    assert client.get("/articles?page=99999999999").status_code == 200


def test_edits_keep_revisions_and_update_details(client, make, login, app):
    staff = make.user(role=Role.STAFF)
    topic = write(app, staff, title="First title", body="First body", tags="one")
    login(staff)
    page = client.get(f"/articles/{topic.id}/edit")
    assert page.status_code == 200 and "First body" in page.text
    response = client.post(f"/articles/{topic.id}/edit", data=_form(
        title="Second title", body="Second body", tags="two", question="What do you think?",
        reason="Clearer"))
    assert response.status_code == 302
    with app.app_context():
        revisions = db.session.scalars(select(PostRevision).where(
            PostRevision.post_id == topic.first_post_id).order_by(PostRevision.id)).all()
        assert [r.body_source for r in revisions] == ["First body", "Second body"]
        assert revisions[-1].reason == "Clearer"
        refreshed = db.session.get(Topic, topic.id)
        assert refreshed.title == "Second title" and [t.name for t in refreshed.tags] == ["two"]
    text = client.get(f"/t/{topic.id}-second-title").text
    assert "Your question of the day" in text
    assert text.index("Second body") < text.index("What do you think?")


def test_another_staff_member_cannot_edit_but_a_moderator_can(client, make, login, app):
    topic = write(app, make.user(role=Role.STAFF))
    login(make.user(role=Role.STAFF))
    assert client.get(f"/articles/{topic.id}/edit").status_code == 403
    client.post("/logout")
    login(make.user(role=Role.MODERATOR))
    assert client.post(f"/articles/{topic.id}/edit",
                       data=_form(body="Fixed by a moderator")).status_code == 302


def test_editing_an_ordinary_topic_as_an_article_is_404(client, make, login):
    topic = make.topic()
    login(make.user(role=Role.ADMIN))
    assert client.get(f"/articles/{topic.id}/edit").status_code == 404
    assert client.get("/articles/999999/edit").status_code == 404


def test_unpublishing_and_publishing_a_draft_recounts(client, make, login, app):
    staff = make.user(role=Role.STAFF)
    topic = write(app, staff, status="draft")
    login(staff)
    client.post(f"/articles/{topic.id}/edit", data=_form(status="publish"))
    with app.app_context():
        refreshed = db.session.get(Topic, topic.id)
        assert refreshed.is_published and refreshed.forum.topic_count == 1
    client.post(f"/articles/{topic.id}/edit", data=_form(status="draft"))
    with app.app_context():
        assert db.session.get(Topic, topic.id).forum.topic_count == 0


def test_series_pages_list_parts_in_order_with_previous_and_next(client, make, app):
    staff = make.user(role=Role.STAFF)
    two = write(app, staff, title="Part two: plans", series="Executive Order 13571",
                series_part=2)
    one = write(app, staff, title="Part one: policy", series="Executive Order 13571",
                series_part=1)
    page = client.get("/series/executive-order-13571").text
    assert "Series: Executive Order 13571" in page
    assert page.index("Part one: policy") < page.index("Part two: plans")
    first = client.get(path(one)).text
    assert "Next part:" in first and "Part two: plans" in first and "Previous part" not in first
    second = client.get(path(two)).text
    assert "Previous part:" in second and "Part one: policy" in second
    assert client.get("/series/nothing-here").status_code == 404


def test_tag_archive_shows_articles_and_other_public_topics(client, make, app):
    staff = make.user(role=Role.STAFF)
    write(app, staff, title="An article on service", tags="customer service")
    topic = make.topic(title="A discussion on service", body="What works for you here?")
    hidden = make.topic(title="A hidden discussion")
    with app.app_context():
        for t in (topic, hidden):
            board.set_tags(db.session.get(Topic, t.id), ["customer service"])
        db.session.get(Topic, hidden.id).status = TopicStatus.HIDDEN
        db.session.commit()
    page = client.get("/tags/customer-service").text
    assert "<h1>Tag Archive: customer service</h1>" in page
    assert "An article on service" in page and "A discussion on service" in page
    assert "What works for you here?" in page and "A hidden discussion" not in page
    assert client.get("/tags/no-such-tag").status_code == 404
    assert client.get("/tags/%3Cscript%3E").status_code == 404


def test_user_text_is_escaped_or_cleaned(client, make, login, app):
    staff = make.user(role=Role.STAFF)
    write(app, staff, title="<script>alert(1)</script> title",
          body="Body <script>alert(2)</script>", excerpt="<b onclick=x>bold</b>",
          question="<img src=x onerror=alert(3)>Why?", tags="<i>tag</i>",
          series="<em>series</em>", series_part=1)
    for url in ("/articles", "/tags/i-tag-i", "/series/em-series-em"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script>" not in page.text and "<b onclick" not in page.text, url
    with app.app_context():
        topic = db.session.scalar(select(Topic))
    page = client.get(path(topic)).text
    assert "<script>" not in page and "<img" not in page, page


def test_odd_input_never_gives_a_500(client, make, login):
    login(make.user(role=Role.STAFF))
    for data in ({"title": "x" * 5000, "body": "y"}, {"title": "ok title", "body": "\x00"},
                 {"series_part": "-3", "series": "s"}, {"series_part": "abc"},
                 {"publish_at": "9999-99-99T99:99", "status": "schedule"},
                 {"tags": ",".join(["t" * 60] * 3)}, {"excerpt": "e" * 700}):
        response = client.post("/articles/new", data=_form(**data))
        assert response.status_code in (200, 302), data
    assert client.post("/articles/new", data=_form(preview="Preview")).status_code == 200


def test_service_rules(app, make):
    staff = make.user(role=Role.STAFF)
    with app.app_context():
        actor = db.session.get(User, staff.id)
        with pytest.raises(Invalid):
            articles.create_article(actor, articles.ArticleData(title="T t t", body="b",
                                                                status="schedule"))
        with pytest.raises(Invalid):
            articles.create_article(actor, articles.ArticleData(
                title="T t t", body="b", series="S", series_part=0))


def test_members_cannot_start_an_article_through_the_topic_form(client, make, login, app):
    forum = make.forum(slug="general")
    login(make.user())
    response = client.post("/t/new?forum=general", data={
        "forum": forum.id, "title": "Pretend article", "body": "Text", "kind": "article",
        "submit": "Post topic"})
    assert response.status_code == 200 and "Error:" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Topic.id))) == 0


def test_a_hidden_article_is_restored_by_moderation_not_by_editing(client, make, login, app):
    from forum.moderation import services as moderation
    topic = write(app, make.user(role=Role.STAFF))
    moderator = make.user(role=Role.MODERATOR)
    with app.app_context():
        moderation.hide_topic(db.session.get(User, moderator.id), db.session.get(Topic, topic.id))
        db.session.commit()
    login(moderator)
    response = client.post(f"/articles/{topic.id}/edit", data=_form(body="Sneaky restore"))
    assert response.status_code == 200 and "must be restored" in response.text
    with app.app_context():
        assert db.session.get(Topic, topic.id).status == TopicStatus.HIDDEN


def test_comments_on_an_article_are_invited_as_replies(client, make, login, app):
    from tests.articles.helpers import path, write
    article = write(app, make.user(role=Role.STAFF))
    login(make.user())
    page = client.get(path(article)).text
    assert '<h2 id="reply-title">Leave a reply</h2>' in page
    plain = make.topic()
    assert '<h2 id="reply-title">Reply to this topic</h2>' in client.get(
        f"/t/{plain.id}-{plain.slug}").text


def test_articles_and_links_are_marked_as_staff_content_in_their_forum(client, make, app):
    from forum.library import services as library
    from tests.articles.helpers import write
    staff = make.user(role=Role.STAFF)
    article = write(app, staff)
    with app.app_context():
        link = library.create_link(db.session.get(User, staff.id), library.LinkData(
            title="A useful report", url="https://www.example.com/report",
            annotation="Worth reading."))
        db.session.commit()
        link_forum = link.topic.forum.slug
    listing = client.get("/f/articles").text
    assert article.title in listing
    assert '<span class="badge staff-badge">Staff article</span>' in listing
    assert '<span class="badge staff-badge">Staff pick</span>' in client.get(
        f"/f/{link_forum}").text
