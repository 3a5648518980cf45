"""The "Print paper copies" form (CSRF comes with FlaskForm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from survey_app.admin.wtf import choices
from survey_app.paper.operations import MAX_COPIES

KIND_CHOICES = choices([
    ("pack", _l("One sheet per pupil")),
    ("numbered", _l("One sheet per pupil, with their pupil number printed on it")),
    ("master", _l("One master sheet to photocopy")),
])
#: Offered only for a parent survey (survey_app.paper.letters).
LETTERS_CHOICE = choices([("letters", _l("Letters home: one letter per pupil with a reply "
                                         "slip for the parents to tear off and send back"))])
PAPER_CHOICES = choices([("a4", _l("A4")), ("letter", _l("US Letter"))])


class PrintForm(FlaskForm):
    kind = RadioField(_l("What to print"), choices=KIND_CHOICES, default="pack")
    copies = IntegerField(_l("How many sheets?"), validators=[
        Optional(), NumberRange(1, MAX_COPIES,
                                _l("Give a number from 1 to %(max)s.", max=MAX_COPIES))])
    numbers = StringField(_l("Pupil numbers"), validators=[Optional()])
    paper = RadioField(_l("Paper"), choices=PAPER_CHOICES, default="a4")
    #: Choices from the survey's languages (survey_app.paper.operations.language_choices).
    language = RadioField(_l("Language of the sheets"), choices=[], validate_choice=False)
    letter = TextAreaField(_l("The letter's text"), validators=[Optional()])
