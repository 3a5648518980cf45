"""Survey definitions: parse a YAML file into a validated, immutable `Survey`.

Every error names the file, the line and the field, because the people who fix these
files are teachers with a text editor, not programmers with a debugger.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from forms.scales import (
    DONT_KNOW,
    MULTI,
    NUMBER,
    NUMBER_MAX,
    NUMBER_MAX_LIMIT,
    SCALES,
    SINGLE,
    TEXT,
    Scale,
)
from forms.wording import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODE_RE,
    LANGUAGES,
    has_phrasebook,
    phrase,
    scale_labels,
)

#: Who answers a survey. Only pupils get faces and children's sizes; parents (and carers),
#: teachers and schools answer adult scales on screen and on paper.
AUDIENCES = ("pupil", "teacher", "school", "parent")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")

#: The export's fixed columns (and its long format's); a question may not take these codes.
RESERVED_CODES = frozenset(
    {
        "response_id", "survey", "survey_version", "collection_id", "school", "group",
        "phase", "source", "sheet_id", "pupil_number", "pupil_number_tens",
        "pupil_number_units", "submitted_at", "needs_review", "partnership",
        "question_code", "value", "status", "csrf_token", "submission_id",
        "score", "score_max",
    }
)
#: A retrospective item's two answer columns end in these (`<code>_then`, `<code>_now`):
#: the only place they are spelled.
THEN, NOW = RETRO_SUFFIXES = ("_then", "_now")
#: Their names on paper and on screen, and their short names (review, export, results).
RETRO_LABELS = {THEN: phrase("retro_before"), NOW: phrase("retro_now")}
RETRO_SHORT = {THEN: "before", NOW: "now"}


def retro_part(column: str) -> str | None:
    """"before" or "now" for a retrospective column, None for any other."""
    return next((RETRO_SHORT[s] for s in RETRO_SUFFIXES if column.endswith(s)), None)


def retro_columns(code: str) -> tuple[str, str]:
    """The (before, now) answer columns of retrospective item `code`."""
    return (code + THEN, code + NOW)


def retro_labels(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """RETRO_LABELS in `lang` (the phrasebook's words; English where it has none)."""
    return {THEN: phrase("retro_before", lang), NOW: phrase("retro_now", lang)}

#: More questions than this on a pupil survey loses young children (EVALUATION.md).
MAX_PUPIL_QUESTIONS = 12
MAX_QUESTIONS = 60
MAX_TEXT_CHARS = 400
MAX_FILE_BYTES = 256 * 1024

SURVEY_KEYS = ("code", "title", "audience", "languages", "intro", "ages", "description",
               "questions")
#: The survey fields a person reads, which a file may give in several languages.
SURVEY_TEXTS = ("title", "intro", "description")
QUESTION_KEYS = (
    "code", "text", "scale", "required", "retrospective", "options", "labels",
    "measures", "ages", "source", "max", "dont_know", "origin", "pilot_n",
)
#: What an option of a `choice` or `multi` question may say.
OPTION_KEYS = ("code", "label", "correct")
#: Where a (bank) question's wording comes from: used word for word from the published
#: instrument its `source` names, adapted from one (reworded: not tested in this wording),
#: or new (written for this product). Piloting is separate: `pilot_n` (people who answered
#: a pilot of this wording with this product).
ORIGINS = ("published", "adapted", "new")
MAX_PILOT_N = 100_000
#: What bank questions may say they measure (the builder groups them by this).
MEASURES = (
    "enjoyment", "confidence", "knowledge", "interest", "identity", "careers",
    "participation", "teacher_confidence", "teacher_competence", "teacher_interest",
    "satisfaction", "recommend", "partnership", "other",
)


#: A text in the survey's other languages: (language, text) pairs in the order the survey
#: declares its languages. The default language's text is the plain `str` field beside it,
#: so code that reads `question.text` gets the default language unchanged.
Texts = tuple[tuple[str, str], ...]


def _in(lang: str, default: str, texts: Texts) -> str:
    """`default` in `lang`: its translation, or itself when there is none (the fallback)."""
    return next((t for code, t in texts if code == lang), default)


def _wording(text: str, texts: Texts, default_lang: str) -> str | dict[str, str]:
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
                             "text": _wording(self.text, self.translations, lang),
                             "scale": self.scale}
        if self.required:
            d["required"] = True
        if self.retrospective:
            d["retrospective"] = True
        if self.scale_def.needs_options:
            d["options"] = [{"code": o.code, "label": _wording(o.label, o.translations, lang),
                             **({"correct": True} if o.correct else {})} for o in self.options]
        if self.maximum is not None:
            d["max"] = self.maximum
        if self.label_overrides:
            more = dict(self.label_translations)
            d["labels"] = {c: _wording(t, more.get(c, ()), lang)
                           for c, t in self.label_overrides}
        for key in ("measures", "ages", "source", "origin", "pilot_n"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if self.dont_know:
            d["dont_know"] = True
        return d


@dataclass(frozen=True)
class Survey:
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

    def in_language(self, lang: str) -> Survey:
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
        d = survey_mapping(self, [q.to_dict() for q in self.questions])
        for field, texts in self.translations:
            d[field] = _wording(d[field], texts, self.language)
        if self.languages == (DEFAULT_LANGUAGE,):
            return d
        head = ("code", "title", "audience")
        return {**{k: d[k] for k in head}, "languages": list(self.languages),
                **{k: v for k, v in d.items() if k not in head}}

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
    fields (a `Survey`, or the builder's draft, which may not be valid yet)."""
    d: dict[str, Any] = {"code": src.code, "title": src.title, "audience": src.audience}
    for key in ("intro", "ages", "description"):
        if getattr(src, key):
            d[key] = getattr(src, key)
    d["questions"] = questions
    return d


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file, located for the person fixing it."""

    file: str
    line: int | None
    message: str
    question: str | None = None
    field: str | None = None
    #: Worth fixing, but the survey still works (a text missing in one of its languages
    #: falls back to the default language): reported by `forms check`, never refused.
    warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"question '{self.question}': " if self.question else ""
        if self.field and not self.question:
            what = f"{self.field}: "
        return f"{where}: {'warning: ' if self.warning else ''}{what}{self.message}"


class DefinitionError(ValueError):
    """A survey file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- YAML with line numbers ------------------------------------------------------------


class _Map(dict):
    line: int
    lines: dict[str, int]


class _Seq(list):
    line: int
    lines: list[int]


_SCALARS = yaml.SafeLoader("")


def _plain(node: yaml.Node, depth: int = 0) -> Any:
    """Turn a composed YAML node into dicts/lists/scalars that remember their lines."""
    if depth > 20:
        raise _TooDeep(node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = _Map()
        out.line, out.lines = node.start_mark.line + 1, {}
        for k_node, v_node in node.value:
            key = _plain(k_node, depth + 1)
            key = str(key) if not isinstance(key, dict | list) else repr(key)
            out[key] = _plain(v_node, depth + 1)
            out.lines[key] = k_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = _Seq(_plain(v, depth + 1) for v in node.value)
        seq.line = node.start_mark.line + 1
        seq.lines = [v.start_mark.line + 1 for v in node.value]
        return seq
    return _SCALARS.construct_object(node)


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


ALIASES_REFUSED = ("anchors and aliases ('&name' and '*name') are not allowed in a survey "
                   "file: write each question out in full")


class _AliasFound(Exception):
    def __init__(self, line: int):
        self.line = line


class _NoAliasLoader(yaml.SafeLoader):
    """A loader that refuses anchors and aliases before composing anything: nobody writes
    them in a survey, and expanding them is how a 500-byte file ("billion laughs") makes
    millions of nodes."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasFound(event.start_mark.line + 1)
        return super().compose_node(parent, index)


def _compose(text: str, file: str) -> Any:
    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)
    except _AliasFound as exc:
        raise DefinitionError([Problem(file, exc.line, ALIASES_REFUSED)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DefinitionError([Problem(file, line, f"not valid YAML: {problem}")]) from None
    except RecursionError:
        # PyYAML's parser recurses per nesting level; "[[[[..." thousands deep exhausts it.
        raise DefinitionError([Problem(file, None, "nested too deeply")]) from None
    if node is None:
        raise DefinitionError([Problem(file, 1, "the file is empty")])
    try:
        return _plain(node)
    except _TooDeep as exc:
        raise DefinitionError([Problem(file, exc.line, "nested too deeply")]) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise DefinitionError([Problem(file, None, f"not valid YAML: {exc}")]) from None


# --- validation ------------------------------------------------------------------------


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)

    @property
    def default(self) -> str:
        return self.languages[0]

    def add(self, line: int | None, message: str, *, question: str | None = None,
            field: str | None = None) -> None:
        self.problems.append(Problem(self.file, line, message, question, field))

    def warn(self, line: int | None, message: str, *, question: str | None = None,
             field: str | None = None) -> None:
        self.warnings.append(Problem(self.file, line, message, question, field, warning=True))

    def wording(self, raw: Any, line: int, name: str, *, question: str | None = None,
                required: bool = True) -> tuple[str | None, Texts]:
        """A text a person reads: a plain string (the default language) or a mapping
        {language: text}. Returns the default language's text and the others'; warns
        about each declared language it lacks (that language shows the default's)."""
        if not isinstance(raw, dict):
            value = self.text(raw, line, name, question=question, required=required)
            if value is not None and len(self.languages) > 1:
                self._missing(line, name, self.languages[1:], question)
            return value, ()
        found: dict[str, str] = {}
        for key, value in raw.items():
            kline = raw.lines.get(key, line) if isinstance(raw, _Map) else line
            if key not in self.languages:
                self.add(kline, f"'{name}' is given in '{key}', which is not one of the "
                         f"survey's languages ({', '.join(self.languages)}): add it to "
                         "'languages' at the top of the file, or fix the code",
                         question=question, field=name)
                continue
            text = self.text(value, kline, name, question=question)
            if text is not None:
                found[key] = text
        if self.default not in raw:
            self.add(line, f"'{name}' has no '{self.default}' text: the survey's first "
                     "language is what the others fall back to, so every text needs it",
                     question=question, field=name)
        missing = [lang for lang in self.languages if lang not in raw]
        if self.default in raw and missing:
            self._missing(line, name, missing, question)
        texts = tuple((lang, found[lang]) for lang in self.languages[1:] if lang in found)
        return found.get(self.default), texts

    def _missing(self, line: int | None, name: str, langs: Iterable[str],
                 question: str | None) -> None:
        langs = list(langs)
        self.warn(line, f"'{name}' has no {' or '.join(langs)} text (it shows in "
                  f"'{self.default}' instead)", question=question, field=name)

    def text(self, raw: Any, line: int, name: str, *, question: str | None = None,
             required: bool = True) -> str | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.add(line, f"'{name}' is empty", question=question, field=name)
            return None
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            self.add(line, f"'{name}' must be text", question=question, field=name)
            return None
        value = " ".join(str(raw).split()) if name != "intro" else str(raw).strip()
        if len(value) > MAX_TEXT_CHARS * (4 if name in ("intro", "description") else 1):
            self.add(line, f"'{name}' is too long ({len(value)} characters)",
                     question=question, field=name)
        return value

    def flag(self, raw: Any, line: int, name: str, question: str) -> bool:
        if raw is None:
            return False
        if not isinstance(raw, bool):
            self.add(line, f"'{name}' must be true or false, not {raw!r}",
                     question=question, field=name)
            return False
        return raw


def _line(m: Any, key: str) -> int:
    return m.lines.get(key, m.line) if isinstance(m, _Map) else 0


def _options(c: _Checker, q: _Map, code: str, scale: Scale) -> tuple[Option, ...]:
    raw = q.get("options")
    line = _line(q, "options")
    if not scale.needs_options:
        if isinstance(raw, list) and any(isinstance(o, dict) and "correct" in o for o in raw):
            c.add(line, f"scale '{scale.name}' cannot have a correct answer: only 'choice' "
                  "and 'multi' questions can (for a yes/no check, use scale: choice with "
                  "options Yes and No, and mark the right one 'correct: true')",
                  question=code, field="options")
        elif raw is not None:
            c.add(line, f"scale '{scale.name}' has fixed options; use 'labels' to reword them",
                  question=code, field="options")
        return _fixed_options(c, scale)
    if not isinstance(raw, list) or len(raw) < 2:
        c.add(line, f"scale '{scale.name}' needs a list of at least 2 'options'",
              question=code, field="options")
        return ()
    out: list[Option] = []
    marked = False  # some option says `correct:` at all (true or false)
    for i, item in enumerate(raw):
        iline = raw.lines[i] if isinstance(raw, _Seq) else line
        correct = False
        if isinstance(item, dict):
            ocode, label = item.get("code"), item.get("label")
            for key in item:
                if key not in OPTION_KEYS:
                    c.add(iline, f"unknown field '{key}' in an option (expected one of "
                          f"{', '.join(OPTION_KEYS)})", question=code, field="options")
            if "correct" in item:
                marked = True
                correct = c.flag(item.get("correct"), iline, "correct", code)
        elif isinstance(item, str | int) and not isinstance(item, bool):
            ocode, label = item, item
        else:
            c.add(iline, "each option needs a 'code' and a 'label'", question=code,
                  field="options")
            continue
        ocode = str(ocode) if isinstance(ocode, str | int) and not isinstance(ocode, bool) else ""
        if not OPTION_CODE_RE.match(ocode):
            c.add(iline, f"bad option code {ocode!r} (use lower-case letters, digits and _)",
                  question=code, field="options")
            continue
        if ocode in (o.code for o in out):
            c.add(iline, f"option code '{ocode}' is used twice", question=code, field="options")
            continue
        lline = item.lines.get("label", iline) if isinstance(item, _Map) else iline
        text, texts = c.wording(label, lline, "label", question=code)
        if text is not None:
            out.append(Option(ocode, text, correct, texts))
    right = sum(o.correct for o in out)
    if marked and not right:
        c.add(line, "no option is marked 'correct: true': mark the right answer, or take "
              "'correct' away if this question has no right answer", question=code,
              field="options")
    elif right and right == len(out) and len(out) == len(raw):
        c.add(line, "every option is marked correct, so every answer would score: mark "
              "only the right answer(s)", question=code, field="options")
    return tuple(out)


def _fixed_options(c: _Checker, scale: Scale) -> tuple[Option, ...]:
    """A fixed scale's options, labelled in the default language with the phrasebook's
    words in each other language it has (forms.wording)."""
    others = [lang for lang in c.languages[1:] if has_phrasebook(lang)]
    words = {lang: scale_labels(scale.name, lang) for lang in c.languages}
    return tuple(Option(code, words[c.default][i], translations=tuple(
        (lang, words[lang][i]) for lang in others)) for i, code in enumerate(scale.codes))


def _label_overrides(c: _Checker, q: _Map, code: str, scale: Scale,
                     options: tuple[Option, ...]
                     ) -> tuple[tuple[Option, ...], tuple, tuple[tuple[str, Texts], ...]]:
    raw = q.get("labels")
    unworded = [lang for lang in c.languages if not has_phrasebook(lang)]
    if options and not scale.needs_options and unworded:
        given = raw if isinstance(raw, dict) else {}
        bare = [lang for lang in unworded if not all(
            isinstance(given.get(o.code), dict) and lang in given[o.code] for o in options)]
        if bare:
            c.warn(_line(q, "scale"), f"the phrasebook has no {' or '.join(bare)} words for "
                   f"scale '{scale.name}', so its answers show in English there: give every "
                   f"label in {' and '.join(bare)} under 'labels'", question=code,
                   field="labels")
    if raw is None:
        return options, (), ()
    line = _line(q, "labels")
    if scale.needs_options or not scale.codes:
        c.add(line, f"scale '{scale.name}' takes no 'labels'", question=code, field="labels")
        return options, ()
    if not isinstance(raw, dict):
        c.add(line, "'labels' must map option codes to words, like {1: 'No', 3: 'Yes'}",
              question=code, field="labels")
        return options, (), ()
    overrides: dict[str, tuple[str, Texts]] = {}
    for key, value in raw.items():
        kline = raw.lines.get(key, line) if isinstance(raw, _Map) else line
        if key not in scale.codes:
            c.add(kline, f"'labels' names code {key!r}, which scale '{scale.name}' does not "
                  f"have (its codes are {', '.join(scale.codes)})", question=code,
                  field="labels")
            continue
        text, texts = c.wording(value, kline if kline is not None else line, "label",
                                question=code)
        if text is not None:
            overrides[key] = (text, texts)
    # An override missing in a language falls back to the default language's override
    # (its meaning differs from the scale's own words), never to the phrasebook.
    new = tuple(Option(o.code, overrides[o.code][0], translations=overrides[o.code][1])
                if o.code in overrides else o for o in options)
    ordered = [k for k in scale.codes if k in overrides]
    return (new, tuple((k, overrides[k][0]) for k in ordered),
            tuple((k, overrides[k][1]) for k in ordered if overrides[k][1]))


def _question(c: _Checker, q: Any, line: int, index: int, seen: dict[str, int]) -> Question | None:
    if not isinstance(q, _Map):
        c.add(line, f"question {index + 1} must be a mapping with code, text and scale",
              field="questions")
        return None
    raw_code = q.get("code")
    code = raw_code if isinstance(raw_code, str) else None
    label = code or f"#{index + 1}"
    for key in q:
        if key not in QUESTION_KEYS:
            c.add(_line(q, key), f"unknown field '{key}' (expected one of "
                  f"{', '.join(QUESTION_KEYS)})", question=label, field=key)
    if code is None or not CODE_RE.match(code):
        c.add(_line(q, "code"), f"bad code {raw_code!r}: use a lower-case letter, then "
              "letters, digits or _", question=label, field="code")
        code = None
    elif code in RESERVED_CODES:
        c.add(_line(q, "code"), f"code '{code}' is reserved for the export's own columns",
              question=label, field="code")
    elif code.endswith(RETRO_SUFFIXES):
        c.add(_line(q, "code"), "a code may not end in _then or _now (retrospective items "
              "add those)", question=label, field="code")
    elif code in seen:
        c.add(_line(q, "code"), f"duplicate code '{code}' (first used on line {seen[code]})",
              question=label, field="code")
    else:
        seen[code] = _line(q, "code")
    text, texts = c.wording(q.get("text"), _line(q, "text"), "text", question=label)
    raw_scale = q.get("scale")
    scale = SCALES.get(raw_scale) if isinstance(raw_scale, str) else None
    if scale is None:
        c.add(_line(q, "scale"), f"unknown scale {raw_scale!r} (expected one of "
              f"{', '.join(SCALES)})" if raw_scale is not None else "'scale' is missing "
              f"(expected one of {', '.join(SCALES)})", question=label, field="scale")
        return None
    required = c.flag(q.get("required"), _line(q, "required"), "required", label)
    retro = c.flag(q.get("retrospective"), _line(q, "retrospective"), "retrospective", label)
    if retro and not scale.can_be_retrospective:
        c.add(_line(q, "retrospective"), f"scale '{scale.name}' cannot be asked "
              "retrospectively (use a rating scale such as faces3 or confidence5)",
              question=label, field="retrospective")
    dont_know = c.flag(q.get("dont_know"), _line(q, "dont_know"), "dont_know", label)
    if dont_know and not scale.offers_dont_know:
        offered = ", ".join(s.name for s in SCALES.values() if s.offers_dont_know)
        c.add(_line(q, "dont_know"), f"scale '{scale.name}' has no \"I don't know\" answer "
              f"(only {offered} do)", question=label, field="dont_know")
    options = _options(c, q, label, scale)
    options, overrides, label_texts = _label_overrides(c, q, label, scale, options)
    meta = {}
    for key in ("measures", "ages", "source"):
        meta[key] = c.text(q.get(key), _line(q, key), key, question=label, required=False)
    if meta["measures"] and meta["measures"] not in MEASURES:
        c.add(_line(q, "measures"), f"unknown 'measures' value '{meta['measures']}' (expected "
              f"one of {', '.join(MEASURES)})", question=label, field="measures")
    maximum = _maximum(c, q, label, scale)
    meta.update(_evidence(c, q, label, meta["source"]))
    if code is None or text is None:
        return None
    return Question(code=code, text=text, scale=scale.name, options=options, required=required,
                    retrospective=retro, label_overrides=overrides, maximum=maximum,
                    dont_know=bool(dont_know and scale.offers_dont_know), translations=texts,
                    label_translations=label_texts, language=c.default, **meta)


def _maximum(c: _Checker, q: _Map, code: str, scale: Scale) -> int | None:
    """A `number` question's `max` (1 to NUMBER_MAX_LIMIT), None when not given."""
    raw = q.get("max")
    if raw is None:
        return None
    line = _line(q, "max")
    if scale.kind != NUMBER:
        c.add(line, f"only 'number' questions take 'max' (this one is '{scale.name}')",
              question=code, field="max")
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= NUMBER_MAX_LIMIT:
        c.add(line, f"'max' must be a whole number from 1 to {NUMBER_MAX_LIMIT:,} (without "
              f"commas), not {raw!r}", question=code, field="max")
        return None
    return raw


def _evidence(c: _Checker, q: _Map, label: str, source: str | None) -> dict[str, Any]:
    """`origin` and `pilot_n`: a claim about a published instrument needs a `source` naming
    it, and a pilot needs its number of people, so "tested" is never claimed bare."""
    origin, pilot_n = q.get("origin"), q.get("pilot_n")
    if origin is not None and origin not in ORIGINS:
        c.add(_line(q, "origin"), f"unknown 'origin' {origin!r} (expected one of "
              f"{', '.join(ORIGINS)})", question=label, field="origin")
        origin = None
    if origin in ("published", "adapted") and not source:
        c.add(_line(q, "origin"), f"origin '{origin}' needs a 'source' naming the published "
              "instrument", question=label, field="source")
    if pilot_n is not None and (not isinstance(pilot_n, int) or isinstance(pilot_n, bool)
                                or not 1 <= pilot_n <= MAX_PILOT_N):
        c.add(_line(q, "pilot_n"), f"'pilot_n' must be the number of people in the pilot "
              f"(1 to {MAX_PILOT_N}), not {pilot_n!r}", question=label, field="pilot_n")
        pilot_n = None
    return {"origin": origin, "pilot_n": pilot_n}


def parse_survey(text: str, file: str = "<survey>",
                 warnings: list[Problem] | None = None) -> Survey:
    """Parse and validate one survey definition; raise `DefinitionError` listing every problem.
    Warnings (a text missing in one of the survey's languages) go to `warnings` if given."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise DefinitionError([Problem(file, None, f"the file is larger than "
                                       f"{MAX_FILE_BYTES // 1024} KB; is it a survey?")])
    return _validate(_compose(text, file), file, warnings)


def read_yaml(text: str, file: str = "<survey>") -> Any:
    """A survey file's YAML as dicts and lists (not yet validated), refused as
    `parse_survey` refuses it: aliases, too deep, not YAML (for the builder's upload)."""
    return _compose(text, file)


def _languages(c: _Checker, doc: _Map) -> tuple[str, ...]:
    """The survey's `languages` (default: English only); the first is its default."""
    raw = doc.get("languages")
    if raw is None:
        return (DEFAULT_LANGUAGE,)
    line = _line(doc, "languages")
    if not isinstance(raw, list) or not raw:
        c.add(line, "'languages' must be a list of language codes, the default first, like "
              "[en, cy]", field="languages")
        return (DEFAULT_LANGUAGE,)
    out: list[str] = []
    for i, item in enumerate(raw):
        iline = raw.lines[i] if isinstance(raw, _Seq) and raw.lines[i] else line
        code = item if isinstance(item, str) else repr(item)
        if not LANGUAGE_CODE_RE.match(code) or code not in LANGUAGES:
            c.add(iline, f"unknown language code {code!r} in 'languages' (use a lower-case "
                  f"code: {', '.join(LANGUAGES)})", field="languages")
        elif code in out:
            c.add(iline, f"language '{code}' is listed twice in 'languages'",
                  field="languages")
        else:
            out.append(code)
    return tuple(out) or (DEFAULT_LANGUAGE,)


def _validate(doc: Any, file: str, warnings: list[Problem] | None = None) -> Survey:
    c = _Checker(file)
    if not isinstance(doc, _Map):
        raise DefinitionError([Problem(file, getattr(doc, "line", 1), "a survey file must be a "
                                       "mapping with code, title, audience and questions")])
    for key in doc:
        if key not in SURVEY_KEYS:
            c.add(_line(doc, key), f"unknown field '{key}' (expected one of "
                  f"{', '.join(SURVEY_KEYS)})", field=key)
    c.languages = _languages(c, doc)
    code = doc.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        c.add(_line(doc, "code"), f"bad survey code {code!r}: use a lower-case letter, then "
              "letters, digits or _", field="code")
    title, title_texts = c.wording(doc.get("title"), _line(doc, "title"), "title")
    audience = doc.get("audience")
    if audience not in AUDIENCES:
        c.add(_line(doc, "audience"), f"unknown audience {audience!r} (expected "
              f"{', '.join(AUDIENCES[:-1])} or {AUDIENCES[-1]})", field="audience")
    intro, intro_texts = c.wording(doc.get("intro"), _line(doc, "intro"), "intro",
                                   required=False)
    ages = c.text(doc.get("ages"), _line(doc, "ages"), "ages", required=False)
    description, description_texts = c.wording(doc.get("description"),
                                               _line(doc, "description"), "description",
                                               required=False)
    raw_questions = doc.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        c.add(_line(doc, "questions"), "'questions' must be a list with at least one question",
              field="questions")
    else:
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_questions):
            line = raw_questions.lines[i] if isinstance(raw_questions, _Seq) else None
            q = _question(c, raw, line, i, seen)
            if q is not None:
                questions.append(q)
        limit = MAX_PUPIL_QUESTIONS if audience == "pupil" else MAX_QUESTIONS
        if len(raw_questions) > limit:
            c.add(_line(doc, "questions"), f"{len(raw_questions)} questions is too many for a "
                  f"{audience} survey (at most {limit}; children tire quickly)"
                  if audience == "pupil" else f"{len(raw_questions)} questions is too many "
                  f"(at most {limit})", field="questions")
    if c.problems:
        raise DefinitionError(c.problems)
    if warnings is not None:
        warnings.extend(c.warnings)
    texts = (("title", title_texts), ("intro", intro_texts),
             ("description", description_texts))
    return Survey(code=code, title=title, audience=audience, questions=tuple(questions),
                  intro=intro, ages=ages, description=description, languages=c.languages,
                  translations=tuple((f, t) for f, t in texts if t))


def load_survey(path: str | Path, warnings: list[Problem] | None = None) -> Survey:
    """Read and validate a survey file (warnings, if a list is given, as `parse_survey`)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DefinitionError([Problem(str(path), None, f"cannot read the file: "
                                       f"{exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError([Problem(str(path), None, "the file is not UTF-8 text; save it "
                                       "as UTF-8")]) from None
    return parse_survey(text, str(path), warnings)


def survey_from_dict(data: dict[str, Any], file: str = "<stored>") -> Survey:
    """Rebuild a survey from its canonical dict (as stored in the database), validated by
    the same rules as a file. The dict is checked as it is, never re-read as YAML text, so
    every character (emoji included) comes back unchanged."""
    return _validate(_lined(data), file)


def _lined(value: Any) -> Any:
    """Plain dicts and lists as the validator's `_Map`/`_Seq` (no line numbers to give)."""
    if isinstance(value, dict):
        out = _Map((str(k), _lined(v)) for k, v in value.items())
        out.line, out.lines = None, {}
        return out
    if isinstance(value, list | tuple):
        seq = _Seq(_lined(v) for v in value)
        seq.line, seq.lines = None, [None] * len(seq)
        return seq
    return value


def check_files(paths: Iterable[str | Path], *, warnings: bool = False) -> list[Problem]:
    """Validate many files (directories: every *.yaml inside); return every problem, and
    with `warnings` the warnings too (`Problem.warning`) of the files that load."""
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        files = sorted(path.glob("**/*.yaml")) if path.is_dir() else [path]
        for f in files:
            found: list[Problem] = []
            try:
                load_survey(f, found)
            except DefinitionError as exc:
                problems.extend(exc.problems)
            if warnings:
                problems.extend(found)
    return problems


__all__ = [
    "AUDIENCES", "MULTI", "NUMBER", "ORIGINS", "SINGLE", "TEXT", "DefinitionError", "Option",
    "Problem", "Question", "Survey", "Texts", "check_files", "load_survey", "parse_survey",
    "read_yaml", "retro_labels", "survey_from_dict",
]
