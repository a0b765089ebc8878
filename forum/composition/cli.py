"""`flask forum ...` commands for operators."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .. import clock
from ..accounts import twofactor
from ..accounts.models import User
from ..accounts.services import create_admin as make_admin
from ..accounts.services import recompute_name_skeletons
from ..board import services
from ..board.approval import waived
from ..board.models import Forum, Topic
from ..board.viewcount import views
from ..demo import load
from ..errors import Invalid
from ..extensions import db
from ..articles.services import publish_due
from ..library.checker import check_links as check
from ..library.models import LinkEntry
from ..library.services import forget_old_clicks
from ..notify import mailer
from ..outbox import held
from ..search.index import rebuild
from ..uploads.services import purge_pending

forum_cli = AppGroup("forum", help="Forum administration commands.")


@forum_cli.command("create-admin")
@click.option("--name", "display_name", prompt="Display name")
@click.option("--email", prompt="Email address")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(display_name: str, email: str, password: str) -> None:
    """Create an admin account (or make the account with that email an admin)."""
    if len(password) < 10:
        raise click.BadParameter("Use at least 10 characters.", param_hint="--password")
    try:
        user = make_admin(display_name, email, password)
    except Invalid as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{user.display_name} <{user.email}> is an admin.")


@forum_cli.command("demo")
def demo() -> None:
    """Load the demo content once (does nothing if it is already there)."""
    # The demo's members are not new (their posts never wait for approval), and their
    # made-up addresses get no e-mail for the history it replays.
    with waived(), held():
        loaded = load()
    if loaded:
        db.session.commit()
        click.echo("Demo content loaded.")
    else:
        click.echo("Demo content is already loaded.")


@forum_cli.command("recount")
def recount() -> None:
    """Recompute every topic, forum and member counter from the rows."""
    for topic in db.session.scalars(select(Topic)):
        services.recount_topic(topic)
    for forum in db.session.scalars(select(Forum)):
        services.recount_forum(forum)
    for user in db.session.scalars(select(User)):
        services.recount_user(user)
    db.session.commit()
    click.echo("Counters recomputed.")


@forum_cli.command("check-links")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for each.")
@click.option("--concurrency", default=8, show_default=True, help="Requests at a time.")
def check_links(timeout: float, concurrency: int) -> None:
    """Check every link library address and mark the broken ones."""
    checked, broken, skipped = check(timeout=timeout, concurrency=concurrency)
    click.echo(f"{checked} links checked, {broken} broken, {skipped} placeholders skipped.")


@forum_cli.command("flush-views")
def flush_views() -> None:
    """Write buffered topic view counts now."""
    click.echo(f"{views.flush()} topics updated.")


@forum_cli.command("send-mail")
@click.option("--loop", "forever", is_flag=True, help="Keep sending until stopped.")
@click.option("--interval", default=30.0, show_default=True,
              help="With --loop: seconds between runs.")
@click.option("--limit", default=100, show_default=True, help="Most messages a run sends.")
def send_mail(forever: bool, interval: float, limit: int) -> None:
    """Build due daily digests and send queued e-mail from the outbox (with retries)."""
    try:
        mailer.check_ready(current_app.config)
    except mailer.NotReady as error:
        raise click.ClickException(str(error)) from None
    if forever:
        click.echo(f"Sending mail every {interval:g} seconds; stop with Ctrl-C.")
        mailer.loop(interval, limit=limit)
        return
    result = mailer.run_once(limit)
    click.echo(f"{result.sent} sent, {result.retrying} to retry, {result.failed} failed.")
    for error in result.errors:
        click.echo(f"  {error}", err=True)


@forum_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from every post (in one transaction)."""
    count = rebuild()
    db.session.commit()
    click.echo(f"{count} posts indexed.")


@forum_cli.command("scheduled")
@click.option("--links-every", default=24.0, show_default=True,
              help="Hours between link checks (they run when the oldest check is older).")
@click.option("--timeout", default=10.0, show_default=True, help="Link check: seconds each.")
def scheduled(links_every: float, timeout: float) -> None:
    """The periodic jobs in one run, for a timer (deploy/systemd/forum-scheduled.timer):
    publish due articles, write buffered view counts, forget old link visits, remove files
    chosen on a form that was never sent (after a day), and check the
    link library's addresses when the last check is older than --links-every hours."""
    published = publish_due()
    forgotten = forget_old_clicks()
    purged = purge_pending()
    db.session.commit()
    click.echo(f"{published} scheduled topic(s) published; {forgotten} old link visit(s) "
               f"forgotten; {purged} unsent upload(s) older than a day removed.")
    click.echo(f"{views.flush()} topic view count(s) written.")
    unchecked = db.session.scalar(select(func.count()).select_from(LinkEntry).where(
        (LinkEntry.last_checked_at.is_(None))
        | (LinkEntry.last_checked_at < clock.now() - timedelta(hours=links_every))))
    db.session.rollback()
    if unchecked:
        checked, broken, skipped = check(timeout=timeout)
        click.echo(f"{checked} links checked, {broken} broken, {skipped} placeholders skipped.")
    else:
        click.echo("Links were checked recently.")


@forum_cli.command("rotate-encryption-keys")
def rotate_encryption_keys() -> None:
    """Re-encrypt stored secrets (two-factor seeds) with the first of ENCRYPTION_KEYS.

    Rotation: put the new key first (ENCRYPTION_KEYS="new,old"; the old one is SECRET_KEY if
    ENCRYPTION_KEYS was unset), restart, run this, then remove the old key."""
    count = twofactor.reseal_all()
    db.session.commit()
    click.echo(f"{count} two-factor seed{'' if count == 1 else 's'} re-encrypted with the "
               "newest key.")


@forum_cli.command("recompute-name-skeletons")
def recompute_skeletons() -> None:
    """Store every display name's confusable skeleton again (after a new confusables table)."""
    changed, seen = recompute_name_skeletons()
    db.session.commit()
    click.echo(f"{changed} of {seen} display-name skeletons changed.")
