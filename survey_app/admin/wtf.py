"""WTForms for the coordinator and teacher pages (CSRF comes with FlaskForm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choices(pairs: list[tuple[str, str]]) -> list:
    """Select/radio choices from (value, label) pairs, in the form this WTForms wants."""
    if SelectChoice is None:  # pragma: no cover
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


def choices_with_data(rows: list[tuple[str, str, dict[str, str]]]) -> list:
    """Choices whose <option>s carry data- attributes (the page's script filters on them)."""
    if SelectChoice is None:  # pragma: no cover
        return [(value, label) for value, label, _data in rows]
    return [SelectChoice(value, label, render_kw={f"data-{k}": v for k, v in data.items()})
            for value, label, data in rows]


PHASE_CHOICES = choices([
    ("before", _l("Before the activity")),
    ("during", _l("During the activity (a midway check)")),
    ("after", _l("After the activity")),
    ("follow-up", _l("Follow-up (some weeks or months after)")),
    ("once", _l("Once (no comparison over time)")),
])
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class CollectionForm(FlaskForm):
    survey = SelectField(_l("Survey"), validators=[DataRequired(_l("Choose a survey."))])
    school = SelectField(_l("School"), validate_choice=False)
    new_school = StringField(_l("Or type a new school"), validators=[Optional(), Length(max=200)])
    group = StringField(_l("Class or group"), validators=[
        DataRequired(_l("Give the class or group a name, for example 'Year 5 Oak'.")),
        Length(max=200)])
    phase = RadioField(_l("When is this survey given?"), choices=PHASE_CHOICES, default="before",
                       validators=[DataRequired(_l("Choose when the survey is given."))])
    pair_with = SelectField(_l("Pair with (the before or after collection of the same survey)"),
                            coerce=str, validate_choice=False)
    ask_pupil_number = BooleanField(_l("Ask each pupil for their number in the class register "
                                    "so their before and after answers can be matched"))
    #: Shown only when an "after" has no collection of the same survey and class before it.
    after_alone = BooleanField(_l("Yes, this 'after' has no 'before' to compare with"))
    is_comparison = BooleanField(_l("Comparison group (these pupils did not take part in "
                                 "the activity)"))
    pilot = BooleanField(_l("Pilot (a trial run to check the questions: its answers go to the "
                         "pilot report, never into results)"))
    expected_size = IntegerField(_l("How many pupils in the group?"), validators=[
        Optional(), NumberRange(1, 1000, _l("Give a number from 1 to 1000."))])
    opens_at = DateTimeLocalField(_l("Opens (optional)"), format=DATETIME_FORMATS,
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes (optional)"), format=DATETIME_FORMATS,
                                   validators=[Optional()])
    language = SelectField(_l("Language of the pupils' page"), validate_choice=False)
    submit = SubmitField(_l("Create collection"))


class UploadSurveyForm(FlaskForm):
    file = FileField(_l("Survey file (.yaml)"),
                     validators=[FileRequired(_l("Choose a .yaml file."))])
    submit = SubmitField(_l("Check and load"))


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Give an email address.")),
                                            Length(max=254)])
    role = RadioField(_l("Role"), choices=choices([
        ("teacher", _l("Teacher (sees one school)")),
        ("coordinator", _l("Coordinator (sees the whole partnership)"))]), default="teacher")
    school = SelectField(_l("School (teachers)"), validate_choice=False)
    new_school = StringField(_l("Or type a new school"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add account"))


class ActionForm(FlaskForm):
    """A button that changes something: just the CSRF token."""
