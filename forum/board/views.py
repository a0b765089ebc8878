from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import pagecache
from ..articles import queries as article_queries
from ..errors import keeps_input
from ..handlers import act, complete, preview_or_save
from ..uploads import services as upload_services
from ..uploads import views as uploads
from ..writing import queries as writing_queries
from ..writing import services as writing
from ..notify import queries as notify_queries
from ..notify import reading as notify_reading
from ..permissions import TopicAbilities, can, require, viewer_scope
from ..templating import plural, render_around, with_csrf_token, without_csrf_token
from ..pings import queries as ping_queries
from ..urls import page_arg, page_count, post_url, topic_url
from ..polls import queries as poll_queries
from ..polls import services as poll_services
from ..polls.context import poll_context
from ..polls.forms import VoteForm
from . import postlist, queries, services, topicbody
from .access import visible_post, visible_topic
from .forms import EditForm, HideForm, ReplyForm, TopicForm
from .models import TopicKind
from .viewcount import views

bp = Blueprint("board", __name__)


@bp.get("/")
@bp.get("/forums", endpoint="forums")
def index():
    """The categories and forums: the list is the same for every viewer with the same scope,
    so it is kept (a fragment, shared in Redis) and only the member's "Unread" badges are
    looked up and put in its markers: a kept list costs no query of its own (issue 15)."""
    scope = viewer_scope(current_user)
    key, scopes = f"forum-index:{scope.key}", [pagecache.SITE, pagecache.LISTS]
    # the member's badges are kept beside the list: looked up in the same round trip
    kept = pagecache.kept_fragments({
        "listing": (key, scopes), **notify_queries.kept_unread(current_user, key, scopes)})
    listing = kept["listing"].or_render(
        lambda: render_template("board/_forum_index.html",
                                categories=queries.forum_index(scope)))
    unread = notify_queries.kept_unread_ids(kept.get("unread"), lambda: (
        notify_queries.unread_forum_ids(current_user, marked_ids(listing))))
    return render_template("board/index.html", listing=Markup(mark_unread(listing, unread)),
                           has_categories='class="category"' in listing)


UNREAD_MARK = re.compile(r"<!--unread:(\d+)-->")
UNREAD_BADGE = ' <span class="badge unread-badge">Unread</span>'


def marked_ids(listing: str) -> list[int]:
    """The ids a kept list marks for "Unread" badges: none asked for a visitor."""
    if not current_user.is_authenticated:
        return []
    return [int(found) for found in UNREAD_MARK.findall(listing)]


def mark_unread(listing: str, unread: set[int]) -> str:
    """A kept list with this member's "Unread" badges in its markers (none for visitors):
    split at the markers and joined, not a substitution calling back per marker."""
    if not unread:
        return UNREAD_MARK.sub("", listing)
    parts = UNREAD_MARK.split(listing)  # [html, id, html, id, ..., html]
    for at in range(1, len(parts), 2):
        parts[at] = UNREAD_BADGE if int(parts[at]) in unread else ""
    return "".join(parts)


# ------------------------------------------------- home tabs: Latest, Unread, Top, Categories

TOP_PERIOD_NAMES = {"day": "today", "week": "this week", "month": "this month",
                    "year": "this year", "all": "of all time"}


MORE_MARK = "<!--more-->"


def _listing(tab: str, page: int, load, shared: bool = True, **extra):
    """A home tab's page. Latest and Top list the same topics to every viewer of one scope:
    the rows are kept (a fragment, shared in Redis, dropped by any write that changes a
    listing) and looked up before the topics are loaded, so a kept page costs only the
    member's "Unread" badges (issue 15; the rows were two thirds of the page's time). The
    Unread tab is each member's own and is rendered every time. `load()` gives (topics,
    whether a next page exists)."""
    scope = viewer_scope(current_user)
    key, scopes = f"home-{tab}:{extra.get('period', '')}:{page}:{scope.key}", \
        [pagecache.SITE, pagecache.LISTS]
    # the member's badges are kept beside the rows: looked up in the same round trip
    kept = pagecache.kept_fragments({
        "rows": (key, scopes), **notify_queries.kept_unread(current_user, key, scopes)}) \
        if shared else {}
    rows = kept["rows"].html if shared else None
    if rows is None:
        topics, more = load()
        rows = render_template("board/_listing_topics.html", topics=topics, more=more)
        if shared:
            rows = kept["rows"].keep(rows)
    unread = notify_queries.kept_unread_ids(kept.get("unread"), lambda: (
        notify_queries.unread_topic_ids(current_user, marked_ids(rows))))
    return render_template("board/listing.html", tab=tab, page=page, more=MORE_MARK in rows,
                           listing=Markup(mark_unread(rows.replace(MORE_MARK, ""), unread)),
                           has_topics="topic-item" in rows, **extra)


@bp.get("/latest")
def latest():
    page = page_arg()
    return _listing("latest", page, lambda: queries.latest_topics(
        viewer_scope(current_user), page, current_app.config["TOPICS_PER_PAGE"]))


@bp.get("/unread")
@login_required
def unread():
    page = page_arg()
    return _listing("unread", page, lambda: notify_queries.unread_topics(
        current_user, page, current_app.config["TOPICS_PER_PAGE"]), shared=False)


@bp.get("/top")
def top():
    period = request.args.get("period", "week")
    if period not in queries.TOP_PERIODS:
        period = "week"
    page = page_arg()
    return _listing("top", page, lambda: queries.top_topics(
        viewer_scope(current_user), period, page, current_app.config["TOPICS_PER_PAGE"]),
        period=period, periods=TOP_PERIOD_NAMES)


@bp.get("/f/<slug>")
def forum(slug: str):
    forum = queries.kept_forum_by_slug(slug)
    if forum is None:
        abort(404)
    require(current_user, "view_forum", forum)
    scope = viewer_scope(current_user)
    per_page = current_app.config["TOPICS_PER_PAGE"]
    unanswered = request.args.get("show") == "unanswered"
    listed = queries.unanswered_count(forum, scope) if unanswered else forum.topic_count
    pages = page_count(listed, per_page)
    page = page_arg(pages)

    def topics() -> list:
        listed = queries.forum_topics(forum, page, per_page, unanswered, scope)
        if page == 1 and not unanswered:  # announcements pinned everywhere lead every forum
            return queries.global_pins(forum, scope) + listed
        return listed
    # The page's topics are the same for every viewer of one scope: kept, dropped by any
    # write in the forum; the member's "Unread" badges are filled in (issue 15).
    key = f"forum-topics:{forum.id}:{page}:{int(unanswered)}:{scope.key}"
    scopes = [pagecache.SITE, f"forum:{forum.slug}"]
    # the member's badges and follow state are kept beside the list (one round trip)
    kept = pagecache.kept_fragments({
        "listing": (key, scopes), **notify_queries.kept_unread(current_user, key, scopes)})
    listing = kept["listing"].or_render(
        lambda: render_template("board/_forum_topics.html", forum=forum, topics=topics()))
    following, unread = notify_queries.kept_forum_state(kept.get("unread"), lambda: (
        notify_queries.forum_state(current_user, forum, marked_ids(listing))))
    return render_template("board/forum.html", forum=forum, page=page, pages=pages,
                           unanswered=unanswered, listing=Markup(mark_unread(listing, unread)),
                           following=following)


@bp.get("/t/<id:topic_id>")
# Everything after the id is the slug, slashes too: a mangled link (`/t/1-a//b`) gets one
# redirect to the topic's own address, not Werkzeug's merged-slashes redirect first.
@bp.get("/t/<id:topic_id>-<path:slug>")
def topic(topic_id: int, slug: str | None = None):
    page, by_helpful = page_arg(), request.args.get("sort") == "helpful"
    # A page whose body is likely kept loads its topic without the last and accepted posts,
    # which only the body shows (render_body loads them if it renders after all).
    window = pagecache.fragment_window()
    lean = topicbody.likely_kept(topic_id, page, by_helpful, window)
    topic = visible_topic(topic_id, summary=not lean)
    lean = lean or not queries.summary_loaded(topic)  # (a kept topic comes without it)
    per_page = current_app.config["POSTS_PER_PAGE"]
    pages = topic.page_count(per_page)
    if slug != topic.slug or page > pages:
        return redirect(topic_url(topic, min(page, pages)), 301)
    view = views.counting(topic.id)
    me = current_user._get_current_object()  # the viewer, asked of the proxy once
    scope = viewer_scope(me)
    topic_scopes = [pagecache.SITE, f"topic:{topic.id}"]
    poll = poll_queries.poll_for_topic(topic)
    abilities = TopicAbilities(me, topic)
    # notify's follow state, loaded with the topic: the body shows the button for it
    following = notify_queries.follow_state(me, topic)
    kind = topicbody.viewer_kind(me, topic, abilities, poll is not None, following)
    # What the page may take from kept fragments is looked up first, in one round trip: the
    # list everyone sees (when it is kept, the page needs only its posts' facts, not 25
    # Post objects with their authors: board/postlist.py), what follows the opening post,
    # the other topics of the forum for the viewer's scope, the reply form, the body
    # around them for this kind of viewer (board/topicbody.py); and the view is counted
    # in the same round trip.
    kept = pagecache.kept_fragments({
        "posts": postlist.kept(topic, page, by_helpful),
        "suggested": (f"suggested:{topic.id}:{scope.key}",
                      [pagecache.SITE, f"forum:{topic.forum.slug}"]),
        **({"after_opening": (f"after-opening:{topic.id}", topic_scopes)}
           if page == 1 else {}),
        **({"reply_form": (f"reply-form:{topic.id}", [pagecache.SITE])}
           if me.is_authenticated else {}),
        **({"body": topicbody.kept(topic, page, by_helpful, kind)} if kind else {}),
        # the member's helpful marks on the page, kept beside the list
        **poll_services.kept_helpful(me, topic.id, page, by_helpful)},
        along=view, window=window)
    waiting_views = view.waiting()
    listed = postlist.look_up(kept["posts"], topic)

    def load_posts():
        return queries.topic_posts(topic, page, per_page, by_helpful=by_helpful)
    # A kept list comes with its posts' facts: then the page asks nothing of its posts.
    posts = load_posts() if listed is None else listed.posts
    # The page is assembled here, asking each feature for its part by name: notify (follow
    # state and read mark), polls (the poll, helpful marks), and after the opening post,
    # articles (an article's details) and pings (topics linking here).
    notify_reading.track(me, topic, [] if by_helpful else [p.position for p in posts])
    opening = any(p.position == 1 for p in posts)
    helpful = poll_services.helpful_marks(me, posts, kept.get("helpful"))
    # The posts as everyone sees them (kept in the page cache's store), with this viewer's
    # controls added (board/postlist.py). What follows the opening post is the same for
    # everyone too (pings are public topics only): kept under the topic's version.
    after_opening = ""
    if opening:
        after_opening = (kept.get("after_opening") or pagecache.KeptFragment(
            f"after-opening:{topic.id}", topic_scopes)).or_render(
            lambda: render_template("board/_after_opening.html", topic=topic,
                                    extras=article_queries.topic_extras(topic),
                                    pings=ping_queries.pings(topic.id)))
    posts_html = postlist.post_list_pieces(topic, posts, abilities, helpful, after_opening,
                                           kept=kept["posts"], listed=listed,
                                           load_posts=load_posts)
    # Other topics of the forum the viewer may read: the same for everyone of their scope.
    suggested = kept["suggested"].or_render(
        lambda: render_template("board/_suggested.html", topic=topic,
                                suggested=queries.suggested_topics(topic, scope)))
    reply = reply_form(topic, kept.get("reply_form")) if abilities.reply else {"form": None}

    def render_body() -> str:
        if lean:
            queries.load_summary(topic)
        return render_template(
            "board/_topic_body.html", topic=topic, page=page, pages=pages,
            abilities=abilities, posts=posts, by_helpful=by_helpful,
            has_poll=poll is not None, following=following)
    body = topicbody.kept_body(kept.get("body"), render_body, member=following is not None)
    if kind:  # found or kept now
        topicbody.seen(topic.id, page, by_helpful, window)
    # The body, its posts and the page around them are joined once, at the end.
    return render_around("board/topic.html", "body", topicbody.fill(body, {
        "views": plural(topic.view_count + waiting_views, "view"), "poll": topic_poll(poll),
        "posts": posts_html, "reply": reply.get("reply_form", ""), "suggested": suggested}),
        topic=topic, page=page, form=reply["form"])


def topic_poll(poll) -> str:
    """A topic's poll as this viewer sees it (nothing without one). Forms (and so CSRF
    tokens in the session) only for those who can use them: a visitor's page stays the
    same for every visitor."""
    if poll is None:
        return ""
    return render_template(
        "polls/_topic_poll.html", poll=poll, **poll_context(poll),
        vote_form=VoteForm(poll=poll, formdata=None)
        if can(current_user, "vote_poll", poll) else None)


def reply_form(topic, kept: pagecache.KeptFragment | None) -> dict:
    """The reply form under a topic (`reply_form`, and the form as `form` for the page's
    error summary). A member with no kept draft gets the form every such member gets, but
    for the session's CSRF token: kept per topic (`kept`, the page's look-up) with a marker
    for the token, as rendering the composer was a tenth of a topic page (issue 15). A
    member with drafts gets it rendered, with their unsent text put back. A kept form needs
    no ReplyForm at all (building one was a tenth of what a member's topic page adds to a
    visitor's): an empty form has nothing for the page's error summary."""
    def render(form) -> str:
        return render_template("board/_reply_form.html", topic=topic, form=form)
    if kept is None or writing_queries.may_have_drafts():
        form = ReplyForm(formdata=None)
        return {"form": form, "reply_form": Markup(render(form))}
    html = kept.or_render(lambda: without_csrf_token(render(ReplyForm(formdata=None))))
    return {"form": None, "reply_form": Markup(with_csrf_token(html))}


@bp.get("/p/<id:post_id>")
def post(post_id: int):
    """A permanent link to a post: finds the page it is on."""
    return redirect(post_url(visible_post(post_id)))


@bp.route("/t/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new_topic():
    require(current_user, "create_topic")
    forums = [f for f in queries.all_forums(viewer_scope(current_user))
              if can(current_user, "create_topic", f)]
    chosen = next((f for f in forums if f.slug == request.args.get("forum")), None)
    form = TopicForm(forums=forums, forum=chosen.id if chosen else None)
    preview = None
    if form.validate_on_submit():
        forum = next(f for f in forums if f.id == form.forum.data)

        def save():
            topic = services.create_topic(current_user, forum, form.title.data, form.body.data,
                                          TopicKind(form.kind.data or "discussion"))
            upload_services.attach(current_user, topic.first_post, *uploads.from_request(),
                                   pending=uploads.kept_from_request())
            if form.wants_poll:
                poll_services.create_poll_from_form(current_user, topic, form)
            if topic.first_post.awaiting_approval:
                return topic_url(topic), ("Your topic has been saved. A moderator will look "
                                          "at it before others can see it.")
            return topic_url(topic), "Your topic has been posted."
        preview, done = preview_or_save(form, save, "topic", draft="topic")
        if done:
            return done
    return render_template("board/new_topic.html", form=form, forum=chosen, preview=preview,
                           kept_files=uploads.keep_files(form))


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
            upload_services.attach(current_user, post, *uploads.from_request(),
                                   pending=uploads.kept_from_request())
            if post.awaiting_approval:
                return post_url(post), ("Your reply has been saved. A moderator will look at "
                                        "it before others can see it.")
            return post_url(post), "Your reply has been posted."
        preview, done = preview_or_save(form, save, "reply", draft=f"reply:{topic.id}")
        if done:
            return done
    return render_template("board/reply.html", topic=topic, form=form, preview=preview,
                           kept_files=uploads.keep_files(form))


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
            removed = upload_services.remove_files(current_user, post,
                                                   uploads.removed_from_request())
            added = upload_services.attach(current_user, post, *uploads.from_request(),
                                           pending=uploads.kept_from_request())
            changed = services.edit_post(current_user, post, form.body.data,
                                         reason=form.reason.data,
                                         title=form.title.data if post.is_opening else None,
                                         files_added=[a.filename for a in added],
                                         files_removed=[r.filename for r in removed])
            writing.clear_drafts(current_user.id, [f"edit:{post.id}"])
            return post_url(post), ("Your changes have been saved." if changed
                                    else "Nothing was changed.")
        preview, done = preview_or_save(form, save, "reply", draft=f"edit:{post.id}")
        if done:
            return done
    return render_template("board/edit.html", post=post, form=form, preview=preview,
                           kept_files=uploads.keep_files(form),
                           removing=uploads.removed_from_request())


@bp.route("/p/<id:post_id>/hide", methods=["GET", "POST"])
@login_required
@keeps_input
def hide_post(post_id: int):
    post = visible_post(post_id)
    require(current_user, "hide_post", post)
    form = HideForm()
    if form.validate_on_submit():
        def save():
            services.hide_post(current_user, post, form.reason.data)
            return post_url(post), "The post has been hidden. It is kept, and can be restored."
        if done := complete(form, save):
            return done
    return render_template("board/hide.html", post=post, form=form)


@bp.post("/p/<id:post_id>/restore")
@login_required
def restore_post(post_id: int):
    post = visible_post(post_id)
    require(current_user, "restore_post", post)
    return act(lambda: services.restore_post(current_user, post), post_url(post),
               "The post has been restored.")


@bp.get("/p/<id:post_id>/history")
def post_history(post_id: int):
    post = visible_post(post_id)
    require(current_user, "view_revisions", post)
    return render_template("board/history.html", post=post,
                           revisions=queries.revisions(post))
