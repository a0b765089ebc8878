"""The shared end of every form view, so each view stays a few lines long."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from werkzeug.wrappers import Response

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
