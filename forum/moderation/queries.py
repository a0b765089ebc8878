from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Role, User, name_key
from ..extensions import db
from ..board.models import Approval, Category, Forum, Post, Topic
from ..urls import path_for, post_url, topic_url
from .models import ModerationAction, Report


def log_query(actor: str = "", action: str = "", member: str = "") -> Select | None:
    """The log, newest first, filtered by moderator name, action and member name.
    None when a named person does not exist (so nothing matches)."""
    query = select(ModerationAction).options(joinedload(ModerationAction.actor),
                                             joinedload(ModerationAction.subject))
    for name, column in ((actor, ModerationAction.actor_id),
                         (member, ModerationAction.subject_user_id)):
        if name:
            user_id = db.session.scalar(select(User.id).where(User.name_key == name_key(name)))
            if user_id is None:
                return None
            query = query.where(column == user_id)
    if action:
        query = query.where(ModerationAction.action == action)
    return query.order_by(ModerationAction.id.desc())


def log_page(query: Select | None, page: int, per_page: int) -> list[ModerationAction]:
    if query is None:
        return []
    return list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))


def history_of(user: User, limit: int = 50) -> list[ModerationAction]:
    return log_page(log_query(member=user.display_name), 1, limit)[:limit]


def report_queue(limit: int = 50) -> list[tuple]:
    """Posts with open reports, most reported first: (post, count, reports)."""
    counts = (select(Report.post_id, func.count(Report.id).label("n"),
                     func.min(Report.created_at).label("first"))
              .where(Report.resolved_at.is_(None)).group_by(Report.post_id)
              .order_by(func.count(Report.id).desc(), func.min(Report.created_at))
              .limit(limit)).subquery()
    rows = db.session.execute(
        select(Post, counts.c.n).join(counts, counts.c.post_id == Post.id)
        .options(joinedload(Post.author), joinedload(Post.topic))
        .order_by(counts.c.n.desc(), counts.c.first)).all()
    reports: dict[int, list[Report]] = {}
    if rows:
        for report in db.session.scalars(
                select(Report).where(Report.resolved_at.is_(None),
                                     Report.post_id.in_([post.id for post, _ in rows]))
                .options(joinedload(Report.reporter)).order_by(Report.created_at)):
            reports.setdefault(report.post_id, []).append(report)
    return [(post, n, reports.get(post.id, [])) for post, n in rows]


WAITING_CAP = 99


def waiting_count_query(user_id: int, cap: int = WAITING_CAP):
    """What waits for moderators (posts with open reports, posts awaiting approval; each
    counted up to cap + 1), as a scalar subquery loaded with a moderator or admin's own row
    for the header's "Moderation (n)"; NULL for everyone else, whose CASE never runs the
    counts."""
    reported = (select(Report.post_id).where(Report.resolved_at.is_(None)).distinct()
                .limit(cap + 1).subquery())
    waiting = (select(Post.id).where(Post.approval == Approval.PENDING)
               .limit(cap + 1).subquery())
    role = select(User.role).where(User.id == user_id).scalar_subquery()
    # two comparisons, not `role IN (...)`: an IN list is rendered into the statement at
    # every run (SQLAlchemy's expanding parameter), and this one runs on every member's page
    return select(case(
        (or_(role == Role.MODERATOR, role == Role.ADMIN),
         select(func.count()).select_from(reported).scalar_subquery()
         + select(func.count()).select_from(waiting).scalar_subquery()),
        else_=None)).scalar_subquery()


# --- the log, readable ----------------------------------------------------------------------

@dataclass
class Target:
    """What a log entry is about, as a person reads it: a label and, where it has a page, a
    link."""
    label: str
    url: str | None = None


# Entries about other features' objects that have no page a moderator should be sent to.
_UNLINKED = {"conversation": "a private conversation", "message": "a private message",
             "group_rule": "an identity provider’s group mapping"}


def log_targets(rows: list[ModerationAction]) -> dict[tuple[str, int], Target]:
    """Labels and links for the targets of a page of log entries: one query per kind of
    target present (topics, posts, members, forums, categories), whatever the page size."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row.target_type, set()).add(row.target_id)
    found: dict[tuple[str, int], Target] = {}
    if ids := wanted.get("topic"):
        for topic in db.session.scalars(select(Topic).where(Topic.id.in_(ids))):
            found["topic", topic.id] = Target(topic.title, topic_url(topic))
    if ids := wanted.get("post"):
        for post in db.session.scalars(select(Post).where(Post.id.in_(ids))
                                       .options(joinedload(Post.topic))):
            kind = "opening post" if post.position == 1 else "reply"
            found["post", post.id] = Target(f"{kind} in “{post.topic.title}”", post_url(post))
    if ids := wanted.get("user"):
        for user in db.session.scalars(select(User).where(User.id.in_(ids))):
            found["user", user.id] = Target(
                user.display_name, path_for("accounts.profile", name=user.display_name))
    if ids := wanted.get("forum"):
        for forum in db.session.scalars(select(Forum).where(Forum.id.in_(ids))):
            found["forum", forum.id] = Target(f"forum “{forum.title}”",
                                              path_for("board.forum", slug=forum.slug))
    if ids := wanted.get("category"):
        for category in db.session.scalars(select(Category).where(Category.id.in_(ids))):
            found["category", category.id] = Target(f"category “{category.title}”")
    for row in rows:
        key = (row.target_type, row.target_id)
        if key not in found:
            found[key] = Target(_UNLINKED.get(row.target_type,
                                              f"a {row.target_type} that no longer exists"))
    return found


def readable(value: Any) -> str:
    """A before/after value as words: yes/no, lists joined, nothing for None, no reprs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(readable(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items())
    return str(value)


def changes(row: ModerationAction) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field the entry records as changed, in its order."""
    before, after = row.before or {}, row.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [(key.replace("_", " "), readable(before.get(key)), readable(after.get(key)))
            for key in keys if before.get(key) != after.get(key)]


def utc_iso(moment: datetime) -> str:
    """ISO 8601 with the UTC offset (stored times are naive UTC): 2026-11-29T16:35:23+00:00."""
    return moment.replace(microsecond=0, tzinfo=timezone.utc).isoformat()


def log_table(rows: list[ModerationAction]) -> list[list[str]]:
    """The log as a table for CSV: fixed columns, then a before and an after column for
    every field any of the entries changed."""
    targets = log_targets(rows)
    per_row = [changes(row) for row in rows]
    fields = list(dict.fromkeys(field for found in per_row for field, _, _ in found))
    header = ["when", "moderator", "action", "target type", "target id", "target", "member",
              "reason"] + [f"{field} {side}" for field in fields for side in ("before", "after")]
    table = [header]
    for row, found in zip(rows, per_row):
        values = {field: (old, new) for field, old, new in found}
        table.append([utc_iso(row.created_at), row.actor.display_name,
                      row.action, row.target_type,
                      str(row.target_id), targets[row.target_type, row.target_id].label,
                      row.subject.display_name if row.subject else "", row.reason or ""]
                     + [part for field in fields for part in values.get(field, ("", ""))])
    return table
