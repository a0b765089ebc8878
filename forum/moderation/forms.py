from __future__ import annotations

from datetime import date, timedelta

from wtforms import DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ..board.services import TITLE_MAX, TITLE_MIN
from ..forms import Form
from .models import REPORT_REASONS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ModerationForm(Form):
    reason = StringField("Reason", filters=[_strip],
                         description="Recorded in the moderation log, and shown to the author.",
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    submit = SubmitField("Confirm")


class PinForm(ModerationForm):
    pin = RadioField("Pin the topic", coerce=int, choices=[
        SelectChoice(0, "Not pinned"), SelectChoice(1, "Pinned at the top of its forum"),
        SelectChoice(2, "Pinned at the top of every forum")])


class MoveForm(ModerationForm):
    forum = SelectField("Move to forum", coerce=int)

    def __init__(self, *args, forums=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.forum.choices = [SelectChoice(f.id, f.title) for f in forums]


class RenameForm(ModerationForm):
    title = StringField("New title", filters=[_strip], validators=[
        DataRequired("Enter a title."),
        Length(TITLE_MIN, TITLE_MAX, f"Title must be between {TITLE_MIN} and {TITLE_MAX} "
                                     "characters.")])


class ReportForm(Form):
    reason = RadioField("Why are you reporting this post?", choices=[
        SelectChoice(key, label) for key, label in REPORT_REASONS.items()],
        validators=[DataRequired("Choose why you are reporting this post.")])
    details = StringField("Anything moderators should know (optional)", filters=[_strip],
                          validators=[Length(max=500, message="Keep it to 500 characters.")])
    submit = SubmitField("Send report")


class ResolveForm(Form):
    outcome = RadioField("Outcome", choices=[SelectChoice("hide", "Hide the post"),
                                             SelectChoice("hide_warn", "Hide the post and warn "
                                                                       "its author"),
                                             SelectChoice("warn", "Warn its author, keep the "
                                                                  "post"),
                                             SelectChoice("dismiss", "Dismiss the reports")],
                         validators=[DataRequired("Choose what to do.")])
    reason = StringField("Reason (optional)", filters=[_strip],
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    submit = SubmitField("Apply")


class DecisionForm(Form):
    """Approve or reject a post in the approval queue (one form per post, prefixed)."""
    decision = RadioField("Decision", choices=[
        SelectChoice("approve", "Approve: everyone can see it"),
        SelectChoice("reject", "Reject: it stays hidden, the author sees the reason")],
        default="approve", validators=[DataRequired("Choose approve or reject.")])
    reason = StringField("Reason", filters=[_strip],
                         description="Needed to reject. The author sees it.",
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    submit = SubmitField("Apply")


class RoleForm(Form):
    role = RadioField("Role", choices=[
        SelectChoice("member", "Member: takes part in discussions"),
        SelectChoice("staff", "Staff: also publishes articles and the link library"),
        SelectChoice("moderator", "Moderator: also manages topics, reports and members"),
        SelectChoice("admin", "Admin: also manages roles, forums and settings")],
        validators=[DataRequired("Choose a role.")])
    reason = StringField("Reason (optional)", filters=[_strip],
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    submit = SubmitField("Save role")


SUSPENSION_LENGTHS = [("1", "1 day"), ("7", "1 week"), ("30", "1 month"),
                      ("date", "Until a date")]


class SuspendForm(Form):
    length = RadioField("For how long?", default="7", validate_choice=False,
                        choices=[SelectChoice(value, label)
                                 for value, label in SUSPENSION_LENGTHS])
    until = DateField("Suspended until the end of", validators=[Optional()],
                      description="Only for “Until a date”. The member can read but not "
                                  "post, vote or report until then.")
    reason = StringField("Reason", filters=[_strip],
                         description="The member sees this.",
                         validators=[DataRequired("Give a reason: the member will see it."),
                                     Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    submit = SubmitField("Suspend member")

    def chosen_length(self) -> str:
        """The preset chosen; a form sent without one (the page always sends one: a week is
        chosen to start with) means the date."""
        raw = (self.length.raw_data or [""])[0]
        return raw if raw in dict(SUSPENSION_LENGTHS) else "date"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.chosen_length() == "date" and not self.until.data and not self.until.errors:
            # (an inline validator would not run: Optional ends the chain on an empty date)
            self.until.errors = [*self.until.errors, "Enter the last day of the suspension."]
            valid = False
        return valid

    def last_day(self, today: date) -> date:
        chosen = self.chosen_length()
        return self.until.data if chosen == "date" else today + timedelta(days=int(chosen))


class LogFilterForm(Form):
    class Meta:
        csrf = False

    actor = StringField("Moderator", filters=[_strip])
    action = SelectField("Action", choices=[SelectChoice("", "Any action")] + [
        SelectChoice(name, label) for name, label in [
            ("pin", "Pin"), ("unpin", "Unpin"), ("lock", "Lock"), ("unlock", "Unlock"),
            ("move", "Move"), ("rename", "Rename"), ("hide_topic", "Hide topic"),
            ("restore_topic", "Restore topic"), ("hide_post", "Hide post"),
            ("restore_post", "Restore post"), ("auto_hide_post", "Hidden after reports"),
            ("dismiss_reports", "Dismiss reports"), ("set_role", "Change role"),
            ("suspend", "Suspend"), ("lift_suspension", "Lift suspension"),
            ("warn", "Warn"), ("approve_post", "Approve post"), ("reject_post", "Reject post"),
            ("create_category", "Create category"), ("edit_category", "Rename category"),
            ("reorder_category", "Reorder categories"), ("create_forum", "Create forum"),
            ("edit_forum", "Edit forum"), ("reorder_forum", "Reorder forums")]],
        validate_choice=False)
    member = StringField("About member", filters=[_strip])


REJECTED_MEMBER_SUSPENSIONS = [("30", "1 month"), ("7", "1 week"), ("1", "1 day"),
                               ("0", "Do not suspend")]


class ReviewForm(Form):
    """The review page's one form: the ticked posts and members (name="post" / "member"
    checkboxes, read by the view), a reason, how long rejected members are suspended, and
    the button pressed (approve or reject)."""
    decision = StringField("Decision", validators=[AnyOf(
        ["approve", "reject"], message="Choose Approve or Reject.")])
    reason = StringField("Reason", filters=[_strip],
                         description="Needed to reject. The authors see it.",
                         validators=[Length(max=500, message="Keep the reason to 500 "
                                                             "characters.")])
    suspend = SelectField("Suspend rejected members for", default="30",
                          choices=[SelectChoice(value, label)
                                   for value, label in REJECTED_MEMBER_SUSPENSIONS],
                          description="Only when rejecting ticked new members: they can "
                                      "read but not post until then.")

    def suspend_days(self) -> int:
        return int(self.suspend.data) if self.suspend.data in dict(
            REJECTED_MEMBER_SUSPENSIONS) else 0
