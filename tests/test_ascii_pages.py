"""Pages made of ASCII text are sent as ASCII: the templates write their typography (the
title's dash, the middle dots between links, curly quotes, the pagination's arrows) as
character references (`&ndash;`, `&middot;`, `&ldquo;`...), which browsers show as the
same characters (the browser tests find them by their text).

Why: one non-ASCII character anywhere in a page makes Python hold the whole page (a topic
page is ~60 KB) in two bytes a character, so every ASCII piece joined into it is widened
char by char, and encoding it as UTF-8 is done char by char too, where an ASCII page is
copied: 0.35M of a member's topic page's 7.55M instructions, for one en dash in <title>
(issue 15, session 20). Text that members write is theirs to write as they like (their
page is then as it was before); only the templates' own text is held to ASCII. E-mail
templates (.txt) are plain text and keep their characters."""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def test_html_templates_write_their_typography_as_character_references():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = JINJA_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text())
        for number, line in enumerate(text.splitlines(), 1):
            if not line.isascii():
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: "
                             f"{''.join(sorted({c for c in line if not c.isascii()}))}")
    assert not found, "\n".join(found)


def test_pages_of_ascii_text_are_sent_as_ascii(app, make, login, client):
    topic = make.topic(replies=30)
    pages = [f"/t/{topic.id}-{topic.slug}", f"/t/{topic.id}-{topic.slug}?page=2", "/",
             f"/f/{topic.forum.slug}", "/latest"]
    for path in pages:  # a visitor's, then a member's
        answer = client.get(path)
        assert answer.status_code == 200 and answer.data.isascii(), path
    login(make.user())
    for path in pages + ["/settings", "/notifications"]:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.data.isascii(), (path, {c for c in answer.get_data(as_text=True)
                                               if not c.isascii()})
