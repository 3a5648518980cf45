"""The validated survey as immutable values: `Option`, `Question`, `SurveyDefinition` (and the
mapping a file writes for one), with what code asks of them (columns, languages, the
canonical dict and its fingerprint). `forms.validation` builds them from files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

import yaml

from forms.rules import RETRO_SUFFIXES, SURVEY_TEXTS
from forms.scales import (
    DONT_KNOW,
    NUMBER_MAX,
    SCALES,
    Scale,
)
from forms.wording import (
    DEFAULT_LANGUAGE,
    phrase,
)

#: A text in the survey's other languages: (language, text) pairs in the order the survey
#: declares its languages. The default language's text is the plain `str` field beside it,
#: so code that reads `question.text` gets the default language unchanged.
Texts = tuple[tuple[str, str], ...]


def _in(lang: str, default: str, texts: Texts) -> str:
    """`default` in `lang`: its translation, or itself when there is none (the fallback)."""
    return next((t for code, t in texts if code == lang), default)


def as_written(text: str, texts: Texts | dict[str, str] | None,
             default_lang: str) -> str | dict[str, str]:
    """A text as a file writes it: a plain string, or {lang: text} when translated."""
    return {default_lang: text, **dict(texts)} if texts else text


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    #: The right answer of a knowledge check (forms.scoring); never shown to the person
    #: answering, on screen or on paper.
    correct: bool = False
    #: `label` in the survey's other languages (a fixed scale's: the phrasebook's words,
    #: or the file's `labels` where it gives them).
    translations: Texts = ()


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    scale: str
    options: tuple[Option, ...]
    required: bool = False
    retrospective: bool = False
    #: Labels given in the file for a fixed scale (kept to write the file back).
    label_overrides: tuple[tuple[str, str], ...] = ()
    measures: str | None = None
    ages: str | None = None
    source: str | None = None
    #: A `number` question's largest answer, when the file sets `max` (default NUMBER_MAX).
    maximum: int | None = None
    #: Offers "I don't know" (scales that allow it), stored as DONT_KNOW: a missing code.
    dont_know: bool = False
    origin: str | None = None
    pilot_n: int | None = None
    #: `text` in the survey's other languages.
    translations: Texts = ()
    #: The `labels` overrides in other languages: (code, ((language, label), ...)).
    label_translations: tuple[tuple[str, Texts], ...] = ()
    #: The language of `text` and the labels (the survey's default language): "I don't
    #: know" is said in it.
    language: str = DEFAULT_LANGUAGE

    def in_language(self, lang: str) -> Question:
        """This question with every text in `lang` (the default language where a text has
        no `lang`), and no translations left."""
        overrides = dict(self.label_translations)
        return replace(
            self, text=_in(lang, self.text, self.translations),
            options=tuple(Option(o.code, _in(lang, o.label, o.translations), o.correct)
                          for o in self.options),
            label_overrides=tuple((c, _in(lang, t, overrides.get(c, ())))
                                  for c, t in self.label_overrides),
            translations=(), label_translations=(), language=lang)

    @property
    def tested(self) -> bool:
        """Called "tested" only when used as published (its `source` names the instrument)
        or piloted with this product (`pilot_n` people answered that pilot)."""
        return self.origin == "published" or bool(self.pilot_n)

    @property
    def evidence(self) -> str:
        """What the question's wording rests on, in words for the builder and the docs."""
        if self.origin == "published":
            said = "Tested: as published"
        elif self.origin == "adapted":
            said = "Adapted from a published instrument"
        elif self.origin == "new":
            said = "Written for this bank"
        else:
            said = ""
        if self.pilot_n:
            pilot = f"piloted with this product (n = {self.pilot_n})"
            return f"{said}; tested: {pilot}" if said else f"Tested: {pilot}"
        if said:
            return f"{said}; not yet piloted in this wording"
        return "Origin not stated; not yet piloted"

    @property
    def scale_def(self) -> Scale:
        return SCALES[self.scale]

    @property
    def kind(self) -> str:
        return self.scale_def.kind

    @property
    def columns(self) -> tuple[str, ...]:
        """The answer columns this question fills (a retrospective item fills two)."""
        if self.retrospective:
            return tuple(self.code + s for s in RETRO_SUFFIXES)
        return (self.code,)

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)

    @property
    def correct_codes(self) -> tuple[str, ...]:
        """The options marked correct: a knowledge check when there are any."""
        return tuple(o.code for o in self.options if o.correct)

    @property
    def number_max(self) -> int:
        """The largest answer a `number` question takes (its digit rows on paper follow)."""
        return self.maximum if self.maximum is not None else NUMBER_MAX

    @property
    def number_digits(self) -> int:
        """Digit rows on paper: as many as the largest answer has digits (at least two)."""
        return max(2, len(str(self.number_max)))

    @property
    def answer_codes(self) -> tuple[str, ...]:
        """Every code an answer may store: the options, and DONT_KNOW where offered (a
        missing code, never a point on the scale: results use `option_codes`)."""
        return self.scale_def.answer_codes(self.option_codes, self.dont_know)

    def label(self, code: str) -> str:
        for o in self.options:
            if o.code == code:
                return o.label
        if code == DONT_KNOW and self.dont_know:
            return phrase("dont_know", self.language)
        return code

    def to_dict(self) -> dict[str, Any]:
        lang = self.language
        d: dict[str, Any] = {"code": self.code,
                             "text": as_written(self.text, self.translations, lang),
                             "scale": self.scale}
        if self.required:
            d["required"] = True
        if self.retrospective:
            d["retrospective"] = True
        if self.scale_def.needs_options:
            d["options"] = [{"code": o.code, "label": as_written(o.label, o.translations, lang),
                             **({"correct": True} if o.correct else {})} for o in self.options]
        if self.maximum is not None:
            d["max"] = self.maximum
        if self.label_overrides:
            more = dict(self.label_translations)
            d["labels"] = {c: as_written(t, more.get(c, ()), lang)
                           for c, t in self.label_overrides}
        for key in ("measures", "ages", "source", "origin", "pilot_n"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if self.dont_know:
            d["dont_know"] = True
        return d


@dataclass(frozen=True)
class SurveyDefinition:
    code: str
    title: str
    audience: str
    questions: tuple[Question, ...]
    intro: str | None = None
    ages: str | None = None
    description: str | None = None
    #: The languages the survey is written in; the first is its default, the language of
    #: the plain `str` fields (and of any text not given in another language).
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    #: Title, intro and description in the other languages: (field, ((language, text), ...)).
    translations: tuple[tuple[str, Texts], ...] = ()

    @property
    def language(self) -> str:
        """The default language: the first the survey declares."""
        return self.languages[0]

    def in_language(self, lang: str) -> SurveyDefinition:
        """The survey as a plain one-language survey in `lang` (every text a `str`; a text
        not given in `lang` falls back to the default language). A `lang` the survey does
        not declare gives the default-language survey. Codes never change, so answers to
        every language's survey are stored and counted alike."""
        if lang not in self.languages:
            lang = self.language
        more = dict(self.translations)
        texts = {f: _in(lang, getattr(self, f), more.get(f, ())) if getattr(self, f) else
                 getattr(self, f) for f in SURVEY_TEXTS}
        return replace(self, **texts, languages=(lang,), translations=(),
                       questions=tuple(q.in_language(lang) for q in self.questions))

    def to_dict(self) -> dict[str, Any]:
        """The canonical form: parsing it again gives an equal survey."""
        return survey_mapping(self, [q.to_dict() for q in self.questions])

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=88)

    @property
    def fingerprint(self) -> str:
        """Short hash of the canonical definition: equal surveys, equal fingerprints."""
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def columns(self) -> tuple[str, ...]:
        """Answer columns in definition order, as in the export."""
        return tuple(c for q in self.questions for c in q.columns)

    @property
    def knowledge_questions(self) -> tuple[Question, ...]:
        """The questions with a right answer: each pupil gets a score (forms.scoring)."""
        return tuple(q for q in self.questions if q.correct_codes)

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(code)

    def question_for_column(self, column: str) -> Question:
        for q in self.questions:
            if column in q.columns:
                return q
        raise KeyError(column)


def survey_mapping(src: Any, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """A survey file's mapping, in the file's key order, from anything with its top-level
    fields (a `SurveyDefinition`, or the builder's draft, which may not be valid yet), and, where it
    has them, `languages` and `translations` ((field, {language: text}) pairs)."""
    languages = tuple(getattr(src, "languages", None) or (DEFAULT_LANGUAGE,))
    more = dict(getattr(src, "translations", None) or ())
    d: dict[str, Any] = {"code": src.code,
                         "title": as_written(src.title, more.get("title"), languages[0]),
                         "audience": src.audience}
    if languages != (DEFAULT_LANGUAGE,):
        d["languages"] = list(languages)
    for key in ("intro", "ages", "description"):
        if getattr(src, key):
            d[key] = as_written(getattr(src, key), more.get(key), languages[0])
    d["questions"] = questions
    return d
