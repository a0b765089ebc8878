"""Pages of logging in with an identity provider: the redirect there, the way back, and the
two questions a first log-in may need (a display name; the password of the account to link).
The rules live in forum/accounts/oidc.py; logging in ends through security_views.sign_in."""
from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user
from joserfc.errors import JoseError

from .. import clock
from ..errors import Invalid, keeps_input
from ..extensions import db
from ..handlers import complete, settle
from ..urls import safe_next
from . import oidc
from .forms import ConfirmPasswordForm, DisplayNameForm
from .models import User
from .security_views import client as request_client
from .security_views import sign_in

bp = Blueprint("oidc", __name__)

PENDING = "oidc_pending"
PENDING_SECONDS = 600
TOKEN_ERRORS = (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError)


def _provider_or_404(name: str) -> oidc.Provider:
    found = oidc.provider(name)
    if found is None:
        abort(404)
    return found


def _back_to_login(message: str):
    flash(message, "error")
    return redirect(url_for("accounts.login"))


def _unreachable(found: oidc.Provider):
    current_app.logger.warning("Identity provider %s did not answer", found.name)
    return _back_to_login(f"{found.label} is not answering at the moment, so we could not "
                          "log you in with it. Try again in a few minutes"
                          + (", or log in with your password."
                             if current_app.config.get("LOCAL_PASSWORDS", True) else "."))


@bp.get("/login/with/<name>")
def start(name: str):
    found = _provider_or_404(name)
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    session["oidc_next"] = safe_next(request.args.get("next"), url_for("board.index"))
    try:
        return oidc.client(found).authorize_redirect(
            url_for("oidc.callback", name=found.name, _external=True),
            claims=oidc.ASK_AUTHENTICATION_CLAIMS)
    except requests.RequestException:
        return _unreachable(found)
    except TOKEN_ERRORS:
        current_app.logger.warning("Identity provider %s sent unusable metadata", found.name)
        return _unreachable(found)


@bp.get("/login/with/<name>/callback")
def callback(name: str):
    found = _provider_or_404(name)
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    target = session.pop("oidc_next", None) or url_for("board.index")
    if error := request.args.get("error"):
        if error == "access_denied":  # the person declined there (RFC 6749, 4.1.2.1)
            return _back_to_login(f"You did not let {found.label} tell us who you are, so "
                                  "you are not logged in. Nothing has changed here.")
        return _back_to_login(f"{found.label} did not log you in ({error[:60]}). Nothing "
                              "has changed here.")
    try:
        token = oidc.client(found).authorize_access_token()
        claims = oidc.Claims.from_token(found, token.get("userinfo") or {})
    except MismatchingStateError:
        return _back_to_login("That sign-in link was not started here, or it has already "
                              "been used. Nothing has changed: start again.")
    except requests.RequestException:
        return _unreachable(found)
    except TOKEN_ERRORS as error:
        current_app.logger.warning("Refused an ID token from %s: %s", found.name,
                                   type(error).__name__)
        return _back_to_login(f"We could not check the answer from {found.label}, so you "
                              "are not logged in. Start again; if it happens again, tell an "
                              "administrator.")
    def recognised():
        outcome, user = oidc.recognise(found, claims, request_client())
        return outcome, _log_in(user, found, claims) if outcome == "known" else user
    try:  # a Refused is committed: the owner's security log keeps the attempt
        outcome, user = settle(recognised)
    except Invalid as error:
        return _back_to_login(error.message)
    if outcome == "known":
        return _logged_in(user, target)
    session[PENDING] = {"provider": found.name, "claims": claims.as_dict(),
                        "since": _now(), "next": target,
                        "user": user.id if user is not None else None}
    if outcome == "link":
        return redirect(url_for("oidc.link"))
    if name := oidc.suggested_name(claims):
        # The provider's name is free and valid here: no question to ask.
        if done := _create(found, claims, session[PENDING], name, None):
            return done
    return redirect(url_for("oidc.choose_name"))


def _log_in(user: User, found: oidc.Provider, claims: oidc.Claims) -> User:
    """Log `user` in as `found` vouched for them (the caller settles the unit of work)."""
    session.pop(PENDING, None)
    sign_in(user, oidc.method(found, claims), remember=False, via=f"oidc:{found.name}")
    oidc.signed_in(user, claims)
    return user


def _logged_in(user: User, target: str):
    flash(f"You are logged in as {user.display_name}.", "success")
    return redirect(target)


def _now() -> int:
    return int(clock.now().timestamp())


def _pending():
    """The provider and claims of a first log-in waiting for an answer, or Nones."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("since"), int) \
            or _now() - pending["since"] > PENDING_SECONDS:
        return None, None, {}
    found = oidc.provider(str(pending.get("provider")))
    try:
        claims = oidc.Claims(**pending["claims"])
    except (TypeError, KeyError):
        return None, None, {}
    return found, claims, pending


def _start_again():
    session.pop(PENDING, None)
    return _back_to_login("Please start again: that step of logging in has expired.")


@bp.route("/login/with/name", methods=["GET", "POST"])
@keeps_input
def choose_name():
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    found, claims, pending = _pending()
    if found is None or pending.get("user") is not None:
        return _start_again()
    form = DisplayNameForm(data={"display_name": claims.name[:40]}
                           if request.method == "GET" else None)
    if form.validate_on_submit():
        if done := _create(found, claims, pending, form.display_name.data, form):
            return done
    return render_template("accounts/oidc_name.html", form=form, provider=found)


def _create(found, claims, pending, display_name: str, form):
    try:
        user = settle(lambda: _log_in(oidc.create_member(found, claims, display_name,
                                                         request_client()), found, claims))
    except Invalid as error:
        if form is not None:
            form.fail(error)
        return None
    return _logged_in(user, pending.get("next") or url_for("board.index"))


@bp.route("/login/with/link", methods=["GET", "POST"])
@keeps_input
def link():
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    found, claims, pending = _pending()
    user = db.session.get(User, pending["user"]) if found and isinstance(
        pending.get("user"), int) else None
    if user is None:
        return _start_again()
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and not form.throttled("login"):
        def save():
            oidc.link_account(user, form.password.data, found, claims, request_client())
            session.pop(PENDING, None)
            sign_in(user, oidc.method(found, claims), remember=False, via=f"oidc:{found.name}")
            oidc.signed_in(user, claims)
            return (pending.get("next") or url_for("board.index"),
                    f"Your account is now linked to {found.label}, and you are logged in as "
                    f"{user.display_name}.")
        if done := complete(form, save):
            return done
    return render_template("accounts/oidc_link.html", form=form, provider=found, member=user)
