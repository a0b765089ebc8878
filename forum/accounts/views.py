from __future__ import annotations

from flask import (Blueprint, abort, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user

from ..board import queries as board_queries
from ..errors import Invalid, keeps_input
from ..extensions import db
from ..handlers import complete
from ..moderation import queries as moderation_queries
from ..permissions import can, require
from ..urls import safe_next
from . import email, services, throttle
from .forms import LoginForm, PasswordForm, ProfileForm, RegisterForm

bp = Blueprint("accounts", __name__)


def _log_in(user, remember: bool) -> None:
    session.clear()  # a fresh session at log in: nothing carries over from before
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@keeps_input
def register():
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    form = RegisterForm()
    if form.validate_on_submit() and not form.throttled("register"):
        try:
            user = email.register_member(form.display_name.data, form.email.data,
                                         form.password.data)
        except Invalid as error:
            form.fail(error)
        else:
            db.session.commit()
            _log_in(user, remember=False)
            flash(f"Welcome, {user.display_name}. Your account is ready. We have sent a link "
                  f"to {user.email}: follow it to confirm your address.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("board.index")))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@keeps_input
def login():
    target = safe_next(request.values.get("next"), url_for("board.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit() and not form.throttled("login"):
        wait = throttle.wait_seconds(form.login.data)
        user = None if wait else services.authenticate(form.login.data, form.password.data)
        if wait:
            g.rate_limited = wait
            form.form_errors.append(throttle.wait_message(wait))
        elif user is None:
            throttle.record_failure(form.login.data)
            db.session.commit()
            form.fail(Invalid("The email address, display name or password is not right.",
                              "login"))
        else:
            throttle.record_success(form.login.data)
            db.session.commit()
            _log_in(user, remember=form.remember.data)
            flash(f"You are logged in as {user.display_name}.", "success")
            return redirect(target)
    return render_template("accounts/login.html", form=form, next=target)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash("You have logged out.", "success")
    return redirect(url_for("board.index"))


@bp.get("/u/<path:name>")
def profile(name: str):
    user = services.find_by_name(name)
    if user is None:
        abort(404)
    history = (moderation_queries.history_of(user)
               if can(current_user, "view_moderation_log") else None)
    return render_template("accounts/profile.html", member=user, history=history,
                           topics=board_queries.recent_topics_by(user),
                           replies=board_queries.recent_replies_by(user))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@keeps_input
def settings():
    require(current_user, "edit_profile", current_user)
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        def save():
            services.update_profile(current_user, form.bio.data or "")
            return url_for("accounts.settings"), "Your profile has been saved."
        if done := complete(form, save):
            return done
    return render_template("accounts/settings.html", form=form)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@keeps_input
def change_password():
    require(current_user, "edit_profile", current_user)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data,
                                     form.new_password.data)
        except Invalid as error:
            form.fail(error)
        else:
            db.session.commit()
            _log_in(current_user._get_current_object(), remember=False)
            flash("Your password has been changed. Other devices have been logged out.",
                  "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/password.html", form=form)
