"""Pages of the e-mail flows (verify, forgotten password, change of address) and the admin
list of government domains. The rules live in accounts/email.py and accounts/domains.py."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required

from ..errors import Invalid, keeps_input
from ..forms import Form
from ..handlers import act, complete
from ..permissions import require
from . import domains, email, security_views
from .forms import (ChangeEmailForm, ForgotPasswordForm, GovernmentDomainForm,
                    ResetPasswordForm, SuggestedDomainsForm)

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


def _after_confirming(user) -> str:
    """Where a confirmed link leads: the member's settings if it is theirs, else home."""
    mine = current_user.is_authenticated and current_user.id == user.id
    return url_for("accounts.settings") if mine else url_for("board.index")


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
        def save():
            user = email.verify_email(token)
            return _after_confirming(user), (
                f"Thank you: {user.email} is confirmed."
                + (" Your profile now shows the Government staff badge."
                   if user.is_government_verified else ""))
        if done := complete(form, save):
            return done
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
    back = url_for("accounts.settings")
    if form.throttled("email_link", f"user:{current_user.id}"):
        flash(form.form_errors[-1], "info")
        return redirect(back)

    def send():
        if not email.send_verification(current_user):
            raise Invalid("Your email address is already confirmed.")
    return act(send, back, f"We have sent a new link to {current_user.email}.")


# -------------------------------------------------------------- forgotten password, reset

@bp.route("/forgot-password", methods=["GET", "POST"])
@keeps_input
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit() and not form.throttled("reset_password") \
            and not form.throttled("reset_password_to", f"to:{form.email.data.lower()}"):
        def save():
            email.request_password_reset(form.email.data)
            return url_for("accounts_email.forgot_password", sent=1), None
        if done := complete(form, save):
            return done
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
        def save():
            user = email.reset_password(token, form.new_password.data)
            # A fresh session, logged in as the account whose mailbox got the link.
            security_views.sign_in(user, "password reset link", remember=False)
            return url_for("board.index"), ("Your password has been changed and you are "
                                            "logged in. Every other device has been logged "
                                            "out.")
        if done := complete(form, save):
            return done
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
                    f"We have sent an email to {current_user.pending_email}. Your address "
                    "changes when you follow the link in it.")
        if done := complete(form, save):
            return done
    return render_template("accounts/change_email.html", form=form)


@bp.post("/settings/email/cancel")
@login_required
def cancel_change():
    require(current_user, "edit_profile", current_user)
    if not Form().validate_on_submit():
        abort(400)
    return act(lambda: email.cancel_email_change(current_user),
               url_for("accounts_email.change_email"),
               lambda cancelled: "The change of email address has been cancelled."
               if cancelled else None)


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@keeps_input
def confirm_change(token: str):
    user, refused = _account(token, "change")
    if refused:
        return refused
    form = Form()
    if form.validate_on_submit():
        def save():
            user = email.confirm_email_change(token)
            return _after_confirming(user), f"Your email address is now {user.email}."
        if done := complete(form, save):
            return done
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
    return _domains_page(form, SuggestedDomainsForm(formdata=None))


def _domains_page(form, suggested_form, status: int = 200):
    """The page, with `form` (the domain form) and `suggested_form`; whichever was sent back
    with errors is `form` for the page's error summary."""
    entries = domains.all_domains()
    return render_template("accounts/government_domains.html",
                           form=suggested_form if suggested_form.problems else form,
                           domain_form=form, suggested_form=suggested_form, entries=entries,
                           suggestions=domains.suggestions(entries)), status


@bp.post("/admin/government-domains/suggested")
@login_required
@keeps_input
def add_suggested_domains():
    """Add the ticked well-known government suffixes."""
    require(current_user, "manage_government_domains")
    form = SuggestedDomainsForm()
    if form.validate_on_submit():
        def save():
            added = domains.add_suggested(current_user, request.form.getlist("suffix"))
            return (url_for("accounts_email.government_domains"),
                    f"Added {', '.join(added)}." if added else "Those were already listed.")
        if done := complete(form, save):
            return done
    return _domains_page(GovernmentDomainForm(formdata=None), form, 400)


@bp.post("/admin/government-domains/<id:domain_id>/remove")
@login_required
def remove_government_domain(domain_id: int):
    require(current_user, "manage_government_domains")
    entry = domains.get_domain(domain_id)
    if entry is None:
        abort(404)
    if not Form().validate_on_submit():
        abort(400)
    return act(lambda: domains.remove_domain(current_user, entry),
               url_for("accounts_email.government_domains"),
               f"{entry.domain} has been removed from the list.")
