"""Answer normalisation: the one gate every answer passes, from the web form or the scanner.

Input is what a form posted (column code -> list of strings); output is the stored values
(column code -> one string; `multi` codes joined with ";" in definition order) and, per
column, a message for the person answering. Anything that is not one of the survey's own
columns or option codes is refused, never stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from forms.definition import Question, Survey
from forms.scales import MULTI, NUMBER, NUMBER_MAX, NUMBER_MIN, SINGLE, TEXT

MAX_TEXT_ANSWER = 2000
MULTI_SEP = ";"
PUPIL_NUMBER_MIN, PUPIL_NUMBER_MAX = 1, 99


@dataclass
class Normalised:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _one(raw: Sequence[str]) -> str:
    vals = [v.strip() for v in raw if v is not None and v.strip()]
    if len(vals) > 1:
        raise ValueError("Please choose only one answer.")
    return vals[0] if vals else ""


def normalise_column(q: Question, raw: Sequence[str]) -> str:
    """The stored value for one column ("" for no answer); ValueError for a bad value."""
    kind = q.kind
    if kind == SINGLE:
        value = _one(raw)
        if value and value not in q.option_codes:
            raise ValueError("That is not one of the answers.")
        return value
    if kind == MULTI:
        chosen = {v.strip() for v in raw if v and v.strip()}
        unknown = chosen - set(q.option_codes)
        if unknown:
            raise ValueError("That is not one of the answers.")
        return MULTI_SEP.join(c for c in q.option_codes if c in chosen)
    if kind == NUMBER:
        value = _one(raw)
        if not value:
            return ""
        # isascii: str.isdigit() also accepts '²', which int() then rejects.
        if not (value.isascii() and value.isdigit()) or not NUMBER_MIN <= int(value) <= NUMBER_MAX:
            raise ValueError(f"Please give a whole number from {NUMBER_MIN} to {NUMBER_MAX}.")
        return str(int(value))
    if kind == TEXT:
        value = "\n".join(v for v in raw if v is not None).strip()
        if len(value) > MAX_TEXT_ANSWER:
            raise ValueError(f"Please keep this under {MAX_TEXT_ANSWER} characters.")
        return value.replace("\x00", "")
    raise AssertionError(kind)


def normalise(survey: Survey, data: Mapping[str, Sequence[str]], *,
              enforce_required: bool = True) -> Normalised:
    """Check and normalise a full set of answers; keys not in `survey.columns` are ignored
    here (callers that must refuse them use `unknown_fields`)."""
    out = Normalised()
    for q in survey.questions:
        for col in q.columns:
            try:
                value = normalise_column(q, data.get(col, ()))
            except ValueError as exc:
                out.errors[col] = str(exc)
                continue
            if value:
                out.values[col] = value
            elif q.required and enforce_required:
                out.errors[col] = "Please answer this question."
    return out


def normalise_pupil_number(raw: str | None) -> int | None:
    """The pupil's number (1-99) or None; ValueError with a child-friendly message."""
    value = (raw or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) \
            or not PUPIL_NUMBER_MIN <= int(value) <= PUPIL_NUMBER_MAX:
        raise ValueError(f"Your number is from {PUPIL_NUMBER_MIN} to {PUPIL_NUMBER_MAX}.")
    return int(value)


def unknown_fields(survey: Survey, keys: Sequence[str], allowed_extra: Sequence[str]) -> list[str]:
    """Posted field names that are neither the survey's columns nor expected extras."""
    known = set(survey.columns) | set(allowed_extra)
    return sorted(k for k in keys if k not in known)
