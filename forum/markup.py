"""The one place where text a person typed becomes HTML.

Writers type Markdown (CommonMark, line breaks kept, ~~strike~~) and may use the small set of
inline HTML tags the old site allowed. The result is cleaned by bleach against an allowlist:
anything else is shown as text, never run. Links get rel="nofollow ugc noopener". Obsolete
tags the old site allowed (acronym, strike) become their HTML5 equivalents (abbr, s).

render() is called once when a post is written; pages show the stored result.
"""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

import bleach
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup

# What a writer may type as HTML, as shown on the form (the old site's list).
WRITER_TAGS: dict[str, list[str]] = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "acronym": ["title"],
    "b": [],
    "blockquote": ["cite"],
    "cite": [],
    "code": [],
    "del": ["datetime"],
    "em": [],
    "i": [],
    "q": ["cite"],
    "s": [],
    "strike": [],
    "strong": [],
}
# What Markdown itself produces, on top of the writer's tags.
MARKDOWN_TAGS = ["p", "br", "ul", "ol", "li", "pre", "h3", "h4", "h5", "h6"]
ALLOWED_TAGS = frozenset(WRITER_TAGS) | frozenset(MARKDOWN_TAGS)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
RENAMED_TAGS = {"acronym": "abbr", "strike": "s"}

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?")


def _valid_datetime(value: str) -> bool:
    if not _DATETIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in WRITER_TAGS.get(tag, ()):
        return False
    if name == "datetime":
        return _valid_datetime(value)
    return True


class _ModernTags(Filter):
    """Rename obsolete tags to the HTML5 element with the same meaning."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EndTag") and token["name"] in RENAMED_TAGS:
                token = {**token, "name": RENAMED_TAGS[token["name"]]}
            yield token


def _set_rel(attrs, new=False):
    if not attrs.get((None, "href")):
        return None  # its address was unsafe and removed: keep the words, drop the link
    attrs[(None, "rel")] = LINK_REL
    return attrs


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable("strikethrough")

    def nest_headings(state):
        """The page owns h1 and h2: a writer's heading levels become h3, h4... with no gaps."""
        headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
        levels = sorted({int(t.tag[1]) for t in headings})
        mapping = {level: f"h{min(3 + rank, 6)}" for rank, level in enumerate(levels)}
        for token in headings:
            token.tag = mapping[int(token.tag[1])]

    def image(self, tokens, idx, options, env):
        # Pictures are not embedded: they become a plain link to the picture.
        token = tokens[idx]
        src = md.utils.escapeHtml(token.attrGet("src") or "")
        alt = md.utils.escapeHtml(token.content or src)
        return f'<a href="{src}">{alt}</a>'

    md.core.ruler.push("nest_headings", nest_headings)
    md.add_render_rule("image", image)
    return md


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=False,
        strip_comments=True,
        filters=[_ModernTags, lambda source: LinkifyFilter(
            source, callbacks=[_set_rel], skip_tags={"pre", "code"}, parse_email=False)],
    )


def render(source: str) -> str:
    """Markdown and allowed HTML in, clean HTML out (a str to store in body_html)."""
    source = source.replace("\x00", "")
    html = _markdown().render(source)
    return _cleaner().clean(html).strip()


def stored(html: str | None) -> Markup:
    """Mark HTML that render() produced and the database stored as safe to insert."""
    return Markup(html or "")


def excerpt(source: str, words: int = 50) -> str:
    """Plain text of the first `words` words of a text, cut at a word, for listings."""
    text = bleach.clean(_markdown().render(source), tags=set(), strip=True)
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]) + " …"
