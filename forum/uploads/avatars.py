"""Members' pictures: uploaded (type by content, square crop, re-encoded at a few sizes) or,
without one, initials drawn by the page itself (no image, no third party)."""
from __future__ import annotations

import io
import secrets

from PIL import Image

from .. import pagecache
from ..errors import Invalid
from ..extensions import db
from . import files
from .storage import storage

SIZES = (48, 96, 192)


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]) or name[:1] or "?"
    return letters.upper()


def initials(user) -> str:
    return _initials(user.display_name)


def colour(user) -> int:
    """One of eight background colours, stable per member (all pass AA with white text)."""
    return user.id % 8


def set_avatar(user, data: bytes) -> None:
    """Make the member's picture from an uploaded file: a picture (by content, re-encoded
    first, so no EXIF survives), cropped to its centre square and saved at SIZES."""
    found = files.inspect(data)
    if found.width is None:
        raise Invalid("Choose a picture (PNG, JPEG, GIF or WebP) for your profile.", "file")
    image = Image.open(io.BytesIO(found.data))
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    square = image.crop((left, top, left + side, top + side)).convert("RGB")
    key, store = secrets.token_hex(16), storage()
    for size in SIZES:
        out = io.BytesIO()
        square.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
        store.put(f"{key}-{size}", out.getvalue())
    user.avatar_key = key
    db.session.flush()
    _shown_everywhere()


def remove_avatar(user) -> None:
    """Back to initials (the stored files stay, unreferenced)."""
    user.avatar_key = None
    db.session.flush()
    _shown_everywhere()


def _shown_everywhere() -> None:
    """A member's picture is on every page they wrote on: kept pages and post lists go when
    the change commits (a rare write, so the whole site's scope)."""
    pagecache.changed(pagecache.SITE)
