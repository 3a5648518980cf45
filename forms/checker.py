"""The validator's notebook: `Checker` collects problems and warnings as it reads, and
checks the texts a person reads (in each of the survey's languages) and the flags;
`survey_languages` reads the survey's own `languages` list, which every later text is
checked against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from forms.rules import MAX_TEXT_CHARS
from forms.survey_types import Texts
from forms.survey_yaml import LinedList, LinedMap, Problem
from forms.wording import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODE_RE,
    LANGUAGES,
)


class Checker:
    """The notebook one validation writes in: its problems and warnings, by line. Shared by
    `validation.py` (the survey) and `question_checks.py` (each question)."""

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
            kline = raw.lines.get(key, line) if isinstance(raw, LinedMap) else line
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


def line_of(m: Any, key: str) -> int:
    """The line of `key` in a `LinedMap` (0 for a survey built in code); for every check."""
    return m.lines.get(key, m.line) if isinstance(m, LinedMap) else 0


def survey_languages(c: Checker, doc: LinedMap) -> tuple[str, ...]:
    """The survey's `languages` (default: English only); the first is its default."""
    raw = doc.get("languages")
    if raw is None:
        return (DEFAULT_LANGUAGE,)
    line = line_of(doc, "languages")
    if not isinstance(raw, list) or not raw:
        c.add(line, "'languages' must be a list of language codes, the default first, like "
              "[en, cy]", field="languages")
        return (DEFAULT_LANGUAGE,)
    out: list[str] = []
    for i, item in enumerate(raw):
        iline = raw.lines[i] if isinstance(raw, LinedList) and raw.lines[i] else line
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
