"""Staff forms, on Flask-WTF's base (CSRF) with whitespace stripping and length limits."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional


def choices(pairs):
    """Return (value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField("Password", validators=[InputRequired("Enter your password"), Length(max=200)])


class ManualValueForm(FlaskForm):
    value = StringField(
        "Value for the month (percent)",
        filters=[strip],
        validators=[InputRequired("Enter a percentage from 0 to 100"), Length(max=20)],
    )
    note = StringField("Note (optional)", filters=[strip], validators=[Length(max=500)])


class MarkSentForm(FlaskForm):
    sequence = IntegerField("Letter number", validators=[InputRequired(), NumberRange(1, 20)])
    sent_on = DateField("Date posted", validators=[InputRequired("Enter the date it was posted")])


class CodeForm(FlaskForm):
    code = StringField(
        "Six-digit code",
        filters=[strip],
        validators=[InputRequired("Enter the six-digit code from your authenticator app"), Length(max=10)],
    )


class PasswordCheckForm(FlaskForm):
    """Your password again, before a change to how you sign in."""

    password = PasswordField(
        "Your password", validators=[InputRequired("Enter your password"), Length(max=200)]
    )


class RemoveSecondFactorForm(PasswordCheckForm, CodeForm):
    pass


class UserForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[InputRequired("Enter an email address"), Length(max=254)],
    )
    role = SelectField("Role", validators=[InputRequired("Choose a role")])
    services = SelectMultipleField("Services (service staff only)", validate_choice=False)
    active = BooleanField("Can sign in")


class InvitationForm(FlaskForm):
    survey = SelectField("Survey", validators=[InputRequired("Choose a survey")])
    service = SelectField("Service", validators=[InputRequired("Choose a service")])
    district = SelectField("District (optional)", validate_choice=False)
    appointment_date = DateField("Appointment date (optional)", validators=[Optional()])
    count = IntegerField(
        "How many links",
        default=8,
        validators=[
            InputRequired("Enter how many links to make"),
            NumberRange(1, 500, "Make from 1 to 500 links at a time"),
        ],
    )
    output = SelectField(
        "Make",
        choices=[
            SelectChoice("pdf", "Cards with QR codes to print (PDF)"),
            SelectChoice("csv", "A list of links for a text-message system (CSV)"),
        ],
    )


class EraseForm(FlaskForm):
    confirm = StringField(
        "Type the family's reference to confirm",
        filters=[strip],
        validators=[InputRequired("Type the reference to confirm"), Length(max=40)],
    )
