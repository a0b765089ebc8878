from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _Body(Form):
    body = TextAreaField("Message", validators=[DataRequired("Write something before sending.")])
    preview = SubmitField("Preview")


class StartForm(_Body):
    to = StringField("To", filters=[_strip], validators=[Optional(), Length(max=1000)],
                     description="Display names of members, separated by commas.")
    group = SelectField("Or everyone in a group you belong to", coerce=int, default=0)
    subject = StringField("Subject", filters=[_strip], validators=[
        DataRequired("Give the conversation a subject."), Length(max=200)])
    submit = SubmitField("Send")

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [SelectChoice(0, "No group")] + [
            SelectChoice(g.id, g.name) for g in groups]


class MessageForm(_Body):
    submit = SubmitField("Send reply")


class ReasonForm(Form):
    reason = TextAreaField("Reason", filters=[_strip], validators=[
        DataRequired("Write the reason."), Length(max=500)])
    submit = SubmitField("Send")
