"""Answer normalisation: the one gate every answer passes, from the web form or the scanner.

Input is what a form posted (column code -> list of strings); output is the stored values
(column code -> one string; `multi` codes joined with ";" in definition order) and, per
column, a message for the person answering. Anything that is not one of the survey's own
columns or option codes is refused, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from forms.definition import Question, SurveyDefinition
from forms.scales import MULTI, NUMBER, NUMBER_MIN, SINGLE, TEXT
from forms.template import DIGIT_NAMES, DIGIT_SUFFIXES, DIGITS

MAX_TEXT_ANSWER = 2000
MULTI_SEP = ";"
#: Pupil numbers run 1-99 by default; a large school may use up to 999 (three digit rows
#: on paper: the app's PUPIL_NUMBER_MAX setting).
PUPIL_NUMBER_MIN, PUPIL_NUMBER_MAX = 1, 99
PUPIL_NUMBER_LIMIT = 999


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
        if value and value not in q.answer_codes:
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
        top = q.number_max
        if not (value.isascii() and value.isdigit()) or len(value) > 7 \
                or not NUMBER_MIN <= int(value) <= top:
            raise ValueError(f"Please give a whole number from {NUMBER_MIN} to {top:,}.")
        return str(int(value))
    if kind == TEXT:
        value = "\n".join(v for v in raw if v is not None).strip()
        if len(value) > MAX_TEXT_ANSWER:
            raise ValueError(f"Please keep this under {MAX_TEXT_ANSWER} characters.")
        return value.replace("\x00", "")
    raise AssertionError(kind)


def normalise(survey: SurveyDefinition, data: Mapping[str, Sequence[str]], *,
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


def normalise_pupil_number(raw: str | None, maximum: int = PUPIL_NUMBER_MAX) -> int | None:
    """The pupil's number (1 to `maximum`, 99 unless a large school's setting says 999) or
    None; ValueError with a child-friendly message."""
    value = (raw or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 4 \
            or not PUPIL_NUMBER_MIN <= int(value) <= maximum:
        raise ValueError(f"Your number is from {PUPIL_NUMBER_MIN} to {maximum}.")
    return int(value)


def pupil_number_digits(maximum: int) -> int:
    """Digit rows the pupil number needs on paper: 2 up to 99, 3 up to 999."""
    return max(2, len(str(maximum)))


def unknown_fields(survey: SurveyDefinition, keys: Sequence[str],
                   allowed_extra: Sequence[str]) -> list[str]:
    """Posted field names that are neither the survey's columns nor expected extras."""
    known = set(survey.columns) | set(allowed_extra)
    return sorted(k for k in keys if k not in known)


# --- paper: marks -> posted answers ------------------------------------------------------

#: The pupil number's answer column on paper (the export's column; not a survey column).
PUPIL_NUMBER = "pupil_number"


class Marks(Protocol):
    """What the scanner (or a person in the review queue) says about one mark group."""

    group: str
    column: str
    kind: str
    digit: int | None
    #: The values clearly marked, in layout order.
    marked: tuple[str, ...]
    #: Set when a person must decide (a faint mark, two marks, a hidden circle).
    reason: str | None


@dataclass
class Posted:
    """Marks turned into what a web form would post: column -> values. `unsure` holds the
    columns a person must decide, with the reason in words; `groups` the mark groups that
    fed each column (for the review crop)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    unsure: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)


def from_marks(survey: SurveyDefinition, marks: Iterable[Marks]) -> Posted:
    """The one place marks become answers: digits folded into a number (the pupil number
    and every number question alike: tens left blank reads as 0), multi kept as a list,
    one value for single. What comes out is judged by `normalise`, as web answers are;
    the pupil number by `normalise_pupil_number`."""
    out = fold_marks(marks)
    known = set(survey.columns) | {PUPIL_NUMBER}
    for column in [c for c in (*out.values, *out.unsure) if c not in known]:
        out.values.pop(column, None)
        out.unsure[column] = "this sheet asks a question its survey does not have"
    return out


def fold_marks(marks: Iterable[Marks]) -> Posted:
    """`from_marks` without the survey: the columns named by the layout's mark groups."""
    out = Posted()
    digits: dict[str, dict[int, Marks]] = {}
    for m in marks:
        out.groups.setdefault(m.column, []).append(m.group)
        if m.kind == DIGITS:
            digits.setdefault(m.column, {})[m.digit] = m
        elif m.reason:
            out.unsure[m.column] = m.reason
        else:
            out.values[m.column] = list(m.marked)
    for column, places in digits.items():
        try:
            number = _fold_digits(places)
        except ValueError as exc:
            out.unsure[column] = str(exc)
            continue
        if column == PUPIL_NUMBER and number:
            # The sheet's digit rows say how large a number it was printed for.
            width = max(2, max(places) + 1)
            try:
                normalise_pupil_number(number, 10 ** width - 1)
            except ValueError:
                out.unsure[column] = f"the number reads {number.zfill(width)}"
                continue
        out.values[column] = [number] if number else []
    return out


@dataclass(frozen=True)
class HandMarks:
    """Marks a person gives in the review queue (same shape as the scanner's)."""

    group: str
    column: str
    kind: str
    digit: int | None
    marked: tuple[str, ...]
    reason: str | None = None


def marks_from_review(survey: SurveyDefinition, column: str,
                      values: Sequence[str]) -> list[HandMarks]:
    """A person's decision in the review queue as marks, so that it goes through
    `from_marks` as the scanner's reading does: a number (or the pupil number) as its
    digit rows, a tick-all answer as its ticks, a single answer as one mark."""
    values = tuple(v.strip() for v in values if v and v.strip())
    kind = NUMBER if column == PUPIL_NUMBER else survey.question_for_column(column).kind
    if kind == NUMBER and len(values) == 1 and values[0].isascii() \
            and values[0].isdigit() and len(values[0]) <= len(DIGIT_SUFFIXES):
        digits = values[0].zfill(2)
        return [HandMarks(column + DIGIT_SUFFIXES[place], column, DIGITS, place, (digit,))
                for place, digit in zip(range(len(digits) - 1, -1, -1), digits, strict=True)]
    return [HandMarks(column, column, MULTI if kind == MULTI else SINGLE, None, values)]


def _fold_digits(places: Mapping[int, Marks]) -> str:
    """"27" from tens 2 and units 7 ("207" from three rows); "" when every row is blank;
    ValueError (in words) when a digit is unsure or doubled, or a row is left blank after
    a higher digit was marked. Leading rows left blank read as 0 ("7" from units only)."""
    order = sorted(places, reverse=True)
    problems = [f"{DIGIT_NAMES[p]}: {places[p].reason}" for p in order if places[p].reason]
    if problems:
        raise ValueError("; ".join(problems))
    got = {p: places[p].marked for p in order}
    for p in order:
        if len(got[p]) > 1:
            raise ValueError(f"{DIGIT_NAMES[p]}: {len(got[p])} digits marked "
                             f"({', '.join(got[p])})")
    digits = ""
    for higher, p in zip([None, *order], order, strict=False):
        if got[p]:
            digits += got[p][0]
        elif digits:
            raise ValueError(f"{DIGIT_NAMES[higher]} digit {digits[-1]} but no "
                             f"{DIGIT_NAMES[p]} digit")
    return str(int(digits)) if digits else ""
