"""Two-factor sign-in with a time-based code (TOTP, RFC 6238) from an authenticator app.

- Enrolling makes a random seed (pyotp) kept unconfirmed until the member types a code
  from their app; then ten single-use recovery codes are made and shown once. Only keyed
  digests of recovery codes are stored (HMAC-SHA256 with the secret key: they are random
  and long, so a slow hash adds nothing), and using one marks it used in one UPDATE.
- A code is accepted for the time step before, at and after now (30 s each, for clock
  drift), and only for a step later than the last one accepted: `last_used_step` moves
  forward in one conditional UPDATE, so a code seen over someone's shoulder (or sent twice
  by two workers at once) is refused.
- The QR code of the enrolment page is drawn here (segno, SVG) and served from our own
  origin; the seed is shown only on that page, never logged, and never again once confirmed.
- The seed is stored encrypted (forum/sealing.py, purpose "totp-seed"); `seed()` opens it.
  A seed that no configured key opens matches no code, and says so in the error log.
- Admins can require two-factor for moderators and admins (`REQUIRE_SETTING`): such a
  member without it is sent to enrolment before anything else (forum/accounts/security_views).
"""
from __future__ import annotations

import calendar
import hashlib
import hmac
import io
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update

from .. import clock, sealing, sitesettings
from ..errors import Invalid, Refused, Throttled
from ..extensions import db
from ..permissions import require
from . import security_log
from .models import RecoveryCode, Role, TotpCredential, User
from .security_log import Client, Event
from .services import has_two_factor, password_matches, session_fact
from .throttle import record_failure, record_success, wait_message, wait_seconds

STEP = 30                 # seconds per code
DRIFT = 1                 # steps accepted either side of now
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"   # base32: no 0/1/8/9 to confuse
REQUIRE_SETTING = "two_factor_required_for"   # "" or "moderator,admin"
STAFF_ROLES = (Role.MODERATOR, Role.ADMIN)


@session_fact("two_factor_on")
def _enrolled_fact(user_id: int):
    return (select(TotpCredential.user_id)
            .where(TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_not(None))
            .scalar_subquery())


@session_fact("two_factor_required_for")
def _required_fact(user_id: int):
    return sitesettings.value_query(REQUIRE_SETTING)


# ------------------------------------------------------------------------- pure helpers

def _timestamp(moment: datetime) -> int:
    return calendar.timegm(moment.utctimetuple())


def current_step(moment: datetime | None = None) -> int:
    return _timestamp(moment or clock.now()) // STEP


SEAL = "totp-seed"


def seed(found: TotpCredential) -> str:
    """The member's seed, in clear (raises sealing.Unreadable without the right key)."""
    return sealing.unseal(SEAL, found.sealed_secret)


def _seal_new_seed(found: TotpCredential) -> None:
    found.sealed_secret = sealing.seal(SEAL, pyotp.random_base32(32))


def _seed_or_none(found: TotpCredential) -> str | None:
    try:
        return seed(found)
    except sealing.Unreadable:
        current_app.logger.error("The two-factor seed of member %s cannot be decrypted with "
                                 "the configured ENCRYPTION_KEYS (was a key removed before "
                                 "`flask forum rotate-encryption-keys`?)", found.user_id)
        return None


def reseal_all() -> int:
    """Re-encrypt every stored seed with the newest key; the number re-encrypted."""
    count = 0
    for found in db.session.scalars(select(TotpCredential)):
        found.sealed_secret = sealing.reseal(SEAL, found.sealed_secret)
        count += 1
    db.session.flush()
    return count


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, interval=STEP).generate_otp(step)


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isascii() and ch.isalnum()).lower()


def _digest(code: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, b"recovery-code:" + _normalise(code).encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))   # 60 bits
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def qr_svg(uri: str) -> bytes:
    """The provisioning URI as a standalone SVG document, drawn locally."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=6, border=2, dark="#000",
                                    light="#fff", title="QR code for your authenticator app")
    return out.getvalue()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(
        name=user.display_name, issuer_name=current_app.config["SITE_NAME"])


def manual_key(secret: str) -> str:
    """The seed in groups of four, as people type it into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# ------------------------------------------------------------------------ reads

def credential(user: User) -> TotpCredential | None:
    return db.session.get(TotpCredential, user.id)


def enrolment_in_progress(user: User) -> TotpCredential | None:
    """The unconfirmed seed of an enrolment under way (a confirmed one is never shown)."""
    found = credential(user)
    return found if found is not None and found.confirmed_at is None else None


is_enrolled = has_two_factor


def roles_required() -> set[str]:
    return {r for r in sitesettings.get_value(REQUIRE_SETTING).split(",") if r}


def must_enrol(user: User, facts: dict) -> bool:
    """A moderator or admin without two-factor while admins require it (read from the
    facts loaded with the member, so it costs no query)."""
    required = (facts.get("two_factor_required_for") or "").split(",")
    return user.role.value in required and not facts.get("two_factor_on")


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


# ------------------------------------------------------------------------ writes

def start_enrolment(user: User) -> TotpCredential:
    """A new unconfirmed seed (replacing any earlier unconfirmed one)."""
    found = credential(user)
    if found is not None and found.confirmed_at is not None:
        raise Invalid("Two-factor sign-in is already on.")
    if found is None:
        found = TotpCredential(user_id=user.id, created_at=clock.now())
        _seal_new_seed(found)
        db.session.add(found)
    else:
        _seal_new_seed(found)
        found.created_at = clock.now()
        found.last_used_step = None
    db.session.flush()
    return found


def _matching_step(secret: str | None, code: str, after: int | None) -> int | None:
    code = _normalise(code)
    if secret is None or len(code) != 6 or not code.isdigit():
        return None
    now = current_step()
    for step in range(now - DRIFT, now + DRIFT + 1):
        if (after is None or step > after) and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def _use_step(user_id: int, step: int) -> bool:
    """Move last_used_step forward to `step`, unless a code of this step (or a later one)
    was already accepted: one conditional UPDATE, so two requests cannot both win."""
    table = TotpCredential.__table__
    result = db.session.execute(
        update(table).where(table.c.user_id == user_id,
                            or_(table.c.last_used_step.is_(None), table.c.last_used_step < step))
        .values(last_used_step=step))
    return result.rowcount == 1


def confirm_enrolment(user: User, code: str, client: Client) -> list[str]:
    """Turn two-factor on with a first code from the app; returns the recovery codes
    (the only time they exist in clear)."""
    found = enrolment_in_progress(user)
    if found is None:
        raise Invalid("Start setting up two-factor sign-in again.")
    step = _matching_step(_seed_or_none(found), code, found.last_used_step)
    if step is None or not _use_step(user.id, step):
        raise Invalid("That code is not right. Check the time on your phone is set "
                      "automatically, and type the newest code your app shows.", "code")
    found.confirmed_at = clock.now()
    security_log.record(user, Event.TWO_FACTOR_ON, client)
    return _replace_recovery_codes(user)


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, digest=_digest(code)) for code in codes)
    db.session.flush()
    return codes


def _check_password(user: User, password: str) -> None:
    if not password_matches(user, password):
        raise Invalid("Your password is not right.", "password")


def new_recovery_codes(user: User, password: str, client: Client) -> list[str]:
    _check_password(user, password)
    if not is_enrolled(user):
        raise Invalid("Two-factor sign-in is not on.")
    security_log.record(user, Event.RECOVERY_CODES, client)
    return _replace_recovery_codes(user)


def turn_off(user: User, password: str, client: Client) -> None:
    if user.role.value in roles_required():
        raise Invalid("Your role requires two-factor sign-in, so it cannot be turned off.")
    _check_password(user, password)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    security_log.record(user, Event.TWO_FACTOR_OFF, client)


def verify(user: User, code: str) -> str | None:
    """Check a code typed at log-in: "authenticator code", "recovery code", or None.

    An authenticator code is accepted once (its step is remembered); a recovery code is
    marked used in the same statement that checks it.
    """
    found = credential(user)
    if found is None or found.confirmed_at is None:
        return None
    step = _matching_step(_seed_or_none(found), code, found.last_used_step)
    if step is not None:
        return "authenticator code" if _use_step(user.id, step) else None
    normal = _normalise(code)
    if len(normal) != 12:
        return None
    table = RecoveryCode.__table__
    used = db.session.execute(
        update(table).where(and_(table.c.user_id == user.id, table.c.digest == _digest(normal),
                                 table.c.used_at.is_(None)))
        .values(used_at=clock.now()))
    return "recovery code" if used.rowcount == 1 else None


def log_in_code(user: User, code: str, client: Client) -> str:
    """The second step of logging in: how the code was right ("authenticator code" or
    "recovery code"). Raises Throttled while the account's failures make it wait (no code is
    checked then) and Refused for a wrong code, which counts as a failed log-in. Only now are
    the account's failures forgotten."""
    if wait := wait_seconds(user.email):
        raise Throttled(wait, wait_message(wait))
    how = verify(user, code)
    if how is None:
        record_failure(user.email)
        security_log.record(user, Event.WRONG_CODE, client, "password + code")
        raise Refused("That code is not right, or it has been used already. Type the newest "
                      "code your app shows, or a recovery code.", "code")
    record_success(user.email)
    return how


def set_required(actor: User, required: bool) -> None:
    """Admins: require two-factor for moderators and admins (or stop requiring it)."""
    require(actor, "manage_security")
    sitesettings.set_value(REQUIRE_SETTING,
                           ",".join(r.value for r in STAFF_ROLES) if required else "")
