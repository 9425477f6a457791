"""The staff form for sending invitations by text message to a pasted list of appointments."""

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from feedback.forms import choices, strip


class PastedAppointmentsForm(FlaskForm):
    service = SelectField("Service", validators=[InputRequired("Choose a service")])
    district = SelectField("District (optional)", validate_choice=False)
    respondent = SelectField(
        "Who is asked",
        choices=choices([("parent_carer", "Parent carers"), ("young_person", "Young people (easy read)")]),
    )
    language = SelectField("Language of the message")
    appointments = TextAreaField(
        "Appointments",
        filters=[strip],
        validators=[InputRequired("Paste one or more appointments"), Length(max=40_000)],
    )
