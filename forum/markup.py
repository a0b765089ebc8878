"""The one place where text a person typed becomes HTML.

Writers type Markdown (CommonMark, line breaks kept, ~~strike~~) and may use the small set of
inline HTML tags the old site allowed. The result is cleaned by bleach against an allowlist:
anything else is shown as text, never run. Links get rel="nofollow ugc noopener". Obsolete
tags the old site allowed (acronym, strike) become their HTML5 equivalents (abbr, s).

render() is called once when a post is written; pages show the stored result.

Rendering is bounded, because its cost grows with the markup (html5lib's tokens): `check()`
refuses, where text is saved or previewed, a text longer than MAX_SOURCE characters, with more
than MAX_MARKUP markup characters (tag brackets, attributes, line breaks, entities, emphasis,
links) or raw HTML tags nested deeper than MAX_DEPTH; and render() shows a text beyond these
bounds (stored before them, or passed by a script) as plain escaped paragraphs, so no body
ever costs more than a bounded amount. bench/markup_bounds.py measures the worst cases.
"""
from __future__ import annotations

import html
import re
from datetime import datetime
from functools import lru_cache

import bleach
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .errors import Invalid

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

# The bounds (see the module's docstring); bench/markup_bounds.py times bodies at them.
MAX_SOURCE = 20_000
MAX_MARKUP = 300
MAX_DEPTH = 20
_MARKUP_CHARS = re.compile(r"[<>&\n\[*_`~|#!=\\]|://")
_RAW_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*?(/?)>")
_VOID_TAGS = frozenset({"br", "hr", "img", "wbr", "input", "meta", "link", "area", "base",
                        "col", "embed", "param", "source", "track"})

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


def _depth(source: str) -> int:
    """How deeply the raw HTML tags of a text nest (closing tags close what they match)."""
    open_tags: list[str] = []
    deepest = 0
    for match in _RAW_TAG.finditer(source):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            if name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name):]
        elif not self_closing and name not in _VOID_TAGS:
            open_tags.append(name)
            deepest = max(deepest, len(open_tags))
    return deepest


def problem(source: str) -> str | None:
    """Why this text is beyond what is rendered as markup, or None if it is within bounds."""
    if len(source) > MAX_SOURCE:
        return (f"Text with formatting can be at most {MAX_SOURCE:,} characters (this is "
                f"{len(source):,}). Split it into more than one post.")
    marks = len(_MARKUP_CHARS.findall(source))
    if marks > MAX_MARKUP:
        return (f"This text has too much formatting: at most {MAX_MARKUP:,} tags, links, line "
                f"breaks and other formatting marks (it has {marks:,}). Simplify it or split "
                f"it into more than one post.")
    if _depth(source) > MAX_DEPTH:
        return f"HTML tags can be nested at most {MAX_DEPTH} deep. Close some of them."
    return None


def check(source: str, field: str = "body") -> None:
    """Raise Invalid on `field` when the text is beyond the rendering bounds."""
    if message := problem(source):
        raise Invalid(message, field)


def _as_text(source: str) -> str:
    """Plain escaped paragraphs: how a text beyond the bounds is shown (cost: one pass)."""
    paragraphs = (p.strip() for p in re.split(r"\n\s*\n", source))
    return "\n".join(f"<p>{'<br>'.join(escape(line) for line in p.splitlines())}</p>"
                     for p in paragraphs if p)


def render(source: str) -> str:
    """Markdown and allowed HTML in, clean HTML out (a str to store in body_html)."""
    source = source.replace("\x00", "")
    if problem(source):
        return _as_text(source)
    html = _markdown().render(source)
    return _cleaner().clean(html).strip()


def stored(html: str | None) -> Markup:
    """Mark HTML that render() produced and the database stored as safe to insert."""
    return Markup(html or "")


def excerpt(source: str, words: int = 50) -> str:
    """Plain text of the first `words` words of a text, cut at a word, for listings."""
    html_text = _as_text(source) if problem(source) else _markdown().render(source)
    # bleach returns HTML (entities such as &quot; kept); an excerpt is plain text, escaped
    # once by the template that shows it.
    text = html.unescape(bleach.clean(html_text, tags=set(), strip=True))
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]) + " …"
