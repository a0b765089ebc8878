"""The one source of "now". Naive UTC datetimes everywhere; tests may move the clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """Current time in UTC as a naive datetime, to whole seconds."""
    return (datetime.now(UTC).replace(tzinfo=None) + _offset).replace(microsecond=0)


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests and demos only)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)
