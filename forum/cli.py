"""`flask forum ...` commands for operators."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .extensions import db

forum_cli = AppGroup("forum", help="Forum administration commands.")


@forum_cli.command("create-admin")
@click.option("--name", "display_name", prompt="Display name")
@click.option("--email", prompt="Email address")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(display_name: str, email: str, password: str) -> None:
    """Create an admin account (or make the account with that email an admin)."""
    from .accounts.services import create_admin as make_admin
    from .errors import Invalid
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
    from .demo import load
    from .moderation.approval import waived
    with waived():  # the demo's members are not new: their posts never wait for approval
        loaded = load()
    if loaded:
        db.session.commit()
        click.echo("Demo content loaded.")
    else:
        click.echo("Demo content is already loaded.")


@forum_cli.command("recount")
def recount() -> None:
    """Recompute every topic, forum and member counter from the rows."""
    from .accounts.models import User
    from .board import services
    from .board.models import Forum, Topic
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
    from .library.checker import check_links as check
    checked, broken, skipped = check(timeout=timeout, concurrency=concurrency)
    click.echo(f"{checked} links checked, {broken} broken, {skipped} placeholders skipped.")


@forum_cli.command("flush-views")
def flush_views() -> None:
    """Write buffered topic view counts now."""
    from .board.viewcount import views
    click.echo(f"{views.flush()} topics updated.")


@forum_cli.command("send-mail")
@click.option("--loop", "forever", is_flag=True, help="Keep sending until stopped.")
@click.option("--interval", default=30.0, show_default=True,
              help="With --loop: seconds between runs.")
@click.option("--limit", default=100, show_default=True, help="Most messages a run sends.")
def send_mail(forever: bool, interval: float, limit: int) -> None:
    """Build due daily digests and send queued e-mail from the outbox (with retries)."""
    from .notify import mailer
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
    from .search.index import rebuild
    count = rebuild()
    db.session.commit()
    click.echo(f"{count} posts indexed.")
