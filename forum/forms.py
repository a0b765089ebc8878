"""The base form every form uses, and the one bridge from service errors to form fields."""
from __future__ import annotations

from flask import g, request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from markupsafe import Markup, escape
from wtforms import PasswordField, StringField, TextAreaField, widgets

from . import text
from .errors import Invalid
from .ratelimit import rate_limits, wait_message

CSRF_MESSAGE = ("This form had expired, so nothing was saved. Your text is still here: check "
                "it and send the form again.")


def _no_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


def _single_line(value):
    return text.clean(value, multiline=False) if isinstance(value, str) else value


def _multi_line(value):
    return text.clean(value, multiline=True) if isinstance(value, str) else value


def _input_filter(unbound_field):
    """The cleaning every text field gets before its own filters: control characters out
    (forum/text.py); passwords are taken as typed (only NUL, which no database stores)."""
    field_class = unbound_field.field_class
    if issubclass(field_class, PasswordField) or not issubclass(field_class, StringField):
        return _no_nul
    return _multi_line if issubclass(field_class, TextAreaField) else _single_line


class QuickSelect(widgets.Select):
    """WTForms' select with each plain option written directly, two escapes instead of
    html_params: the search form's 50 forums took most of the search page's time (issue
    15). The HTML is the same (attributes in html_params' order: selected, value)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">'
                      f'{escape(choice.label or choice.value)}</option>')


def _quick_select(unbound_field, options) -> None:
    """Every select (single or multiple) that keeps WTForms' own widget gets QuickSelect."""
    default = getattr(unbound_field.field_class, "widget", None)
    if type(default) is widgets.Select and "widget" not in unbound_field.kwargs:
        options["widget"] = QuickSelect(multiple=default.multiple)


class Form(FlaskForm):
    """Cleans every text field of control characters (forum/text.py; NUL, which no database
    stores, from every field) and knows which errors to summarise."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            # Form fields only: a file (or JSON) sent in place of text is ignored, not a crash.
            if formdata is _Auto:
                return request.form if _is_submitted() and request.form else None
            return formdata

        def bind_field(self, form, unbound_field, options):
            options["filters"] = (_input_filter(unbound_field), *options.get("filters", ()))
            _quick_select(unbound_field, options)
            return unbound_field.bind(form=form, **options)

    def validate_on_submit(self, extra_validators=None) -> bool:
        ok = super().validate_on_submit(extra_validators)
        if g.get("csrf_failed") and hasattr(self, "csrf_token"):
            self.csrf_token.errors = [CSRF_MESSAGE]
            return False
        return ok

    def throttled(self, action: str, who: str | None = None) -> bool:
        """Count an attempt at `action`; when over the limit, say when to try again (the page
        is then sent as 429, with everything typed still in the form)."""
        wait = rate_limits.retry_after(action, who)
        if wait is None:
            return False
        self.wait(wait)
        return True

    def wait(self, seconds: int, message: str | None = None) -> None:
        """Say when to try again (the page is then sent as 429 with Retry-After): the one
        ending of every rate limit and delay, Form.throttled's and a service's Throttled."""
        g.rate_limited = seconds
        self.form_errors.append(message or wait_message(seconds))

    def fail(self, error: Invalid) -> None:
        """Show a service's Invalid next to the field it names (or at the top)."""
        field = getattr(self, error.field or "", None)
        if field is not None:
            field.errors = [*field.errors, error.message] if isinstance(field.errors, list) \
                else [error.message]
        else:
            self.form_errors.append(error.message)

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in field order."""
        found = [("", message) for message in self.form_errors]
        for field in self:
            for message in field.errors:
                if field.name == "csrf_token":
                    found.insert(0, ("", CSRF_MESSAGE))
                else:
                    found.append((field.id, message))
        return found
