"""Accounts by e-mail: verifying an address, resetting a forgotten password, changing address.

Each e-mail carries a signed link (itsdangerous, a salt per purpose, so a token made for one
purpose is refused by the others). A token
- expires: its timestamp comes from forum.clock, so tests move time with clock.advance();
- works once: it carries a keyed digest of the account state it is meant to change (the
  address and its verified time; the password hash; the pending new address). Using it
  changes that state, so the same link is refused afterwards, as is an older link once a
  newer one has been used;
- cannot be forged: without the secret key there is no valid signature.
A refused token raises LinkRefused, which the views show as a page saying what went wrong.

Every e-mail goes through the outbox (forum.outbox.enqueue) inside the caller's
transaction, so a rolled-back request sends nothing. Nothing here commits.
"""
from __future__ import annotations

import calendar
import hashlib
import hmac
from datetime import timedelta

from flask import current_app, render_template
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from .. import clock
from ..errors import Invalid
from ..extensions import db
from ..outbox import enqueue
from ..urls import external_url
from . import domains, services, sessions
from .models import User

# How long each kind of link works (overridable with the EMAIL_LINK_MAX_AGE setting,
# {purpose: seconds}).
MAX_AGE = {"verify": timedelta(days=2), "reset": timedelta(hours=1),
           "change": timedelta(days=1)}
SALTS = {"verify": "accounts.verify-email", "reset": "accounts.reset-password",
         "change": "accounts.change-email"}


class LinkRefused(Exception):
    """A link that cannot be used: `reason` is "invalid", "expired" or "used"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------------- tokens

class _ClockSigner(TimestampSigner):
    """Timestamps from forum.clock, so a test can make a link expire."""

    def get_timestamp(self) -> int:
        return calendar.timegm(clock.now().timetuple())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALTS[purpose],
                                  signer=_ClockSigner)


def max_age(purpose: str) -> int:
    configured = current_app.config.get("EMAIL_LINK_MAX_AGE") or {}
    return int(configured.get(purpose, MAX_AGE[purpose].total_seconds()))


def _state(purpose: str, user: User) -> str:
    """A keyed digest of what using the link changes (so it works once)."""
    if purpose == "verify":
        state = f"{user.email}|{user.email_verified_at}"
    elif purpose == "reset":
        state = f"{user.email}|{user.password_hash}"
    else:
        state = f"{user.email}|{user.pending_email}"
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"{purpose}|{user.id}|{state}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def make_token(purpose: str, user: User) -> str:
    return _serializer(purpose).dumps({"u": user.id, "s": _state(purpose, user)})


def read_token(purpose: str, token: str) -> User:
    """The account a link is for, or LinkRefused saying why it cannot be used."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except SignatureExpired:
        raise LinkRefused("expired") from None
    except (BadData, UnicodeError, ValueError):
        raise LinkRefused("invalid") from None
    if not (isinstance(data, dict) and isinstance(data.get("u"), int)
            and isinstance(data.get("s"), str) and 0 < data["u"] < 2**31):
        raise LinkRefused("invalid")
    user = db.session.get(User, data["u"])
    if user is None:
        raise LinkRefused("invalid")
    if not hmac.compare_digest(data["s"], _state(purpose, user)):
        raise LinkRefused("used")
    if purpose == "change" and not user.pending_email:
        raise LinkRefused("used")
    return user


def link(purpose: str, user: User) -> str:
    endpoint = {"verify": "accounts_email.verify", "reset": "accounts_email.reset_password",
                "change": "accounts_email.confirm_change"}[purpose]
    return external_url(endpoint, token=make_token(purpose, user))


# --------------------------------------------------------------------------------- e-mail

def _send(user: User, to: str, subject: str, paragraphs: list[str],
          action: tuple[str, str] | None = None, note: str | None = None) -> None:
    """One e-mail (plain text and HTML from the same words) into the outbox."""
    values = dict(name=user.display_name, subject=subject, paragraphs=paragraphs,
                  action=action, note=note, site_name=current_app.config["SITE_NAME"])
    enqueue(to, subject, render_template("accounts/email/message.txt", **values),
            render_template("accounts/email/message.html", **values), user_id=user.id)


def _hours(purpose: str) -> str:
    hours = max(1, round(max_age(purpose) / 3600))
    if hours > 24 and hours % 24 == 0:
        return f"{hours // 24} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def send_verification(user: User) -> bool:
    """E-mail a link that confirms the member's address. False if it is already verified."""
    if user.email_verified_at is not None:
        return False
    _send(user, user.email, "Confirm your email address",
          ["Please confirm that this is your email address by following this link. "
           f"It works for {_hours('verify')}."],
          ("Confirm my email address", link("verify", user)),
          "If you did not create an account, ignore this email: nothing will happen.")
    return True


def register_member(display_name: str, email: str, password: str) -> User | None:
    """Create an account (accounts.services.register) and e-mail its verification link; or,
    when the address already has an account, create nothing and tell its owner by e-mail
    (None). The caller answers the same either way, so registering tells nobody which
    addresses have accounts."""
    services.check_chosen_name(display_name)
    address = (email or "").strip().lower()
    owner = db.session.scalar(select(User).where(User.email == address))
    if owner is None:
        user = services.register(display_name, email, password)
        send_verification(user)
        return user
    services.check_new_name(display_name)  # a taken name is public: it may be said
    services.hash_password(password)  # the same work as a real registration: same timing
    _send(owner, owner.email, "Someone tried to register with your address",
          ["Someone tried to create a new account on this forum with this email address, "
           "which your account already uses. No new account was made."],
          ("Log in", external_url("accounts.login")),
          "If it was you and you have forgotten your password, use “Forgot your password?” "
          "on the log-in page.")
    return None


def verify_email(token: str) -> User:
    user = read_token("verify", token)
    user.email_verified_at = clock.now()
    domains.refresh_badge(user)
    return user


def request_password_reset(address: str) -> None:
    """E-mail a reset link if an account uses this address; otherwise do nothing.

    The caller says the same thing either way, so the form tells nobody which addresses
    are registered.
    """
    address = (address or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == address)) if address else None
    if user is None:
        return
    _send(user, user.email, "Reset your password",
          ["Someone (we hope you) asked to reset the password of your account. "
           f"Follow this link to choose a new one. It works for {_hours('reset')}, once."],
          ("Choose a new password", link("reset", user)),
          "If you did not ask, ignore this email: your password has not changed.")


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link. Every session of the account ends (the view
    logs this browser in again); following the link also proves the address."""
    user = read_token("reset", token)
    user.password_hash = services.hash_password(new_password)
    user.session_version += 1
    sessions.end_all(user)
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        domains.refresh_badge(user)
    _send(user, user.email, "Your password has been changed",
          ["The password of your account has just been changed with a reset link, and "
           "every device that was logged in has been logged out."],
          None, "If this was not you, reset your password again straight away and tell us.")
    return user


def request_email_change(user: User, new_address: str, password: str) -> None:
    """Ask to move the account to a new address: it takes effect only when the link sent
    there is followed. The current address is told."""
    if not services.password_matches(user, password):
        raise Invalid("Your current password is not right.", "password")
    new_address = (new_address or "").strip().lower()
    if len(new_address) > 254:  # lower-casing can lengthen ("İ" is two characters after)
        raise Invalid("Email address must be 254 characters or fewer.", "email")
    if new_address == user.email:
        raise Invalid("That is already your email address.", "email")
    user.pending_email = new_address  # shown as asked for either way: nothing tells them apart
    owner = db.session.scalar(select(User).where(User.email == new_address,
                                                 User.id != user.id))
    if owner is not None:  # no link: its owner is told instead (confirming would refuse)
        _send(owner, new_address, "Someone tried to move an account to your address",
              ["Someone logged in to another account on this forum asked to change its email "
               "address to this one, which your account already uses. Nothing has changed, "
               "and no account can take your address."],
              None, "You do not need to do anything.")
        return
    _send(user, new_address, "Confirm your new email address",
          ["You asked to use this address for your account. Follow this link to confirm "
           f"it. It works for {_hours('change')}. Until then your old address stays."],
          ("Confirm my new email address", link("change", user)),
          "If you did not ask, ignore this email: nothing will change.")
    _send(user, user.email, "A change of your email address was asked for",
          [f"Someone logged in to your account asked to change its email address to "
           f"{new_address}. It changes only if the link sent there is followed."],
          None, "If this was not you, change your password now and cancel the change in "
                "your settings.")


def cancel_email_change(user: User) -> bool:
    if not user.pending_email:
        return False
    user.pending_email = None
    return True


def confirm_email_change(token: str) -> User:
    """Follow the link sent to a new address: it becomes the account's (verified) address,
    the badge is recomputed, and the old address is told."""
    user = read_token("change", token)
    new_address = user.pending_email
    if db.session.scalar(select(User.id).where(User.email == new_address,
                                                User.id != user.id)):
        raise Invalid("Another account has started using that email address since you asked. "
                      "Your address has not changed.", None)
    old_address = user.email
    user.email = new_address
    user.pending_email = None
    user.email_verified_at = clock.now()
    domains.refresh_badge(user)
    _send(user, old_address, "Your email address has been changed",
          [f"The email address of your account is now {new_address}. We will not send "
           "email to this address any more."],
          None, "If this was not you, contact us straight away.")
    return user
