"""Pages of the e-mail flows (verify, forgotten password, change of address) and the admin
list of government domains. The rules live in accounts/email.py and accounts/domains.py."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_required, login_user

from ..errors import Invalid, keeps_input
from ..extensions import db
from ..forms import Form
from ..handlers import complete
from ..permissions import require
from . import domains, email
from .forms import ChangeEmailForm, ForgotPasswordForm, GovernmentDomainForm, ResetPasswordForm

bp = Blueprint("accounts_email", __name__)

TOKEN_MAX = 400  # longer than any link we make; anything longer is refused unread

REFUSALS = {
    "invalid": ("This link does not work",
                "The link is not complete or not one we sent. If you copied it from an email, "
                "check that you copied all of it."),
    "expired": ("This link has expired",
                "Links in our emails work for a limited time, to keep your account safe."),
    "used": ("This link has already been used",
             "Each link works once, and only the newest one we sent works."),
}


def _refused(reason: str, purpose: str):
    title, text = REFUSALS[reason]
    return render_template("accounts/link_refused.html", title=title, text=text,
                           purpose=purpose), 400


def _account(token: str, purpose: str):
    """The account a link is for, or a response explaining why the link cannot be used."""
    if len(token) > TOKEN_MAX:
        return None, _refused("invalid", purpose)
    try:
        return email.read_token(purpose, token), None
    except email.LinkRefused as refused:
        return None, _refused(refused.reason, purpose)


# ------------------------------------------------------------------- verifying an address

@bp.route("/verify-email/<token>", methods=["GET", "POST"])
@keeps_input
def verify(token: str):
    """The link in the verification e-mail: a page with one button, so a mail scanner that
    opens links does nothing by itself."""
    user, refused = _account(token, "verify")
    if refused:
        return refused
    form = Form()
    if form.validate_on_submit():
        user = email.verify_email(token)
        db.session.commit()
        flash(f"Thank you: {user.email} is confirmed."
              + (" Your profile now shows the Government staff badge."
                 if user.is_government_verified else ""), "success")
        mine = current_user.is_authenticated and current_user.id == user.id
        return redirect(url_for("accounts.settings") if mine else url_for("board.index"))
    return render_template("accounts/confirm_link.html", form=form, purpose="verify",
                           address=user.email,
                           action=url_for("accounts_email.verify", token=token))


@bp.post("/settings/email/send-link")
@login_required
def resend_verification():
    require(current_user, "edit_profile", current_user)
    form = Form()
    if not form.validate_on_submit():
        abort(400)
    if form.throttled("email_link", f"user:{current_user.id}"):
        flash(form.form_errors[-1], "info")
    elif email.send_verification(current_user):
        db.session.commit()
        flash(f"We have sent a new link to {current_user.email}.", "success")
    else:
        flash("Your email address is already confirmed.", "info")
    return redirect(url_for("accounts.settings"))


# -------------------------------------------------------------- forgotten password, reset

@bp.route("/forgot-password", methods=["GET", "POST"])
@keeps_input
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit() and not form.throttled("reset_password") \
            and not form.throttled("reset_password_to", f"to:{form.email.data.lower()}"):
        email.request_password_reset(form.email.data)
        db.session.commit()
        return redirect(url_for("accounts_email.forgot_password", sent=1))
    sent = request.args.get("sent") == "1" and request.method == "GET"
    return render_template("accounts/forgot_password.html", form=form, sent=sent)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@keeps_input
def reset_password(token: str):
    user, refused = _account(token, "reset")
    if refused:
        return refused
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = email.reset_password(token, form.new_password.data)
        db.session.commit()
        session.clear()  # a fresh session, logged in as the account whose mailbox got the link
        login_user(user, remember=False)
        flash("Your password has been changed and you are logged in. Every other device "
              "has been logged out.", "success")
        return redirect(url_for("board.index"))
    return render_template("accounts/reset_password.html", form=form, member=user,
                           action=url_for("accounts_email.reset_password", token=token))


# --------------------------------------------------------------------- changing address

@bp.route("/settings/email", methods=["GET", "POST"])
@login_required
@keeps_input
def change_email():
    require(current_user, "edit_profile", current_user)
    form = ChangeEmailForm()
    if form.validate_on_submit() and not form.throttled("email_link",
                                                         f"user:{current_user.id}"):
        def save():
            email.request_email_change(current_user, form.email.data, form.password.data)
            return (url_for("accounts_email.change_email"),
                    f"We have sent a link to {current_user.pending_email}. Your address "
                    "changes when you follow it.")
        if done := complete(form, save):
            return done
    return render_template("accounts/change_email.html", form=form)


@bp.post("/settings/email/cancel")
@login_required
def cancel_change():
    require(current_user, "edit_profile", current_user)
    if not Form().validate_on_submit():
        abort(400)
    if email.cancel_email_change(current_user):
        db.session.commit()
        flash("The change of email address has been cancelled.", "success")
    return redirect(url_for("accounts_email.change_email"))


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@keeps_input
def confirm_change(token: str):
    user, refused = _account(token, "change")
    if refused:
        return refused
    form = Form()
    if form.validate_on_submit():
        try:
            user = email.confirm_email_change(token)
        except Invalid as error:
            db.session.rollback()
            form.fail(error)
        else:
            db.session.commit()
            flash(f"Your email address is now {user.email}.", "success")
            mine = current_user.is_authenticated and current_user.id == user.id
            return redirect(url_for("accounts.settings") if mine else url_for("board.index"))
    return render_template("accounts/confirm_link.html", form=form, purpose="change",
                           address=user.pending_email,
                           action=url_for("accounts_email.confirm_change", token=token))


# ---------------------------------------------------------------- government domains

@bp.route("/admin/government-domains", methods=["GET", "POST"])
@login_required
@keeps_input
def government_domains():
    require(current_user, "manage_government_domains")
    form = GovernmentDomainForm()
    if form.validate_on_submit():
        def save():
            entry = domains.add_domain(current_user, form.domain.data)
            return (url_for("accounts_email.government_domains"),
                    f"{entry.domain} has been added. Members with a confirmed address there "
                    "now show the Government staff badge.")
        if done := complete(form, save):
            return done
    return render_template("accounts/government_domains.html", form=form,
                           entries=domains.all_domains())


@bp.post("/admin/government-domains/<id:domain_id>/remove")
@login_required
def remove_government_domain(domain_id: int):
    require(current_user, "manage_government_domains")
    entry = domains.get_domain(domain_id)
    if entry is None:
        abort(404)
    if not Form().validate_on_submit():
        abort(400)
    name = entry.domain
    domains.remove_domain(current_user, entry)
    db.session.commit()
    flash(f"{name} has been removed from the list.", "success")
    return redirect(url_for("accounts_email.government_domains"))
