from __future__ import annotations

from wtforms import (BooleanField, EmailField, PasswordField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from .. import clock
from ..errors import Invalid
from ..forms import Form
from .oidc import PROVIDER_NAME, check_issuer


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterForm(Form):
    display_name = StringField(
        "Display name", filters=[_strip],
        description="Shown next to everything you post. 2 to 40 characters.",
        validators=[DataRequired("Enter a display name."),
                    Length(2, 40, "Display name must be between 2 and 40 characters.")])
    email = EmailField(
        "Email address", filters=[_strip],
        description="We never show it to anyone.",
        validators=[DataRequired("Enter your email address."),
                    Length(max=254, message="Email address must be 254 characters or fewer."),
                    Email("Enter an email address in the right format, like name@agency.gov.",
                          check_deliverability=False)])
    password = PasswordField(
        "Password", description="At least 10 characters.",
        validators=[DataRequired("Enter a password."),
                    Length(10, 200, "Password must be between 10 and 200 characters.")])
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired("Enter your password again."),
                    EqualTo("password", "The two passwords do not match.")])


class LoginForm(Form):
    login = StringField("Email address or display name", filters=[_strip],
                        validators=[DataRequired("Enter your email address or display name."),
                                    Length(max=254, message="That is too long to be a name "
                                                            "or email address.")])
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password."),
        Length(max=200, message="Password must be 200 characters or fewer.")])
    remember = BooleanField("Keep me logged in on this device")


class ProfileForm(Form):
    bio = TextAreaField("About you", filters=[_strip],
                        description="A few words shown on your profile page.",
                        validators=[Length(max=2000, message="Keep it to 2,000 characters.")])


def _new_password() -> PasswordField:
    return PasswordField(
        "New password", description="At least 10 characters.",
        validators=[DataRequired("Enter a new password."),
                    Length(10, 200, "Password must be between 10 and 200 characters.")])


def _confirm_new_password() -> PasswordField:
    return PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again."),
        EqualTo("new_password", "The two passwords do not match.")])


class PasswordForm(Form):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."), Length(max=200)])
    new_password = _new_password()
    confirm = _confirm_new_password()


def _email_field(label: str, description: str | None = None) -> EmailField:
    return EmailField(
        label, filters=[_strip], description=description,
        validators=[DataRequired("Enter an email address."),
                    Length(max=254, message="Email address must be 254 characters or fewer."),
                    Email("Enter an email address in the right format, like name@agency.gov.",
                          check_deliverability=False)])


class ForgotPasswordForm(Form):
    email = _email_field("Email address",
                         "The address of your account. We will email it a link to choose a "
                         "new password.")


class ResetPasswordForm(Form):
    new_password = _new_password()
    confirm = _confirm_new_password()


class ChangeEmailForm(Form):
    email = _email_field("New email address",
                         "We will email it a link. Your address changes when you follow it.")
    password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."),
        Length(max=200, message="Password must be 200 characters or fewer.")])


class GovernmentDomainForm(Form):
    domain = StringField(
        "Domain", filters=[_strip],
        description="For example gov, gc.ca or agency.gov.uk. Its subdomains are included.",
        validators=[DataRequired("Enter a domain name."),
                    Length(max=253, message="A domain name is 253 characters or fewer.")])


class TimeZoneForm(Form):
    time_zone = SelectField("Time zone", default="", validate_choice=False, description=(
        "Dates and times on the forum are shown in it, and times you type (such as when an "
        "article is published) are read in it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice("", "UTC, the site's time")] + [
            SelectChoice(name, name.replace("_", " ")) for name in clock.zones()]


class SuggestedDomainsForm(Form):
    """Ticked suggested suffixes (name="suffix" checkboxes, read by the view); the form
    carries the CSRF token and where to show "tick at least one"."""
    suffix = StringField("Well-known government suffixes")


def _code_field(description: str, missing: str) -> StringField:
    return StringField("Code", filters=[_strip], description=description,
                       validators=[DataRequired(missing),
                                   Length(max=40, message="That is too long to be a code.")])


class CodeForm(Form):
    code = _code_field("The 6-digit code your authenticator app shows now.",
                       "Enter the code from your authenticator app.")


class SignInCodeForm(Form):
    code = _code_field("The 6-digit code your authenticator app shows now, or one of your "
                       "recovery codes.",
                       "Enter the code from your authenticator app, or a recovery code.")


class ConfirmPasswordForm(Form):
    password = PasswordField("Your password", validators=[
        DataRequired("Enter your password."),
        Length(max=200, message="Password must be 200 characters or fewer.")])


class TwoFactorPolicyForm(Form):
    required = BooleanField("Moderators and admins must use two-factor sign-in")


class DisplayNameForm(Form):
    display_name = StringField(
        "Display name", filters=[_strip],
        description="Shown next to everything you post. 2 to 40 characters.",
        validators=[DataRequired("Enter a display name."),
                    Length(2, 40, "Display name must be between 2 and 40 characters.")])


class IdentityProviderForm(Form):
    label = StringField("Button label", filters=[_strip],
                        description="What the log-in button says, for example “Log in with "
                                    "Revenue ID”.",
                        validators=[DataRequired("Enter the button's label."), Length(max=80)])
    name = StringField("Short name", filters=[_strip],
                       description="Lower-case letters, digits and hyphens. The provider needs "
                                   "the forum's address /login/with/<short name>/callback as "
                                   "a redirect URI.",
                       validators=[DataRequired("Enter a short name."), Length(max=40)])
    issuer = StringField("Issuer", filters=[_strip],
                         description="Its address, for example https://login.revenue.gov."
                                     "example; its settings are read from /.well-known/"
                                     "openid-configuration there.",
                         validators=[DataRequired("Enter the issuer's address."),
                                     Length(max=500)])
    client_id = StringField("Client id", filters=[_strip],
                            validators=[DataRequired("Enter the client id the provider gave "
                                                     "the forum."), Length(max=255)])
    client_secret = PasswordField("Client secret",
                                  description="Stored encrypted and never shown again.",
                                  validators=[DataRequired("Enter the client secret."),
                                              Length(max=1000)])
    scopes = StringField("Scopes", filters=[_strip], default="openid email profile",
                         validators=[Length(max=255)])
    groups_claim = StringField("Groups claim", filters=[_strip], default="groups",
                               description="The claim that lists the person's groups, if "
                                           "the provider sends one.",
                               validators=[Length(max=80)])
    government = BooleanField("This is a government provider: its confirmed addresses earn "
                              "the Government staff badge")

    def validate_name(self, field) -> None:
        if not PROVIDER_NAME.fullmatch(field.data or ""):
            raise ValidationError("The short name can use lower-case letters, digits and "
                                  "hyphens, and starts and ends with a letter or digit.")

    def validate_issuer(self, field) -> None:
        try:
            check_issuer(field.data)
        except Invalid as error:
            raise ValidationError(error.message) from None
