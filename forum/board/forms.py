from __future__ import annotations

from wtforms import (BooleanField, DateField, IntegerField, MultipleFileField, RadioField,
                     SelectField,
                     StringField, SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form
from .services import BODY_MAX, TITLE_MAX, TITLE_MIN

BODY_HINT = "You can use Markdown and these HTML tags:"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _body_field(label: str):
    return TextAreaField(label, validators=[
        DataRequired("Write something before posting."),
        Length(max=BODY_MAX, message=f"Posts can be at most {BODY_MAX:,} characters.")])


class PollFields(Form):
    """The poll fields, shared by the new topic form and the "add a poll" form."""
    poll_question = StringField("Poll question", filters=[_strip],
                                validators=[Optional(), Length(3, 300, "The poll question must "
                                                               "be between 3 and 300 "
                                                               "characters.")])
    poll_options = TextAreaField("Options", filters=[_strip],
                                 description="One option a line, between 2 and 20.",
                                 validators=[Length(max=5000, message="That is too much text "
                                                                      "for poll options.")])
    poll_multiple = BooleanField("Members can choose more than one option")
    poll_max_choices = IntegerField(
        "Most options a member can choose", validators=[
            Optional(), NumberRange(1, 20, "Enter a number from 1 to 20.")],
        description="Only for multiple choice. Leave empty for no limit.")
    poll_closes_on = DateField("Poll closes at the end of (optional)",
                               validators=[Optional()],
                               description="Leave empty to keep it open.")
    poll_visibility = RadioField("Who can see the results", default="always", choices=[
        SelectChoice("always", "Everyone, at any time"),
        SelectChoice("after_vote", "Members who have voted (everyone once it closes)"),
        SelectChoice("after_close", "Everyone, once the poll closes")])
    poll_voters_public = BooleanField(
        "Show who voted for what",
        description="Otherwise voting is secret: nobody, not even moderators, can see who chose "
                    "what. This cannot be changed later.")

    @property
    def wants_poll(self) -> bool:
        return bool((self.poll_question.data or "").strip() or
                    (self.poll_options.data or "").strip())


class AttachFields(Form):
    """Files for a new post (read from the request by forum/uploads/views.from_request)."""
    file = MultipleFileField("Attach files (optional)", description=(
        "Pictures (PNG, JPEG, GIF, WebP), PDF, Word, Excel, PowerPoint, CSV or text; up to 5 "
        "files of 8 MB each."))
    alt = TextAreaField("Describe each picture", filters=[_strip],
                        description="For people who cannot see pictures: one line a picture, "
                                    "in the order attached.",
                        validators=[Length(max=3000, message="Keep the descriptions to 3,000 "
                                                             "characters.")])


class PollForm(PollFields):
    submit = SubmitField("Add poll")


class TopicForm(PollFields, AttachFields):
    forum = SelectField("Forum", coerce=int,
                        validate_choice=True)
    title = StringField("Title", filters=[_strip],
                        description="A clear question or subject, like the title of an email.",
                        validators=[DataRequired("Enter a title."),
                                    Length(TITLE_MIN, TITLE_MAX, f"Title must be between "
                                           f"{TITLE_MIN} and {TITLE_MAX} characters.")])
    kind = RadioField("What kind of topic is it?", default="discussion", choices=[
        SelectChoice("discussion", "A discussion"),
        SelectChoice("question", "A question: you can mark the reply that answers it")])
    body = _body_field("Your message")
    preview = SubmitField("Preview")
    submit = SubmitField("Post topic")

    def __init__(self, *args, forums=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.forum.choices = [SelectChoice(f.id, f.title) for f in forums]


class ReplyForm(AttachFields):
    body = _body_field("Your reply")
    preview = SubmitField("Preview")
    submit = SubmitField("Post reply")


class EditForm(AttachFields):
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
