from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import Form


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


class PasswordForm(Form):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."), Length(max=200)])
    new_password = PasswordField(
        "New password", description="At least 10 characters.",
        validators=[DataRequired("Enter a new password."),
                    Length(10, 200, "Password must be between 10 and 200 characters.")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again."),
        EqualTo("new_password", "The two passwords do not match.")])


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
    new_password = PasswordField(
        "New password", description="At least 10 characters.",
        validators=[DataRequired("Enter a new password."),
                    Length(10, 200, "Password must be between 10 and 200 characters.")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again."),
        EqualTo("new_password", "The two passwords do not match.")])


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
