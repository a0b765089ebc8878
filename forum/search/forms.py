from __future__ import annotations

from wtforms import DateField, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import TextInput

from ..board.models import TopicKind
from ..forms import Form
from .queries import MAX_QUERY, searchable


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


KINDS = _choices([("", "Any kind"), (TopicKind.DISCUSSION.value, "Discussions"),
                  (TopicKind.QUESTION.value, "Questions"), (TopicKind.ARTICLE.value, "Articles"),
                  (TopicKind.LINK.value, "Links")])


class SearchForm(Form):
    """The search box and its filters, sent with GET (so no CSRF token: it changes nothing,
    and every results page is a shareable URL)."""

    class Meta:
        csrf = False

    q = SearchField("Search for", validators=[Length(
        max=MAX_QUERY, message=f"Use at most {MAX_QUERY} characters.")],
        description='Put "quotes" round a phrase; put a minus before a word to leave it out '
                    '(-survey); OR between words finds either (tea OR coffee).')
    forum = SelectField("Forum", default="")
    kind = SelectField("Kind", choices=KINDS, default="")
    author = StringField("Author", validators=[Optional(), Length(max=40, message=(
        "Display names are at most 40 characters."))], description="Their display name.")
    # Text boxes, not type=date: what was typed (even a wrong date) is shown again as typed.
    since = DateField("From", validators=[Optional()], format="%Y-%m-%d", widget=TextInput())
    until = DateField("To", validators=[Optional()], format="%Y-%m-%d", widget=TextInput())
    answered = SelectField("Questions", default="", choices=_choices([
        ("", "Answered or not"), ("yes", "Answered"), ("no", "Not answered yet")]))
    sort = SelectField("Sort by", default="relevance", choices=_choices([
        ("relevance", "Best match"), ("date", "Newest first")]))

    def __init__(self, *args, forums=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.forum.choices = _choices([("", "All forums")] + [(f.slug, f.title) for f in forums])

    def validate_q(self, field) -> None:
        text = (field.data or "").strip()
        if text and not searchable(text):
            raise ValidationError("Enter a word to look for: a search of only left-out words "
                                  "or punctuation finds nothing.")

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date must be on or after the start date.")

    @property
    def filtering(self) -> bool:
        """Whether any filter other than the words is set (the filters start open)."""
        return any([self.forum.data, self.kind.data, self.author.data, self.since.raw_data
                    and self.since.raw_data[0], self.until.raw_data and self.until.raw_data[0],
                    self.answered.data])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Plain words for the messages WTForms words for programmers.
        for field in (self.forum, self.kind, self.answered, self.sort):
            if field.errors:
                field.errors = [f"Choose one of the listed {field.label.text.lower()} options."]
                ok = False
        for field in (self.since, self.until):
            if field.errors and any("Not a valid" in str(e) for e in field.errors):
                field.errors = ["Enter a real date, like 2015-01-27."]
        return ok
