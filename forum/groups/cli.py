"""`flask forum groups ...` and `flask forum forums restrict ...` for operators."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..accounts.models import User
from ..board import queries as board_queries
from ..errors import Invalid
from ..extensions import db
from ..permissions import FORUM_ACTIONS
from . import services
from .models import Joining

groups_cli = AppGroup("groups", help="Groups of members.")
forums_cli = AppGroup("forums", help="Forums: who may read, reply, start and moderate.")


def _group(name: str):
    group = services.group_by_name(name) or services.group_by_slug(name)
    if group is None:
        raise click.ClickException(f"No group is called {name!r}.")
    return group


def _member(who: str) -> User:
    who = who.strip()
    user = db.session.scalar(select(User).where(
        (func.lower(User.email) == who.lower())
        | (User.name_key == " ".join(who.split()).casefold())))
    if user is None:
        raise click.ClickException(f"No member has the name or address {who!r}.")
    return user


@groups_cli.command("create")
@click.argument("name")
@click.option("--description", default="", help="What the group is for.")
@click.option("--public-members", is_flag=True,
              help="Show the member list (and the group on profiles) to everyone.")
@click.option("--requests", is_flag=True, help="Members may ask to join (owners approve).")
@click.option("--domain", default=None,
              help="Everyone with a confirmed address at this domain is a member.")
def create(name: str, description: str, public_members: bool, requests: bool,
           domain: str | None) -> None:
    """Create a group."""
    try:
        group = services.create_group(
            None, name, description, members_public=public_members,
            joining=Joining.REQUEST if requests else Joining.INVITATION, email_domain=domain)
    except Invalid as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Group {group.name!r} created ({group.member_count} members).")


@groups_cli.command("add-member")
@click.argument("group")
@click.argument("member")
@click.option("--owner", is_flag=True, help="The member manages the group's members.")
def add_member(group: str, member: str, owner: bool) -> None:
    """Put a member (display name or address) in a group."""
    found, user = _group(group), _member(member)
    services.add_member(None, found, user, owner=owner)
    db.session.commit()
    click.echo(f"{user.display_name} is a member of {found.name}"
               f"{' (owner)' if owner else ''}.")


@groups_cli.command("remove-member")
@click.argument("group")
@click.argument("member")
def remove_member(group: str, member: str) -> None:
    """Take a member out of a group."""
    found, user = _group(group), _member(member)
    services.remove_member(None, found, user)
    db.session.commit()
    click.echo(f"{user.display_name} is no longer in {found.name}.")


@forums_cli.command("restrict")
@click.argument("slug")
@click.option("--group", "group_name", required=True, help="The group's name.")
@click.option("--can", "actions", multiple=True, type=click.Choice(FORUM_ACTIONS),
              default=("read",), show_default=True,
              help="What the group may do there (repeat for several); the forum's other "
                   "readers lose that action.")
@click.option("--remove", is_flag=True, help="Take these permissions away again.")
def restrict(slug: str, group_name: str, actions: tuple[str, ...], remove: bool) -> None:
    """Say which group may read, reply, start topics or moderate in a forum."""
    forum = board_queries.forum_by_slug(slug)
    if forum is None:
        raise click.ClickException(f"No forum has the address /f/{slug}.")
    group = _group(group_name)
    for action in actions:
        if remove:
            services.unrestrict_forum(None, forum, group, action)
        else:
            services.restrict_forum(None, forum, group, action)
    db.session.commit()
    limits = [name for name in ("read", "reply", "start")
              if getattr(forum, f"{name}_restricted")]
    click.echo(f"/f/{forum.slug}: {group.name} {'no longer ' if remove else ''}may "
               f"{', '.join(actions)}. Limited to groups: {', '.join(limits) or 'nothing'}.")
