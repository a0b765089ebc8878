from __future__ import annotations

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form
from .services import BODY_MAX, TITLE_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PageForm(Form):
    title = StringField("Title", filters=[_strip], validators=[
        DataRequired("Enter a title."),
        Length(max=TITLE_MAX, message=f"Title can be at most {TITLE_MAX} characters.")])
    body = TextAreaField("Page text", validators=[
        DataRequired("Write the page before saving it."),
        Length(max=BODY_MAX, message=f"A page can be at most {BODY_MAX:,} characters.")])
    reason = StringField("Reason for the change (optional)", filters=[_strip],
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    preview = SubmitField("Preview")
    submit = SubmitField("Save page")
