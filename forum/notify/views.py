"""Notifications, following topics and forums, read marks and e-mail settings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import services as account_services
from ..board import queries as board_queries
from ..board.access import visible_topic
from ..board.links import topic_url
from ..errors import keeps_input
from ..extensions import csrf, db
from ..handlers import complete
from ..permissions import require
from ..urls import page_arg, safe_next
from . import mail, queries, services
from .forms import ActionForm, SettingsForm
from .models import EmailMode

bp = Blueprint("notify", __name__)
PER_PAGE = 30


def _me():
    return current_user._get_current_object()


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


def _done(url: str, message: str):
    """A button that acts at once: commit, say so, go back (a bad token gives the 400 page)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    db.session.commit()
    flash(message, "success")
    return redirect(url)


@bp.get("/notifications")
@login_required
def index():
    require(current_user, "manage_notifications", current_user)
    pages = max(1, -(-queries.notification_count(current_user) // PER_PAGE))
    page = page_arg(pages)
    return render_template("notify/index.html", page=page, pages=pages,
                           notifications=queries.notifications(current_user, page, PER_PAGE),
                           action_form=ActionForm())


@bp.post("/notifications/<id:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    notification = queries.notification(notification_id)
    if notification is None:
        abort(404)
    services.mark_read(_me(), notification)
    return _done(_back(url_for(".index")), "Marked as read.")


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    services.mark_all_read(_me())
    return _done(_back(url_for(".index")), "All your notifications are marked as read.")


@bp.post("/t/<id:topic_id>/follow")
@login_required
def follow_topic(topic_id: int):
    topic = visible_topic(topic_id)
    services.subscribe_topic(_me(), topic)
    return _done(_back(topic_url(topic)),
                 "You are following this topic: you will be told about new replies.")


@bp.post("/t/<id:topic_id>/unfollow")
@login_required
def unfollow_topic(topic_id: int):
    topic = visible_topic(topic_id)
    services.unsubscribe_topic(_me(), topic)
    return _done(_back(topic_url(topic)), "You are no longer following this topic.")


def _forum(slug: str):
    forum = board_queries.forum_by_slug(slug)
    if forum is None:
        abort(404)
    return forum


@bp.post("/f/<slug>/follow")
@login_required
def follow_forum(slug: str):
    forum = _forum(slug)
    services.subscribe_forum(_me(), forum)
    return _done(_back(url_for("board.forum", slug=forum.slug)),
                 "You are following this forum: you will be told about new topics.")


@bp.post("/f/<slug>/unfollow")
@login_required
def unfollow_forum(slug: str):
    forum = _forum(slug)
    services.unsubscribe_forum(_me(), forum)
    return _done(_back(url_for("board.forum", slug=forum.slug)),
                 "You are no longer following this forum.")


@bp.post("/f/<slug>/mark-read")
@login_required
def mark_forum_read(slug: str):
    forum = _forum(slug)
    services.mark_forum_read(_me(), forum)
    return _done(_back(url_for("board.forum", slug=forum.slug)),
                 f"All topics in {forum.title} are marked as read.")


@bp.post("/mark-all-read")
@login_required
def mark_everything_read():
    services.mark_everything_read(_me())
    return _done(_back(url_for("board.index")), "All topics are marked as read.")


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
        services.stop_emails(user_id)
        db.session.commit()
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
