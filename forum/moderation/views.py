from __future__ import annotations

import csv
import io

from datetime import datetime, time

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required

from ..accounts import services as account_services
from ..accounts.models import Role
from ..board import queries as board_queries
from ..board.access import visible_post, visible_topic
from ..board.links import post_url, topic_url
from ..board.models import Pin
from ..errors import Invalid, keeps_input
from ..extensions import db
from ..handlers import complete
from ..permissions import require
from ..urls import page_arg
from . import queries, services
from .forms import (LogFilterForm, ModerationForm, MoveForm, PinForm, RenameForm, ReportForm,
                    ResolveForm, RoleForm, SuspendForm)

bp = Blueprint("moderation", __name__)

# action: (form class, page heading, button label, done message)
ACTIONS = {
    "pin": (PinForm, "Pin or unpin", "Save", "The topic's pinning has been changed."),
    "lock": (ModerationForm, "Lock", "Lock topic", "The topic is locked."),
    "unlock": (ModerationForm, "Unlock", "Unlock topic", "The topic is open for replies."),
    "move": (MoveForm, "Move", "Move topic", "The topic has been moved."),
    "rename": (RenameForm, "Rename", "Rename topic", "The topic has been renamed."),
    "hide": (ModerationForm, "Hide", "Hide topic", "The topic is hidden."),
    "restore": (ModerationForm, "Restore", "Restore topic", "The topic is visible again."),
}


def _apply(action: str, topic, form) -> None:
    actor, reason = current_user._get_current_object(), form.reason.data
    if action == "pin":
        services.pin_topic(actor, topic, Pin(form.pin.data), reason)
    elif action in ("lock", "unlock"):
        services.lock_topic(actor, topic, action == "lock", reason)
    elif action == "move":
        forum = next(f for f in board_queries.all_forums() if f.id == form.forum.data)
        services.move_topic(actor, topic, forum, reason)
    elif action == "rename":
        services.rename_topic(actor, topic, form.title.data, reason)
    elif action == "hide":
        services.hide_topic(actor, topic, reason)
    else:
        services.restore_topic(actor, topic, reason)


@bp.route("/t/<id:topic_id>/moderate/<any(pin, lock, unlock, move, rename, hide, restore):action>",
          methods=["GET", "POST"])
@login_required
@keeps_input
def topic_action(topic_id: int, action: str):
    topic = visible_topic(topic_id)
    require(current_user, "moderate_topic", topic)
    form_class, heading, button, done = ACTIONS[action]
    extra = {"forums": board_queries.all_forums()} if action == "move" else {}
    defaults = {"pin": topic.pinned, "forum": topic.forum_id, "title": topic.title}
    form = form_class(**extra, **{k: v for k, v in defaults.items() if hasattr(form_class, k)})
    form.submit.label.text = button
    if form.validate_on_submit():
        def save():
            _apply(action, topic, form)
            return topic_url(topic), done
        if response := complete(form, save):
            return response
    return render_template("moderation/topic_action.html", topic=topic, form=form,
                           action=action, heading=heading)


@bp.route("/p/<id:post_id>/report", methods=["GET", "POST"])
@login_required
@keeps_input
def report(post_id: int):
    post = visible_post(post_id)
    require(current_user, "report_post", post)
    form = ReportForm()
    if form.validate_on_submit() and not form.throttled("report", f"user:{current_user.id}"):
        def save():
            new = services.report_post(current_user, post, form.reason.data, form.details.data)
            return post_url(post), ("Thank you. Moderators will look at the post." if new else
                                    "You had already reported this post. Moderators will look "
                                    "at it.")
        if done := complete(form, save):
            return done
    return render_template("moderation/report.html", post=post, form=form)


@bp.get("/moderation/queue")
@login_required
def queue():
    require(current_user, "handle_reports")
    return render_template("moderation/queue.html", items=queries.report_queue())


@bp.post("/moderation/queue/<id:post_id>")
@login_required
def resolve(post_id: int):
    require(current_user, "handle_reports")
    post = visible_post(post_id)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            closed = services.resolve_reports(current_user, post, form.outcome.data,
                                              form.reason.data)
        except Invalid as error:
            db.session.rollback()
            flash(error.message, "info")
        else:
            db.session.commit()
            flash(f"{closed} report{'s' if closed != 1 else ''} closed.", "success")
    else:
        flash("Choose what to do with the reports.", "info")
    return redirect(url_for("moderation.queue"))


def _member_or_404(name: str):
    member = account_services.find_by_name(name)
    if member is None:
        abort(404)
    return member


@bp.route("/u/<path:name>/role", methods=["GET", "POST"])
@login_required
@keeps_input
def member_role(name: str):
    member = _member_or_404(name)
    require(current_user, "set_role", member)
    form = RoleForm(role=member.role.value)
    if form.validate_on_submit():
        def save():
            services.set_role(current_user, member, Role(form.role.data), form.reason.data)
            return (url_for("accounts.profile", name=member.display_name),
                    f"{member.display_name} is now {member.role.label.lower()}.")
        if done := complete(form, save):
            return done
    return render_template("moderation/member_role.html", member=member, form=form)


@bp.route("/u/<path:name>/suspend", methods=["GET", "POST"])
@login_required
@keeps_input
def suspend(name: str):
    member = _member_or_404(name)
    require(current_user, "suspend_member", member)
    form = SuspendForm()
    if form.validate_on_submit():
        def save():
            services.suspend_member(current_user, member,
                                    datetime.combine(form.until.data, time(23, 59, 59)),
                                    form.reason.data)
            return (url_for("accounts.profile", name=member.display_name),
                    f"{member.display_name} is suspended.")
        if done := complete(form, save):
            return done
    return render_template("moderation/suspend.html", member=member, form=form)


@bp.post("/u/<path:name>/unsuspend")
@login_required
def unsuspend(name: str):
    member = _member_or_404(name)
    try:
        services.lift_suspension(current_user, member)
    except Invalid as error:
        flash(error.message, "info")
    else:
        db.session.commit()
        flash(f"{member.display_name}'s suspension has been lifted.", "success")
    return redirect(url_for("accounts.profile", name=member.display_name))


PER_PAGE = 50


@bp.get("/moderation/log")
@login_required
def log():
    require(current_user, "view_moderation_log")
    filters = LogFilterForm(request.args)
    page = page_arg()
    rows = queries.log_page(queries.log_query(filters.actor.data or "", filters.action.data or "",
                                              filters.member.data or ""), page, PER_PAGE)
    active = {key: value for key, value in filters.data.items() if value}
    return render_template("moderation/log.html", filters=filters, rows=rows[:PER_PAGE],
                           page=page, more=len(rows) > PER_PAGE, active=active)


@bp.get("/moderation/log.csv")
@login_required
def log_csv():
    require(current_user, "view_moderation_log")
    filters = LogFilterForm(request.args)
    query = queries.log_query(filters.actor.data or "", filters.action.data or "",
                              filters.member.data or "")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when", "moderator", "action", "target", "member", "reason", "before",
                     "after"])
    for row in (db.session.scalars(query) if query is not None else []):
        writer.writerow([row.created_at.isoformat(), row.actor.display_name, row.action,
                         f"{row.target_type} {row.target_id}",
                         row.subject.display_name if row.subject else "", row.reason or "",
                         row.before, row.after])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="moderation-log.csv"'})


