"""Selects are written by forum.forms.QuickSelect: the same HTML as WTForms' own widget,
option by option (escaping, selection, several values), in less time."""
from __future__ import annotations

from wtforms import Form as PlainForm
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from forum.forms import Form, QuickSelect

CHOICES = [SelectChoice(value, label) for value, label in [
    ("", "Any forum"), ("a&b", "Tom & Jerry <3"), ("q\"uote", "Say \"hi\""), ("7", "Seven"),
    ("ünï", "Ünïcode")]] + [SelectChoice("x", "With an attribute", render_kw={"lang": "fr"})]
YES_NO = [SelectChoice(True, "Yes"), SelectChoice(False, "No")]


def _fields() -> dict:
    return {"one": SelectField(choices=CHOICES), "many": SelectMultipleField(choices=CHOICES),
            "radio": RadioField(choices=CHOICES),
            "flags": SelectField(choices=YES_NO, coerce=lambda v: v == "True")}


def _forms(app, data):
    """The same fields rendered by the forum's Form and by a plain WTForms form."""
    Ours = type("Ours", (Form,), _fields())
    Theirs = type("Theirs", (PlainForm,), _fields())

    with app.test_request_context():
        ours = Ours(meta={"csrf": False}, data=data)
        theirs = Theirs(data=data)
        return ({name: str(ours[name]()) for name in ("one", "many", "radio", "flags")},
                {name: str(theirs[name]()) for name in ("one", "many", "radio", "flags")},
                ours)


def test_selects_render_exactly_as_wtforms_does(app):
    for data in ({}, {"one": "a&b", "many": ["q\"uote", "ünï"], "radio": "7", "flags": False},
                 {"one": "not a choice", "flags": True}):
        ours, theirs, form = _forms(app, data)
        assert ours == theirs, data
    assert isinstance(form.one.widget, QuickSelect) and form.many.widget.multiple
    assert not isinstance(form.radio.widget, QuickSelect)
    assert 'Tom &amp; Jerry &lt;3' in ours["one"] and 'value="q&#34;uote"' in ours["one"]
