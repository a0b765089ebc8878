"""Authorization rows for sign-in security: the second log-in step, two-factor settings,
the security log (each member's own; everyone's for admins) and the admins' setting.

Every person in the world has an enrolment in progress, so the QR code answers them.
"""
from __future__ import annotations

from forum.accounts import twofactor
from forum.accounts.models import User
from forum.extensions import db
from tests.authz import ACCOUNT, ADMINS, EVERYONE
from tests.factories import PASSWORD


def build(app, make, people, world) -> None:
    for person in people.values():
        if person is not None:
            twofactor.start_enrolment(db.session.get(User, person.id))


ROWS = {
    # Logged-in people are sent home; a visitor with no password step is sent to log in.
    ("security.login_code", "GET"): (lambda w: "/login/code", None,
                                     dict(EVERYONE, visitor="login")),
    ("security.login_code", "POST"): (lambda w: "/login/code", lambda w: {"code": "123456"},
                                      dict(EVERYONE, visitor="login")),
    ("security.two_factor", "GET"): (lambda w: "/settings/two-factor", None, ACCOUNT),
    ("security.start_two_factor", "POST"): (lambda w: "/settings/two-factor/start", None,
                                            ACCOUNT),
    ("security.enrol", "GET"): (lambda w: "/settings/two-factor/enrol", None, ACCOUNT),
    ("security.enrol", "POST"): (lambda w: "/settings/two-factor/enrol",
                                 lambda w: {"code": "000000"}, ACCOUNT),
    ("security.qr_code", "GET"): (lambda w: "/settings/two-factor/qr.svg", None, ACCOUNT),
    ("security.new_recovery_codes", "POST"): (
        lambda w: "/settings/two-factor/recovery-codes",
        lambda w: {"codes-password": PASSWORD}, ACCOUNT),
    ("security.turn_off", "POST"): (lambda w: "/settings/two-factor/off",
                                    lambda w: {"off-password": "not it"}, ACCOUNT),
    ("security.security_log_page", "GET"): (lambda w: "/settings/security", None, ACCOUNT),
    ("security.admin_security", "GET"): (lambda w: "/admin/security", None, ADMINS),
    ("security.admin_security", "POST"): (lambda w: "/admin/security",
                                          lambda w: {"required": ""}, ADMINS),
    ("security.admin_security_log", "GET"): (lambda w: "/admin/security-log?member=x", None,
                                             ADMINS),
}
