"""The one source of "now". Naive UTC datetimes everywhere; tests may move the clock."""
from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """Current time in UTC as a naive datetime, to whole seconds."""
    base = datetime.now(UTC).replace(tzinfo=None) if _frozen is None else _frozen
    return (base + _offset).replace(microsecond=0)


def freeze() -> None:
    """Stop the clock where it is (tests only: a test that counts renders of a copy kept for
    a window of the clock must not see the window turn between two requests); advance()
    still moves it, reset() starts it again."""
    global _frozen
    _frozen = datetime.now(UTC).replace(tzinfo=None)


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests and demos only)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset, _frozen
    _offset, _frozen = timedelta(0), None


# --- time zones: stored times are naive UTC; a member may read and type them in theirs ----

@functools.cache
def zones() -> tuple[str, ...]:
    """The IANA zone names a member may choose (Area/Place, plus UTC), sorted."""
    names = sorted(name for name in zoneinfo.available_timezones()
                   if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/",
                                                           "right/")))
    return (*names, "UTC")


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zones())


def zone(name: str | None) -> ZoneInfo:
    """The zone called `name`; UTC for None or a name that is not one of zones()."""
    if name and name in _zone_names():  # a set: zones() has ~600 names
        return ZoneInfo(name)
    return ZoneInfo("UTC")


def local(moment: datetime, where: ZoneInfo) -> datetime:
    """A stored (naive UTC) time as an aware time in `where`."""
    return moment.replace(tzinfo=UTC).astimezone(where)


def from_local(moment: datetime, where: ZoneInfo) -> datetime:
    """A naive time typed in `where` as a stored (naive UTC) time. A time that a clock
    change skips or repeats is read as the first of its meanings (fold 0)."""
    return moment.replace(tzinfo=where).astimezone(UTC).replace(tzinfo=None)
