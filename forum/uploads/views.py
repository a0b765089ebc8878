"""Serving attachments, and reading them from a post form's request.

Downloads go through `/files/<id>/<name>`, which asks the policy about the post they belong
to (a hidden, waiting or private post's files are 404 to whoever may not see the post). Only
re-encoded pictures are shown inline; everything else is a download. Every answer carries
`nosniff` and a sandboxing Content-Security-Policy, so even a file that a browser would take
for a page can run nothing."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, g, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..accounts.models import User
from ..board.access import visible_post
from ..errors import Invalid, keeps_input
from ..extensions import db
from ..forms import Form
from ..handlers import complete, settle
from ..permissions import can, require
from ..urls import path_for
from . import avatars, files, queries, services
from .models import Attachment
from .storage import storage

bp = Blueprint("uploads", __name__)

FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def from_request() -> tuple[list[tuple[str, bytes]], list[str]]:
    """The files of a post form (field `file`, read up to one byte past the limit so an
    oversized one is recognised) and its pictures' descriptions (field `alt`, a line each).
    Read once a request: the form may be shown again with them kept (keep_files)."""
    if "_form_files" not in g:
        limit = current_app.config["UPLOAD_MAX_BYTES"]
        uploads = [(f.filename or "", f.read(limit + 1)) for f in request.files.getlist("file")]
        g._form_files = [(name, data) for name, data in uploads if name or data]
    alts = (request.form.get("alt") or "").replace("\x00", "").splitlines()
    return g._form_files, alts


def _ids(name: str) -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isdigit() and 0 < int(v) < 2**31]


def kept_from_request() -> list[Attachment]:
    """The member's pending uploads the form names (ticked boxes `pending`)."""
    return services.pending(current_user, _ids("pending"))


def removed_from_request() -> list[int]:
    """Files an edit form takes off the post (ticked boxes `remove_file`)."""
    return _ids("remove_file")


def keep_files(form) -> list[Attachment]:
    """For a post form shown again after a POST (Preview, or a problem): the files it keeps
    from before plus the ones chosen this time, stored as pending uploads so nothing has to
    be chosen again. Files that were themselves the problem (the message is next to the
    file field) are not kept."""
    if request.method != "POST":
        return []
    kept = kept_from_request()
    uploads, _ = from_request()
    if uploads and not form.file.errors:
        try:
            kept += settle(lambda: services.keep_pending(current_user, uploads, len(kept)))
        except Invalid as error:
            form.fail(error)
    return kept


def _serve(attachment: Attachment, key: str | None, content_type: str) -> Response:
    if attachment.post_id is None:  # a pending upload: not part of anything yet
        abort(404)
    post = visible_post(attachment.post_id)
    if (not post.is_public or attachment.removed_at is not None) and \
            not can(current_user, "view_hidden_post", post):
        abort(404)
    data = storage().get(key) if key else None
    if data is None:
        abort(404)
    response = Response(data, content_type=content_type)
    disposition = "inline" if attachment.is_image else "attachment"
    response.headers.set("Content-Disposition", disposition, filename=attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/files/<id:attachment_id>/<path:name>")
def download(attachment_id: int, name: str):
    attachment = queries.attachment(attachment_id)
    if attachment is None:
        abort(404)
    return _serve(attachment, attachment.storage_key, attachment.content_type)


@bp.get("/files/<id:attachment_id>/thumb")
def thumbnail(attachment_id: int):
    attachment = queries.attachment(attachment_id)
    if attachment is None or not attachment.thumb_key:
        abort(404)
    return _serve(attachment, attachment.thumb_key, attachment.content_type)


@bp.app_template_global()
def attachments_for(posts) -> dict[int, list[Attachment]]:
    """The files of a page's posts, in one query, and none when no post has any."""
    return queries.for_posts([p.id for p in posts if p.attachment_count])


@bp.app_template_global()
def file_history(post) -> list[Attachment]:
    """Every file the post has had (removed ones marked), for its history page."""
    return queries.history(post.id)


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(size / 1000, 0.1):.0f} kB" if size >= 1000 else f"{size} bytes"


_KINDS = {"application/pdf": "PDF", "text/plain": "text", "text/csv": "CSV spreadsheet",
          "image/png": "PNG image", "image/jpeg": "JPEG image",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
          "Word document",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
          "application/vnd.openxmlformats-officedocument.presentationml.presentation":
          "PowerPoint presentation"}


@bp.app_template_filter("file_kind")
def file_kind(content_type: str) -> str:
    return _KINDS.get(content_type, content_type)


def _thumb(attachment: Attachment) -> tuple[int, int]:
    width, height = attachment.width or 1, attachment.height or 1
    scale = min(1.0, files.THUMB_SIZE[0] / width, files.THUMB_SIZE[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


@bp.app_template_filter("thumb_width")
def thumb_width(attachment: Attachment) -> int:
    return _thumb(attachment)[0]


@bp.app_template_filter("thumb_height")
def thumb_height(attachment: Attachment) -> int:
    return _thumb(attachment)[1]


# --- Avatars --------------------------------------------------------------------------------

@bp.get("/avatars/<id:user_id>/<int:size>/<key>.png")
def avatar(user_id: int, size: int, key: str):
    """A member's picture at one of avatars.SIZES. The key changes with each new picture, so
    the answer is kept for a year; an older key (a kept page) is sent to the current one."""
    user = db.session.get(User, user_id)
    if user is None or not user.avatar_key or size not in avatars.SIZES:
        abort(404)
    if key != user.avatar_key:
        return redirect(path_for("uploads.avatar", user_id=user.id, size=size,
                                 key=user.avatar_key))
    data = storage().get(f"{key}-{size}")
    if data is None:
        abort(404)
    response = Response(data, content_type="image/png")
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


class AvatarForm(Form):
    """The picture is read from the request (field `file`); the form carries the token."""


@bp.route("/settings/picture", methods=["GET", "POST"])
@login_required
@keeps_input
def avatar_settings():
    require(current_user, "change_avatar", current_user)
    form = AvatarForm()
    if form.validate_on_submit():
        def save():
            if request.form.get("remove"):
                avatars.remove_avatar(current_user)
                return (url_for("uploads.avatar_settings"),
                        "Your picture has been removed: your initials show instead.")
            limit = current_app.config["UPLOAD_MAX_BYTES"]
            upload = request.files.get("file")
            data = upload.read(limit + 1) if upload else b""
            if len(data) > limit:
                raise Invalid(f"That picture is too large: choose one under "
                              f"{limit // 1_000_000} MB.", "file")
            if not data:
                raise Invalid("Choose a picture to upload.", "file")
            avatars.set_avatar(current_user, data)
            return url_for("uploads.avatar_settings"), "Your picture has been saved."
        if done := complete(form, save):
            return done
    error = " ".join(form.form_errors) or None
    return render_template("uploads/avatar.html", form=form, error=error)


@bp.app_template_global()
def avatar_initials(user) -> str:
    return avatars.initials(user)
