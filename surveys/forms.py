"""Build a Flask-WTF form from an instrument definition.

Every survey form shares one base: CSRF, a submission id generated with the form (so a
double click or a retry stores one response), whitespace stripping and length limits.
"""

import functools
import uuid

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

from surveys.collect import valid_submission_id


def strip(value):
    """Trim surrounding whitespace from text answers."""
    return value.strip() if isinstance(value, str) else value


def _check_submission_id(_form, field):
    if not valid_submission_id(field.data):
        raise ValidationError("This form is not complete. Please start again.")


class ChoiceField(RadioField):
    """Radio buttons whose "not one of the options" error is in plain words."""

    def __init__(self, *args, invalid, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid

    def pre_validate(self, form):
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.invalid_message)


@functools.lru_cache(maxsize=32)
def _wtforms_messages(locale):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class SurveyForm(FlaskForm):
    """The base of every survey form."""

    class Meta:
        def get_translations(self, form):
            """WTForms' own messages in the page's language, read from disk once per process
            (Flask-WTF reads them again on every request)."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _wtforms_messages(str(get_locale()))

    submission_id = HiddenField(validators=[_check_submission_id])

    def question_fields(self):
        """Return the fields that are questions, in order."""
        return [field for field in self if field.name not in ("csrf_token", "submission_id")]


class AskedIf:
    """Validate a routed question: required only when asked, and emptied when not asked.

    A question with ``asked_if`` is asked only when an earlier answer says so (the transition
    experience only of young people who have moved); an answer given when it was not asked is
    dropped, so it cannot count in a KPI.
    """

    def __init__(self, definition, question, message):
        self.definition, self.question, self.message = definition, question, message

    def __call__(self, form, field):
        earlier = {
            q.key: form[q.key].data
            for q in self.definition.questions
            if q.type == "choice" and q.key != self.question.key
        }
        if not self.definition.is_asked(self.question.key, earlier):
            field.data = None
            raise StopValidation()
        if not field.data:
            if self.question.required:
                raise StopValidation(self.message)
            raise StopValidation()


def _messages(easy_read):
    if easy_read:
        return {
            "required": _("Please pick an answer."),
            "invalid": _("Please pick one of the answers."),
            "too_long": _("Please use {max} letters or fewer."),
        }
    return {
        "required": _("Choose an answer to this question."),
        "invalid": _("Choose one of the answers shown."),
        "too_long": _("Your answer must be {max} characters or fewer."),
    }


def _field_for(question, easy_read, service_name, definition=None):
    messages = _messages(easy_read)
    label = (question.easy_text if easy_read else question.text).replace("{service}", service_name)
    if question.type == "text":
        return TextAreaField(
            label,
            filters=[strip],
            validators=[
                Optional(),
                Length(max=question.max_length, message=messages["too_long"].format(max=question.max_length)),
            ],
        )
    choices = [SelectChoice(o.code, o.easy_label if easy_read else o.label) for o in question.options]
    if question.asked_if is not None:
        required = AskedIf(definition, question, messages["required"])
    else:
        required = InputRequired(message=messages["required"]) if question.required else Optional()
    return ChoiceField(label, choices=choices, validators=[required], invalid=messages["invalid"])


@functools.lru_cache(maxsize=256)
def build_form_class(definition, easy_read, service_name, language="en"):
    """Return a SurveyForm subclass with one field per question (built once per wording and
    language: its error messages are in the language of the page that built it)."""
    fields = {q.key: _field_for(q, easy_read, service_name, definition) for q in definition.questions}
    return type(f"{definition.slug.title().replace('-', '')}Form", (SurveyForm,), fields)


def new_form(form_class, **kwargs):
    """Return a bound form with a fresh submission id when the request did not bring one."""
    form = form_class(**kwargs)
    if not form.submission_id.data:
        form.submission_id.data = str(uuid.uuid4())
    return form
