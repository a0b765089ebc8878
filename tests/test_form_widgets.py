"""Form widgets are written with forum.forms.html_params (and QuickSelect, QuickTextArea):
the same HTML as WTForms' own widgets, attribute by attribute and option by option
(escaping, selection, several values, flags, data- and aria- names), in less time."""
from __future__ import annotations

from markupsafe import Markup
from wtforms import BooleanField, DateField, EmailField, HiddenField, IntegerField
from wtforms import Form as PlainForm
from wtforms import (PasswordField, RadioField, SearchField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField, widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from forum import forms
from forum.forms import Form, QuickSelect, QuickTextArea

CHOICES = [SelectChoice(value, label) for value, label in [
    ("", "Any forum"), ("a&b", "Tom & Jerry <3"), ("q\"uote", "Say \"hi\""), ("7", "Seven"),
    ("ünï", "Ünïcode")]] + [SelectChoice("x", "With an attribute", render_kw={"lang": "fr"})]
GROUPED = [SelectChoice("a", "A", optgroup="First & <best>"), SelectChoice("b", "B"),
           SelectChoice("c", "C", optgroup="Third")]
YES_NO = [SelectChoice(True, "Yes"), SelectChoice(False, "No")]
# What templates pass when rendering (forms.html's field macro and pages' own calls).
RENDER = {"text": {"autocomplete": "off", "aria-describedby": "text-hint",
                   "aria-invalid": "true", "class_": "wide", "data_draft_key": "a\"b"},
          "body": {"rows": 10, "placeholder": Markup('Say "hi" & <b>')},
          "submit": {"class_": "button secondary"}, "secret": {"autocomplete": "new-password"}}


def _fields() -> dict:
    return {"one": SelectField(choices=CHOICES), "many": SelectMultipleField(choices=CHOICES),
            "radio": RadioField(choices=CHOICES),
            "flags": SelectField(choices=YES_NO, coerce=lambda v: v == "True"),
            "grouped": SelectField(choices=GROUPED),
            "text": StringField(validators=[DataRequired(), Length(max=40)]),
            "search": SearchField(render_kw={"maxlength": 200}),
            "body": TextAreaField(validators=[Optional(), Length(min=2, max=5000)]),
            "secret": PasswordField(), "email": EmailField(), "number": IntegerField(),
            "day": DateField(format="%Y-%m-%d", widget=widgets.TextInput()),
            "hidden": HiddenField(), "tick": BooleanField(), "submit": SubmitField("Go & see")}


def _forms(app, data):
    """The same fields rendered by the forum's Form and by a plain WTForms form."""
    Ours = type("Ours", (Form,), _fields())
    Theirs = type("Theirs", (PlainForm,), _fields())

    with app.test_request_context():
        ours = Ours(meta={"csrf": False}, data=data)
        theirs = Theirs(data=data)
        names = list(_fields())
        return ({name: str(ours[name](**RENDER.get(name, {}))) for name in names},
                {name: str(theirs[name](**RENDER.get(name, {}))) for name in names},
                ours)


def test_widgets_render_exactly_as_wtforms_does(app):
    for data in ({}, {"one": "a&b", "many": ["q\"uote", "ünï"], "radio": "7", "flags": False,
                      "grouped": "c", "text": 'Tom "&" <Jerry>', "body": "Line\n<two> & 3",
                      "number": 42, "hidden": "x'y", "tick": True, "email": "a@b.gov"},
                 {"one": "not a choice", "flags": True, "text": Markup("<i>kept</i> \"")}):
        ours, theirs, form = _forms(app, data)
        for name in ours:
            assert ours[name] == theirs[name], (name, data)
    assert isinstance(form.one.widget, QuickSelect) and form.many.widget.multiple
    assert isinstance(form.body.widget, QuickTextArea)
    assert form.text.widget.html_params is forms.html_params
    assert form.day.widget.html_params is forms.html_params  # a widget given to the field
    assert not isinstance(form.radio.widget, QuickSelect)
    assert 'Tom &amp; Jerry &lt;3' in ours["one"] and 'value="q&#34;uote"' in ours["one"]
    # WTForms' own widgets are not changed: a plain form's are still WTForms' own
    assert widgets.TextInput.html_params is not forms.html_params


def test_html_params_writes_what_wtforms_writes():
    cases = [{}, {"id": "x", "class_": "a b", "for_": "y"}, {"checked": True, "readonly": False},
             {"data_draft_key": "k", "aria_describedby": "h e", "data-x": "1"},
             {"value": 'q"u&o<t>e', "title": Markup('m"arkup & <b>')}, {"size": 3, "n": 0},
             {"value": None}, {"lang": "ünï", "name": "a\x01b"}]
    for attributes in cases:
        assert forms.html_params(**attributes) == widgets.html_params(**attributes), attributes
