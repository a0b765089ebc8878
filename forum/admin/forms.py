from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..forms import Form
from .services import DESCRIPTION_MAX, SLUG_PATTERN, TITLE_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _title_field(label: str) -> StringField:
    return StringField(label, filters=[_strip], validators=[
        DataRequired("Enter a name."),
        Length(2, TITLE_MAX, f"The name must be between 2 and {TITLE_MAX} characters.")])


class CategoryForm(Form):
    title = _title_field("Category name")
    submit = SubmitField("Save category")


def _description_field() -> TextAreaField:
    return TextAreaField(
        "Description", filters=[_strip],
        description="One or two sentences shown under the forum's name on the forum list.",
        validators=[Length(max=DESCRIPTION_MAX, message=f"Keep the description to "
                                                        f"{DESCRIPTION_MAX} characters.")])


class ForumForm(Form):
    category = SelectField("Category", coerce=int)
    title = _title_field("Forum name")
    slug = StringField(
        "Web address", filters=[_strip, lambda v: v.lower() if isinstance(v, str) else v],
        description="The forum's address is /f/ followed by this: lower-case letters, digits "
                    "and hyphens. Leave it empty to make one from the name. It cannot be "
                    "changed later, so links keep working.",
        validators=[Optional(), Length(max=80, message="Keep the address to 80 characters."),
                    Regexp(SLUG_PATTERN, message="Use only lower-case letters, digits and "
                                                 "hyphens.")])
    description = _description_field()
    submit = SubmitField("Add forum")

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(c.id, c.title) for c in categories]


class ForumEditForm(Form):
    title = _title_field("Forum name")
    description = _description_field()
    submit = SubmitField("Save forum")


class MoveForm(Form):
    direction = SelectField("Direction", choices=[SelectChoice("up", "Up"),
                                                  SelectChoice("down", "Down")],
                            validators=[DataRequired("Choose up or down.")])
