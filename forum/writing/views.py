"""The quote link's page, and small JSON endpoints the composer script calls. Each is CSRF-protected (the script sends
the form's token as X-CSRFToken), allowed by the policy rule `compose` and rate-limited."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from .. import markup
from ..board.access import visible_post, visible_topic
from ..board.forms import ReplyForm
from ..board.services import BODY_MAX
from ..permissions import can, require
from ..errors import Invalid
from ..handlers import settle
from ..ratelimit import rate_limits, wait_message
from ..templating import iso
from ..urls import path_for
from . import queries, services

bp = Blueprint("writing", __name__)


def _limited(action: str):
    """A JSON 429 when the member is over the limit for `action`, else None."""
    wait = rate_limits.retry_after(action, f"user:{current_user.id}")
    if wait is None:
        return None
    response = jsonify(error=wait_message(wait))
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


def _text(name: str, limit: int) -> str:
    return request.form.get(name, "").replace("\x00", "")[:limit]


@bp.post("/compose/preview")
@login_required
def preview():
    """The text rendered by the one markup module, exactly as it would be stored."""
    require(current_user, "compose")
    if (refused := _limited("live_preview")) is not None:
        return refused
    return jsonify(html=markup.render(_text("body", BODY_MAX)))


@bp.get("/compose/mentions")
@login_required
def mentions():
    """Names for the composer's @mention suggestions: JSON {names: [...]}, display names only,
    at most services.MENTION_LIMIT; `topic=<id>` (a topic the member can see, else 404) keeps
    them to the people who can read it."""
    require(current_user, "compose")
    if (refused := _limited("mention")) is not None:
        return refused
    topic_id = request.args.get("topic", "")
    topic = visible_topic(int(topic_id)) if topic_id.isdigit() and 0 < int(topic_id) < 2**31 \
        else None
    return jsonify(names=services.mention_names(current_user, request.args.get("q", ""), topic))


@bp.get("/p/<id:post_id>/quote")
@login_required
def quote(post_id: int):
    """Without script, "Quote" opens the reply form with the whole post quoted (attributed,
    with a link to it); the form posts to the board's reply route as usual."""
    post = visible_post(post_id)
    topic = post.topic
    require(current_user, "reply", topic)
    if not post.is_public and not can(current_user, "view_hidden_post", post):
        abort(404)
    form = ReplyForm(formdata=None, body=services.quote_markdown(
        post.author.display_name, path_for("board.post", post_id=post.id), post.body_source))
    return render_template("board/reply.html", topic=topic, form=form, preview=None)


@bp.post("/drafts")
@login_required
def save_draft():
    """The composer keeps the member's text every few seconds while they type: JSON
    {saved_at} (or {discarded} for empty text), 400 for a form that keeps no draft."""
    require(current_user, "compose")
    if (refused := _limited("draft")) is not None:
        return refused
    try:
        draft = settle(lambda: services.save_draft(
            current_user, request.form.get("key", ""), _text("body", BODY_MAX + 1),
            _text("title", 1000)))
    except Invalid as error:
        response = jsonify(error=error.message)
        response.status_code = 400
        return response
    if draft is None:
        return jsonify(discarded=True)
    return jsonify(saved_at=iso(draft.updated_at))


@bp.app_template_global()
def restore_draft(form, key: str, replace: bool = False):
    """On a fresh form (GET), put back the member's unsent text for `key` and return the
    draft (for the "kept for you" note); text already in the form (a quote) goes below it,
    unless `replace` (an edit: the draft is the new version of the text in the form)."""
    if request.method != "GET" or not current_user.is_authenticated:
        return None
    kept = queries.draft(current_user.id, key)
    if kept is None:
        return None
    body = form.body.data or ""
    if replace:
        form.body.data = kept.body
        if getattr(form, "title", None) is not None and kept.title:
            form.title.data = kept.title
        return kept
    if body.strip() != kept.body.strip():
        form.body.data = kept.body.rstrip() + ("\n\n" + body if body.strip() else "")
    title = getattr(form, "title", None)
    if title is not None and not title.data and kept.title:
        title.data = kept.title
    return kept
