"""Attaching files to a post, inside the post's own transaction: a refused file refuses the
post (the form is shown again with the text kept and the reason next to the file field)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from .. import clock, pagecache
from ..board.models import Post
from ..errors import Invalid
from ..extensions import db
from . import files
from .models import Attachment
from .storage import storage


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} kB"


def _check_limits(actor, uploads: list[tuple[str, bytes]], count: int) -> None:
    """`count` files in all (already on the post, kept and new) and the new files' sizes,
    each and for the member's rolling day (pending uploads count: they are stored)."""
    config = current_app.config
    if count > config["UPLOAD_MAX_FILES"]:
        raise Invalid(f"Attach at most {config['UPLOAD_MAX_FILES']} files to one post.", "file")
    per_file, per_day = config["UPLOAD_MAX_BYTES"], config["UPLOAD_DAILY_BYTES"]
    for name, data in uploads:
        if len(data) > per_file:
            raise Invalid(f"“{files.shown_name(name)}” is too large: each file can be at "
                          f"most {_megabytes(per_file)}.", "file")
    since = clock.now() - timedelta(days=1)
    used = db.session.scalar(select(func.coalesce(func.sum(Attachment.size), 0)).where(
        Attachment.uploader_id == actor.id, Attachment.created_at > since)) or 0
    if used + sum(len(data) for _, data in uploads) > per_day:
        raise Invalid(f"You can attach up to {_megabytes(per_day)} of files a day, and you "
                      f"have {_megabytes(max(per_day - used, 0))} left today. Try again "
                      "tomorrow, or attach smaller files.", "file")


def _store(actor, name: str, found, post_id: int | None, alt: str = "") -> Attachment:
    store, key = storage(), secrets.token_hex(16)
    store.put(key, found.data)
    thumb_key = None
    if found.width is not None:
        thumb_key = key + "-thumb"
        store.put(thumb_key, found.thumbnail)
    attachment = Attachment(post_id=post_id, uploader_id=actor.id, storage_key=key,
                            thumb_key=thumb_key, filename=files.clean_name(
                                name, found.extension), content_type=found.content_type,
                            size=len(found.data), width=found.width, height=found.height,
                            alt=alt, created_at=clock.now())
    db.session.add(attachment)
    return attachment


def _live_count(post: Post) -> int:
    return db.session.scalar(select(func.count(Attachment.id)).where(
        Attachment.post_id == post.id, Attachment.removed_at.is_(None))) or 0


def attach(actor, post: Post, uploads: list[tuple[str, bytes]], alts: list[str],
           pending: list[Attachment] = ()) -> list:
    """Add the files (name, bytes) and the member's kept `pending` uploads to their post;
    `alts` describes the pictures among them, in order (kept ones first). Checks every limit
    before storing anything."""
    uploads = [(name, data) for name, data in uploads if name or data]
    pending = [p for p in pending if p.post_id is None and p.uploader_id == actor.id]
    if not uploads and not pending:
        return []
    existing = _live_count(post) if post.attachment_count else 0
    _check_limits(actor, uploads, existing + len(pending) + len(uploads))
    inspected = [(name, files.inspect(data)) for name, data in uploads]
    pictures = [p for p in pending if p.width is not None] + [
        found for _, found in inspected if found.width is not None]
    alts = [" ".join(alt.split())[:300] for alt in alts if alt.strip()]
    if len(alts) < len(pictures):
        raise Invalid("Describe each picture for people who cannot see it (one line a "
                      "picture, in order).", "alt")
    described = iter(alts)
    made = []
    for kept in pending:
        kept.post_id = post.id
        kept.alt = next(described) if kept.width is not None else ""
        made.append(kept)
    for name, found in inspected:
        made.append(_store(actor, name, found, post.id,
                           next(described) if found.width is not None else ""))
    db.session.execute(update(Post).where(Post.id == post.id).values(
        attachment_count=Post.attachment_count + len(made)))
    db.session.flush()
    pagecache.changed(f"topic:{post.topic_id}")  # an edit's files: the kept post list too
    return made


def keep_pending(actor, uploads: list[tuple[str, bytes]], already: int = 0) -> list:
    """Files chosen on a form that is shown again (Preview, or a problem elsewhere): checked
    and stored as the member's pending uploads, so the form can name them instead of asking
    for them again. `already`: files the form keeps from before."""
    uploads = [(name, data) for name, data in uploads if name or data]
    if not uploads:
        return []
    _check_limits(actor, uploads, already + len(uploads))
    inspected = [(name, files.inspect(data)) for name, data in uploads]
    made = [_store(actor, name, found, None) for name, found in inspected]
    db.session.flush()
    return made


PENDING_DAYS = 1  # a kept file not sent within a day is no longer offered


def pending(actor, ids: list[int]) -> list[Attachment]:
    """The member's own pending uploads among `ids` (anyone else's, or attached, ignored)."""
    if not ids:
        return []
    since = clock.now() - timedelta(days=PENDING_DAYS)
    return list(db.session.scalars(select(Attachment).where(
        Attachment.id.in_(ids), Attachment.uploader_id == actor.id,
        Attachment.post_id.is_(None), Attachment.created_at > since)
        .order_by(Attachment.id)))


def purge_pending() -> int:
    """Forget the pending uploads nobody sent within their day (they are no longer offered):
    rows and bytes. For the scheduled job. Sent files are never deleted. With local storage a
    file goes at once; if the transaction then fails, its row stays and the next run retries
    (a missing file is never served: pending uploads are not)."""
    since = clock.now() - timedelta(days=PENDING_DAYS)
    stale = list(db.session.execute(select(Attachment.id, Attachment.storage_key,
                                           Attachment.thumb_key).where(
        Attachment.post_id.is_(None), Attachment.created_at <= since)))
    if not stale:
        return 0
    db.session.execute(delete(Attachment).where(Attachment.id.in_([row.id for row in stale])))
    store = storage()
    for row in stale:
        for key in filter(None, (row.storage_key, row.thumb_key)):
            store.delete(key)
    return len(stale)


def remove_files(actor, post: Post, ids: list[int]) -> list[Attachment]:
    """An edit takes files off the post. Nothing is deleted: the rows (and bytes) stay, marked
    with who removed them and when, and the post's history lists them."""
    if not ids or not post.attachment_count:
        return []
    rows = list(db.session.scalars(select(Attachment).where(
        Attachment.id.in_(ids), Attachment.post_id == post.id,
        Attachment.removed_at.is_(None))))
    now = clock.now()
    for row in rows:
        row.removed_at, row.removed_by_id = now, actor.id
    if rows:
        db.session.execute(update(Post).where(Post.id == post.id).values(
            attachment_count=Post.attachment_count - len(rows)))
        db.session.flush()
        pagecache.changed(f"topic:{post.topic_id}")
    return rows
