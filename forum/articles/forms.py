from __future__ import annotations

from wtforms import (DateTimeLocalField, IntegerField, RadioField, StringField, SubmitField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .. import clock
from ..board.services import BODY_MAX, TITLE_MAX, TITLE_MIN
from ..forms import Form
from .services import (DRAFT, EXCERPT_MAX, PUBLISH, QUESTION_MAX, SCHEDULE, SERIES_MAX,
                       ArticleData)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ArticleForm(Form):
    title = StringField("Title", filters=[_strip], validators=[
        DataRequired("Enter a title."),
        Length(TITLE_MIN, TITLE_MAX, f"Title must be between {TITLE_MIN} and {TITLE_MAX} "
                                     "characters.")])
    body = TextAreaField("Article", validators=[
        DataRequired("Write the article before saving it."),
        Length(max=BODY_MAX, message=f"An article can be at most {BODY_MAX:,} characters.")])
    excerpt = TextAreaField(
        "Excerpt (optional)", filters=[_strip],
        description="A sentence or two for the article list. Leave empty to use the first "
                    "50 words.",
        validators=[Length(max=EXCERPT_MAX, message=f"The excerpt can be at most "
                                                    f"{EXCERPT_MAX} characters.")])
    question = TextAreaField(
        "Question of the day (optional)", filters=[_strip],
        description="Shown highlighted after the article, to start the comments.",
        validators=[Length(max=QUESTION_MAX, message=f"The question can be at most "
                                                     f"{QUESTION_MAX} characters.")])
    tags = StringField("Tags (optional)", filters=[_strip],
                       description="Separate tags with commas, like: customer service, "
                                   "managers",
                       validators=[Length(max=500, message="That is too many tags.")])
    series = StringField("Series (optional)", filters=[_strip],
                         description="The series title, if this article is part of one.",
                         validators=[Length(max=SERIES_MAX, message=f"A series title can be "
                                            f"at most {SERIES_MAX} characters.")])
    series_part = IntegerField("Part number (optional)", validators=[
        Optional(), NumberRange(1, 999, "Enter a part number from 1 to 999.")])
    status = RadioField("When should it appear?", default=PUBLISH, choices=[
        SelectChoice(DRAFT, "Save as a draft (only staff can see it)"),
        SelectChoice(PUBLISH, "Publish now (a published article keeps its date)"),
        SelectChoice(SCHEDULE, "Publish at a time I choose")])
    publish_at = DateTimeLocalField(
        "Publish at (UTC)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        description="Only when scheduling. For example 2026-12-01 09:00.",
        validators=[Optional()])
    reason = StringField("Reason for the change (optional)", filters=[_strip],
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    preview = SubmitField("Preview")
    submit = SubmitField("Save article")

    def __init__(self, *args, zone_name: str | None = None, **kwargs):
        """`zone_name`: the author's time zone, in which "Publish at" is shown and read
        (stored in UTC)."""
        self.zone = clock.zone(zone_name)
        if kwargs.get("publish_at") is not None:
            kwargs["publish_at"] = clock.local(kwargs["publish_at"], self.zone).replace(
                tzinfo=None)
        super().__init__(*args, **kwargs)
        self.publish_at.label.text = f"Publish at ({self.zone.key})"

    def data_for_service(self) -> ArticleData:
        return ArticleData(title=self.title.data, body=self.body.data,
                           excerpt=self.excerpt.data or "", tags=self.tags.data or "",
                           series=self.series.data or "", series_part=self.series_part.data,
                           question=self.question.data or "", status=self.status.data,
                           publish_at=clock.from_local(self.publish_at.data, self.zone)
                           if self.publish_at.data else None)
