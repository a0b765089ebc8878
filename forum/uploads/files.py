"""What an uploaded file really is, decided by its content (never its name or the browser's
claim), and pictures re-encoded by Pillow: only the pixels are kept (no EXIF, GPS, comments
or trailing data), and a picture with too many pixels is refused before it is decoded."""
from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from PIL import Image, ImageOps

from ..errors import Invalid

MAX_PIXELS = 40_000_000           # 40 megapixels: bigger pictures are refused undecoded
THUMB_SIZE = (480, 480)
ACCEPTED = ("You can attach pictures (PNG, JPEG, GIF, WebP), PDF, Word, Excel, PowerPoint, "
            "CSV and plain text files.")

# Pictures: the format Pillow must find, what we save it as, and its type and extension.
_PICTURES = {"PNG": ("PNG", "image/png", "png"), "JPEG": ("JPEG", "image/jpeg", "jpg"),
             "GIF": ("PNG", "image/png", "png"), "WEBP": ("PNG", "image/png", "png")}
_OFFICE = {"word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "docx"),
           "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
           "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    "pptx")}
_MARKUP = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<!--|<\w+[\s>])",
                     re.I)


@dataclass
class Inspected:
    content_type: str
    extension: str
    data: bytes
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def _picture(data: bytes) -> Inspected | None:
    if not (data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a"))
            or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _PICTURES:
                raise Invalid("That picture could not be read. " + ACCEPTED, "file")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Invalid(f"That picture is too large ({width:,} × {height:,} pixels). "
                              f"Pictures can have at most {MAX_PIXELS // 1_000_000} million "
                              "pixels: make it smaller and attach it again.", "file")
            image.load()
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("That picture is too large in pixels. Make it smaller and attach it "
                      "again.", "file") from None
    except Exception:
        raise Invalid("That picture could not be read: it may be damaged. " + ACCEPTED,
                      "file") from None
    save_as, content_type, extension = _PICTURES[image.format]
    image = ImageOps.exif_transpose(image)  # keep the way it was taken, then drop the EXIF
    if save_as == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.info = {}  # nothing but pixels is written back
    out = io.BytesIO()
    image.save(out, save_as, **({"quality": 85, "optimize": True} if save_as == "JPEG" else
                                {"optimize": True}))
    thumb = image.copy()
    thumb.thumbnail(THUMB_SIZE)
    small = io.BytesIO()
    thumb.save(small, save_as, **({"quality": 80} if save_as == "JPEG" else {}))
    return Inspected(content_type, extension, out.getvalue(), image.width, image.height,
                     small.getvalue())


def _office(data: bytes) -> Inspected | None:
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, Exception):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, (content_type, extension) in _OFFICE.items():
        if any(name.startswith(prefix) for name in names):
            return Inspected(content_type, extension, data)
    return None


def _text(data: bytes) -> Inspected | None:
    if b"\x00" in data or _MARKUP.match(data[:1024]):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text[:10_000]):
        return None
    first = text.split("\n", 1)[0]
    if first.count(",") >= 1 and text.count("\n") >= 1:
        return Inspected("text/csv", "csv", data)
    return Inspected("text/plain", "txt", data)


def inspect(data: bytes) -> Inspected:
    """The file's real type (and, for a picture, its clean re-encoding); Invalid otherwise."""
    if not data:
        raise Invalid("That file is empty.", "file")
    found = _picture(data)
    if found is None and data.startswith(b"%PDF-"):
        found = Inspected("application/pdf", "pdf", data)
    found = found or _office(data) or _text(data)
    if found is None:
        raise Invalid("That type of file cannot be attached. " + ACCEPTED, "file")
    return found


def shown_name(name: str) -> str:
    """The name as typed, safe to show in a message."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()[:100] or "file"


def clean_name(name: str, extension: str) -> str:
    """A name to show and to download as: no folders, no control characters, at most 100
    characters, and the extension of what the file really is."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:90] or "file"
    return f"{stem}.{extension}"
