from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import queries as account_queries
from ..accounts import services as account_services
from ..errors import Invalid, keeps_input
from ..groups import queries as group_queries
from ..handlers import act, complete, preview_or_save, settle
from ..permissions import can, require, viewer_scope
from ..urls import page_arg, page_count
from ..writing import services as writing
from . import queries, services
from .forms import MessageForm, ReasonForm, StartForm

bp = Blueprint("conversations", __name__)


def _conversation_or_404(conversation_id: int):
    conversation = queries.conversation(conversation_id)
    if conversation is None:
        abort(404)
    return conversation


def _recipients(text: str) -> list:
    people, unknown = [], []
    for name in (text or "").split(","):
        if not name.strip():
            continue
        member = account_services.find_by_name(name.strip())
        (people if member is not None else unknown).append(member or name.strip())
    if unknown:
        raise Invalid("No member is called " + ", ".join(f"“{n}”" for n in unknown) + ".",
                      "to")
    return people


@bp.get("/messages")
@login_required
def index():
    rows = queries.conversations_of(current_user, page_arg())
    return render_template("conversations/index.html", rows=rows,
                           people=queries.participants([c.id for c, _ in rows]),
                           blocks=queries.blocked_by(current_user))


@bp.route("/messages/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new():
    require(current_user, "start_conversation")
    mine = [group for group in group_queries.all_groups()
            if group.id in viewer_scope(current_user).group_ids]
    form = StartForm(groups=mine, to=request.args.get("to", ""))
    preview = None
    if form.validate_on_submit():
        def save():
            group = next((x for x in mine if x.id == form.group.data), None)
            conversation = services.start(current_user, _recipients(form.to.data),
                                          form.subject.data, form.body.data, group)
            writing.clear_drafts(current_user.id, ["conversation"])
            return (url_for("conversations.show", conversation_id=conversation.id),
                    "Your message has been sent.")
        action = ("conversation_new" if services.is_new_member(current_user)
                  else "conversation")
        preview, done = preview_or_save(form, save, action, draft="conversation")
        if done:
            return done
    return render_template("conversations/new.html", form=form, preview=preview)


@bp.route("/messages/<id:conversation_id>", methods=["GET", "POST"])
@login_required
@keeps_input
def show(conversation_id: int):
    conversation = _conversation_or_404(conversation_id)
    mine = services.participant(conversation, current_user)
    access = services.current_access(current_user, conversation)
    if mine is None and access is None and can(current_user, "open_conversation",
                                               conversation):
        return redirect(url_for("conversations.open_as_admin", conversation_id=conversation.id))
    require(current_user, "view_conversation", (mine, access))
    form = MessageForm() if can(current_user, "reply_conversation", mine) else None
    preview = None
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            def save():
                message = services.reply(current_user, conversation, form.body.data)
                writing.clear_drafts(current_user.id, [f"message:{conversation.id}"])
                return (url_for("conversations.show", conversation_id=conversation.id,
                                _anchor=f"message-{message.id}"), "Your reply has been sent.")
            preview, done = preview_or_save(form, save, "message",
                                            draft=f"message:{conversation.id}")
            if done:
                return done
    pages = page_count(conversation.message_count, queries.MESSAGES_PER_PAGE)
    page = page_arg(pages) if request.args.get("page") else pages
    if mine is not None:
        settle(lambda: services.mark_read(current_user, conversation))
        g.pop("unread_conversations", None)
        g.get("session_facts", {}).pop("unread_conversations", None)
    return render_template(
        "conversations/show.html", conversation=conversation, mine=mine, form=form,
        preview=preview, messages=queries.messages(conversation, page), page=page,
        pages=pages, people=queries.participants([conversation.id])[conversation.id],
        accesses=queries.accesses(conversation))


@bp.post("/messages/<id:conversation_id>/leave")
@login_required
def leave(conversation_id: int):
    conversation = _conversation_or_404(conversation_id)
    mine = services.participant(conversation, current_user)
    require(current_user, "view_conversation", (mine, None))
    return act(lambda: services.leave(current_user, conversation),
               url_for("conversations.index"), f"You have left “{conversation.subject}”.")


@bp.route("/messages/<id:conversation_id>/open", methods=["GET", "POST"])
@login_required
@keeps_input
def open_as_admin(conversation_id: int):
    conversation = _conversation_or_404(conversation_id)
    require(current_user, "open_conversation", conversation)
    form = ReasonForm()
    if form.validate_on_submit():
        def save():
            services.open_as_admin(current_user, conversation, form.reason.data)
            return (url_for("conversations.show", conversation_id=conversation.id),
                    "Opened. Your reason is shown to the conversation's participants.")
        if done := complete(form, save):
            return done
    return render_template("conversations/open.html", conversation=conversation, form=form)


@bp.route("/messages/m/<id:message_id>/report", methods=["GET", "POST"])
@login_required
@keeps_input
def report(message_id: int):
    message = queries.message(message_id)
    if message is None:
        abort(404)
    mine = services.participant(message.conversation, current_user)
    require(current_user, "view_conversation", (mine, None))
    require(current_user, "report_message", (mine, message))
    form = ReasonForm()
    if form.validate_on_submit() and not form.throttled("report", f"user:{current_user.id}"):
        def save():
            services.report(current_user, message, form.reason.data)
            return (url_for("conversations.show", conversation_id=message.conversation_id),
                    "Thank you. Moderators will see this message (and only it).")
        if done := complete(form, save):
            return done
    return render_template("conversations/report.html", message=message, form=form)


@bp.get("/moderation/messages")
@login_required
def reports():
    require(current_user, "handle_message_reports")
    return render_template("conversations/reports.html", reports=queries.open_reports())


@bp.post("/moderation/messages/<id:report_id>/resolve")
@login_required
def resolve(report_id: int):
    require(current_user, "handle_message_reports")
    row = queries.report(report_id)
    if row is None:
        abort(404)
    return act(lambda: services.resolve_report(current_user, row),
               url_for("conversations.reports"), "The report is closed.")


def _member_or_404(name: str):
    member = account_services.find_by_name(name)
    if member is None:
        abort(404)
    return member


def _change_block(name: str, blocked: bool):
    member = _member_or_404(name)
    require(current_user, "block_member", member)
    if blocked:
        do = services.block
        message = f"{member.display_name} can no longer start conversations with you."
    else:
        do = services.unblock
        message = f"{member.display_name} is no longer blocked."
    return act(lambda: do(current_user, member),
               url_for("accounts.profile", name=member.display_name), message)


@bp.post("/u/<path:name>/block")
@login_required
def block(name: str):
    """Stop a member from starting conversations with you."""
    return _change_block(name, True)


@bp.post("/u/<path:name>/unblock")
@login_required
def unblock(name: str):
    return _change_block(name, False)


@bp.app_template_global()
def unread_conversations() -> int:
    """The header's count of conversations with unread messages (loaded with the member)."""
    if "unread_conversations" not in g:
        loaded = account_services.session_facts().get("unread_conversations")
        g.unread_conversations = loaded if loaded is not None \
            else queries.unread_count(current_user)
    return g.unread_conversations


@bp.app_template_global()
def is_blocked(member) -> bool:
    """Does the viewer block this member? Loaded with the member on their profile (a
    profile fact), or no one if the viewer blocks no one (a session fact), else asked."""
    if not current_user.is_authenticated:
        return False
    loaded = account_queries.profile_facts(member, current_user.id)
    if "viewer_blocks" in loaded:
        return bool(loaded["viewer_blocks"])
    facts = account_services.session_facts()
    if "blocks_anyone" in facts and not facts["blocks_anyone"]:
        return False
    return queries.is_blocked(current_user, member)
