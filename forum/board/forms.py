from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form
from .services import BODY_MAX, TITLE_MAX, TITLE_MIN

BODY_HINT = "You can use Markdown and these HTML tags:"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _body_field(label: str):
    return TextAreaField(label, validators=[
        DataRequired("Write something before posting."),
        Length(max=BODY_MAX, message=f"Posts can be at most {BODY_MAX:,} characters.")])


class TopicForm(Form):
    forum = SelectField("Forum", coerce=int,
                        validate_choice=True)
    title = StringField("Title", filters=[_strip],
                        description="A clear question or subject, like the title of an email.",
                        validators=[DataRequired("Enter a title."),
                                    Length(TITLE_MIN, TITLE_MAX, f"Title must be between "
                                           f"{TITLE_MIN} and {TITLE_MAX} characters.")])
    body = _body_field("Your message")
    preview = SubmitField("Preview")
    submit = SubmitField("Post topic")

    def __init__(self, *args, forums=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.forum.choices = [(f.id, f.title) for f in forums]


class ReplyForm(Form):
    body = _body_field("Your reply")
    preview = SubmitField("Preview")
    submit = SubmitField("Post reply")


class EditForm(Form):
    title = StringField("Title", filters=[_strip],
                        validators=[Length(TITLE_MIN, TITLE_MAX, f"Title must be between "
                                           f"{TITLE_MIN} and {TITLE_MAX} characters.")])
    body = _body_field("Message")
    reason = StringField("Reason for the change (optional)", filters=[_strip],
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    preview = SubmitField("Preview")
    submit = SubmitField("Save changes")


class HideForm(Form):
    reason = StringField("Reason (optional)", filters=[_strip],
                         description="Shown to the post's author.",
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    submit = SubmitField("Hide post")
