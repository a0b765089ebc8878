"""The shared end of every form view, so each view stays a few lines long."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from . import markup
from .errors import Invalid
from .extensions import db


def complete(form, save: Callable[[], tuple[str, str]]) -> Response | None:
    """Run `save` (one service call returning (next URL, message)) for a valid form.

    An Invalid it raises is shown next to the field it names and nothing is kept (rollback);
    otherwise the request commits once, says so, and redirects. None means "show the form
    again", with everything the person typed.
    """
    try:
        url, message = save()
    except Invalid as error:
        db.session.rollback()
        form.fail(error)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(url)


def preview_or_save(form, save: Callable[[], tuple[str, str]],
                    action: str | None = None) -> tuple[Markup | None, Response | None]:
    """The end of every form with a body and a Preview button: Preview shows the text as it
    will be stored; otherwise, unless the person is over the rate limit for `action` (if
    given), complete() saves and redirects. Returns (preview, response)."""
    if form.preview.data:
        return markup.stored(markup.render(form.body.data)), None
    if action and form.throttled(action, f"user:{current_user.id}"):
        return None, None
    return None, complete(form, save)
