from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db


class Attachment(db.Model):
    """A file added to a post. `content_type` and the name's extension are what the content
    was found to be (files.inspect), never what the browser said. With no `post_id` it is a
    pending upload: a file chosen on a form that was previewed or shown again, kept for its
    uploader until the form is sent (never served). A file removed by an edit keeps its row
    and bytes (`removed_at`, `removed_by_id`): the post's history shows it."""
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_post", "post_id"),
                      Index("ix_attachments_uploader", "uploader_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    storage_key: Mapped[str] = mapped_column(String(64))
    thumb_key: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    alt: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_image(self) -> bool:
        return self.width is not None


class UploadBlob(db.Model):
    """The database storage backend's files (UPLOAD_STORAGE=database): shared by every app
    server, and in the database's backups."""
    __tablename__ = "upload_blobs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
