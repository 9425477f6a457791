"""Staff forms, on Flask-WTF's base (CSRF) with whitespace stripping and length limits."""

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, NumberRange


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("Email address", filters=[strip], validators=[
        InputRequired("Enter your email address"), Length(max=254)])
    password = PasswordField("Password", validators=[
        InputRequired("Enter your password"), Length(max=200)])


class ManualValueForm(FlaskForm):
    value = StringField("Value for the month (percent)", filters=[strip], validators=[
        InputRequired("Enter a percentage from 0 to 100"), Length(max=20)])
    note = StringField("Note (optional)", filters=[strip], validators=[Length(max=500)])


class MarkSentForm(FlaskForm):
    sequence = IntegerField("Letter number", validators=[InputRequired(), NumberRange(1, 20)])
    sent_on = DateField("Date posted", validators=[InputRequired("Enter the date it was posted")])
