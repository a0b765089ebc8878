from __future__ import annotations

from wtforms import SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from ..forms import Form


class VoteForm(Form):
    """The options are set per poll; radios or checkboxes all post as `choice`."""
    choice = SelectMultipleField("Your choice", coerce=int, validate_choice=True)
    submit = SubmitField("Vote")

    def __init__(self, *args, poll=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.choices = [SelectChoice(o.id, o.label) for o in poll.options] if poll else []

    def validate_choice(self, field) -> None:
        if not field.data:
            raise StopValidation("Choose an option.")
