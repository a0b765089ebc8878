from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request
from flask_login import current_user, login_required

from ..errors import keeps_input
from ..handlers import preview_or_save
from ..extensions import db
from ..notify import queries as notify_queries
from ..notify import reading as notify_reading
from ..permissions import can, require
from ..urls import page_arg
from ..polls import queries as poll_queries
from ..polls import services as poll_services
from ..polls.context import poll_context
from ..polls.forms import VoteForm
from . import queries, services
from .access import visible_post, visible_topic
from .links import post_url, topic_url
from .forms import EditForm, HideForm, ReplyForm, TopicForm
from .models import TopicKind
from .viewcount import views

bp = Blueprint("board", __name__)


@bp.get("/")
@bp.get("/forums", endpoint="forums")
def index():
    categories = queries.forum_index()
    unread = notify_queries.unread_forum_ids(
        current_user, [f.id for c in categories for f in c.forums])
    return render_template("board/index.html", categories=categories, unread=unread)


@bp.get("/f/<slug>")
def forum(slug: str):
    forum = queries.forum_by_slug(slug)
    if forum is None:
        abort(404)
    per_page = current_app.config["TOPICS_PER_PAGE"]
    unanswered = request.args.get("show") == "unanswered"
    listed = queries.unanswered_count(forum) if unanswered else forum.topic_count
    pages = max(1, -(-listed // per_page))
    page = page_arg(pages)
    topics = queries.forum_topics(forum, page, per_page, unanswered)
    if page == 1 and not unanswered:  # announcements pinned everywhere lead every forum
        topics = queries.global_pins(forum) + topics
    following, unread = notify_queries.forum_state(current_user, forum, [t.id for t in topics])
    return render_template("board/forum.html", forum=forum, page=page, pages=pages,
                           unanswered=unanswered, topics=topics, following=following,
                           unread=unread)


@bp.get("/t/<id:topic_id>")
@bp.get("/t/<id:topic_id>-<slug>")
def topic(topic_id: int, slug: str | None = None):
    topic = visible_topic(topic_id)
    per_page = current_app.config["POSTS_PER_PAGE"]
    pages = topic.page_count(per_page)
    page = page_arg()
    if slug != topic.slug or page > pages:
        return redirect(topic_url(topic, min(page, pages)), 301)
    views.record(topic.id)
    by_helpful = request.args.get("sort") == "helpful"
    posts = queries.topic_posts(topic, page, per_page, by_helpful=by_helpful)
    following = notify_reading.track(
        current_user, topic, [] if by_helpful else [p.position for p in posts])
    poll = poll_queries.poll_for_topic(topic.id)
    return render_template("board/topic.html", topic=topic, page=page, pages=pages,
                           posts=posts, by_helpful=by_helpful, following=following,
                           helpful=poll_services.helpful_marks(current_user, posts),
                           poll=poll, **(poll_context(poll) if poll else {}),
                           # Forms (and so CSRF tokens in the session) only for those who
                           # can use them: a visitor's page stays the same for every visitor.
                           vote_form=VoteForm(poll=poll, formdata=None)
                           if poll and can(current_user, "vote_poll", poll) else None,
                           views=topic.view_count + views.pending(topic.id),
                           form=ReplyForm(formdata=None) if can(current_user, "reply", topic)
                           else None)


@bp.get("/p/<id:post_id>")
def post(post_id: int):
    """A permanent link to a post: finds the page it is on."""
    return redirect(post_url(visible_post(post_id)))


@bp.route("/t/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new_topic():
    require(current_user, "create_topic")
    forums = queries.all_forums()
    chosen = next((f for f in forums if f.slug == request.args.get("forum")), None)
    form = TopicForm(forums=forums, forum=chosen.id if chosen else None)
    preview = None
    if form.validate_on_submit():
        forum = next(f for f in forums if f.id == form.forum.data)

        def save():
            topic = services.create_topic(current_user, forum, form.title.data, form.body.data,
                                          TopicKind(form.kind.data or "discussion"))
            if form.wants_poll:
                poll_services.create_poll_from_form(current_user, topic, form)
            if topic.first_post.awaiting_approval:
                return topic_url(topic), ("Your topic has been saved. A moderator will look "
                                          "at it before others can see it.")
            return topic_url(topic), "Your topic has been posted."
        preview, done = preview_or_save(form, save, "topic")
        if done:
            return done
    return render_template("board/new_topic.html", form=form, forum=chosen, preview=preview)


@bp.route("/t/<id:topic_id>/reply", methods=["GET", "POST"])
@login_required
@keeps_input
def reply(topic_id: int):
    topic = visible_topic(topic_id)
    require(current_user, "reply", topic)
    form = ReplyForm()
    preview = None
    if form.validate_on_submit():
        def save():
            post = services.post_reply(current_user, topic, form.body.data)
            if post.awaiting_approval:
                return post_url(post), ("Your reply has been saved. A moderator will look at "
                                        "it before others can see it.")
            return post_url(post), "Your reply has been posted."
        preview, done = preview_or_save(form, save, "reply")
        if done:
            return done
    return render_template("board/reply.html", topic=topic, form=form, preview=preview)


@bp.route("/p/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit_post(post_id: int):
    post = visible_post(post_id)
    require(current_user, "edit_post", post)
    form = EditForm(obj=post, body=post.body_source, title=post.topic.title)
    if not post.is_opening:
        del form.title
    preview = None
    if form.validate_on_submit():
        def save():
            changed = services.edit_post(current_user, post, form.body.data,
                                         reason=form.reason.data,
                                         title=form.title.data if post.is_opening else None)
            return post_url(post), ("Your changes have been saved." if changed
                                    else "Nothing was changed.")
        preview, done = preview_or_save(form, save, "reply")
        if done:
            return done
    return render_template("board/edit.html", post=post, form=form, preview=preview)


@bp.route("/p/<id:post_id>/hide", methods=["GET", "POST"])
@login_required
@keeps_input
def hide_post(post_id: int):
    post = visible_post(post_id)
    require(current_user, "hide_post", post)
    form = HideForm()
    if form.validate_on_submit():
        services.hide_post(current_user, post, form.reason.data)
        db.session.commit()
        flash("The post has been hidden. It is kept, and can be restored.", "success")
        return redirect(post_url(post))
    return render_template("board/hide.html", post=post, form=form)


@bp.post("/p/<id:post_id>/restore")
@login_required
def restore_post(post_id: int):
    post = visible_post(post_id)
    require(current_user, "restore_post", post)
    services.restore_post(current_user, post)
    db.session.commit()
    flash("The post has been restored.", "success")
    return redirect(post_url(post))


@bp.get("/p/<id:post_id>/history")
def post_history(post_id: int):
    post = visible_post(post_id)
    require(current_user, "view_revisions", post)
    return render_template("board/history.html", post=post,
                           revisions=queries.revisions(post))
