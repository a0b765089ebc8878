"""Helpers templates use to show data: relative times, dates, plurals, URLs."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from flask_login import current_user

from . import clock
from .permissions import can


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def _months_between(then: datetime, now: datetime) -> int:
    months = (now.year - then.year) * 12 + now.month - then.month
    if (now.day, now.time()) < (then.day, then.time()):
        months -= 1
    return max(months, 0)


def relative(then: datetime, now: datetime | None = None) -> str:
    """'7 years, 2 months ago', '3 days, 4 hours ago', 'just now' (two units at most)."""
    now = now or clock.now()
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "in the future"
    if seconds < 60:
        return "just now"
    months = _months_between(then, now)
    if months >= 1:
        years, months = divmod(months, 12)
        units = [(years, "year"), (months, "month")]
    else:
        weeks, rest = divmod(seconds, 7 * 86400)
        days, rest = divmod(rest, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        units = [(weeks, "week"), (days, "day"), (hours, "hour"), (minutes, "minute")]
    shown = [plural(n, word) for n, word in units if n][:2]
    return ", ".join(shown) + " ago"


def long_date(value: datetime) -> str:
    """'27 January 2015'."""
    return f"{value.day} {value:%B %Y}"


def long_datetime(value: datetime) -> str:
    """'27 January 2015 at 14:05 UTC'."""
    return f"{long_date(value)} at {value:%H:%M} UTC"


def yes_no(value):
    """Booleans read as words; anything else as it is."""
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(relative=relative, long_date=long_date,
                                 long_datetime=long_datetime, iso=iso,
                                 yes_no=yes_no)
    # Globals, not context processors, so imported macros see them too.
    app.jinja_env.globals.update(
        plural=plural, site_name=lambda: current_app.config["SITE_NAME"],
        current_user=current_user,
        can=lambda action, obj=None: can(current_user, action, obj))
