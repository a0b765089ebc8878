from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import oidc
from ..accounts.models import User
from ..accounts.services import find_by_name
from ..admin import queries as admin_queries
from ..errors import Invalid, keeps_input
from ..extensions import db
from ..handlers import act, complete
from ..permissions import can, require
from . import queries, services
from .forms import GrantForm, GroupForm, InviteForm, ProviderRuleForm
from .models import Joining, MemberState

bp = Blueprint("groups", __name__)


def _group_or_404(slug: str):
    group = services.group_by_slug(slug)
    if group is None:
        abort(404)
    return group


def _member_or_404(user_id: int):
    member = db.session.get(User, user_id)
    if member is None:
        abort(404)
    return member


@bp.get("/groups")
def index():
    mine = queries.my_memberships(current_user) if current_user.is_authenticated else []
    return render_template("groups/index.html", groups=queries.all_groups(),
                           mine={m.group_id: m for m in mine})


@bp.get("/groups/<slug>")
def group(slug: str):
    group = _group_or_404(slug)
    mine = services.membership(group, current_user) if current_user.is_authenticated else None
    shown = can(current_user, "view_group_members", group)
    return render_template(
        "groups/group.html", group=group, mine=mine,
        members=services.members(group) if shown else None,
        forums=queries.forums_of(group) if mine is not None
        and mine.state == MemberState.MEMBER or can(current_user, "manage_groups") else [])


def _act(slug: str, do, message: str):
    group = _group_or_404(slug)
    return act(lambda: do(group), url_for("groups.group", slug=group.slug),
               message.format(group=group.name))


@bp.post("/groups/<slug>/join")
@login_required
def join(slug: str):
    return _act(slug, lambda g: services.request_to_join(current_user, g),
                "You have asked to join {group}. An owner of the group will decide.")


@bp.post("/groups/<slug>/accept")
@login_required
def accept(slug: str):
    return _act(slug, lambda g: services.accept_invitation(current_user, g),
                "You are now a member of {group}.")


@bp.post("/groups/<slug>/leave")
@login_required
def leave(slug: str):
    return _act(slug, lambda g: services.remove_member(current_user, g, current_user),
                "You are no longer in {group} (and have no invitation or request there).")


@bp.route("/groups/<slug>/members", methods=["GET", "POST"])
@login_required
@keeps_input
def manage(slug: str):
    group = _group_or_404(slug)
    require(current_user, "manage_group", group)
    form = InviteForm()
    if form.validate_on_submit():
        def save():
            member = find_by_name(form.name.data)
            if member is None:
                raise Invalid(f"No member is called “{form.name.data}”.", "name")
            row = services.invite(current_user, group, member)
            return url_for("groups.manage", slug=group.slug), (
                f"{member.display_name} is now a member." if row.state == MemberState.MEMBER
                else f"{member.display_name} has been invited.")
        if done := complete(form, save):
            return done
    return render_template(
        "groups/manage.html", group=group, form=form,
        members=services.members(group), requests=services.members(group,
                                                                   MemberState.REQUESTED),
        invited=services.members(group, MemberState.INVITED))


def _manage_act(slug: str, user_id: int, do, message: str):
    group = _group_or_404(slug)
    require(current_user, "manage_group", group)
    member = _member_or_404(user_id)
    return act(lambda: do(group, member), url_for("groups.manage", slug=group.slug),
               message.format(member=member.display_name))


@bp.post("/groups/<slug>/members/<id:user_id>/approve")
@login_required
def approve(slug: str, user_id: int):
    return _manage_act(slug, user_id,
                       lambda g, m: services.approve_request(current_user, g, m),
                       "{member} is now a member.")


@bp.post("/groups/<slug>/members/<id:user_id>/remove")
@login_required
def remove(slug: str, user_id: int):
    return _manage_act(slug, user_id,
                       lambda g, m: services.remove_member(current_user, g, m),
                       "{member} is no longer in the group (or invited, or asking).")


@bp.post("/groups/<slug>/members/<id:user_id>/owner")
@login_required
def owner(slug: str, user_id: int):
    make = request.form.get("owner") == "1"
    return _manage_act(slug, user_id,
                       lambda g, m: services.set_owner(current_user, g, m, make),
                       "{member} is now an owner." if make else "{member} is no longer an owner.")


@bp.route("/admin/groups/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new_group():
    require(current_user, "manage_groups")
    form = GroupForm()
    if form.validate_on_submit():
        def save():
            group = services.create_group(
                current_user, form.name.data, form.description.data,
                members_public=form.members_public.data,
                joining=Joining(form.joining.data), email_domain=form.email_domain.data)
            return url_for("groups.group", slug=group.slug), (
                f"The group “{group.name}” has been created.")
        if done := complete(form, save):
            return done
    return render_template("groups/new.html", form=form)


@bp.route("/admin/forums/<id:forum_id>/access", methods=["GET", "POST"])
@login_required
@keeps_input
def forum_access(forum_id: int):
    require(current_user, "manage_groups")
    forum = admin_queries.forum(forum_id)
    if forum is None:
        abort(404)
    groups = queries.all_groups()
    form = GrantForm(groups=groups)
    if form.validate_on_submit():
        def save():
            group = next(g for g in groups if g.id == form.group.data)
            added = services.restrict_forum(current_user, forum, group, form.action.data)
            return url_for("groups.forum_access", forum_id=forum.id), (
                f"{group.name} may now {form.action.data} in {forum.title}." if added
                else "That group had that permission already.")
        if done := complete(form, save):
            return done
    return render_template("groups/forum_access.html", forum=forum, form=form,
                           grants=services.grants(forum))


@bp.post("/admin/forums/<id:forum_id>/access/<id:grant_id>/remove")
@login_required
def remove_grant(forum_id: int, grant_id: int):
    require(current_user, "manage_groups")
    grant = queries.grant(grant_id)
    if grant is None or grant.forum_id != forum_id:
        abort(404)
    return act(lambda: services.unrestrict_forum(current_user, grant.forum, grant.group,
                                                 grant.action),
               url_for("groups.forum_access", forum_id=forum_id),
               f"{grant.group.name} no longer has “{grant.action}” there.")



@bp.route("/admin/groups/<slug>/providers", methods=["GET", "POST"])
@login_required
@keeps_input
def provider_rules(slug: str):
    """Which values of identity providers' groups claims make people members."""
    require(current_user, "manage_groups")
    group = _group_or_404(slug)
    providers = oidc.providers()
    form = ProviderRuleForm(providers=providers)
    if form.validate_on_submit():
        def save():
            services.add_provider_rule(current_user, group, form.provider.data,
                                       form.claim_value.data)
            return url_for("groups.provider_rules", slug=group.slug), (
                f"People whose provider says “{form.claim_value.data}” will join "
                f"{group.name} at their next log-in there.")
        if done := complete(form, save):
            return done
    labels = {p.name: p.label for p in providers}
    return render_template("groups/provider_rules.html", group=group, form=form,
                           rules=services.provider_rules(group), labels=labels)


@bp.post("/admin/groups/<slug>/providers/<id:rule_id>/remove")
@login_required
def remove_provider_rule(slug: str, rule_id: int):
    require(current_user, "manage_groups")
    group = _group_or_404(slug)
    rule = queries.provider_rule(rule_id)
    if rule is None or rule.group_id != group.id:
        abort(404)
    return act(lambda: services.remove_provider_rule(current_user, rule),
               url_for("groups.provider_rules", slug=group.slug),
               f"“{rule.claim_value}” no longer leads to {group.name}; the people it brought "
               "in leave at their next log-in there.")
