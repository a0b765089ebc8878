"""Notifications, following topics and forums, read marks and e-mail settings."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..accounts import services as account_services
from ..board import queries as board_queries
from ..board.access import visible_topic
from ..errors import keeps_input
from ..extensions import csrf, db
from ..handlers import act, complete, settle
from ..permissions import require
from ..templating import with_csrf_token, without_csrf_token
from ..urls import page_arg, page_count, safe_next, topic_url
from . import mail, queries, services
from .forms import ActionForm, SettingsForm
from .models import EmailMode
from ..outbox import OutboxEmail

bp = Blueprint("notify", __name__)
PER_PAGE = 30


def _me():
    return current_user._get_current_object()


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


@bp.get("/notifications")
@login_required
def index():
    me = _me()
    require(me, "manage_notifications", me)
    page, pages, listed = _listed(me, page_arg())
    return render_template("notify/index.html", page=page, pages=pages,
                           listed=Markup(with_csrf_token(listed)), here=_here(page))


PAGES_END = "<!--/pages-->"  # ends "page,pages" before a kept page's HTML


def _here(page: int) -> str:
    """The address of page `page` of the notifications (its forms come back to it)."""
    return url_for(".index", page=page if page > 1 else None)


def _listed(me, asked: int) -> tuple[int, int, str]:
    """(the page shown, how many pages, its list's HTML with the CSRF token marked) for
    page `asked`: as kept (queries.kept_page: no statement), or read and rendered, and
    kept."""
    kept = queries.kept_page(me, asked)
    if kept.html is not None:
        head, found, html = kept.html.partition(PAGES_END)
        page, _, pages = head.partition(",")
        if found and page.isdigit() and pages.isdigit():
            return int(page), int(pages), html
    notifications, page, pages = queries.notification_page(me, asked, PER_PAGE)
    html = without_csrf_token(render_template(
        "notify/_list.html", notifications=notifications, page=page, pages=pages,
        here=_here(page)))
    kept.keep(f"{page},{pages}{PAGES_END}{html}")
    return page, pages, html


@bp.post("/notifications/<id:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    notification = queries.notification(notification_id)
    if notification is None:
        abort(404)
    return act(lambda: services.mark_read(_me(), notification),
               _back(url_for(".index")), "Marked as read.")


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    return act(lambda: services.mark_all_read(_me()),
               _back(url_for(".index")), "All your notifications are marked as read.")


@bp.post("/t/<id:topic_id>/follow")
@login_required
def follow_topic(topic_id: int):
    topic = visible_topic(topic_id)
    return act(lambda: services.subscribe_topic(_me(), topic),
               _back(topic_url(topic)),
               "You are following this topic: you will be told about new replies.")


@bp.post("/t/<id:topic_id>/unfollow")
@login_required
def unfollow_topic(topic_id: int):
    topic = visible_topic(topic_id)
    return act(lambda: services.unsubscribe_topic(_me(), topic),
               _back(topic_url(topic)), "You are no longer following this topic.")


def _forum(slug: str):
    forum = board_queries.forum_by_slug(slug)
    if forum is None:
        abort(404)
    require(current_user, "view_forum", forum)  # a private forum is not there for outsiders
    return forum


@bp.post("/f/<slug>/follow")
@login_required
def follow_forum(slug: str):
    forum = _forum(slug)
    return act(lambda: services.subscribe_forum(_me(), forum),
               _back(url_for("board.forum", slug=forum.slug)),
               "You are following this forum: you will be told about new topics.")


@bp.post("/f/<slug>/unfollow")
@login_required
def unfollow_forum(slug: str):
    forum = _forum(slug)
    return act(lambda: services.unsubscribe_forum(_me(), forum),
               _back(url_for("board.forum", slug=forum.slug)),
               "You are no longer following this forum.")


@bp.post("/f/<slug>/mark-read")
@login_required
def mark_forum_read(slug: str):
    forum = _forum(slug)
    return act(lambda: services.mark_forum_read(_me(), forum),
               _back(url_for("board.forum", slug=forum.slug)),
               f"All topics in {forum.title} are marked as read.")


@bp.post("/mark-all-read")
@login_required
def mark_everything_read():
    return act(lambda: services.mark_everything_read(_me()),
               _back(url_for("board.index")), "All topics are marked as read.")


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
@keeps_input
def settings():
    require(current_user, "manage_notifications", current_user)
    current = services.settings_for(current_user.id)
    form = SettingsForm(email_mode=current.email_mode.value,
                        auto_subscribe=current.auto_subscribe)
    if form.validate_on_submit():
        def save():
            services.save_settings(_me(), email_mode=EmailMode(form.email_mode.data),
                                   auto_subscribe=form.auto_subscribe.data)
            return url_for(".settings"), "Your notification settings are saved."
        if response := complete(form, save):
            return response
    topics, forums = queries.followed(current_user)
    return render_template("notify/settings.html", form=form, topics=topics, forums=forums,
                           action_form=ActionForm())


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail programs POST without a session
def unsubscribe(token: str):
    """One-click unsubscribe from e-mails (RFC 8058 POST, or the button on this page)."""
    user_id = mail.read_unsubscribe_token(token)
    if user_id is None:
        abort(404)
    done = False
    if request.method == "POST":
        settle(lambda: services.stop_emails(user_id))
        done = True
    return render_template("notify/unsubscribe.html", token=token, done=done)


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    """The header's count for the person viewing the page (one query, once a request)."""
    if "unread_notifications" not in g:
        loaded = account_services.session_facts().get("unread_notifications")
        g.unread_notifications = loaded if loaded is not None \
            else services.unread_count(current_user)
    return g.unread_notifications


@account_services.session_fact("unread_notifications")
def _unread_with_the_member(user_id: int):
    """Counted with the logged-in member's own row: no query of its own on any page."""
    return services.unread_count_query(user_id)


# ------------------------------------------------------- the outbox, read in the browser

def _outbox_allowed() -> None:
    """Development only (letter_opener style): in production the outbox holds everyone's
    private mail and is nobody's page to read."""
    if current_app.config.get("FORUM_ENV") != "development":
        abort(404)
    require(current_user, "read_outbox")


@bp.get("/admin/outbox")
@login_required
def outbox():
    _outbox_allowed()
    rows, total = queries.outbox_page(page_arg(), PER_PAGE)
    pages = page_count(total, PER_PAGE)
    return render_template("notify/outbox.html", rows=rows, total=total,
                           page=min(page_arg(), pages), pages=pages)


@bp.get("/admin/outbox/<id:message_id>")
@login_required
def outbox_message(message_id: int):
    _outbox_allowed()
    row = db.session.get(OutboxEmail, message_id) or abort(404)
    return render_template("notify/outbox_message.html", row=row,
                           html_part=mail.html_part_for_page(row.html_body))
