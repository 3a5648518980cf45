"""The "Print paper copies" form (CSRF comes with FlaskForm)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.validators import NumberRange, Optional

from survey_app.admin.wtf import choices
from survey_app.paper.operations import MAX_COPIES

KIND_CHOICES = choices([
    ("pack", "One sheet per pupil"),
    ("numbered", "One sheet per pupil, with their pupil number printed on it"),
    ("master", "One master sheet to photocopy"),
])
PAPER_CHOICES = choices([("a4", "A4"), ("letter", "US Letter")])


class PrintForm(FlaskForm):
    kind = RadioField("What to print", choices=KIND_CHOICES, default="pack")
    copies = IntegerField("How many sheets?", validators=[
        Optional(), NumberRange(1, MAX_COPIES, f"Give a number from 1 to {MAX_COPIES}.")])
    numbers = StringField("Pupil numbers", validators=[Optional()])
    paper = RadioField("Paper", choices=PAPER_CHOICES, default="a4")
