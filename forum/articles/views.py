from __future__ import annotations

import threading
import time

import click
from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import pagecache

from ..board.access import visible_topic
from ..board.models import TopicKind
from ..errors import keeps_input
from ..extensions import db
from ..handlers import preview_or_save, settle
from ..markup import excerpt
from ..permissions import can, require
from ..templating import long_datetime
from ..urls import page_arg, page_count, topic_url
from . import queries, services
from .forms import ArticleForm

bp = Blueprint("articles", __name__, cli_group="articles")

PER_PAGE = 10


def _pages(total: int) -> tuple[int, int]:
    pages = page_count(total, PER_PAGE)
    return page_arg(pages), pages


@bp.get("/articles")
def index():
    # Published articles (their count, and a page of them with the links to the others) are
    # the same for everyone: kept (issue 15), dropped by any write to a listed topic or a
    # publication (`site`).
    _, page, _, listing = pagecache.kept_listing(
        "articles", [pagecache.SITE, pagecache.LISTS], queries.article_count, PER_PAGE,
        lambda page: f"articles:{page}",
        lambda total, page, pages: render_template(
            "articles/_listing.html", entries=queries.articles(page, PER_PAGE), page=page,
            pages=pages))
    return render_template(
        "articles/index.html", page=page, listing=Markup(listing),
        unpublished=queries.unpublished_articles() if can(current_user, "write_article")
        else [])


@bp.get("/tags/<slug>")
def tag(slug: str):
    tag = queries.tag(slug[:60])
    if tag is None:
        abort(404)
    page, pages = _pages(queries.tagged_count(tag))
    return render_template("articles/tag.html", tag=tag, page=page, pages=pages,
                           entries=queries.tagged(tag, page, PER_PAGE))


@bp.get("/series/<slug>")
def series(slug: str):
    series = queries.series(slug[:80])
    if series is None:
        abort(404)
    return render_template("articles/series.html", series=series,
                           parts=queries.series_parts(series))


@bp.route("/articles/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new():
    require(current_user, "write_article")
    form = ArticleForm(zone_name=current_user.time_zone)
    del form.reason
    preview = None
    if form.validate_on_submit():
        def save():
            topic = services.create_article(current_user, form.data_for_service())
            return topic_url(topic), _saved_message(topic)
        preview, done = preview_or_save(form, save, "topic")
        if done:
            return done
    return render_template("articles/form.html", form=form, topic=None, preview=preview)


@bp.route("/articles/<id:topic_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit(topic_id: int):
    topic = visible_topic(topic_id)
    if topic.kind != TopicKind.ARTICLE:
        abort(404)
    require(current_user, "edit_article", topic)
    article = queries.article(topic.id)
    if article is None:
        abort(404)
    form = ArticleForm(
        zone_name=current_user.time_zone, title=topic.title, body=topic.first_post.body_source,
        excerpt=article.excerpt if article.excerpt_given else "",
        question=article.question_source or "", tags=", ".join(t.name for t in topic.tags),
        series=article.series.title if article.series else "",
        series_part=article.series_part, publish_at=topic.publish_at,
        status={"draft": services.DRAFT, "scheduled": services.SCHEDULE}.get(
            topic.status.value, services.PUBLISH) if not topic.is_published
        else services.PUBLISH)
    preview = None
    if form.validate_on_submit():
        def save():
            changed = services.update_article(current_user, topic, form.data_for_service(),
                                              reason=form.reason.data)
            return topic_url(topic), (_saved_message(topic) if changed
                                      else "Nothing was changed.")
        preview, done = preview_or_save(form, save, "topic")
        if done:
            return done
    return render_template("articles/form.html", form=form, topic=topic, preview=preview)


def _saved_message(topic) -> str:
    if topic.is_published:
        return "The article is published."
    if topic.status.value == "scheduled":
        return f"The article is scheduled for {long_datetime(topic.publish_at)}."
    return "The article is saved as a draft. Only staff can see it."


@bp.app_template_filter("entry_excerpt")
def entry_excerpt(topic, article=None) -> str:
    """An article's stored excerpt, or the first words of another topic's opening post."""
    if article is not None:
        return article.excerpt
    return excerpt(topic.first_post.body_source) if topic.first_post else ""


# --- Publishing scheduled articles when they come due -------------------------------------

_promotion = {"last": 0.0}
_promotion_lock = threading.Lock()


@bp.after_app_request
def promote_due_articles(response):
    """At most once every PUBLISH_DUE_SECONDS (default 60; off in tests unless set), after the
    response has been sent: publish_due() (one SELECT when nothing is due)."""
    app = current_app._get_current_object()
    interval = app.config.get("PUBLISH_DUE_SECONDS", None if app.testing else 60)
    if interval is None:
        return response
    with _promotion_lock:
        if time.monotonic() - _promotion["last"] < interval:
            return response
        _promotion["last"] = time.monotonic()

    def run():
        try:
            with app.app_context():
                settle(services.publish_due)
                db.session.remove()
        except Exception:
            app.logger.warning("Scheduled articles could not be published yet; will retry.")
    response.call_on_close(run)
    return response


@bp.cli.command("publish-due")
def publish_due_command() -> None:
    """Publish scheduled articles whose time has come (safe to run from cron)."""
    count = settle(services.publish_due)
    click.echo(f"{count} scheduled topic(s) published.")
