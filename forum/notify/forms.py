from __future__ import annotations

from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms import Form


class SettingsForm(Form):
    email_mode = RadioField("E-mail me about my notifications", default="each", choices=[
        SelectChoice("each", "As they happen: an e-mail for each one"),
        SelectChoice("digest", "Once a day: one e-mail listing them"),
        SelectChoice("off", "Never: I will look at the site")],
        validators=[InputRequired("Choose how often to be e-mailed.")])
    auto_subscribe = BooleanField(
        "Follow the topics I start or reply to",
        description="You are told about new replies in topics you follow. You can stop "
                    "following any topic from its page.")


class ActionForm(Form):
    """A button that acts at once (CSRF token only)."""
