"""Values from a survey file or a posted form, taken as they come, and the other languages'
words carried along with the words they translate.

A file may be wrong in any way and a form may be tampered with: these helpers turn what is
there into plain strings, numbers and mappings, leaving the judging to `forms`' checker.
Shared by the draft (`draft.py`) and its questions (`question.py`), which read the same
kinds of raw value.
"""

from __future__ import annotations

import json
from typing import Any

from forms.definition import SURVEY_TEXTS


def raw_maximum(raw: Any) -> int | None:
    """A `max` carried through the builder: a whole number, or nothing (the survey's
    checker judges its range)."""
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def raw_pilot_n(value: Any) -> int | None:
    """A pilot's size as given (the validator judges it), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_str(value: Any) -> str:
    """Any value from a file or form as the text a field shows (never an error)."""
    if value is None:
        return ""
    if isinstance(value, dict) and value:  # words in several languages: the first
        return as_str(next(iter(value.values())))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, str | int | float) else json.dumps(value)


def with_of(text: str, more: dict[str, Any], options: dict[str, str],
            labels: dict[str, str]) -> dict[str, Any]:
    """A question's translations with the first-language words they translate ("of")."""
    more = {k: v for k, v in more.items() if v}
    if not more:
        return {}
    return {**more, "of": {"text": text, "options": options, "labels": labels}}


def raw_translations(raw: dict) -> dict[str, Any]:
    """The other languages' words of a question mapping as written in a file (its texts
    given as {language: words}); the first language's words are the plain fields."""
    options = [o for o in raw.get("options") or () if isinstance(o, dict)] \
        if isinstance(raw.get("options"), list) else []
    labels = as_dict(raw.get("labels"))
    return with_of(as_str(raw.get("text")), {
        "text": other_languages(raw.get("text")),
        "options": {as_str(o.get("code")): other_languages(o.get("label"))
                    for o in options if other_languages(o.get("label"))},
        "labels": {as_str(c): other_languages(v) for c, v in labels.items()
                   if other_languages(v)}},
        {as_str(o.get("code")): as_str(o.get("label")) for o in options},
        {as_str(c): as_str(v) for c, v in labels.items()})


def default_first(value: Any, lang: str) -> Any:
    """A file's mappings with the `lang` key first wherever there is one, so that "the
    first language's words" of a text are its default language's."""
    if isinstance(value, list):
        return [default_first(v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: default_first(v, lang) for k, v in value.items()}
    return {lang: out[lang], **out} if lang in out else out


def other_languages(value: Any) -> dict[str, Any]:
    """Words in several languages ({language: words}) but the first (the plain field)."""
    return dict(list(value.items())[1:]) if isinstance(value, dict) else {}


def as_dict(value: Any) -> dict:
    """A mapping, or an empty one where a file or form has something else."""
    return value if isinstance(value, dict) else {}


def survey_of(src: Any, more: dict[str, Any]) -> dict[str, Any]:
    """A survey's title/intro/description translations with the first-language words they
    translate ("of"), from a `SurveyDefinition` or a file's mapping."""
    if not more:
        return {}
    get = src.get if isinstance(src, dict) else lambda f: getattr(src, f)
    return {**more, "of": {f: as_str(get(f)) or "" for f in SURVEY_TEXTS}}


def one_line(text: str) -> str:
    """Typed words on one line (a title or question text); also `operations.py`'s."""
    return " ".join(text.split())
