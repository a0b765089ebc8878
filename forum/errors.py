"""Domain errors raised by services, and the handlers that turn any failure into a page.

Services raise PermissionDenied / NotFound / Invalid (or Refused) / Throttled; views never
build error pages by hand.
A CSRF failure on a form re-shows that form with the person's text kept (status 400).
"""
from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db


class DomainError(Exception):
    """Base class for errors a service raises about a request it refuses."""


class PermissionDenied(DomainError):
    pass


class NotFound(DomainError):
    pass


class Invalid(DomainError):
    """Input that passed the form but breaks a rule; `field` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Refused(Invalid):
    """An Invalid whose attempt is itself recorded (a failed log-in counts towards the delay
    before the next one): handlers.complete keeps what was written before it (commits)
    instead of rolling back, and shows the message like any Invalid."""


class Throttled(DomainError):
    """Tried too often: try again in `seconds`. handlers.complete shows `message` above the
    form, with everything typed, and the page is sent as 429 with Retry-After."""

    def __init__(self, seconds: int, message: str | None = None):
        super().__init__(message or f"Try again in {seconds} seconds.")
        self.seconds = seconds
        self.message = message


TITLES = {
    400: "The request could not be understood",
    403: "You cannot do that",
    404: "Page not found",
    405: "That action is not available here",
    413: "That was too large to send",
    429: "Too many requests",
    500: "Sorry, something went wrong",
    503: "The forum is briefly unavailable",
}


def error_page(code: int, message: str | None = None):
    return render_template("errors/error.html", code=code, title=TITLES.get(code, "Error"),
                           message=message), code


def keeps_input(view):
    """Mark a form view as safe to re-run when its CSRF token failed.

    The view sees an invalid form (Flask-WTF marks csrf_token as failed), so it re-renders
    with everything the person typed, and saves nothing. Views without this mark (buttons that
    act at once) get the plain 400 page instead.
    """
    view.keeps_input_on_csrf_error = True
    return view


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        view = current_app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "keeps_input_on_csrf_error", False):
            g.csrf_failed = True
            response = current_app.make_response(view(**(request.view_args or {})))
            if response.status_code == 200:  # the form again, with the person's text
                response.status_code = 400
                return response
        return error_page(400, "This form had expired, so nothing was saved. Go back, reload "
                               "the page and try again.")

    @app.errorhandler(PermissionDenied)
    def permission_denied(exc):
        return error_page(403, str(exc) or None)

    @app.errorhandler(NotFound)
    def not_found(exc):
        return error_page(404)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        response = current_app.make_response(error_page(exc.code))
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if isinstance(exc, OperationalError):
            # The page must not need the database: show it as to a visitor (loading the
            # session's member would fail again and turn the 503 into a bare 500).
            g._login_user = current_app.login_manager.anonymous_user()
            response = current_app.make_response(error_page(
                503, "The database is not answering. Please try again in a moment."))
            response.headers["Retry-After"] = "5"
            return response
        return error_page(500)
