"""Word-level differences between two versions of a text, as HTML for the history page.

Words (and the spaces between them) are compared with difflib; removed words are wrapped in
<del>, added words in <ins>, each with visually hidden "[removed: … ]" / "[added: … ]" so
that the change is told in words, not by colour or strike-through alone. Everything else is
escaped text."""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\s+|[^\s]+")
MAX_TOKENS = 20_000  # beyond this, compare whole lines (still readable, bounded time)


def _tokens(text: str) -> list[str]:
    tokens = _TOKEN.findall(text)
    if len(tokens) > MAX_TOKENS:
        return text.splitlines(keepends=True)
    return tokens


def _mark(tag: str, label: str, text: str) -> str:
    return (f'<{tag}><span class="visually-hidden">[{label}: </span>{escape(text)}'
            f'<span class="visually-hidden"> ]</span></{tag}>')


def word_diff(old: str, new: str) -> Markup:
    a, b = _tokens(old or ""), _tokens(new or "")
    out: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if op in ("delete", "replace"):
            out.append(_mark("del", "removed", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(_mark("ins", "added", "".join(b[j1:j2])))
    return Markup("".join(out))


def changed(old: str, new: str) -> bool:
    return (old or "") != (new or "")
