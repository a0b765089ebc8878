"""CSV for spreadsheets: the one way the forum writes a CSV file (every export uses it).

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one)
as a formula, so text members typed (a poll option, a reason, a name) could run in a
moderator's spreadsheet ("CSV injection"). Following OWASP, such a text cell is prefixed with
a single quote, which spreadsheets show as text; numbers and dates stay as they are, and the
csv module quotes separators and double quotes.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write(rows: Iterable[Iterable[Any]]) -> str:
    """The CSV text of `rows` (a header row is a row), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()
