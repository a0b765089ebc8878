"""Plain-text hygiene shared by every input and output: what a control character is, and how
text is cleaned of them.

Forms clean every text field through `clean()` (forum/forms.py binds it to all of them), so
no title, name, reason or body is stored with a control character: single-line fields lose
them all (a tab or line break becomes a space), multi-line fields keep tab and line feed (a
carriage return becomes a line feed). Output formats that cannot carry some characters at
all (XML: feeds) pass text through `xml_safe()`, so rows stored before the filter existed, or
written by a script, never break them.

`skeleton()` is the form two strings share when a reader could take one for the other
(Unicode Technical Standard #39, "confusable" skeleton): display names are compared by it
(forum/accounts). The prototypes come from Unicode's confusables data as ICU's SpoofChecker
applies it, kept in forum/data/confusables.json (forum/data/generate_confusables.py makes it
from PyICU, a test dependency), so running the forum needs no ICU build; the tests check it
gives ICU's skeleton for every character.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

# C0 and C1 controls, DEL, and the Unicode noncharacters (U+FDD0..U+FDEF, U+xFFFE/U+xFFFF).
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_NONCHARACTERS}]")
_LINE_BREAKS = re.compile(r"\r\n?")
_SINGLE_LINE_SPACE = re.compile("[\t\n\r\u2028\u2029]")
# What XML 1.0 cannot carry at all (lxml refuses to write it), plus the controls above.
_NOT_XML = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def clean(value: str, *, multiline: bool) -> str:
    """Text as a person meant it: no control characters. Multi-line text keeps tab and line
    feed (CR LF and CR become LF); single-line text gets a space for each of them."""
    if multiline:
        value = _LINE_BREAKS.sub("\n", value)
    else:
        value = _SINGLE_LINE_SPACE.sub(" ", value)
    return _CONTROL.sub("", value)


def has_control(value: str) -> bool:
    return bool(_CONTROL.search(value))


def xml_safe(value: str | None) -> str | None:
    """Text an XML document can carry: controls and noncharacters removed."""
    return _NOT_XML.sub("", value) if value else value


# UTS #39 prototypes of the characters whose skeleton is not themselves (NFD characters).
PROTOTYPES: dict[str, str] = json.loads(
    (Path(__file__).parent / "data" / "confusables.json").read_text(encoding="utf-8")
)["prototypes"]


def uts39_skeleton(value: str) -> str:
    """UTS #39's skeleton(X): NFD, each character replaced by its prototype, NFD again
    (what ICU's SpoofChecker.getSkeleton returns)."""
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFD", "".join(PROTOTYPES.get(c, c) for c in decomposed))


def skeleton(value: str) -> str:
    """The UTS #39 confusable skeleton of `value`, case-insensitively: spacing collapsed, NFKC
    (full-width and compatibility forms), case folded, the UTS #39 skeleton (a Cyrillic "а"
    becomes "a", "m" becomes "rn", "1" becomes "l", "0" becomes "O"), then case folded again
    so that prototypes that are capitals ("O" for "0") meet the folded letters. Two strings
    with the same skeleton look alike; the converse is not promised (it is a blocklist's key,
    not a display form)."""
    folded = unicodedata.normalize("NFKC", " ".join(value.split())).casefold()
    return uts39_skeleton(folded).casefold()
