"""Searching: one interface over SQLite FTS5 and PostgreSQL full-text search.

A results page costs three queries whatever the data size, four when words must be found
together: (0) how many topics' words hold them, (1) the engine ranks the matching documents
the person may see, filtered in SQL, and returns one page of ids with the total (counted no
further than CAP: "1,000+ results"); (2) highlighted title and snippet for those ids; (3) the
posts with their topics, forums and authors.

For speed at scale the engine looks at the TERM_CAP newest matching posts per term at most
(newest first is the index's natural order), ranks them and returns a page; nothing is
filtered in Python. So that the cap does not hide the topics that hold every word of
"customer service" behind the newest posts that hold only one, the count (0) asks the
topic-level index (models.TopicWords: every word of any post or title of a topic); when at
most TOPIC_CAP topics hold all the words, only those topics' posts are looked at (bench at
100,000 posts: 450 of 450 topics found, against 26 before). When more topics hold them, the
newest posts decide, as for a single word, and an older topic may be missed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from markupsafe import Markup, escape
from sqlalchemy import (and_, case, column, func, literal, literal_column, or_, select, table,
                        text, true, union_all)
from sqlalchemy.orm import joinedload

from ..board.models import Post, Topic, TopicKind, TopicStatus
from ..dbutil import in_ids, on_postgresql
from ..extensions import db
from ..permissions import can, viewer_scope
from ..urls import page_count
from .models import LANGUAGE, SearchDocument, TopicWords

CAP = 1000            # topics listed, at most, per search
TOPIC_CAP = 2000      # topics whose words hold the query's: looked in alone when at most
TERM_CAP = 5000       # posts looked at, at most, per word or phrase (the newest)
PER_PAGE = 20
MAX_QUERY = 200       # characters of the search box used
# Highlight markers: control characters, removed from every indexed text (index.py), so
# a marker can only come from the engine; everything else is escaped.
START, STOP = "\x02", "\x03"

_fts = table("search_fts", column("rowid"), column("title"), column("body"))
_FTS = literal_column("search_fts")
_topic_fts = table("topic_fts", column("rowid"))


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
    # A word was found in more posts than are looked at (TERM_CAP): topics holding it only
    # in older posts are not counted, so `total` is a lower bound ("at least").
    partial: bool = False
    page: int = 1
    pages: int = 1


# --- the websearch grammar, parsed once for both engines ---------------------------------

_CHUNK = re.compile(r'(-?)"([^"]*)(?:"|$)|(\S+)')
_WORDLIKE = re.compile(r"[^\W_]")


@dataclass
class Parsed:
    """What was typed: groups joined by OR, each a list of words or "phrases" that must all
    be found, and words or phrases that must not be. Terms are plain text (no quotes)."""
    groups: list[list[str]]
    excluded: list[str]

    @property
    def terms(self) -> list[str]:
        """Every distinct term, the excluded ones last, in a stable order."""
        seen: dict[str, None] = {}
        for term in [t for g in self.groups for t in g] + self.excluded:
            seen.setdefault(term, None)
        return list(seen)


def parse(q: str) -> Parsed:
    """Words and "phrases" all required, OR between groups, -word and -"phrase" excluded
    (PostgreSQL's websearch_to_tsquery grammar). A term with nothing an engine could index
    (punctuation, a lone quote) is dropped."""
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
        term = " ".join(phrase.replace('"', " ").split())
        if not _WORDLIKE.search(term):
            continue
        target = excluded if minus else groups[-1]
        if term not in target:
            target.append(term)
    return Parsed([g for g in groups if g], excluded)


def _quoted(words: str) -> str:
    """An FTS5 string (a phrase of whatever tokens FTS5 finds in it). Quoting makes every
    character literal: no operator, column filter, prefix star or bracket in the input
    means anything to MATCH."""
    return '"' + words.replace('"', '""') + '"'


def fts_query(q: str) -> str | None:
    """The whole query as one FTS5 expression (post level); None when nothing is left."""
    parsed = parse(q)
    if not parsed.groups:
        return None
    expression = " OR ".join("(" + " AND ".join(map(_quoted, g)) + ")" for g in parsed.groups)
    if parsed.excluded:
        expression = f"({expression}) NOT " + " NOT ".join(map(_quoted, parsed.excluded))
    return expression


def searchable(q: str) -> bool:
    """Whether the words typed leave anything to look for (the same rule on both engines)."""
    return bool(parse(q).groups)


# --- who may find what -------------------------------------------------------------------

def _topic_visible(user):
    """SQL for the topics `user` may find posts in, from the rules in forum/permissions.py."""
    extra = [status for status in TopicStatus
             if status != TopicStatus.PUBLISHED and can(user, "find_unpublished", status)]
    published = Topic.published() | Topic.status.in_(extra) if extra else Topic.published()
    return and_(published, Topic.in_forums_readable_by(viewer_scope(user)))


def _visible(user):
    """SQL for the posts `user` may find."""
    post_ok = true() if can(user, "find_hidden_posts") else Post.hidden_at.is_(None)
    return and_(_topic_visible(user), post_ok)


def _topic_filters(criteria: Criteria) -> list:
    found = []
    if criteria.forum_id is not None:
        found.append(Topic.forum_id == criteria.forum_id)
    if criteria.kind:
        found.append(Topic.kind == TopicKind(criteria.kind))
    if criteria.answered == "yes":
        found.append(Topic.accepted_post_id.is_not(None))
    elif criteria.answered == "no":
        found.append((Topic.kind == TopicKind.QUESTION) & Topic.accepted_post_id.is_(None))
    return found


def _filters(criteria: Criteria) -> list:
    found = _topic_filters(criteria)
    if criteria.author_id is not None:
        found.append(Post.author_id == criteria.author_id)
    if criteria.since:
        found.append(SearchDocument.created_at >= datetime.combine(criteria.since, time()))
    if criteria.until and criteria.until < date.max:  # the last day of the calendar: no bound
        found.append(SearchDocument.created_at
                     < datetime.combine(criteria.until + timedelta(days=1), time()))
    return found


# --- the engines ---------------------------------------------------------------------------

class _Engine:
    """How one engine matches a single term (a word or a phrase) in one document, and makes
    highlights. Everything else (grouping posts into topics, the grammar, ranking) is the
    same SQL on both."""

    def source(self):
        return SearchDocument.__table__

    def term(self, i: int, term: str):
        """(WHERE clause, 1 if the match is in the title else 0, score, newest-first key)"""
        raise NotImplementedError

    def empty(self, i: int, term: str):
        """SQL true when the term holds nothing the engine indexes (a stop word)."""
        return literal(False)

    def topics(self, parsed: Parsed):
        """A select of the ids of the topics whose words (TopicWords) hold every word of some
        group: phrases as their words, exclusions ignored (the post-level match decides)."""
        raise NotImplementedError

    def highlights(self, parsed: Parsed, ids: list[int]) -> dict[int, tuple[str, str]]:
        raise NotImplementedError


class _SQLite(_Engine):
    def source(self):
        return _fts.join(SearchDocument, SearchDocument.post_id == _fts.c.rowid)

    def term(self, i: int, term: str):
        where = _FTS.op("MATCH")(literal(_quoted(term)))
        # bm25 is lower (negative) for better matches: with the body weighed 0 it is below
        # 0 only when the title holds the term; a title hit counts ten times a body hit.
        in_title = case((func.bm25(_FTS, 1.0, 0.0) < 0, 1), else_=0)
        return where, in_title, -func.bm25(_FTS, 10.0, 1.0), _fts.c.rowid.desc()

    def topics(self, parsed: Parsed):
        # Each whitespace-separated chunk of a term as its own FTS5 string: the topic's row
        # holds its texts' distinct chunks, so words are together only within a chunk.
        expression = " OR ".join(
            "(" + " AND ".join(_quoted(chunk) for term in group for chunk in term.split()
                               if _WORDLIKE.search(chunk)) + ")" for group in parsed.groups)
        return select(_topic_fts.c.rowid.label("topic_id")).where(
            text("topic_fts MATCH :topic_match").bindparams(topic_match=expression))

    def highlights(self, parsed: Parsed, ids: list[int]) -> dict[int, tuple[str, str]]:
        anything = " OR ".join(_quoted(t) for g in parsed.groups for t in g)
        rows = db.session.execute(
            select(_fts.c.rowid, func.highlight(_FTS, 0, START, STOP),
                   func.snippet(_FTS, 1, START, STOP, "…", 24))
            .where(text("search_fts MATCH :fts").bindparams(fts=anything),
                   _fts.c.rowid.in_(ids)))
        return {row[0]: (row[1] or "", row[2] or "") for row in rows}


_CONFIG = literal_column(f"'{LANGUAGE}'::regconfig")


class _Postgres(_Engine):
    @staticmethod
    def _tsquery(term: str):
        return func.phraseto_tsquery(_CONFIG, literal(term[:MAX_QUERY]))

    def term(self, i: int, term: str):
        tsv, query = SearchDocument.tsv, self._tsquery(term)
        in_title = case((func.ts_filter(tsv, literal_column("'{a}'::\"char\"[]")).op("@@")(query),
                         1), else_=0)
        # ts_rank's default weights: A (titles) 1.0, B (bodies) 0.4.
        return tsv.op("@@")(query), in_title, func.ts_rank(tsv, query), \
            SearchDocument.post_id.desc()

    def empty(self, i: int, term: str):
        return func.numnode(self._tsquery(term)) == 0

    def topics(self, parsed: Parsed):
        # plainto_tsquery: a term's lexemes ANDed (the topic's set has no positions); a stop
        # word adds nothing, as it matches nothing in the post-level index either.
        query = None
        for group in parsed.groups:
            words = None
            for term in group:
                one = func.plainto_tsquery(_CONFIG, literal(term[:MAX_QUERY]))
                words = one if words is None else words.op("&&")(one)
            query = words if query is None else query.op("||")(words)
        return select(TopicWords.topic_id).where(TopicWords.tsv.op("@@")(query))

    def highlights(self, parsed: Parsed, ids: list[int]) -> dict[int, tuple[str, str]]:
        query = None
        for term in (t for g in parsed.groups for t in g):
            one = self._tsquery(term)
            query = one if query is None else query.op("||")(one)
        markers = f"StartSel={START}, StopSel={STOP}"
        rows = db.session.execute(
            select(SearchDocument.post_id,
                   func.ts_headline(_CONFIG, SearchDocument.title, query,
                                    f"HighlightAll=true, {markers}"),
                   func.ts_headline(_CONFIG, SearchDocument.body, query,
                                    f"MaxWords=35, MinWords=15, MaxFragments=2, "
                                    f"FragmentDelimiter=\" … \", {markers}"))
            .where(in_ids(SearchDocument.post_id, "ids")), {"ids": ids})
        return {row[0]: (row[1] or "", row[2] or "") for row in rows}


def _engine() -> _Engine:
    return _Postgres() if on_postgresql() else _SQLite()


def marked(text_: str) -> Markup:
    """Engine output as HTML: everything escaped, then the engine's markers become <mark>."""
    escaped = str(escape(text_))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))


def _term_rows(engine: _Engine, i: int, term: str, user, criteria: Criteria, candidates):
    """The posts (newest TERM_CAP at most) the person may find that hold one term (in the
    candidate topics, if any)."""
    where, in_title, score, newest = engine.term(i, term)
    if candidates is not None:
        where = and_(where, Post.topic_id.in_(select(candidates.c.topic_id)))
    order = Post.created_at.desc() if criteria.author_id is not None else newest
    return (select(Post.topic_id.label("topic_id"), Post.id.label("post_id"),
                   literal(i).label("term"), in_title.label("in_title"),
                   score.label("score"), SearchDocument.created_at.label("created_at"))
            .select_from(engine.source().join(Post, Post.id == SearchDocument.post_id)
                         .join(Topic, Topic.id == Post.topic_id))
            .where(where, _visible(user), *_filters(criteria))
            .order_by(order).limit(TERM_CAP))


def _narrows(engine: _Engine, parsed: Parsed) -> bool:
    """Whether to look only in the topics whose words hold the query's: when words must be
    found together (a lone word's newest posts are its topics' newest anyway) and at most
    TOPIC_CAP topics hold them (one count of the topic-level index, stopped past the cap)."""
    if all(len(group) == 1 for group in parsed.groups):
        return False
    some = engine.topics(parsed).limit(TOPIC_CAP + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(some)) <= TOPIC_CAP


def _ranked(engine: _Engine, parsed: Parsed, user, criteria: Criteria, narrow: bool):
    """One statement: the topics that match, best first, each with the post that matches
    most of the words (the one to show), and the number of topics. `narrow`: look only in
    the topics whose words hold the query's (_narrows)."""
    terms = parsed.terms
    index = {term: i for i, term in enumerate(terms)}
    # A term both wanted and excluded ("a -a") is looked up as wanted too: the exclusion
    # then removes every topic that holds it, as PostgreSQL's 'a & !a' would.
    wanted = list(dict.fromkeys(t for g in parsed.groups for t in g))
    candidates = None
    if narrow:
        matching = engine.topics(parsed).subquery("matching")
        candidates = (select(Topic.id.label("topic_id"))
                      .join(matching, matching.c.topic_id == Topic.id)
                      .where(_topic_visible(user), *_topic_filters(criteria))).cte("candidates")
    rows = union_all(*[select(_term_rows(engine, index[t], t, user, criteria,
                                         candidates).subquery())
                       for t in wanted]).cte("term_rows")
    # Per post: which terms it holds (and in the title), how many, its best score.
    posts = (select(rows.c.topic_id, rows.c.post_id,
                    *[func.max(case((rows.c.term == index[t], 1), else_=0)).label(f"has_{n}")
                      for n, t in enumerate(wanted)],
                    *[func.max(case(((rows.c.term == index[t]) & (rows.c.in_title == 1), 1),
                                    else_=0)).label(f"title_{n}")
                      for n, t in enumerate(wanted)],
                    func.count(rows.c.term.distinct()).label("terms"),
                    func.max(rows.c.score).label("score"),
                    func.max(rows.c.created_at).label("created_at"))
             .group_by(rows.c.topic_id, rows.c.post_id)).subquery("posts")
    # Per topic, over the same partition (no join: PostgreSQL cannot estimate how many
    # topics match and would loop): the topic's terms and the post to show (rank 1).
    topic = {"partition_by": posts.c.topic_id}
    topics = select(
        posts.c.topic_id, posts.c.post_id,
        func.row_number().over(**topic, order_by=[posts.c.terms.desc(), posts.c.score.desc(),
                                                  posts.c.post_id]).label("rank"),
        *[func.max(posts.c[f"has_{n}"]).over(**topic).label(f"has_{n}")
          for n in range(len(wanted))],
        *[func.max(posts.c[f"title_{n}"]).over(**topic).label(f"title_{n}")
          for n in range(len(wanted))],
        # How many posts hold each term (over all rows): TERM_CAP means it was cut short.
        *[func.sum(posts.c[f"has_{n}"]).over().label(f"held_{n}") for n in range(len(wanted))],
        func.max(posts.c.score).over(**topic).label("best"),
        func.max(posts.c.created_at).over(**topic).label("latest")).subquery("topics")
    has = {t: topics.c[f"has_{n}"] for n, t in enumerate(wanted)}
    title_terms = sum((topics.c[f"title_{n}"] for n in range(1, len(wanted))),
                      topics.c.title_0)
    matched = sum((topics.c[f"has_{n}"] for n in range(1, len(wanted))), topics.c.has_0)
    groups = [and_(*[or_(engine.empty(index[t], t), has[t] == 1) for t in group],
                   or_(*[has[t] == 1 for t in group])) for group in parsed.groups]
    found = (select(topics.c.topic_id, topics.c.post_id, func.count().over().label("total"),
                    *[topics.c[f"held_{n}"] for n in range(len(wanted))])
             .where(topics.c.rank == 1, or_(*groups)))
    for term in parsed.excluded:
        where = engine.term(index[term], term)[0]
        found = found.where(topics.c.topic_id.not_in(
            select(Post.topic_id)
            .select_from(engine.source().join(Post, Post.id == SearchDocument.post_id)
                         .join(Topic, Topic.id == Post.topic_id))
            .where(where, _visible(user), *_filters(criteria))))
    order = ([topics.c.latest.desc(), topics.c.topic_id.desc()] if criteria.sort == "date"
             else [title_terms.desc(), matched.desc(), topics.c.best.desc(),
                   topics.c.topic_id.desc()])
    return found.order_by(*order)


def search(user, criteria: Criteria, page: int, per_page: int) -> Results:
    parsed = parse(criteria.q)
    if not parsed.groups:
        return Results()
    engine = _engine()
    rows = db.session.execute(
        _ranked(engine, parsed, user, criteria, _narrows(engine, parsed))
        .limit(per_page).offset((page - 1) * per_page)).all()
    if not rows:
        # Past the last page (or nothing found): show the first page instead.
        return search(user, criteria, 1, per_page) if page > 1 else Results()
    total = rows[0].total
    # After topic_id, post_id and total, _ranked gives each term's post count (held_<n>).
    partial = any(held >= TERM_CAP for held in rows[0][3:])
    ids = [row.post_id for row in rows]
    posts = {post.id: post for post in db.session.scalars(
        select(Post).where(in_ids(Post.id, "ids"))
        .options(joinedload(Post.topic).joinedload(Topic.forum), joinedload(Post.author)),
        {"ids": ids})}
    firsts = {posts[i].topic.first_post_id for i in ids} - {None}
    marks = engine.highlights(parsed, sorted(set(ids) | firsts))
    hits = []
    for post_id in ids:
        post = posts[post_id]
        title = marks.get(post.topic.first_post_id, ("", ""))[0]
        snippet = marks.get(post_id, ("", ""))[1]
        hits.append(Hit(post=post,
                        title_html=marked(title) if title else escape(post.topic.title),
                        snippet_html=marked(snippet)))
    total, more = min(total, CAP), total > CAP
    return Results(hits=hits, total=total, more=more, partial=partial and not more, page=page,
                   pages=page_count(total, per_page))
