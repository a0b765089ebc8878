"""Searching: one interface over SQLite FTS5 and PostgreSQL full-text search.

A results page costs three queries whatever the data size: (1) the engine ranks the matching
documents the person may see, filtered in SQL, and returns one page of ids with the total
(counted no further than CAP: "1,000+ results"); (2) highlighted title and snippet for those
ids; (3) the posts with their topics, forums and authors.

For speed at scale the engine looks at the CAP newest matches at most (newest first is the
index's natural order: FTS5 rowid, PostgreSQL primary key or created_at index), ranks them
and returns a page; nothing is filtered in Python.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from markupsafe import Markup, escape
from sqlalchemy import (and_, column, func, literal, literal_column, select, table, text,
                        true)
from sqlalchemy.orm import joinedload

from ..board.models import Post, Topic, TopicKind, TopicStatus
from ..extensions import db
from ..permissions import can
from .models import SearchDocument

CAP = 1000            # matches looked at, at most, per search
PER_PAGE = 20
MAX_QUERY = 200       # characters of the search box used
LANGUAGE = "english"  # PostgreSQL text search configuration (the trigger uses the same)
# Highlight markers: control characters, removed from every indexed text (index.py), so
# a marker can only come from the engine; everything else is escaped.
START, STOP = "\x02", "\x03"

_fts = table("search_fts", column("rowid"), column("title"), column("body"))
_FTS = literal_column("search_fts")


@dataclass
class Criteria:
    q: str
    forum_id: int | None = None
    author_id: int | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None
    answered: str | None = None   # "yes" | "no" | None
    sort: str = "relevance"       # "relevance" | "date"


@dataclass
class Hit:
    post: Post
    title_html: Markup
    snippet_html: Markup


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0           # at most CAP
    more: bool = False       # more than CAP matched
    page: int = 1
    pages: int = 1


# --- SQLite: the person's words become a safe FTS5 query --------------------------------

_CHUNK = re.compile(r'(-?)"([^"]*)(?:"|$)|(\S+)')
_WORDLIKE = re.compile(r"[^\W_]")


def _quoted(words: str) -> str | None:
    """An FTS5 string (a phrase of whatever tokens FTS5 finds in it), or None if it holds
    nothing FTS5 could index. Quoting makes every character literal: no operator, column
    filter, prefix star or bracket in the input means anything to MATCH."""
    if not _WORDLIKE.search(words):
        return None
    return '"' + words.replace('"', '""') + '"'


def fts_query(q: str) -> str | None:
    """Turn what was typed into an FTS5 expression: words and "phrases" all required,
    OR between groups, -word and -"phrase" excluded. None when nothing is left to find."""
    groups: list[list[str]] = [[]]
    excluded: list[str] = []
    for match in _CHUNK.finditer(q[:MAX_QUERY]):
        minus, phrase, word = match.groups()
        if word is not None:
            if word == "OR":
                if groups[-1]:
                    groups.append([])
                continue
            minus = "-" if word.startswith("-") and len(word) > 1 else ""
            phrase = word[1:] if minus else word
        quoted = _quoted(phrase.replace('"', " "))
        if quoted is None:
            continue
        (excluded if minus else groups[-1]).append(quoted)
    groups = [g for g in groups if g]
    if not groups:
        return None
    expression = " OR ".join("(" + " AND ".join(g) + ")" for g in groups)
    if excluded:
        expression = f"({expression}) NOT " + " NOT ".join(excluded)
    return expression


def searchable(q: str) -> bool:
    """Whether the words typed leave anything to look for (the same rule on both engines)."""
    return fts_query(q) is not None


# --- who may find what -------------------------------------------------------------------

def _visible(user):
    """SQL for the posts `user` may find, from the rules in forum/permissions.py."""
    extra = [status for status in TopicStatus
             if status != TopicStatus.PUBLISHED and can(user, "find_unpublished", status)]
    topic_ok = Topic.public() | Topic.status.in_(extra) if extra else Topic.public()
    post_ok = true() if can(user, "find_hidden_posts") else Post.hidden_at.is_(None)
    return and_(topic_ok, post_ok)


def _filters(criteria: Criteria) -> list:
    found = []
    if criteria.forum_id is not None:
        found.append(Topic.forum_id == criteria.forum_id)
    if criteria.author_id is not None:
        found.append(Post.author_id == criteria.author_id)
    if criteria.kind:
        found.append(Topic.kind == TopicKind(criteria.kind))
    if criteria.since:
        found.append(SearchDocument.created_at >= datetime.combine(criteria.since, time()))
    if criteria.until:
        found.append(SearchDocument.created_at
                     < datetime.combine(criteria.until + timedelta(days=1), time()))
    if criteria.answered == "yes":
        found.append(Topic.accepted_post_id.is_not(None))
    elif criteria.answered == "no":
        found.append((Topic.kind == TopicKind.QUESTION) & Topic.accepted_post_id.is_(None))
    return found


# --- the engines ---------------------------------------------------------------------------

class _Engine:
    def match(self, q: str):
        """(FROM clause joined to search_documents, WHERE clause, score, newest-first key)"""
        raise NotImplementedError

    def highlights(self, q: str, ids: list[int]) -> dict[int, tuple[str, str]]:
        raise NotImplementedError


class _SQLite(_Engine):
    def match(self, q: str):
        expression = fts_query(q)
        source = _fts.join(SearchDocument, SearchDocument.post_id == _fts.c.rowid)
        where = text("search_fts MATCH :fts").bindparams(fts=expression)
        # bm25 is lower for better matches; a title hit counts ten times a body hit.
        score = -func.bm25(_FTS, 10.0, 1.0)
        return source, where, score, _fts.c.rowid.desc()

    def highlights(self, q: str, ids: list[int]) -> dict[int, tuple[str, str]]:
        rows = db.session.execute(
            select(_fts.c.rowid, func.highlight(_FTS, 0, START, STOP),
                   func.snippet(_FTS, 1, START, STOP, "…", 24))
            .where(text("search_fts MATCH :fts").bindparams(fts=fts_query(q)),
                   _fts.c.rowid.in_(ids)))
        return {row[0]: (row[1] or "", row[2] or "") for row in rows}


class _Postgres(_Engine):
    @staticmethod
    def _tsquery(q: str):
        return func.websearch_to_tsquery(literal_column(f"'{LANGUAGE}'::regconfig"),
                                         literal(q[:MAX_QUERY]))

    def match(self, q: str):
        tsv = SearchDocument.tsv
        query = self._tsquery(q)
        # ts_rank's default weights: A (titles) 1.0, B (bodies) 0.4.
        return (SearchDocument.__table__, tsv.op("@@")(query), func.ts_rank(tsv, query),
                SearchDocument.post_id.desc())

    def highlights(self, q: str, ids: list[int]) -> dict[int, tuple[str, str]]:
        query = self._tsquery(q)
        config = literal_column(f"'{LANGUAGE}'::regconfig")
        markers = f"StartSel={START}, StopSel={STOP}"
        rows = db.session.execute(
            select(SearchDocument.post_id,
                   func.ts_headline(config, SearchDocument.title, query,
                                    f"HighlightAll=true, {markers}"),
                   func.ts_headline(config, SearchDocument.body, query,
                                    f"MaxWords=35, MinWords=15, MaxFragments=2, "
                                    f"FragmentDelimiter=\" … \", {markers}"))
            .where(SearchDocument.post_id.in_(ids)))
        return {row[0]: (row[1] or "", row[2] or "") for row in rows}


def _engine() -> _Engine:
    return _Postgres() if db.engine.dialect.name == "postgresql" else _SQLite()


def marked(text_: str) -> Markup:
    """Engine output as HTML: everything escaped, then the engine's markers become <mark>."""
    escaped = str(escape(text_))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))


def search(user, criteria: Criteria, page: int, per_page: int) -> Results:
    if not searchable(criteria.q):
        return Results()
    engine = _engine()
    source, where, score, newest = engine.match(criteria.q)
    # Newest first, in an order an index gives: one member's posts come newest first from
    # ix_posts_author; otherwise the engine's own order (relevance) or created_at's index.
    if criteria.author_id is not None:
        order_inner = Post.created_at.desc()
    else:
        order_inner = SearchDocument.created_at.desc() if criteria.sort == "date" else newest
    candidates = (
        select(SearchDocument.post_id.label("post_id"), score.label("score"),
               SearchDocument.created_at.label("created_at"))
        .select_from(source.join(Post, Post.id == SearchDocument.post_id)
                     .join(Topic, Topic.id == Post.topic_id))
        .where(where, _visible(user), *_filters(criteria))
        .order_by(order_inner).limit(CAP + 1)).subquery()
    order = ([candidates.c.created_at.desc(), candidates.c.post_id.desc()]
             if criteria.sort == "date"
             else [candidates.c.score.desc(), candidates.c.post_id.desc()])
    rows = db.session.execute(
        select(candidates.c.post_id, func.count().over().label("total"))
        .order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    if not rows:
        # Past the last page (or nothing found): show the first page instead.
        return search(user, criteria, 1, per_page) if page > 1 else Results()
    total = rows[0].total
    ids = [row.post_id for row in rows]
    marks = engine.highlights(criteria.q, ids)
    posts = {post.id: post for post in db.session.scalars(
        select(Post).where(Post.id.in_(ids))
        .options(joinedload(Post.topic).joinedload(Topic.forum), joinedload(Post.author)))}
    hits = []
    for post_id in ids:
        post = posts[post_id]
        title, snippet = marks.get(post_id, ("", ""))
        hits.append(Hit(post=post,
                        title_html=marked(title) if post.position == 1 and title
                        else escape(post.topic.title),
                        snippet_html=marked(snippet)))
    total, more = min(total, CAP), total > CAP
    return Results(hits=hits, total=total, more=more, page=page,
                   pages=max(1, -(-total // per_page)))
