"""TOTP seeds are stored encrypted (issue 19): Fernet keys derived from the configured
ENCRYPTION_KEYS (newest first; SECRET_KEY when unset), a migration that encrypts the seeds
already stored, and a rotation command that re-encrypts them with the newest key."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from forum import clock, sealing
from forum.accounts import twofactor
from forum.accounts.twofactor import TotpCredential
from forum.extensions import db
from tests.accounts.test_two_factor import code_now, enrol, log_in, secret_of

BEFORE = "e1a5c0f3b7d2"  # the revision before seeds were encrypted


def stored_row(app) -> str:
    with app.app_context():
        row = db.session.execute(text("SELECT * FROM totp_credentials")).mappings().one()
    return " ".join(str(value) for value in row.values())


def test_the_seed_is_stored_encrypted_and_still_gives_the_codes(client, app, make):
    user = make.user()
    secret, _ = enrol(client, app, user)
    stored = stored_row(app)
    assert secret not in stored and secret.lower() not in stored
    assert log_in(client, user).headers["Location"].startswith("/login/code")
    assert client.post("/login/code", data={"code": code_now(secret)}).status_code == 302


def test_keys_rotate_with_the_newest_first(app, make, other_app):
    user = make.user()
    old = other_app(ENCRYPTION_KEYS=["old key, long and random"])
    with old.app_context():
        found = twofactor.start_enrolment(db.session.merge(user))
        seed = twofactor.seed(found)
        db.session.commit()
    both = other_app(ENCRYPTION_KEYS=["new key, long and random", "old key, long and random"])
    with both.app_context():
        assert twofactor.seed(db.session.get(TotpCredential, user.id)) == seed
        result = both.test_cli_runner().invoke(args=["forum", "rotate-encryption-keys"])
        assert result.exit_code == 0, result.output
        assert "1 two-factor seed re-encrypted" in result.output
    new = other_app(ENCRYPTION_KEYS=["new key, long and random"])
    with new.app_context():
        assert twofactor.seed(db.session.get(TotpCredential, user.id)) == seed
    with old.app_context():
        with pytest.raises(sealing.Unreadable):
            twofactor.seed(db.session.get(TotpCredential, user.id))


def test_a_seed_no_key_opens_is_a_wrong_code_and_an_error_in_the_log(client, app, make,
                                                                    other_app, caplog):
    user = make.user()
    secret, _ = enrol(client, app, user)
    stranger = other_app(ENCRYPTION_KEYS=["some other key entirely"])
    stranger_client = stranger.test_client()
    assert log_in(stranger_client, user).status_code == 302
    page = stranger_client.post("/login/code", data={"code": code_now(secret)})
    assert page.status_code == 200 and "not right" in page.text
    assert any("cannot be decrypted" in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text


def test_the_migration_encrypts_seeds_already_stored_and_can_be_undone(app, make):
    user = make.user()
    seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with app.app_context():
        downgrade(revision=BEFORE)
        db.session.execute(text("INSERT INTO totp_credentials (user_id, secret, created_at) "
                                "VALUES (:u, :s, :t)"),
                           {"u": user.id, "s": seed, "t": str(clock.now())})
        db.session.commit()
        upgrade()
        assert seed not in stored_row(app)
        assert twofactor.seed(db.session.get(TotpCredential, user.id)) == seed
        db.session.remove()
        downgrade(revision=BEFORE)
        assert db.session.execute(text("SELECT secret FROM totp_credentials")).scalar() == seed
        db.session.remove()
        upgrade()
