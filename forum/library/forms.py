from __future__ import annotations

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..board.services import TITLE_MAX, TITLE_MIN
from ..errors import Invalid
from ..forms import Form
from .services import ANNOTATION_MAX, AUTHOR_MAX, SECTION_MAX, URL_MAX, check_url


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LinkForm(Form):
    title = StringField("Title", filters=[_strip],
                        description="The title of the page or report, as its site gives it.",
                        validators=[DataRequired("Enter a title."),
                                    Length(TITLE_MIN, TITLE_MAX, f"Title must be between "
                                           f"{TITLE_MIN} and {TITLE_MAX} characters.")])
    url = StringField("Web address", filters=[_strip],
                      description="Starting with https:// or http://.",
                      validators=[DataRequired("Enter the link's address."),
                                  Length(max=URL_MAX, message=f"The address can be at most "
                                                              f"{URL_MAX:,} characters.")])
    source_author = StringField(
        "Author (optional)", filters=[_strip],
        description="Who wrote or published it, such as a person or “McKinsey”.",
        validators=[Length(max=AUTHOR_MAX,
                           message=f"The author can be at most {AUTHOR_MAX} characters.")])
    annotation = TextAreaField(
        "Annotation",
        description="One or two sentences: what it is and why it is worth reading.",
        validators=[DataRequired("Write a short annotation: what the link is and why it is "
                                 "worth reading."),
                    Length(max=ANNOTATION_MAX,
                           message=f"Keep the annotation to {ANNOTATION_MAX:,} characters.")])
    section = StringField(
        "Section (optional)", filters=[_strip],
        description="The heading it is listed under in the library.",
        validators=[Length(max=SECTION_MAX,
                           message=f"The section can be at most {SECTION_MAX} characters.")])
    tags = StringField("Tags (optional)", filters=[_strip],
                       description="Separate tags with commas, like: customer service, "
                                   "research.",
                       validators=[Length(max=1000, message="That is too many tags.")])
    reason = StringField("Reason for the change (optional)", filters=[_strip],
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    submit = SubmitField("Add link")

    def validate_url(self, field) -> None:
        try:
            check_url(field.data or "")
        except Invalid as error:
            raise ValidationError(error.message) from None
