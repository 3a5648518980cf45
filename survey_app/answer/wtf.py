"""The answering form, built from a survey definition at run time.

One field per answer column, chosen from a registry keyed by the scale's kind (Indico's
`make_survey_form` pattern). The fields only carry what was posted: every value is judged
by `forms.answers.normalise`, the one gate shared with the scanner, so the web cannot
accept an answer that paper would refuse. The classes are cached per survey version
fingerprint, because a class of thirty fields costs more to build than to use.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

from flask import request
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from wtforms import Field, HiddenField, StringField, ValidationError

from forms.answers import Normalised, normalise, normalise_pupil_number
from forms.definition import Question, SurveyDefinition
from forms.scales import MULTI, NUMBER, SINGLE, TEXT

#: Posted by the browser's outbox with answers that waited there (a dropped connection):
#: for how long, in ms, measured on the browser's clock at both ends (answer/offline.py).
WAITED_FIELD = "_waited"
#: Posted names that are not answer columns but belong to the form.
FORM_FIELDS = ("csrf_token", "submission_id", "pupil_number", "_shown", WAITED_FIELD,
               "_timings")
SUBMISSION_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: Built classes kept per (fingerprint, asks pupil number); versions are few and frozen.
_CACHE_LIMIT = 512


class AnswerField(Field):
    """One answer column: keeps the posted strings as they came (`raw_data`), for the
    normaliser to judge and for the page to show again after an error."""

    kind = ""

    def __init__(self, question: Question, column: str, **kwargs):
        super().__init__(**kwargs)
        self.question = question
        self.column = column

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = valuelist

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ""

    def is_chosen(self, code: str) -> bool:
        """Whether the option `code` was posted (to tick it again after an error)."""
        return code in (self.raw_data or ())


class SingleChoiceField(AnswerField):
    kind = SINGLE


class MultiChoiceField(AnswerField):
    kind = MULTI


class NumberField(AnswerField):
    kind = NUMBER


class TextAnswerField(AnswerField):
    kind = TEXT

    def _value(self) -> str:
        return "\n".join(self.raw_data or ())


#: Which field answers which kind of scale.
FIELD_FOR_KIND: dict[str, type[AnswerField]] = {
    SINGLE: SingleChoiceField,
    MULTI: MultiChoiceField,
    NUMBER: NumberField,
    TEXT: TextAnswerField,
}


class AnswerForm(FlaskForm):
    """Base of every built form: the per-render submission id and, when the collection
    asks for it, the pupil number; CSRF through Flask-WTF's `validate_csrf`."""

    submission_id = HiddenField()
    survey: SurveyDefinition
    asks_pupil_number: bool = False

    class Meta:
        # CSRF is checked by `csrf_ok` (the same Flask-WTF check, without a field that
        # would mint a fresh token on every POST), so that a stale token re-renders the
        # page with the answers kept instead of a bare 400.
        csrf = False

    @property
    def pupil_number_max(self) -> int:
        """The largest pupil number this installation accepts (99, or up to 999)."""
        from survey_app.pupil_numbers import pupil_number_max

        return pupil_number_max()

    def answer_fields(self, question: Question) -> list[AnswerField]:
        return [self[_attr(col)] for col in question.columns]

    def posted(self) -> dict[str, list[str]]:
        """What was posted for each answer column."""
        return {f.column: f.raw_data or [] for f in self._answer_fields()}

    def _answer_fields(self) -> Iterator[AnswerField]:
        for f in self:
            if isinstance(f, AnswerField):
                yield f

    def ensure_submission_id(self) -> str:
        """Keep a well-formed posted id (a re-render after an error is the same
        submission); otherwise start a new one."""
        sid = self.submission_id.data or ""
        if not SUBMISSION_ID_RE.match(sid):
            sid = secrets.token_urlsafe(16)
            self.submission_id.data = sid
        return sid

    def csrf_ok(self) -> bool:
        """True when the posted CSRF token is valid for this browser session."""
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            return False
        return True

    def add_error(self, column: str, message: str) -> None:
        self[_attr(column)].errors = [message]

    def check_answers(self) -> tuple[Normalised, int | None]:
        """Normalise the answers and the pupil number; put each message on its field."""
        result = normalise(self.survey, self.posted())
        for col, message in result.errors.items():
            self.add_error(col, message)
        number = None
        if self.asks_pupil_number:
            field = self["pupil_number"]
            try:
                number = normalise_pupil_number(field.data, self.pupil_number_max)
            except ValueError as exc:
                field.errors = [str(exc)]
            else:
                if number is None:
                    # English, like forms' messages: the view translates it (answer/messages.py).
                    field.errors = ["Please type your number. Your teacher can tell you it."]
            if field.errors:
                result.errors["pupil_number"] = field.errors[0]
        return result, number


def _attr(column: str) -> str:
    """Attribute name of a column's field: prefixed, so that a question called `data` or
    `errors` cannot shadow the form's own attributes (the HTML name stays the column)."""
    return "a_" + column


_classes: dict[tuple[str, bool], type[AnswerForm]] = {}


def form_class(fingerprint: str, survey: SurveyDefinition,
               ask_pupil_number: bool) -> type[AnswerForm]:
    """The form class for a survey version, built once per process with `type(...)`."""
    key = (fingerprint, ask_pupil_number)
    cls = _classes.get(key)
    if cls is None:
        attrs: dict[str, object] = {"survey": survey, "asks_pupil_number": ask_pupil_number}
        for q in survey.questions:
            field_cls = FIELD_FOR_KIND[q.kind]
            for col in q.columns:
                attrs[_attr(col)] = field_cls(q, col, name=col, label=q.text)
        if ask_pupil_number:
            attrs["pupil_number"] = StringField(lazy_gettext("Your number"))
        cls = type("SurveyForm", (AnswerForm,), attrs)
        if len(_classes) >= _CACHE_LIMIT:
            _classes.clear()
        _classes[key] = cls
    return cls
