"""The base form every form uses, and the one bridge from service errors to form fields."""
from __future__ import annotations

import copy

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


def html_params(**attributes) -> Markup:
    """WTForms' html_params, the same output in a fraction of the time: WTForms writes each
    attribute through Markup.format, whose pure-Python formatter made a text input cost
    about 100 microseconds and the search form 40% of the search page (issue 15). Sorted
    names (`class_` for class, `data_`/`aria_` with hyphens), True as a bare name, False
    left out, values escaped (and quotes in Markup values too)."""
    params = []
    for name, value in sorted(attributes.items()):
        name = widgets.core.clean_key(name)
        if value is True:
            params.append(str(escape(name)))
        elif value is not False:
            params.append(f'{escape(name)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def _flag_attributes(widget, field, kwargs: dict) -> None:
    """What WTForms' selects and textareas add from the field's flags (required, maxlength...)
    unless given: the attributes the widget names in `validation_attrs`."""
    flags = getattr(field, "flags", {})
    for name in dir(flags):
        if name in widget.validation_attrs and name not in kwargs:
            kwargs[name] = getattr(flags, name)


class QuickSelect(widgets.Select):
    """WTForms' select written with the quick html_params, each plain option directly (two
    escapes): the search form's 50 forums took most of the search page's time (issue
    15). The HTML is the same (attributes in html_params' order: selected, value)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        _flag_attributes(self, field, kwargs)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        if field.has_groups():
            for group, choices in field._iter_groups_normalized():
                if group is not None:
                    html.append(f"<optgroup {html_params(label=group)}>")
                html.extend(self.render_option(choice) for choice in choices)
                if group is not None:
                    html.append("</optgroup>")
        else:
            html.extend(self.render_option(choice)
                        for choice in field._iter_choices_normalized())
        html.append("</select>")
        return Markup("".join(html))

    @classmethod
    def render_option(cls, choice, **kwargs):
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        if choice.render_kw or kwargs:
            options = {"value": value, **(choice.render_kw or {}), **kwargs}
            if choice.selected:
                options["selected"] = True
            return Markup(f"<option {html_params(**options)}>{label}</option>")
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')


class QuickTextArea(widgets.TextArea):
    """WTForms' textarea written with the quick html_params (the same HTML)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        _flag_attributes(self, field, kwargs)
        return Markup(f"<textarea {html_params(name=field.name, **kwargs)}>\r\n"
                      f"{escape(field._value())}</textarea>")


_QUICK: dict[object, object] = {}  # WTForms' widget -> its quick version


def _quick(widget):
    """The quick version of a WTForms widget, made once per widget: inputs and buttons
    take html_params as an attribute (WTForms' way to change it); selects and textareas
    are subclasses. Other widgets (radio lists, custom ones) stay as they are."""
    quick = _QUICK.get(widget)
    if quick is None:
        if type(widget) is widgets.Select:
            quick = QuickSelect(multiple=widget.multiple)
        elif type(widget) is widgets.TextArea:
            quick = QuickTextArea()
        elif isinstance(widget, (widgets.Input, widgets.Button)):
            quick = copy.copy(widget)
            quick.html_params = html_params
        else:
            quick = widget
        _QUICK[widget] = quick
    return quick


def _quick_widgets(unbound_field, options) -> None:
    """Every field with one of WTForms' own inputs, buttons, selects or textareas (given
    or by default) renders it with the quick html_params."""
    widget = unbound_field.kwargs.get("widget") or getattr(
        unbound_field.field_class, "widget", None)
    if widget is not None:
        quick = _quick(widget)
        if quick is not widget:
            options["widget"] = quick


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
            _quick_widgets(unbound_field, options)
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
