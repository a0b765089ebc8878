from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, \
    TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from ..permissions import FORUM_ACTIONS
from .services import CLAIM_VALUE_MAX, DESCRIPTION_MAX, NAME_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class GroupForm(Form):
    name = StringField("Group name", filters=[_strip], validators=[
        DataRequired("Enter a name."),
        Length(2, NAME_MAX, f"The name must be between 2 and {NAME_MAX} characters.")])
    description = TextAreaField("Description", filters=[_strip], validators=[
        Length(max=DESCRIPTION_MAX, message=f"Keep the description to {DESCRIPTION_MAX} "
                                            "characters.")])
    joining = RadioField("How people join", default="invitation", choices=[
        SelectChoice("invitation", "By invitation from an owner"),
        SelectChoice("request", "Members may ask; an owner approves")])
    email_domain = StringField(
        "E-mail domain (optional)", filters=[_strip], validators=[Optional(), Length(max=253)],
        description="Everyone with a confirmed address at this domain (or below it) is a "
                    "member, for example revenue.gov.example.")
    members_public = BooleanField("Show the member list, and the group on its members' "
                                  "profiles, to everyone")
    submit = SubmitField("Create group")


class InviteForm(Form):
    name = StringField("Member's display name", filters=[_strip], validators=[
        DataRequired("Enter the display name of the member to invite."), Length(max=40)])
    submit = SubmitField("Invite")


class GrantForm(Form):
    group = SelectField("Group", coerce=int)
    action = SelectField("May", choices=[
        SelectChoice(name, label) for name, label in zip(FORUM_ACTIONS, (
            "read (the forum becomes private to its groups)",
            "reply (only these groups reply)", "start topics (only these groups start them)",
            "moderate"))])
    submit = SubmitField("Give permission")

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [SelectChoice(g.id, g.name) for g in groups]


class ProviderRuleForm(Form):
    provider = SelectField("Identity provider")
    claim_value = StringField(
        "Value in the provider's groups claim", filters=[_strip],
        description="Exactly as the provider sends it, for example tax-policy or a group's "
                    "id. People whose claim lists it join this group when they next log in "
                    "there, and leave when it no longer does.",
        validators=[DataRequired("Enter the value the provider sends for its group."),
                    Length(max=CLAIM_VALUE_MAX, message=f"At most {CLAIM_VALUE_MAX} "
                                                        "characters.")])
    submit = SubmitField("Add")

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = [SelectChoice(p.name, p.label) for p in providers]
