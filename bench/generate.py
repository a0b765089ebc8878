"""Fill a PostgreSQL database with realistic forum data, fast (COPY), counters consistent.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench \
        .venv/bin/python bench/generate.py [--scale 1.0] [--seed 1] [--schema public]

At --scale 1: 10,000 members, 50 forums, 100,000 topics, 1,000,000 posts (long-tailed topic
lengths, one topic of 20,000 replies), articles and library links (topics of kind article and
link, with tags), 500 polls with 50,000 votes, ~100,000 helpful-reply votes, open reports.
--scale 0.01 gives a quick data set (the big topic then has 200 replies).

How: the schema is rebuilt by the Alembic migrations (`upgrade heads`, like `flask db upgrade
heads`), then every table is loaded in one transaction: TRUNCATE, drop secondary indexes and
constraints, COPY ... WITH (FREEZE) (rows written frozen: no vacuum or hint-bit writes later),
recreate indexes and constraints, one revision row per post, set sequences, ANALYZE. Counters
(topic/forum/member counts, positions, first/last post ids, vote counts) are computed while
the rows are generated, so they equal a recount. body_html is forum.markup.render of a pool of
distinct bodies rendered once and reused.

Every member's password is BENCH_PASSWORD (a cheap argon2 hash, BENCH_ARGON2); run.py and
mixed.py log in with it.
"""
from __future__ import annotations

import argparse
import html as html_module
import os
import random
import re
import sys
import time
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

BENCH_PASSWORD = "bench-password-1"
# The members' password hash is argon2id at these (cheap) settings, and every server the
# benchmarks start runs with them in its environment (forum.config reads ARGON2_*), so
# logging in 64 members costs milliseconds, not a minute of the shared CPUs, and no
# rehash-on-log-in write. Only log-in is affected; no page under measurement hashes.
BENCH_ARGON2 = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024"}
COMMON_WORD = "service"      # in most bodies: /search?q=service matches a lot
RARE_WORD = "quillwort"      # in exactly RARE_POSTS posts
RARE_POSTS = 3
NOTIFIED_MEMBERS = 500          # members with more than a page of notifications
BIG_TOPIC_TITLE = "The long thread: what did you learn this week about public service?"

# Tables this script fills (in an order that satisfies foreign keys, though they are dropped
# during the load anyway).
TABLES = ["users", "categories", "forums", "tags", "topics", "topic_tags", "posts",
          "post_revisions", "post_votes", "polls", "poll_options", "poll_ballots", "poll_votes",
          "reports"]
OPTIONAL_TABLES = ["articles", "link_entries", "search_documents",  # other features' tables
                   "topic_words", "notifications"]

FIRST = ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery",
         "Quinn", "Robin", "Drew", "Kerry", "Lee", "Pat", "Dana", "Chris", "Terry", "Jo",
         "Leslie", "Maria", "Ahmed", "Wei", "Priya", "Olu", "Ines", "Tomas", "Aiko", "Nadia"]
LAST = ["Smith", "Jones", "Garcia", "Nguyen", "Okafor", "Patel", "Kim", "Müller", "Rossi",
        "Brown", "Wilson", "Clarke", "Silva", "Haddad", "Novak", "Larsen", "Dubois", "Evans"]
AGENCIES = ["treasury", "health", "transport", "education", "justice", "labour", "interior",
            "environment", "statistics", "digital", "housing", "revenue", "defence", "energy"]
TOPIC_NOUNS = ["customer service", "procurement", "open data", "accessibility", "records",
               "onboarding", "budget reviews", "plain language", "user research", "hiring",
               "cloud hosting", "service design", "performance reports", "FOI requests",
               "remote work", "grant programmes", "call centres", "identity checks",
               "form design", "legacy systems", "training", "contracts", "web analytics",
               "translation", "complaints handling", "data sharing", "security reviews"]
TOPIC_FORMS = ["Where does government get {n} right?", "How do you handle {n} in {a}?",
               "Lessons from a year of {n}", "Is anyone measuring {n}?",
               "{N}: what worked for your team", "Getting started with {n}",
               "Question about {n} and {m}", "Who owns {n} in {a}?",
               "Tips for {n} on a small budget", "{N} versus {m}: trade-offs"]
WORDS = ("the a our team agency citizens people we they form process policy data users staff "
         "week month year office department budget report review project plan guidance "
         "public digital paper online phone queue wait time cost quality feedback survey "
         "results change rules law audit risk trust open shared clear simple slow fast "
         "better worse first last next manager minister council local regional national "
         "service services").split()


def now() -> datetime:
    from forum import clock
    return clock.now()


@dataclass
class Sizes:
    users: int
    forums: int
    topics: int
    posts: int
    big_replies: int
    polls: int
    poll_votes: int
    post_votes: int
    reports: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def n(value: int, least: int) -> int:
            return max(least, int(round(value * scale)))
        sizes = cls(users=n(10_000, 30), forums=n(50, 3), topics=n(100_000, 40),
                    posts=n(1_000_000, 400), big_replies=n(20_000, 60), polls=n(500, 3),
                    poll_votes=n(50_000, 30), post_votes=n(100_000, 30), reports=n(200, 3))
        sizes.posts = max(sizes.posts, sizes.topics + sizes.big_replies + RARE_POSTS)
        # Enough members for each poll's voters (one ballot per member) at tiny scales.
        sizes.users = max(sizes.users, -(-sizes.poll_votes // sizes.polls) + 1)
        return sizes


@dataclass
class Loaded:
    """What was written, for the summary and for run.py/mixed.py to find their pages."""
    counts: dict[str, int] = field(default_factory=dict)
    big_topic_id: int = 0


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body_pool(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Distinct Markdown bodies, rendered once by forum.markup.render."""
    from forum import markup
    bodies = []
    for i in range(count):
        paragraphs = []
        for p in range(rng.choice([1, 1, 2, 2, 3, 4])):
            text = " ".join(sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(1, 4)))
            if rng.random() < 0.3:
                text = text.replace(" service ", " **service** ", 1)
            if rng.random() < 0.15:
                text += f" See <a href=\"https://{rng.choice(AGENCIES)}.example.gov/{i}\">" \
                        "the guidance</a>."
            paragraphs.append(text)
        if rng.random() < 0.15:
            paragraphs.append("\n".join(f"- {sentence(rng, rng.randint(3, 8))}"
                                        for _ in range(rng.randint(2, 4))))
        if rng.random() < 0.1:
            paragraphs.insert(0, "> " + sentence(rng, rng.randint(5, 12)))
        if i % 3 == 0:  # the common word in most bodies (it is also in WORDS)
            paragraphs[-1] += " Good service matters."
        source = f"Reply {i}. " + "\n\n".join(paragraphs)
        bodies.append((source, markup.render(source)))
    return bodies


def article_pool(rng: random.Random, count: int) -> list[tuple[str, str]]:
    from forum import markup
    bodies = []
    for i in range(count):
        parts = [f"Article {i}: notes on {rng.choice(TOPIC_NOUNS)} and good service."]
        for _ in range(rng.randint(4, 8)):
            parts.append(f"### {sentence(rng, 4)[:-1]}")
            parts.append(" ".join(sentence(rng, rng.randint(8, 20)) for _ in range(4)))
        parts.append("*What would you change first?*")
        source = "\n\n".join(parts)
        bodies.append((source, markup.render(source)))
    return bodies


def topic_lengths(rng: random.Random, sizes: Sizes) -> list[int]:
    """Replies per topic: topic 0 is the big one; the rest follow a long tail (most topics
    have a few replies, some hundreds), summing exactly to the posts wanted."""
    others = sizes.topics - 1
    remaining = sizes.posts - sizes.topics - sizes.big_replies
    weights = [rng.paretovariate(1.3) - 0.8 for _ in range(others)]
    total = sum(weights)
    lengths = [int(w / total * remaining) for w in weights]
    # No other topic comes near the big one: cap the tail at a quarter of it.
    cap = max(2, sizes.big_replies // 4)
    lengths = [min(length, cap) for length in lengths]
    short = remaining - sum(lengths)  # rounding and the cap left these over: spread them
    while short > 0:
        i = rng.randrange(others)
        if lengths[i] < cap:
            lengths[i] += 1
            short -= 1
    return [sizes.big_replies] + lengths


def connect(url: str, schema: str) -> psycopg.Connection:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    conn = psycopg.connect(conninfo, options=f"-csearch_path={schema}")
    return conn


def schema_url(url: str, schema: str) -> str:
    """The SQLAlchemy URL whose connections see `schema` first (for the migrations)."""
    if schema == "public":
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def build_schema(url: str, schema: str) -> None:
    """Empty the schema and build it with the migrations (flask db upgrade heads)."""
    with connect(url, "public") as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    from flask_migrate import upgrade

    from forum import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": schema_url(url, schema), "TESTING": True})
    with app.app_context():
        upgrade(revision="heads")
        from forum.extensions import db
        db.engine.dispose()


def secondary_structures(conn: psycopg.Connection, schema: str,
                         tables: list[str]) -> tuple[list, list, list]:
    """Non-primary-key constraints (unique, foreign key, check) and plain indexes of TABLES:
    (constraints to drop, statements to recreate unique/check ones, FK statements)."""
    rows = conn.execute(
        """SELECT c.conrelid::regclass::text, c.conname, c.contype,
                  pg_get_constraintdef(c.oid)
           FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           WHERE n.nspname = %s AND c.contype IN ('u', 'f') AND t.relname = ANY(%s)""",
        (schema, tables)).fetchall()
    drops, uniques, fks = [], [], []
    for table, name, kind, definition in rows:
        drops.append(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            sql.SQL(table), sql.Identifier(name)))
        create = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
            sql.SQL(table), sql.Identifier(name), sql.SQL(definition))
        (fks if kind == "f" else uniques).append(create)
    indexes = conn.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = %s AND i.tablename = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             JOIN pg_namespace n ON n.oid = c.connamespace
                             WHERE c.conname = i.indexname AND n.nspname = i.schemaname)""",
        (schema, tables)).fetchall()
    for name, definition in indexes:
        drops.append(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        uniques.append(sql.SQL(definition))
    return drops, uniques, fks


class Generator:
    def __init__(self, sizes: Sizes, seed: int, password_hash: str):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.now = now()
        self.loaded = Loaded()

    # --- members -------------------------------------------------------------------------
    def users(self):
        from forum.accounts.models import name_key, name_skeleton
        rng, n = self.rng, self.sizes.users
        self.staff = list(range(1, max(3, n // 500) + 1))       # ids 1..k: staff
        self.moderators = self.staff[:max(1, len(self.staff) // 4)]
        start = self.now - timedelta(days=8 * 365)  # all join before the first topic
        rows = []
        for uid in range(1, n + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {uid}"
            role = "admin" if uid == 1 else "moderator" if uid in self.moderators else \
                "staff" if uid in self.staff else "member"
            created = start + timedelta(seconds=int(rng.random() * 365 * 86400))
            rows.append((uid, name, name_key(name), name_skeleton(name),
                         f"member{uid}@{rng.choice(AGENCIES)}.gov", self.password_hash, role,
                         "", "", created, created, 0, 0, 1))
        # Activity is skewed: a few members write much of the forum.
        weights = [1.0 / (i ** 0.8) for i in range(1, n + 1)]
        order = list(range(1, n + 1))
        rng.shuffle(order)
        self.author_weights = (order, weights)
        self.topic_count = [0] * (n + 1)
        self.reply_count = [0] * (n + 1)
        return ("users", ["id", "display_name", "name_key", "name_skeleton", "email",
                          "password_hash", "role", "bio", "bio_html", "created_at",
                          "email_verified_at", "topic_count", "reply_count", "session_version"],
                rows)

    def author_stream(self, count: int):
        order, weights = self.author_weights
        picks = self.rng.choices(order, weights=weights, k=count)
        return iter(picks)

    # --- structure ------------------------------------------------------------------------
    def forums(self):
        from forum.board.services import slugify
        categories = ["Working in government", "Services and delivery", "Data and technology",
                      "People and skills", "Around the forum"]
        self.categories = [(i + 1, title, i) for i, title in enumerate(categories)]
        self.forum_rows = []
        for fid in range(1, self.sizes.forums + 1):
            title = f"{TOPIC_NOUNS[(fid - 1) % len(TOPIC_NOUNS)].capitalize()} {fid}"
            self.forum_rows.append({"id": fid, "category_id": (fid - 1) % len(categories) + 1,
                                    "slug": slugify(title), "title": title,
                                    "description": f"Questions and stories about {title}.",
                                    "position": fid, "topic_count": 0, "post_count": 0,
                                    "last": (datetime.min, 0, None)})
        tags = [f"{noun}" for noun in TOPIC_NOUNS] + [f"{a} sector" for a in AGENCIES]
        self.tags = [(i + 1, name, slugify(name, 60)) for i, name in enumerate(tags)]

    # --- topics and posts -----------------------------------------------------------------
    def topics_and_posts(self, copy_posts):
        """Writes posts through copy_posts(row) as they are made; returns topic rows."""
        from forum.board.services import slugify
        rng, sizes = self.rng, self.sizes
        pool = body_pool(rng, 400 if sizes.posts >= 100_000 else 60)
        articles = article_pool(rng, 20 if sizes.posts >= 100_000 else 4)
        rare = [(f"A note on the {RARE_WORD} survey {i}: rare plants, rare words.",)
                for i in range(RARE_POSTS)]
        from forum import markup
        rare = [(text, markup.render(text)) for (text,) in rare]
        rare_slots = dict(zip(rng.sample(range(sizes.topics + 1, sizes.posts), RARE_POSTS),
                              rare))
        # Which body each post got (an index into self.bodies), for the optional tables.
        self.bodies = pool + articles + rare
        keys = {id(body): key for key, body in enumerate(self.bodies)}
        self.body_keys = array("i")
        self.post_created: list[datetime] = []
        self.opening_titles: dict[int, str] = {}
        self.special_topics: dict[str, list[tuple[int, int, datetime]]] = {
            "article": [], "link": []}
        lengths = topic_lengths(rng, sizes)
        authors = self.author_stream(sizes.posts)
        span = (self.now - timedelta(days=7 * 365), self.now - timedelta(days=1))
        starts = sorted(span[0] + timedelta(seconds=int(rng.random() * (span[1] - span[0])
                                                         .total_seconds()))
                        for _ in range(sizes.topics))
        # The big topic is old (its replies span years) and is topic id 1.
        n_article = max(2, sizes.topics // 50)
        n_link = max(2, sizes.topics // 100)
        kinds = ["article"] * n_article + ["link"] * n_link
        kinds += ["question" if rng.random() < 0.25 else "discussion"
                  for _ in range(sizes.topics - len(kinds))]
        rng.shuffle(kinds)
        kinds[0] = "discussion"
        moderator = self.moderators[0]
        topic_rows, tag_rows, self.post_vote_rows, self.visible_replies = [], [], [], []
        self.reply_facts: list[tuple[int, int, datetime]] = []  # (topic, author, when)
        post_id = 0
        votes_wanted = sizes.post_votes
        vote_chance = min(1.0, votes_wanted / max(1, sizes.posts - sizes.topics) / 1.2)
        users = sizes.users
        for index in range(sizes.topics):
            tid = index + 1
            kind = kinds[index]
            created = starts[index]
            forum = self.forum_rows[0] if tid == 1 else rng.choice(self.forum_rows)
            if kind in ("article", "link"):
                author = rng.choice(self.staff)
                next(authors)
            else:
                author = next(authors)
            noun, other = rng.choice(TOPIC_NOUNS), rng.choice(TOPIC_NOUNS)
            title = BIG_TOPIC_TITLE if tid == 1 else rng.choice(TOPIC_FORMS).format(
                n=noun, N=noun.capitalize(), m=other, a=rng.choice(AGENCIES).capitalize())
            if kind == "article":
                title = f"{noun.capitalize()}: {sentence(rng, 5)[:-1].lower()}"
            elif kind == "link":
                title = f"Reading: {sentence(rng, 4)[:-1].lower()} ({rng.choice(AGENCIES)})"
            title = title[:150]
            replies = lengths[index]
            total = replies + 1
            # Reply times: spread from the topic's start towards now.
            room = (self.now - created).total_seconds()
            gap = min(2 * 86400.0, room / (total + 1))
            t = created
            voices, visible, last_visible = set(), 0, None
            first_post_id = post_id + 1
            accepted_candidates = []
            for position in range(1, total + 1):
                post_id += 1
                if position == 1:
                    who, when = author, created
                    body = rng.choice(articles) if kind == "article" else rng.choice(pool)
                else:
                    who = next(authors)
                    t = t + timedelta(seconds=int(rng.expovariate(1.0 / gap)) + 1)
                    when = min(t, self.now)
                    body = rng.choice(pool)
                if post_id in rare_slots:
                    body = rare_slots[post_id]
                source, html = body
                hidden = position > 1 and rng.random() < 0.003
                votes = 0
                if position > 1 and not hidden and rng.random() < vote_chance:
                    votes = min(users - 1, 1 + int(rng.expovariate(1 / 0.5)))
                    for voter in rng.sample(range(1, users + 1), votes):
                        self.post_vote_rows.append((post_id, voter, when))
                self.body_keys.append(keys[id(body)])
                self.post_created.append(when)
                copy_posts((post_id, tid, who, position, source, html, when,
                            when + timedelta(hours=1) if hidden else None,
                            moderator if hidden else None,
                            "Off topic" if hidden else None, votes))
                if hidden:
                    continue
                voices.add(who)
                last_visible = (post_id, when)
                if position > 1:
                    visible += 1
                    self.reply_count[who] += 1
                    accepted_candidates.append(post_id)
                    if len(self.visible_replies) < 200_000:
                        self.visible_replies.append(post_id)
                        self.reply_facts.append((tid, who, when))
            accepted = (rng.choice(accepted_candidates)
                        if kind == "question" and accepted_candidates and rng.random() < 0.3
                        else None)
            pinned = 2 if tid in (2, 3) else 1 if tid % 2000 == 7 else 0
            self.opening_titles[first_post_id] = title
            if kind in self.special_topics:
                self.special_topics[kind].append((tid, first_post_id, created))
            self.topic_count[author] += 1
            last_id, last_at = last_visible
            forum["topic_count"] += 1
            forum["post_count"] += 1 + visible
            if (last_at, tid) > forum["last"][:2]:
                forum["last"] = (last_at, tid, last_id)
            topic_rows.append((tid, forum["id"], author, title, slugify(title), kind,
                               "published", pinned, False, created, total, visible,
                               len(voices), rng.randint(visible + 1, 10 * (visible + 5)),
                               first_post_id, last_id, last_at, accepted))
            if kind in ("article", "link") or rng.random() < 0.05:
                for tag in rng.sample(self.tags, rng.randint(1, 3)):
                    tag_rows.append((tid, tag[0]))
        self.loaded.big_topic_id = 1
        self.post_total = post_id
        self.topic_rows = topic_rows
        return topic_rows, tag_rows

    # --- polls and reports ----------------------------------------------------------------
    def polls(self):
        rng, sizes = self.rng, self.sizes
        candidates = [row[0] for row in self.topic_rows if row[5] in ("discussion", "question")]
        chosen = rng.sample(candidates, min(sizes.polls, len(candidates)))
        polls, options, ballots, votes = [], [], [], []
        per_poll = max(1, sizes.poll_votes // len(chosen))
        option_id = ballot_id = vote_id = 0
        remaining = sizes.poll_votes
        for number, tid in enumerate(chosen, start=1):
            multiple = number % 10 == 0
            count = rng.randint(3, 5)
            ids = list(range(option_id + 1, option_id + count + 1))
            option_id += count
            tally = dict.fromkeys(ids, 0)
            want = remaining if number == len(chosen) else min(remaining, per_poll)
            voters_wanted = want if not multiple else max(1, want // 2)
            voters = rng.sample(range(1, sizes.users + 1), min(sizes.users, voters_wanted))
            cast = 0
            created = self.now - timedelta(days=rng.randint(1, 900))
            for user in voters:
                if cast >= want:
                    break
                ballot_id += 1
                ballots.append((ballot_id, number, user, created, created))
                picks = rng.sample(ids, 2 if multiple and want - cast >= 2 else 1)
                for option in picks:
                    vote_id += 1
                    votes.append((vote_id, ballot_id, number, option, user))
                    tally[option] += 1
                    cast += 1
            remaining -= cast
            polls.append([number, tid, f"Which matters most for {rng.choice(TOPIC_NOUNS)}?",
                          multiple, 2 if multiple else 1, None, None, "always", False, created,
                          0])
            for position, oid in enumerate(ids, start=1):
                options.append((oid, number, position, f"Option {position}: "
                                f"{rng.choice(TOPIC_NOUNS)}", tally[oid]))
        voter_counts: dict[int, int] = {}
        for ballot in ballots:
            voter_counts[ballot[1]] = voter_counts.get(ballot[1], 0) + 1
        for poll in polls:
            poll[10] = voter_counts.get(poll[0], 0)
        return polls, options, ballots, votes

    def notifications(self):
        """Replies to topics members follow: the first NOTIFIED_MEMBERS ids (every member the
        load run logs in) have more than a page of them, the rest a few; the newest few of
        each member are unread."""
        rng, replies, facts = self.rng, self.visible_replies, self.reply_facts
        rows, next_id = [], 1
        for uid in range(1, self.sizes.users + 1):
            count = rng.randint(35, 90) if uid <= NOTIFIED_MEMBERS else rng.randint(0, 8)
            picks = sorted(rng.sample(range(len(replies)), min(count, len(replies))),
                           key=lambda i: facts[i][2])
            unread = rng.randint(0, min(6, len(picks)))
            for n, i in enumerate(picks):
                topic, actor, when = facts[i]
                if actor == uid:
                    continue
                rows.append((next_id, uid, "reply", actor, topic, replies[i], None,
                             f"post:{replies[i]}", when,
                             None if n >= len(picks) - unread else when + timedelta(hours=2)))
                next_id += 1
        return (["id", "user_id", "kind", "actor_id", "topic_id", "post_id", "text",
                 "dedup_key", "created_at", "read_at"], rows)

    def reports(self):
        rng = self.rng
        posts = rng.sample(self.visible_replies, min(self.sizes.reports,
                                                     len(self.visible_replies)))
        return [(i + 1, post, rng.randint(1, self.sizes.users), rng.choice(
            ["spam", "abusive", "off_topic", "other"]), None, self.now - timedelta(days=1))
                for i, post in enumerate(posts)]


def optional_tables(gen: Generator) -> dict:
    """Rows for tables other features add (articles, library links, the search index), used
    only when the migrations built them: {table: (columns, rows)}."""
    rng = gen.rng
    now_ = gen.now

    def excerpt(key: int) -> str:
        text = html_module.unescape(re.sub(r"<[^>]*>", " ", gen.bodies[key][1]))
        return " ".join(text.split()[:40])
    first_keys = {}
    for tid, post_id, _ in gen.special_topics["article"]:
        first_keys[tid] = gen.body_keys[post_id - 1]
    tables = {
        "articles": (["topic_id", "excerpt", "excerpt_given"],
                     [(tid, excerpt(first_keys[tid]), False)
                      for tid, _, _ in gen.special_topics["article"]]),
        "link_entries": (["topic_id", "url", "source_author", "section", "click_count",
                          "created_at", "updated_at", "health"],
                         [(tid, f"https://{rng.choice(AGENCIES)}.example.gov/reading/{tid}",
                           f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                           rng.choice(["Customer service", "Digital", "Policy", "Leadership"]),
                           rng.randint(0, 900), created, created, "unchecked")
                          for tid, _, created in gen.special_topics["link"]]),
        "notifications": gen.notifications(),
    }
    try:
        from forum.search.index import FILL_TOPIC_WORDS_POSTGRES, clean_title, plain_text
    except ImportError:
        return tables
    texts = [plain_text(body_html) for _, body_html in gen.bodies]
    titles = gen.opening_titles
    created = gen.post_created

    columns = ["post_id", "title", "body", "created_at"]

    def documents(openers: bool | None = None, tsv: dict[int, str] | None = None):
        for index, key in enumerate(gen.body_keys):
            post_id = index + 1
            title = titles.get(post_id)
            if openers is not None and openers != (title is not None):
                continue
            row = (post_id, clean_title(title) if title else "", texts[key], created[index])
            yield row + (tsv[key],) if tsv is not None else row

    def fill(cur) -> int:
        """The engine's index is computed by the table's trigger (to_tsvector per row: minutes
        for a million posts). Replies share a few hundred bodies, so the trigger computes each
        distinct body once on a scratch table and replies are copied with the result; opening
        posts (their own titles) go through the trigger."""
        triggers = cur.execute(
            "SELECT tgfoid::regproc::text FROM pg_trigger WHERE tgrelid = "
            "'search_documents'::regclass AND NOT tgisinternal").fetchall()
        has_tsv = cur.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'search_documents' "
            "AND column_name = 'tsv' AND table_schema = current_schema()").fetchone()
        if len(triggers) != 1 or not has_tsv:
            return copy_rows(cur, "search_documents", columns, documents(), freeze=False)
        cur.execute("CREATE TEMP TABLE search_probe (LIKE search_documents) ON COMMIT DROP")
        cur.execute(sql.SQL("CREATE TRIGGER probe BEFORE INSERT ON search_probe FOR EACH ROW "
                            "EXECUTE FUNCTION {}()").format(sql.SQL(triggers[0][0])))
        copy_rows(cur, "search_probe", columns,
                  ((key, "", text, gen.now) for key, text in enumerate(texts)), freeze=False)
        tsv = dict(cur.execute("SELECT post_id, tsv::text FROM search_probe").fetchall())
        cur.execute("ALTER TABLE search_documents DISABLE TRIGGER USER")
        count = copy_rows(cur, "search_documents", columns + ["tsv"],
                          documents(openers=False, tsv=tsv), freeze=False)
        cur.execute("ALTER TABLE search_documents ENABLE TRIGGER USER")
        return count + copy_rows(cur, "search_documents", columns, documents(openers=True),
                                 freeze=False)
    tables["search_documents"] = fill

    def fill_topic_words(cur) -> int:
        """Each topic's words, from the documents just filled (search_documents first)."""
        cur.execute(FILL_TOPIC_WORDS_POSTGRES)
        return cur.rowcount
    tables["topic_words"] = fill_topic_words
    return tables


def copy_rows(cur, table: str, columns: list[str], rows, freeze: bool = True) -> int:
    statement = sql.SQL("COPY {} ({}) FROM STDIN" + (" WITH (FREEZE)" if freeze else "")).format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    count = 0
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(url: str, scale: float = 1.0, seed: int = 1, schema: str = "public",
             quiet: bool = False) -> Loaded:
    """Build the schema at `url` (in `schema`) and load it. Returns what was loaded."""
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    started = time.perf_counter()
    os.environ.setdefault("FORUM_INSTANCE_PATH", "/tmp/forum-bench-instance")
    build_schema(url, schema)
    say(f"schema built by the migrations in {time.perf_counter() - started:.1f}s")
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=int(BENCH_ARGON2["ARGON2_TIME_COST"]),
                            memory_cost=int(BENCH_ARGON2["ARGON2_MEMORY_COST"]))
    sizes = Sizes.at(scale)
    gen = Generator(sizes, seed, hasher.hash(BENCH_PASSWORD))
    loaded = gen.loaded
    with connect(url, schema) as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '256MB'")
        cur.execute("SET synchronous_commit = off")
        optional = [name for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
            (schema, OPTIONAL_TABLES))]
        drops, recreate, fks = secondary_structures(conn, schema, TABLES + optional)
        cur.execute(sql.SQL("TRUNCATE {} CASCADE").format(
            sql.SQL(", ").join(map(sql.Identifier, TABLES + optional))))
        for statement in drops:
            cur.execute(statement)
        table, columns, rows = gen.users()
        loaded.counts["users"] = copy_rows(cur, table, columns, rows)
        gen.forums()
        copy_rows(cur, "categories", ["id", "title", "position"], gen.categories)
        copy_rows(cur, "tags", ["id", "name", "slug"], gen.tags)
        post_columns = ["id", "topic_id", "author_id", "position", "body_source", "body_html",
                        "created_at", "hidden_at", "hidden_by_id", "hide_reason", "vote_count"]
        statement = sql.SQL("COPY posts ({}) FROM STDIN WITH (FREEZE)").format(
            sql.SQL(", ").join(map(sql.Identifier, post_columns)))
        with cur.copy(statement) as copy:
            topic_rows, tag_rows = gen.topics_and_posts(copy.write_row)
        loaded.counts["posts"] = gen.post_total
        say(f"posts generated and copied: {time.perf_counter() - started:.1f}s")
        loaded.counts["topics"] = copy_rows(
            cur, "topics", ["id", "forum_id", "author_id", "title", "slug", "kind", "status",
                            "pinned", "locked", "created_at", "post_count", "reply_count",
                            "voice_count", "view_count", "first_post_id", "last_post_id",
                            "last_post_at", "accepted_post_id"], topic_rows)
        copy_rows(cur, "topic_tags", ["topic_id", "tag_id"], tag_rows)
        loaded.counts["forums"] = copy_rows(
            cur, "forums", ["id", "category_id", "slug", "title", "description", "position",
                            "topic_count", "post_count", "last_post_id"],
            ((f["id"], f["category_id"], f["slug"], f["title"], f["description"],
              f["position"], f["topic_count"], f["post_count"], f["last"][2])
             for f in gen.forum_rows))
        cur.execute("UPDATE users SET topic_count = v.t, reply_count = v.r FROM "
                    "(SELECT unnest(%s::int[]) AS id, unnest(%s::int[]) AS t, "
                    "unnest(%s::int[]) AS r) v WHERE users.id = v.id",
                    (list(range(1, sizes.users + 1)), gen.topic_count[1:],
                     gen.reply_count[1:]))
        loaded.counts["post_votes"] = copy_rows(
            cur, "post_votes", ["post_id", "user_id", "created_at"], gen.post_vote_rows)
        polls, options, ballots, votes = gen.polls()
        loaded.counts["polls"] = copy_rows(
            cur, "polls", ["id", "topic_id", "question", "multiple", "max_choices", "closes_at",
                           "closed_at", "results_visibility", "voters_public", "created_at",
                           "voter_count"], polls)
        copy_rows(cur, "poll_options", ["id", "poll_id", "position", "label", "vote_count"],
                  options)
        copy_rows(cur, "poll_ballots", ["id", "poll_id", "user_id", "created_at", "updated_at"],
                  ballots)
        loaded.counts["poll_votes"] = copy_rows(
            cur, "poll_votes", ["id", "ballot_id", "poll_id", "option_id", "user_id"], votes)
        loaded.counts["reports"] = copy_rows(
            cur, "reports", ["id", "post_id", "reporter_id", "reason", "details", "created_at"],
            gen.reports())
        say(f"rows copied: {time.perf_counter() - started:.1f}s")
        for table, spec in optional_tables(gen).items():
            if table not in optional:
                continue
            try:  # another feature's table may have changed shape: load the rest anyway
                with conn.transaction():
                    loaded.counts[table] = spec(cur) if callable(spec) else \
                        copy_rows(cur, table, *spec, freeze=False)
            except psycopg.Error as error:
                say(f"warning: {table} not filled ({error.diag.message_primary})")
        say(f"other features' tables filled: {time.perf_counter() - started:.1f}s")
        # Every post's original text is its first revision (as the services write it).
        cur.execute("""INSERT INTO post_revisions (post_id, editor_id, body_source, title,
                                                   created_at)
                       SELECT p.id, p.author_id, p.body_source,
                              CASE WHEN p.position = 1 THEN t.title END, p.created_at
                       FROM posts p JOIN topics t ON t.id = p.topic_id ORDER BY p.id""")
        loaded.counts["post_revisions"] = cur.rowcount
        say(f"revisions written: {time.perf_counter() - started:.1f}s")
        for statement in recreate + fks:
            cur.execute(statement)
        say(f"indexes and constraints rebuilt: {time.perf_counter() - started:.1f}s")
        for table in TABLES + optional:
            if table not in ("topic_tags", "articles", "search_documents", "topic_words"):
                cur.execute(sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                                    "GREATEST((SELECT max(id) FROM {}), 1))")
                            .format(sql.Identifier(table)), (table,))
        conn.commit()
    with connect(url, schema) as conn:
        conn.autocommit = True
        for table in TABLES + optional:
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    loaded.counts["seconds"] = round(time.perf_counter() - started, 1)
    say(f"done in {loaded.counts['seconds']}s: " + ", ".join(
        f"{k}={v:,}" for k, v in loaded.counts.items() if k != "seconds"))
    return loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--schema", default="public")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    from forum.config import normalise_database_url
    if not args.database_url or not args.database_url.startswith(("postgres", "postgresql")):
        parser.error("set DATABASE_URL (or --database-url) to a PostgreSQL database; "
                     "everything in it is replaced")
    generate(normalise_database_url(args.database_url), args.scale, args.seed, args.schema)


if __name__ == "__main__":
    main()
