from __future__ import annotations

from datetime import datetime, time

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_required
from sqlalchemy.exc import OperationalError

from .. import clock, spreadsheet
from ..accounts import services as account_services
from ..accounts.models import Role
from ..board import queries as board_queries
from ..board.access import visible_post, visible_topic
from ..board.models import Pin
from ..errors import keeps_input
from ..extensions import db
from ..handlers import act, complete
from ..permissions import require
from ..urls import page_arg, post_url, safe_next, topic_url
from . import approval, queries, services
from .forms import (DecisionForm, LogFilterForm, ModerationForm, MoveForm, PinForm,
                    RenameForm, ReportForm, ResolveForm, ReviewForm, RoleForm, SuspendForm)

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
    require(current_user, "move_topic" if action == "move" else "moderate_topic", topic)
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
    back = url_for("moderation.queue")
    if not form.validate_on_submit():
        flash("Choose what to do with the reports.", "info")
        return redirect(back)
    return act(lambda: services.resolve_reports(current_user, post, form.outcome.data,
                                                form.reason.data),
               back, lambda closed: f"{closed} report{'s' if closed != 1 else ''} closed.")


def _ticked(name: str) -> list[int]:
    """The ids ticked in a checkbox list (anything that is not a whole number is ignored)."""
    return sorted({int(v) for v in request.form.getlist(name) if v.isdigit() and len(v) < 12})


@bp.route("/moderation/review", methods=["GET", "POST"])
@login_required
@keeps_input
def review():
    """Reports, posts awaiting approval and new members on one page; one form approves or
    rejects the ticked posts and members."""
    require(current_user, "approve_posts")
    form = ReviewForm()
    if form.validate_on_submit():
        def save():
            posts, members = approval.decide_many(
                current_user, form.decision.data, _ticked("post"), _ticked("member"),
                form.reason.data, form.suspend_days())
            done = "approved" if form.decision.data == "approve" else "rejected"
            return url_for("moderation.review"), (
                f"{posts} post{'s' if posts != 1 else ''} and {members} "
                f"member{'s' if members != 1 else ''} {done}.")
        if response := complete(form, save):
            return response
    ticked = ({"post": set(_ticked("post")), "member": set(_ticked("member"))}
              if request.method == "POST" else {"post": set(), "member": set()})
    page = render_template("moderation/review.html", form=form, ticked=ticked,
                           reports=queries.report_queue(), posts=approval.pending_posts(),
                           members=approval.new_members())
    return page, 400 if form.problems else 200


def _decision_form(post_id: int, **kwargs) -> DecisionForm:
    return DecisionForm(prefix=f"post-{post_id}", **kwargs)


def _approval_page(failed=None):
    """The approval queue; `failed` is a form sent back with its errors and typed text."""
    items = approval.pending_posts()
    forms = {post.id: _decision_form(post.id, formdata=None) for post in items}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template("moderation/approval.html", items=items, forms=forms,
                           form=failed[1] if failed else None)


@bp.get("/moderation/approval")
@login_required
def approval_queue():
    require(current_user, "approve_posts")
    return _approval_page()


@bp.post("/moderation/approval/<id:post_id>")
@login_required
@keeps_input
def approval_decide(post_id: int):
    require(current_user, "approve_posts")
    post = visible_post(post_id)
    form = _decision_form(post.id)
    if form.validate_on_submit():
        def save():
            if form.decision.data == "approve":
                approval.approve_post(current_user, post, form.reason.data)
                return url_for("moderation.approval_queue"), "The post is approved and public."
            approval.reject_post(current_user, post, form.reason.data)
            return (url_for("moderation.approval_queue"),
                    "The post is rejected. It stays hidden; its author sees your reason.")
        if done := complete(form, save):
            return done
    if not post.awaiting_approval:  # dealt with meanwhile: nothing to show it again for
        flash("This post has already been dealt with.", "info")
        return redirect(url_for("moderation.approval_queue"))
    return _approval_page((post.id, form))


@bp.get("/moderation/warnings")
@login_required
def warnings():
    """A member's own warnings from moderators."""
    return render_template("moderation/approval_warnings.html",
                           rows=services.warnings_for(current_user))


@bp.post("/moderation/warnings/seen")
@login_required
def warnings_seen():
    """Dismiss the warning notice (until a newer warning comes)."""
    latest = services.latest_warning(current_user)
    session["warning_seen"] = latest.id if latest else 0
    return redirect(safe_next(request.form.get("next"), url_for("moderation.warnings")))


@bp.app_context_processor
def _warning_notice():
    """unseen_warning() for base.html: the newest warning this member has not dismissed.
    Called only on pages shown to a logged-in person; one query."""
    def unseen_warning():
        if not current_user.is_authenticated:
            return None
        seen = session.get("warning_seen", 0)
        latest = account_services.session_facts().get("latest_warning_id")
        if latest is not None and latest <= seen:  # known with the member: nothing new
            return None
        try:
            return services.latest_warning(current_user, seen)
        except OperationalError:  # the 503 page, while the database is not answering
            return None
    return {"unseen_warning": unseen_warning}


@account_services.session_fact("moderation_waiting")
def _waiting_with_the_member(user_id: int):
    """Reports and approvals waiting, counted with a moderator's own row (no query of its
    own on any page; members' rows skip it)."""
    return queries.waiting_count_query(user_id)


@bp.app_template_global("moderation_waiting")
def moderation_waiting() -> int:
    """The header's count next to "Moderation" (0 when nothing waits or not loaded)."""
    return account_services.session_facts().get("moderation_waiting") or 0


@account_services.session_fact("latest_warning_id")
def _latest_warning_with_the_member(user_id: int):
    """The newest warning's id, loaded with the member: the warning itself is loaded only
    when there is one they have not dismissed."""
    return services.latest_warning_id_query(user_id)


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
            last_day = form.last_day(clock.now().date())
            services.suspend_member(current_user, member,
                                    datetime.combine(last_day, time(23, 59, 59)),
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
    return act(lambda: services.lift_suspension(current_user, member),
               url_for("accounts.profile", name=member.display_name),
               f"{member.display_name}'s suspension has been lifted.")


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
    shown = rows[:PER_PAGE]
    return render_template("moderation/log.html", filters=filters, rows=shown,
                           targets=queries.log_targets(shown), changes=queries.changes,
                           page=page, more=len(rows) > PER_PAGE, active=active)


@bp.get("/moderation/log.csv")
@login_required
def log_csv():
    require(current_user, "view_moderation_log")
    filters = LogFilterForm(request.args)
    query = queries.log_query(filters.actor.data or "", filters.action.data or "",
                              filters.member.data or "")
    rows = list(db.session.scalars(query)) if query is not None else []
    text = spreadsheet.write(queries.log_table(rows))
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="moderation-log.csv"'})


