"""The shared end of every write view, so each view stays a few lines long: `complete` for a
form, `preview_or_save` for a form with a body and a Preview button, `act` for a button that
acts at once, and under them all `settle`, which ends the request's one unit of work (also
alone, for a write whose answer is a page rather than a redirect). No view module commits or
rolls back itself (tests/test_layers.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from . import events, markup
from .errors import Invalid, Refused, Throttled
from .extensions import db

T = TypeVar("T")


def settle(do: Callable[[], T]) -> T:
    """Run `do` (one service call) and end the request's unit of work: commit once and return
    its result. Whatever it raises is raised again after a rollback, except a Refused, whose
    attempt is itself recorded (a failed log-in counts towards the delay): that is committed.

    Used alone where the answer to a write is a page or JSON, not a redirect: the one-click
    unsubscribe, a conversation's read mark, pages that show a one-time secret, a saved draft,
    log-out with the identity provider's end-session page, and the due-articles job."""
    try:
        result = do()
    except Refused:
        db.session.commit()
        raise
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def complete(form, save: Callable[[], tuple[str, str]]) -> Response | None:
    """Run `save` (one service call returning (next URL, message; None says nothing)) for a
    valid form.

    An Invalid it raises is shown next to the field it names and nothing is kept (rollback;
    a Refused keeps the record of the attempt: commit); a Throttled says when to try again
    (429). Otherwise the request commits once, says so, and redirects. None means "show the
    form again", with everything the person typed.
    """
    try:
        url, message = settle(save)
    except Throttled as wait:
        form.wait(wait.seconds, wait.message)
        return None
    except Invalid as error:
        form.fail(error)
        return None
    if message:
        flash(message, "success")
    return redirect(url)


def act(do: Callable[[], Any], url: str,
        message: str | Callable[[Any], str | None] | None = None, *,
        refused: str = "info") -> Response:
    """The end of a button that acts at once (nothing typed: follow, restore, close a poll,
    move up): run `do` (one service call), commit once, say `message` (or message(result);
    nothing if None) and go to `url`. An Invalid it raises is said instead (flash category
    `refused`), nothing is kept (rollback; a Refused keeps its record), and the person goes
    to `url` all the same."""
    try:
        result = settle(do)
    except Invalid as error:
        flash(error.message, refused)
        return redirect(url)
    said = message(result) if callable(message) else message
    if said:
        flash(said, "success")
    return redirect(url)


def preview_or_save(form, save: Callable[[], tuple[str, str]],
                    action: str | None = None,
                    draft: str | None = None) -> tuple[Markup | None, Response | None]:
    """The end of every form with a body and a Preview button: Preview shows the text as it
    will be stored (within the looser "preview" rate limit) and, for a form with a `draft`
    key, keeps it as the member's draft (events.draft_previewed); otherwise, unless the person is
    over the rate limit for `action` (if given), complete() saves and redirects. A body beyond
    the markup bounds is neither previewed nor saved: the reason shows next to it. Returns
    (preview, response)."""
    if message := markup.problem(form.body.data or ""):
        form.fail(Invalid(message, "body"))
        return None, None
    if form.preview.data:
        if form.throttled("preview", f"user:{current_user.id}"):
            return None, None
        if draft:
            title = getattr(form, "title", None)
            events.draft_previewed.send(current_user._get_current_object(), key=draft,
                                        body=form.body.data or "",
                                        title=(title.data or "") if title else "")
            db.session.commit()
        return markup.stored(markup.render(form.body.data)), None
    if action and form.throttled(action, f"user:{current_user.id}"):
        return None, None
    return None, complete(form, save)
