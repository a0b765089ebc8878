from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import pagecache
from ..board import queries as board_queries
from ..errors import keeps_input
from ..groups import queries as group_queries
from ..handlers import complete, settle
from ..moderation import queries as moderation_queries
from ..permissions import can, require, viewer_scope
from ..urls import page_arg, page_count, safe_next
from ..forms import Form
from . import email, oidc, queries, security_views, services, sessions
from .forms import LoginForm, PasswordForm, ProfileForm, RegisterForm, TimeZoneForm

bp = Blueprint("accounts", __name__)
bp.after_app_request(sessions.touch_after_response)


def _passwords_off(template: str, **context):
    """Local passwords are turned off site-wide: the page offers the identity providers
    only, and a password sent anyway is not looked at."""
    if request.method == "POST":
        context["form"].form_errors.append(
            "Passwords are not used on this site: log in with your organisation's account.")
    return render_template(template, **context)


@bp.route("/register", methods=["GET", "POST"])
@keeps_input
def register():
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    form = RegisterForm()
    if not current_app.config["LOCAL_PASSWORDS"]:
        return _passwords_off("accounts/register.html", form=form)
    if form.validate_on_submit() and not form.throttled("register"):
        # The same answer whether or not the address already has an account (its owner is
        # e-mailed instead), so nobody is logged in here: the new member logs in next.
        def save():
            email.register_member(form.display_name.data, form.email.data, form.password.data)
            return (url_for("accounts.login", next=request.args.get("next")),
                    f"Thank you. We have sent an email to {form.email.data.strip().lower()}: "
                    "follow its link to confirm the address. If this address is new to us, "
                    "your account is ready: log in below.")
        if done := complete(form, save):
            return done
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@keeps_input
def login():
    target = safe_next(request.values.get("next"), url_for("board.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if not current_app.config["LOCAL_PASSWORDS"]:
        return _passwords_off("accounts/login.html", form=form, next=target)
    if form.validate_on_submit() and not form.throttled("login"):
        def save():
            user = services.log_in(form.login.data, form.password.data,
                                   security_views.client())
            return security_views.after_password(user, form.remember.data, target)
        if done := complete(form, save):
            return done
    return render_template("accounts/login.html", form=form, next=target)


@bp.post("/logout")
def logout():
    via = str(session.get("signed_in_via", ""))
    settle(security_views.sign_out)
    # Logged in by an identity provider: offer to end the session there too.
    provider = oidc.provider(via.removeprefix("oidc:")) if via.startswith("oidc:") else None
    end_session = provider and oidc.end_session_url(provider, url_for("board.index",
                                                                      _external=True))
    if end_session:
        return render_template("accounts/logged_out.html", provider=provider,
                               end_session_url=end_session)
    flash("You have logged out.", "success")
    return redirect(url_for("board.index"))


MEMBERS_PER_PAGE = 50


@bp.get("/members")
def members():
    """The member directory: name, joined, posts, badges; sort and search by name."""
    search = request.args.get("q", "")[:80]
    sort = request.args.get("sort", "name")
    if sort not in queries.DIRECTORY_SORTS:
        sort = "name"
    page = page_arg()
    scope = viewer_scope(current_user)
    people, total = queries.directory(search, sort, page, MEMBERS_PER_PAGE,
                                      board_queries.out_of_sight_by_author(scope))
    hidden = board_queries.posts_out_of_sight([m.id for m in people], scope)
    return render_template("accounts/members.html", members=people, total=total,
                           search=search, sort=sort, page=page,
                           pages=page_count(total, MEMBERS_PER_PAGE),
                           posts={m.id: m.topic_count + m.reply_count - hidden.get(m.id, 0)
                                  for m in people})


@bp.get("/u/<path:name>")
def profile(name: str):
    # with what other features show of them for this viewer (queries.PROFILE_FACTS)
    user = queries.profile_member(name, current_user.id
                                  if current_user.is_authenticated else None)
    if user is None:
        abort(404)
    history = (moderation_queries.history_of(user)
               if can(current_user, "view_moderation_log") else None)
    scope = viewer_scope(current_user)
    # Public topics and replies only, so the same for everyone: kept (issue 15), dropped by
    # any write to a listed topic. So is how many of their posts are out of this viewer's
    # sight (the same for everyone of their scope; counting them was planned for the
    # member at each request, a third of the page): both in one round trip.
    # And the groups shown, the same for everyone of their scope, dropped when the member's
    # groups change.
    wanted = {"activity": (f"activity:{user.id}", [pagecache.SITE, pagecache.LISTS]),
              "groups": group_queries.shown_groups_fragment(user, scope)}
    if not scope.all_forums:  # (else none is: no query to keep)
        wanted["out_of_sight"] = (f"out-of-sight:{user.id}:{scope.key}",
                                  [pagecache.SITE, pagecache.LISTS])
    kept = pagecache.kept_fragments(wanted)
    out_of_sight = kept["out_of_sight"].or_find(
        lambda: board_queries.counted_out_of_sight(user, scope),
        lambda counts: "%d,%d" % counts,
        lambda text: tuple(int(count) for count in text.split(","))) \
        if "out_of_sight" in kept else (0, 0)
    return render_template("accounts/profile.html", member=user, history=history,
                           history_targets=moderation_queries.log_targets(history or []),
                           topic_count=user.topic_count - out_of_sight[0],
                           reply_count=user.reply_count - out_of_sight[1],
                           activity=Markup(kept["activity"].or_render(
                               lambda: render_template(
                                   "accounts/_activity.html",
                                   topics=board_queries.recent_topics_by(user),
                                   replies=board_queries.recent_replies_by(user)))),
                           shown_groups=group_queries.kept_shown_groups(kept["groups"], user,
                                                                        scope))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@keeps_input
def settings():
    require(current_user, "edit_profile", current_user)
    form = ProfileForm(obj=current_user)
    if request.method == "POST":
        require(current_user, "edit_public_profile", current_user)
    if form.validate_on_submit():
        def save():
            services.update_profile(current_user, form.bio.data or "")
            return url_for("accounts.settings"), "Your profile has been saved."
        if done := complete(form, save):
            return done
    return render_template("accounts/settings.html", form=form)


@bp.route("/settings/time-zone", methods=["GET", "POST"])
@login_required
@keeps_input
def time_zone():
    """The member's time zone. With script, a member who has not chosen one is offered their
    browser's (static/js/time-zone.js); without, the site's time (UTC) stays until chosen."""
    require(current_user, "edit_profile", current_user)
    form = TimeZoneForm(time_zone=current_user.time_zone or "")
    if form.validate_on_submit():
        def save():
            services.set_time_zone(current_user, form.time_zone.data or "")
            zone = current_user.time_zone or "UTC, the site's time"
            return url_for("accounts.time_zone"), f"Times are now shown in {zone}."
        if done := complete(form, save):
            return done
    page = render_template("accounts/time_zone.html", form=form,
                           chosen=current_user.time_zone is not None)
    return page, 400 if form.problems else 200


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@keeps_input
def change_password():
    require(current_user, "edit_profile", current_user)
    form = PasswordForm()
    if form.validate_on_submit():
        def save():
            services.change_password(current_user, form.current_password.data,
                                     form.new_password.data)
            security_views.sign_in(current_user._get_current_object(),
                                   "password changed", remember=False)
            return (url_for("accounts.settings"),
                    "Your password has been changed. Other devices have been logged out.")
        if done := complete(form, save):
            return done
    return render_template("accounts/password.html", form=form)


@bp.route("/settings/sessions", methods=["GET", "POST"])
@login_required
def sessions_list():
    """The member's open sessions; POST logs out every one but this browser's."""
    form = Form()
    if form.validate_on_submit():
        def save():
            ended = sessions.end_others(current_user, keep=sessions.current_id())
            return url_for("accounts.sessions_list"), (
                f"Logged out {ended} other session{'s' if ended != 1 else ''}." if ended
                else "You had no other sessions.")
        if done := complete(form, save):
            return done
    return render_template("accounts/sessions.html", sessions=sessions.active(current_user),
                           current=sessions.current_id(), form=form)
