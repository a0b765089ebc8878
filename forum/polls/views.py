from __future__ import annotations

from flask import (Blueprint, Response, abort, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required

from ..board.access import visible_post, visible_topic
from ..board.forms import PollForm
from ..errors import Invalid, keeps_input
from ..handlers import act, complete
from ..permissions import require
from ..ratelimit import rate_limits
from ..urls import post_url, topic_url
from . import queries, services
from .context import poll_context
from .forms import VoteForm

bp = Blueprint("polls", __name__)


def _poll_or_404(poll_id: int):
    poll = queries.poll(poll_id)
    if poll is None:
        abort(404)
    require(current_user, "view_topic", poll.topic)
    return poll


def _topic_anchor(poll, anchor: str = "poll") -> str:
    return url_for("board.topic", topic_id=poll.topic.id, slug=poll.topic.slug, _anchor=anchor)


@bp.route("/polls/<id:poll_id>", methods=["GET"])
@bp.route("/polls/<id:poll_id>/vote", methods=["POST"], endpoint="vote")
@keeps_input
def poll(poll_id: int):
    """The poll on a page of its own: vote, change or see results (works without JavaScript)."""
    poll = _poll_or_404(poll_id)
    form = VoteForm(poll=poll)
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=_topic_anchor(poll)))
        if not poll.is_open():
            form.fail(Invalid("This poll has closed, so it no longer takes votes or changes."))
            return render_template("polls/poll.html", poll=poll, form=form,
                                   show_results=True, **poll_context(poll)), 409
        require(current_user, "vote_poll", poll)
        if form.validate_on_submit() and not form.throttled("vote", f"user:{current_user.id}"):
            def save():
                services.cast_vote(current_user, poll, form.choice.data)
                return _topic_anchor(poll), "Your vote has been counted."
            if done := complete(form, save):
                return done
    return render_template("polls/poll.html", poll=poll, form=form,
                           show_results=request.args.get("results") == "1",
                           **poll_context(poll))


def _act_on_poll(poll_id: int, action, message: str):
    """A button on a poll: do it, say so, and go back to the poll in its topic."""
    poll = _poll_or_404(poll_id)
    return act(lambda: action(current_user, poll), _topic_anchor(poll), message)


@bp.post("/polls/<id:poll_id>/withdraw")
@login_required
def withdraw(poll_id: int):
    return _act_on_poll(poll_id, services.withdraw_vote, "Your vote has been withdrawn.")


@bp.post("/polls/<id:poll_id>/close")
@login_required
def close(poll_id: int):
    return _act_on_poll(poll_id, services.close_poll, "The poll is closed.")


@bp.post("/polls/<id:poll_id>/reopen")
@login_required
def reopen(poll_id: int):
    return _act_on_poll(poll_id, services.reopen_poll, "The poll is open again.")


@bp.get("/polls/<id:poll_id>/results.csv")
@login_required
def export(poll_id: int):
    poll = _poll_or_404(poll_id)
    return Response(services.export_csv(current_user, poll), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="poll-{poll.id}.csv"'})


@bp.route("/t/<id:topic_id>/poll", methods=["GET", "POST"])
@login_required
@keeps_input
def add(topic_id: int):
    topic = visible_topic(topic_id)
    require(current_user, "add_poll", topic)
    form = PollForm()
    if form.validate_on_submit():
        def save():
            services.create_poll_from_form(current_user, topic, form)
            return (url_for("board.topic", topic_id=topic.id, slug=topic.slug, _anchor="poll"),
                    "Your poll has been added.")
        if done := complete(form, save):
            return done
    return render_template("polls/add.html", topic=topic, form=form)


@bp.post("/p/<id:post_id>/helpful")
@login_required
def helpful(post_id: int):
    post = visible_post(post_id)
    if rate_limits.retry_after("vote", f"user:{current_user.id}"):
        abort(429)
    return act(lambda: services.set_helpful(current_user, post,
                                            request.form.get("helpful") == "1"),
               post_url(post))


@bp.post("/p/<id:post_id>/accept")
@login_required
def accept(post_id: int):
    post = visible_post(post_id)
    return act(lambda: services.accept_answer(current_user, post), post_url(post),
               "Marked as the answer.")


@bp.post("/t/<id:topic_id>/unaccept")
@login_required
def unaccept(topic_id: int):
    topic = visible_topic(topic_id)
    return act(lambda: services.unaccept_answer(current_user, topic), topic_url(topic),
               "The answer mark has been removed.")
