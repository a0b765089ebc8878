"""Where uploaded files' bytes live, behind one interface: `put(key, data)`, `get(key)`.

- `local` (default): files under UPLOAD_DIR (instance/uploads), for one server or a shared
  mount; back the folder up with the database.
- `database`: rows of `upload_blobs`, written in the request's transaction, so several app
  servers share them with no extra service and the database backup holds them.
Keys are random (secrets.token_hex), never taken from a name a person chose. `delete(key)`
is only for files nobody sent (pending uploads past their day): a sent file is never deleted.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from flask import current_app
from sqlalchemy import delete

from ..config import INSTANCE
from ..extensions import db
from .models import UploadBlob

_KEY = re.compile(r"[0-9a-f]{32}(-thumb|-48|-96|-192)?")


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        os.replace(temporary, path)  # readers never see half a file

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class DatabaseStorage:
    def put(self, key: str, data: bytes) -> None:
        if not _KEY.fullmatch(key):
            raise ValueError("bad storage key")
        db.session.add(UploadBlob(key=key, data=data))

    def get(self, key: str) -> bytes | None:
        blob = db.session.get(UploadBlob, key)
        return blob.data if blob else None

    def delete(self, key: str) -> None:
        db.session.execute(delete(UploadBlob).where(UploadBlob.key == key))


def storage() -> LocalStorage | DatabaseStorage:
    kind = current_app.config.get("UPLOAD_STORAGE", "local")
    if kind == "database":
        return DatabaseStorage()
    if kind != "local":
        raise RuntimeError(f"UPLOAD_STORAGE must be 'local' or 'database', not {kind!r}")
    return LocalStorage(Path(current_app.config.get("UPLOAD_DIR") or INSTANCE / "uploads"))
