"""Rules for polls, helpful-reply votes and accepted answers.

Correct under concurrency without locks in Python: a member's ballot, each chosen option and
each helpful mark are rows guarded by unique constraints, added with INSERT ... ON CONFLICT
DO NOTHING and removed with DELETE; counters move only by the rows a statement really
added or removed, so a double-submitted form counts once and counts always equal the rows.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from functools import cache

from sqlalchemy import Integer, bindparam, delete, func, select, update

from .. import clock, events, pagecache, spreadsheet
from ..accounts.models import User
from ..board.models import Post, Topic
from ..dbutil import in_ids, insert_ignoring_duplicates
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from .models import Poll, PollBallot, PollOption, PollVote, PostVote, Visibility

MIN_OPTIONS, MAX_OPTIONS = 2, 20


def parse_options(text: str) -> list[str]:
    """One option a line; blank lines ignored."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def create_poll(actor: User, topic: Topic, question: str, options: list[str], *,
                multiple: bool = False, max_choices: int | None = None,
                closes_at: datetime | None = None,
                visibility: Visibility = Visibility.ALWAYS,
                voters_public: bool = False) -> Poll:
    require(actor, "add_poll", topic)
    if db.session.scalar(select(Poll.id).where(Poll.topic_id == topic.id)):
        raise Invalid("This topic already has a poll.", "poll_question")
    question = " ".join(question.split())
    if not 3 <= len(question) <= 300:
        raise Invalid("The poll question must be between 3 and 300 characters.", "poll_question")
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise Invalid(f"Give between {MIN_OPTIONS} and {MAX_OPTIONS} options, one a line.",
                      "poll_options")
    if any(len(option) > 200 for option in options):
        raise Invalid("Each option can be at most 200 characters.", "poll_options")
    if len({option.casefold() for option in options}) != len(options):
        raise Invalid("Each option must be different.", "poll_options")
    max_choices = (max_choices or len(options)) if multiple else 1
    if not 1 <= max_choices <= len(options):
        raise Invalid(f"Members can choose between 1 and {len(options)} options.",
                      "poll_max_choices")
    if closes_at is not None and closes_at <= clock.now():
        raise Invalid("The closing date must be in the future.", "poll_closes_on")
    poll = Poll(topic_id=topic.id, question=question, multiple=multiple,
                max_choices=max_choices, closes_at=closes_at, results_visibility=visibility,
                voters_public=voters_public, created_at=clock.now())
    db.session.add(poll)
    db.session.flush()
    db.session.add_all(PollOption(poll_id=poll.id, position=i, label=label)
                       for i, label in enumerate(options, start=1))
    db.session.flush()
    events.votes_changed.send(topic)
    return poll


def create_poll_from_form(actor: User, topic: Topic, form) -> Poll:
    """Create a poll from the shared poll fields (forum.board.forms.PollFields)."""
    closes_on = form.poll_closes_on.data
    return create_poll(
        actor, topic, form.poll_question.data or "", parse_options(form.poll_options.data or ""),
        multiple=form.poll_multiple.data, max_choices=form.poll_max_choices.data,
        closes_at=datetime.combine(closes_on, time(23, 59, 59)) if closes_on else None,
        visibility=Visibility(form.poll_visibility.data or "always"),
        voters_public=form.poll_voters_public.data)


def chosen_options(poll: Poll, user: User | None) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(select(PollVote.option_id).where(
        PollVote.poll_id == poll.id, PollVote.user_id == user.id)))


def cast_vote(actor: User, poll: Poll, option_ids: Iterable[int]) -> None:
    """Vote, or change a vote: the ballot ends up holding exactly these options."""
    require(actor, "vote_poll", poll)
    wanted = set(option_ids)
    valid = {option.id for option in poll.options}
    if not wanted:
        raise Invalid("Choose an option.", "choice")
    if not wanted <= valid:
        raise Invalid("Choose from the options listed.", "choice")
    limit = poll.max_choices if poll.multiple else 1
    if len(wanted) > limit:
        raise Invalid(f"Choose at most {limit} option{'s' if limit > 1 else ''}.", "choice")
    now = clock.now()
    if insert_ignoring_duplicates(PollBallot, poll_id=poll.id, user_id=actor.id,
                                  created_at=now, updated_at=now):
        db.session.execute(update(Poll).where(Poll.id == poll.id)
                           .values(voter_count=Poll.voter_count + 1))
    # Holding the ballot's row lock orders one member's concurrent submissions.
    ballot_id = db.session.execute(
        update(PollBallot).where(PollBallot.poll_id == poll.id, PollBallot.user_id == actor.id)
        .values(updated_at=now).returning(PollBallot.id)).scalar_one()
    had = chosen_options(poll, actor)
    for option_id in had - wanted:
        _remove_vote(poll, actor, option_id)
    for option_id in sorted(wanted - had):
        if insert_ignoring_duplicates(PollVote, ballot_id=ballot_id, poll_id=poll.id,
                                      option_id=option_id, user_id=actor.id):
            db.session.execute(update(PollOption).where(PollOption.id == option_id)
                               .values(vote_count=PollOption.vote_count + 1))
    events.votes_changed.send(poll.topic)
    db.session.expire(poll)


def _remove_vote(poll: Poll, user: User, option_id: int) -> None:
    removed = db.session.execute(delete(PollVote).where(
        PollVote.poll_id == poll.id, PollVote.user_id == user.id,
        PollVote.option_id == option_id)).rowcount
    if removed:
        db.session.execute(update(PollOption).where(PollOption.id == option_id)
                           .values(vote_count=PollOption.vote_count - removed))


def withdraw_vote(actor: User, poll: Poll) -> None:
    require(actor, "vote_poll", poll)
    for option_id in chosen_options(poll, actor):
        _remove_vote(poll, actor, option_id)
    if db.session.execute(delete(PollBallot).where(
            PollBallot.poll_id == poll.id, PollBallot.user_id == actor.id)).rowcount:
        db.session.execute(update(Poll).where(Poll.id == poll.id)
                           .values(voter_count=Poll.voter_count - 1))
    events.votes_changed.send(poll.topic)
    db.session.expire(poll)


def close_poll(actor: User, poll: Poll) -> None:
    require(actor, "manage_poll", poll)
    poll.closed_at = clock.now()
    events.votes_changed.send(poll.topic)


def reopen_poll(actor: User, poll: Poll) -> None:
    require(actor, "manage_poll", poll)
    poll.closed_at = None
    if poll.closes_at is not None and poll.closes_at <= clock.now():
        poll.closes_at = None
    events.votes_changed.send(poll.topic)


def public_voters(poll: Poll) -> dict[int, list[str]]:
    """Names of who chose each option, only for polls that said so when they opened."""
    if not poll.voters_public:
        return {}
    rows = db.session.execute(
        select(PollVote.option_id, User.display_name).join(User, User.id == PollVote.user_id)
        .where(PollVote.poll_id == poll.id).order_by(User.display_name))
    voters: dict[int, list[str]] = {}
    for option_id, name in rows:
        voters.setdefault(option_id, []).append(name)
    return voters


def export_csv(actor: User, poll: Poll) -> str:
    require(actor, "export_poll", poll)
    method = ("multiple choice, up to " f"{poll.max_choices}" if poll.multiple
              else "single choice")
    secrecy = "voters' names public" if poll.voters_public else "secret ballot"
    return spreadsheet.write([
        ["question", poll.question],
        ["method", f"{method}; {secrecy}"],
        ["opened", poll.created_at.isoformat()],
        ["closes", poll.ends_at.isoformat() if poll.ends_at else "open"],
        ["total voters", poll.voter_count],
        [],
        ["option", "votes"],
        *([option.label, option.vote_count] for option in poll.options)])


def set_helpful(actor: User, post: Post, helpful: bool) -> None:
    """Mark or unmark a reply as helpful. Saying the same thing twice changes nothing."""
    require(actor, "vote_post", post)
    if helpful:
        changed = 1 if insert_ignoring_duplicates(PostVote, post_id=post.id, user_id=actor.id,
                                                  created_at=clock.now()) else 0
    else:
        changed = -db.session.execute(delete(PostVote).where(
            PostVote.post_id == post.id, PostVote.user_id == actor.id)).rowcount
    if changed:
        db.session.execute(update(Post).where(Post.id == post.id)
                           .values(vote_count=Post.vote_count + changed))
        db.session.expire(post, ["vote_count"])
        events.votes_changed.send(post.topic)


def kept_helpful(user, topic_id: int, page: int, by_helpful: bool
                 ) -> dict[str, tuple[str, list[str]]]:
    """To look up with a topic page's kept post list: {"helpful": this member's helpful
    marks on the page}, for pagecache.kept_fragments; nothing for visitors. Only set_helpful
    writes a member's marks, and a mark that changes anything marks the topic changed
    (events.votes_changed), so the copy is kept under the topic's scopes, as the list is."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"helpful": (f"helpful:{user.id}:{topic_id}:{page}:{int(by_helpful)}",
                        [pagecache.SITE, f"topic:{topic_id}"])}


def helpful_marks(user: User | None, posts: list[Post],
                  kept: pagecache.KeptFragment | None = None) -> set[int]:
    """Which of these posts this member has marked helpful: one query, none when no post
    here was marked helpful by anyone (vote_count, kept by vote and unvote), nor when
    `kept` (the page's look-up of kept_helpful) holds the answer; else it is kept there.
    Without it a topic page whose posts someone found helpful, most pages of a busy
    topic, ran a statement more for a member than for a visitor (issue 15)."""
    marked = [p.id for p in posts if p.vote_count]
    if user is None or not getattr(user, "is_authenticated", False) or not marked:
        return set()

    def find() -> set[int]:
        return set(db.session.scalars(_helpful_marks_statement(), {"user_id": user.id,
                                                                    "post_ids": marked}))
    return find() if kept is None else kept.or_find_ids(find)


@cache
def _helpful_marks_statement():
    """helpful_marks' statement, built once per process (building it, an expanding IN list
    of the page's marked posts, was ~0.3 ms of a member's topic page)."""
    return select(PostVote.post_id).where(
        PostVote.user_id == bindparam("user_id", type_=Integer),
        in_ids(PostVote.post_id, "post_ids"))


def accept_answer(actor: User, post: Post) -> None:
    require(actor, "accept_answer", post)
    post.topic.accepted_post_id = post.id
    events.answer_accepted.send(post)


def unaccept_answer(actor: User, topic: Topic) -> None:
    require(actor, "manage_answer", topic)
    topic.accepted_post_id = None
    events.votes_changed.send(topic)


def recount_votes(poll: Poll) -> dict[int, int]:
    """Votes per option counted from the rows (for checks and repair)."""
    return dict(db.session.execute(select(PollVote.option_id, func.count()).where(
        PollVote.poll_id == poll.id).group_by(PollVote.option_id)).all())
