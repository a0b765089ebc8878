"""A map of the most recently kept entries, bounded: what a worker remembers between
requests (the member cache's entries, signed CSRF tokens, verified session cookies, a topic
page's stamped post controls)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(OrderedDict[K, V], Generic[K, V]):
    """At most `limit` entries; `put` drops the least recently put first. Reads are plain
    dict reads; writes take a lock, so threads of one worker may share it."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self._lock = threading.Lock()

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.limit:
                self.popitem(last=False)

    def drop(self, key: K) -> None:
        with self._lock:
            self.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            super().clear()


def app_recent(app: Any, name: str, limit: int) -> Recent:
    """The app's Recent named `name` (in app.extensions), made the first time. Not
    `extensions.setdefault(name, Recent(limit))`: that makes a Recent (an OrderedDict and a
    lock) on every call only to drop it, nine times on a topic page."""
    found = app.extensions.get(name)
    if found is None:
        found = app.extensions.setdefault(name, Recent(limit))
    return found
