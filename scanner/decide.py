"""The decision table: bubble darkness -> answers, blanks, or review items. Nothing is guessed.

Each bubble is clearly empty, clearly marked, or unsure (between the two thresholds of
`tuning`). A question is answered only when every one of its bubbles is clear; anything
else goes to a person with the reason in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner import tuning
from scanner.results import EMPTY, MARKED, UNSURE

PUPIL_TENS, PUPIL_UNITS, PUPIL_NUMBER = "pupil_number_tens", "pupil_number_units", "pupil_number"


def classify(d: float) -> str:
    if d < tuning.EMPTY_BELOW:
        return EMPTY
    if d > tuning.MARKED_ABOVE:
        return MARKED
    return UNSURE


#: Scores standing for "marked" and "unsure" when the evidence is not the inner darkness.
_MARKED_SCORE = 0.5
_UNSURE_SCORE = (tuning.EMPTY_BELOW + tuning.MARKED_ABOVE) / 2


def score(darkness: float, circle: float = 0.0, face: float = 0.0,
          between: bool = False) -> float:
    """One bubble's evidence as the one figure `classify` reads: the inner darkness, raised
    to marked by a circle drawn round the bubble or a coloured face, and to at least unsure
    by half a circle, a faintly coloured face or a mark between it and a neighbour. NaN (the
    printed ring not seen) stays NaN: nothing is read where the bubble cannot be seen, but a
    circle drawn round it."""
    if darkness != darkness:
        # The ring not seen: nothing is read, unless a whole circle was drawn round it (the
        # drawn line beside the printed one is what hid it from the ring fit).
        return _MARKED_SCORE if circle >= tuning.CIRCLE_MARKED else darkness
    s = darkness
    if circle >= tuning.CIRCLE_MARKED or face >= tuning.FACE_MARKED:
        s = max(s, _MARKED_SCORE)
    elif circle >= tuning.CIRCLE_UNSURE or face >= tuning.FACE_UNSURE or between:
        if s < tuning.EMPTY_BELOW:
            s = _UNSURE_SCORE
    return s


def confidence(d: float) -> float:
    """0 at or between the thresholds; 1 for spotless paper, and for a mark
    `CONFIDENCE_SPAN` beyond the marked threshold."""
    if d < tuning.EMPTY_BELOW:
        return round((tuning.EMPTY_BELOW - d) / tuning.EMPTY_BELOW, 3)
    if d > tuning.MARKED_ABOVE:
        return round(min(1.0, (d - tuning.MARKED_ABOVE) / tuning.CONFIDENCE_SPAN), 3)
    return 0.0


@dataclass(frozen=True)
class Decision:
    """One column's outcome: `review` is None for a confident value ("" is blank)."""

    question: str
    value: str
    confidence: float
    review: str | None = None
    candidates: tuple[str, ...] = ()


def _faint(values: list[str], bubbles: list[tuple[str, float]] = ()) -> str:
    hidden = [v for v, d in bubbles if d != d]  # NaN: the printed ring was not seen
    faint = [v for v in values if v not in hidden]
    parts = [f"a faint mark on {', '.join(faint)}"] if faint else []
    if hidden:
        parts.append(f"the printed circle of {', '.join(hidden)} cannot be seen (folded, "
                     "covered or cut off?)")
    return "; ".join(parts)


def decide_single(question: str, bubbles: list[tuple[str, float]]) -> Decision:
    """Exactly one clear mark -> that value; all clearly empty -> blank; else review."""
    conf = min((confidence(d) for _, d in bubbles), default=1.0)
    marked = [v for v, d in bubbles if classify(d) == MARKED]
    unsure = [v for v, d in bubbles if classify(d) == UNSURE]
    if not unsure and len(marked) == 1:
        return Decision(question, marked[0], conf)
    if not unsure and not marked:
        return Decision(question, "", conf)
    if len(marked) > 1:
        reason = f"{len(marked)} answers marked ({', '.join(marked)})"
    elif marked:
        reason = f"marked {marked[0]}, and {_faint(unsure, bubbles)}"
    else:
        reason = _faint(unsure, bubbles)
    return Decision(question, "", 0.0, reason, tuple(marked + unsure))


def decide_multi(question: str, bubbles: list[tuple[str, float]]) -> Decision:
    """Each bubble on its own; one unsure bubble sends the whole question to review."""
    conf = min((confidence(d) for _, d in bubbles), default=1.0)
    marked = [v for v, d in bubbles if classify(d) == MARKED]
    unsure = [v for v, d in bubbles if classify(d) == UNSURE]
    if unsure:
        return Decision(question, "", 0.0, _faint(unsure, bubbles), tuple(marked + unsure))
    # Stored in the layout's (= the definition's) order, joined as forms.answers does.
    return Decision(question, ";".join(marked), conf)


def decide_pupil_number(tens: list[tuple[str, float]], units: list[tuple[str, float]]) -> Decision:
    """Two digit columns -> the pupil number. Tens blank reads as 0 (a pupil numbered 7 may
    fill only the units); both blank -> no number; 00, a faint digit or two marks -> review."""
    t = decide_single(PUPIL_TENS, tens)
    u = decide_single(PUPIL_UNITS, units)
    conf = min(t.confidence, u.confidence)
    problems = [f"{name}: {d.review}" for name, d in (("tens", t), ("units", u)) if d.review]
    if problems:
        return Decision(PUPIL_NUMBER, "", 0.0, "; ".join(problems))
    if not t.value and not u.value:
        return Decision(PUPIL_NUMBER, "", conf)
    if not u.value:
        return Decision(PUPIL_NUMBER, "", 0.0, f"tens digit {t.value} but no units digit")
    number = int(t.value or "0") * 10 + int(u.value)
    if number == 0:
        return Decision(PUPIL_NUMBER, "", 0.0, "the number reads 00")
    return Decision(PUPIL_NUMBER, str(number), conf)
