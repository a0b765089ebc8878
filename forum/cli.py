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
    if load():
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


@forum_cli.command("flush-views")
def flush_views() -> None:
    """Write buffered topic view counts now."""
    from .board.viewcount import views
    click.echo(f"{views.flush()} topics updated.")
