"""Pages of sign-in security: the second step of logging in, two-factor enrolment and its
settings, the member's security log, and the admins' security settings and log.

The rules live in accounts/twofactor.py and accounts/security_log.py. Every way of logging
in ends through `sign_in`, which starts a fresh session and records the event.
"""
from __future__ import annotations

from flask import (Blueprint, abort, flash, make_response, redirect, render_template,
                   request, session, url_for)
from flask_login import current_user, login_required

from .. import clock
from ..errors import Invalid, keeps_input
from ..extensions import db
from ..forms import Form
from ..handlers import act, complete, settle
from ..client_address import client_address
from ..permissions import require
from ..urls import page_arg
from . import oidc, security_log, services, sessions, twofactor
from .forms import (CodeForm, ConfirmPasswordForm, IdentityProviderForm, SignInCodeForm,
                    TwoFactorPolicyForm)
from .models import User
from .security_log import Client, Event

bp = Blueprint("security", __name__)

PENDING = "two_factor_pending"
PENDING_SECONDS = 300   # the password step is good for five minutes
# Pages a moderator or admin who must enrol may still open.
ENROLMENT_ENDPOINTS = {"static", "security.two_factor", "security.start_two_factor",
                       "security.enrol", "security.qr_code", "accounts.logout"}


def client() -> Client:
    return Client(address=client_address(),
                  user_agent=request.user_agent.string or "")


def sign_in(user: User, method: str, remember: bool, via: str = "password") -> None:
    """Log `user` in on a fresh session and record how (the caller commits). Every way of
    logging in ends here."""
    security_log.record(user, Event.SIGNED_IN, client(), method)
    sessions.begin(user, remember=remember)  # a fresh session and its server-side record
    session["signed_in_via"] = via


def sign_out() -> None:
    """Log this browser out, end its session record and record it in the member's security
    log (the caller commits). Every way of logging out ends here."""
    if current_user.is_authenticated:
        security_log.record(current_user, Event.SIGNED_OUT, client())
    sessions.finish()


def after_password(user: User, remember: bool, target: str) -> tuple[str, str]:
    """The password was right: log in, or first ask for the second factor. Returns where to
    go next and what to say (for handlers.complete).

    Between the two steps the session holds only whom to ask about ("half logged in"): no
    page treats that as logged in.
    """
    if not twofactor.is_enrolled(user):
        sign_in(user, "password", remember)
        return target, f"You are logged in as {user.display_name}."
    session.clear()
    session[PENDING] = {"user": user.id, "version": user.session_version,
                        "remember": bool(remember), "next": target, "since": _now()}
    return (url_for("security.login_code"),
            "Your password is right. Now enter the code from your authenticator app.")


def _now() -> int:
    return int(clock.now().timestamp())


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, {}
    if not isinstance(pending.get("since"), int) or _now() - pending["since"] > PENDING_SECONDS:
        return None, {}
    user = db.session.get(User, pending.get("user")) if isinstance(pending.get("user"),
                                                                   int) else None
    if user is None or user.session_version != pending.get("version"):
        return None, {}
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@keeps_input
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash("Please log in again: the code is asked for within five minutes of your "
              "password.", "info")
        return redirect(url_for("accounts.login"))
    form = SignInCodeForm()
    if form.validate_on_submit() and not form.throttled("login"):
        def save():
            how = twofactor.log_in_code(user, form.code.data, client())
            sign_in(user, f"password + {how}", pending.get("remember", False))
            message = f"You are logged in as {user.display_name}."
            if how == "recovery code":
                message += (" You used a recovery code: it will not work again. You have "
                            f"{twofactor.unused_recovery_codes(user)} left.")
            return pending.get("next") or url_for("board.index"), message
        if done := complete(form, save):
            return done
    return render_template("accounts/login_code.html", form=form)


# -------------------------------------------------------------- two-factor enforcement

@bp.before_app_request
def enrol_first():
    """Moderators and admins who must use two-factor and have not set it up are sent to
    do so before anything else (members who signed in through an identity provider rely on
    its second factor)."""
    if request.endpoint in ENROLMENT_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated or session.get("signed_in_via", "password") != \
            "password":
        return None
    if twofactor.must_enrol(current_user, services.session_facts()):
        flash("Your role requires two-factor sign-in. Set it up to continue.", "info")
        return redirect(url_for("security.two_factor"))
    return None


# -------------------------------------------------------------------- settings pages

def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _status_page(codes_form=None, off_form=None):
    facts = services.session_facts()
    return render_template(
        "accounts/two_factor.html",
        form=codes_form or off_form,   # the one that failed, for the error summary
        credential=twofactor.credential(current_user),
        must=twofactor.must_enrol(current_user, facts),
        required=current_user.role.value in (facts.get("two_factor_required_for") or "").split(","),
        remaining=twofactor.unused_recovery_codes(current_user),
        codes_form=codes_form or ConfirmPasswordForm(prefix="codes"),
        off_form=off_form or ConfirmPasswordForm(prefix="off"),
        start_form=Form())


def _recovery_codes_page(form, make_codes, first: bool):
    """Run a service that makes recovery codes and show them, once, on a page no cache
    keeps; or show its Invalid on the form (None)."""
    try:
        codes = settle(make_codes)
    except Invalid as error:
        form.fail(error)
        return None
    return _no_store(render_template("accounts/recovery_codes.html", codes=codes, first=first))


@bp.get("/settings/two-factor")
@login_required
def two_factor():
    require(current_user, "edit_profile", current_user)
    return _status_page()


@bp.post("/settings/two-factor/start")
@login_required
def start_two_factor():
    require(current_user, "edit_profile", current_user)
    if not Form().validate_on_submit():
        abort(400)
    try:
        settle(lambda: twofactor.start_enrolment(current_user))
    except Invalid as error:
        flash(error.message, "info")
        return redirect(url_for("security.two_factor"))
    return redirect(url_for("security.enrol"))


@bp.route("/settings/two-factor/enrol", methods=["GET", "POST"])
@login_required
@keeps_input
def enrol():
    require(current_user, "edit_profile", current_user)
    found = twofactor.enrolment_in_progress(current_user)
    if found is None:
        return redirect(url_for("security.two_factor"))
    form = CodeForm()
    if form.validate_on_submit():
        if shown := _recovery_codes_page(
                form, lambda: twofactor.confirm_enrolment(current_user, form.code.data,
                                                          client()), first=True):
            return shown
    return _no_store(render_template("accounts/two_factor_enrol.html", form=form,
                                     key=twofactor.manual_key(twofactor.seed(found))))


@bp.get("/settings/two-factor/qr.svg")
@login_required
def qr_code():
    """The QR code of an enrolment in progress (never of a confirmed seed)."""
    require(current_user, "edit_profile", current_user)
    found = twofactor.enrolment_in_progress(current_user)
    if found is None:
        abort(404)
    response = make_response(twofactor.qr_svg(
        twofactor.provisioning_uri(current_user, twofactor.seed(found))))
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/settings/two-factor/recovery-codes")
@login_required
@keeps_input
def new_recovery_codes():
    require(current_user, "edit_profile", current_user)
    form = ConfirmPasswordForm(prefix="codes")
    if form.validate_on_submit():
        if shown := _recovery_codes_page(
                form, lambda: twofactor.new_recovery_codes(current_user, form.password.data,
                                                           client()), first=False):
            return shown
    return _status_page(codes_form=form)


@bp.post("/settings/two-factor/off")
@login_required
@keeps_input
def turn_off():
    require(current_user, "edit_profile", current_user)
    form = ConfirmPasswordForm(prefix="off")
    if form.validate_on_submit():
        def save():
            twofactor.turn_off(current_user, form.password.data, client())
            return url_for("security.two_factor"), "Two-factor sign-in is off."
        if done := complete(form, save):
            return done
    return _status_page(off_form=form)


@bp.get("/settings/security")
@login_required
def security_log_page():
    require(current_user, "edit_profile", current_user)
    page = page_arg()
    events, more = security_log.events_of(current_user, page)
    linked = [(oidc.provider(i.provider), i) for i in oidc.identities_of(current_user)]
    return render_template("accounts/security_log.html", events=events, page=page, more=more,
                           linked=linked)


# ------------------------------------------------------------------------ admins

@bp.route("/admin/security", methods=["GET", "POST"])
@login_required
@keeps_input
def admin_security():
    require(current_user, "manage_security")
    form = TwoFactorPolicyForm(
        data={"required": bool(twofactor.roles_required())} if request.method == "GET"
        else None)
    if form.validate_on_submit():
        def save():
            twofactor.set_required(current_user, form.required.data)
            return (url_for("security.admin_security"),
                    "Moderators and admins must now use two-factor sign-in."
                    if form.required.data else "Two-factor sign-in is now optional for "
                    "everyone.")
        if done := complete(form, save):
            return done
    return render_template("accounts/admin_security.html", form=form)


@bp.get("/admin/security-log")
@login_required
def admin_security_log():
    require(current_user, "manage_security")
    filters = {name: request.args.get(name, "")[:100] for name in ("member", "event",
                                                                   "address")}
    page = page_arg()
    events, more = security_log.search(**filters, page=page)
    return render_template("accounts/admin_security_log.html", events=events, page=page,
                           more=more, filters=filters, kinds=list(Event))


@bp.route("/admin/identity-providers", methods=["GET", "POST"])
@login_required
@keeps_input
def admin_providers():
    """Identity providers: those of the environment (read only here) and those admins add."""
    require(current_user, "manage_security")
    form = IdentityProviderForm()
    if form.validate_on_submit():
        def save():
            added = oidc.add_provider(form.name.data, form.issuer.data, form.client_id.data,
                                      form.client_secret.data, form.scopes.data,
                                      form.label.data, form.government.data,
                                      form.groups_claim.data)
            return (url_for("security.admin_providers"),
                    f"{added.label} has been added: its button is on the log-in page.")
        if done := complete(form, save):
            return done
    added = oidc.added_providers()
    ours = {setting.name for setting in added}
    return render_template("accounts/admin_identity_providers.html", form=form, added=added,
                           from_environment=[p for p in oidc.providers()
                                             if p.name not in ours])


@bp.post("/admin/identity-providers/<id:setting_id>/remove")
@login_required
def admin_remove_provider(setting_id: int):
    require(current_user, "manage_security")
    setting = oidc.added_provider(setting_id)
    if setting is None:
        abort(404)
    label = setting.label
    return act(lambda: oidc.remove_provider(setting), url_for("security.admin_providers"),
               f"{label} has been removed: its button is gone from the log-in page.")
