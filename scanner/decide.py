"""The decision table: bubble darkness -> marked values, or review. Nothing is guessed.

Each bubble is clearly empty, clearly marked, or unsure (between the two thresholds of
`tuning`). A mark group is read only when every one of its bubbles is clear; anything
else goes to a person with the reason in words. Turning marks into answers (folding
digits, lists for multi) is `forms.answers.from_marks`' job, not the scanner's.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner import tuning
from scanner.results import EMPTY, MARKED, UNSURE


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
          between: bool = False, strokes: float = 0.0, ring_share: float = 1.0,
          faint_from: float = tuning.FAINT_FROM, lifted: bool = False) -> float:
    """One bubble's evidence as the one figure `classify` reads: the inner darkness, raised
    to marked by a circle drawn round the bubble or a coloured face, and to at least unsure
    by half a circle, a faintly coloured face, faint strokes inside it (light pencil, a
    thin tick), part of a circle drawn tight round it or faint ink shaded up to it (either
    makes its printed ring stand out less than its row's: `ring_share`), a mark between
    it and a neighbour, or, on a 1-bit page, an inside lighter than the page's empty
    bubbles with a weak ring (`lifted`, `one_bit.lifted`). Faint shading counts from
    `faint_from` (`one_bit.faint_from`: above the dither's noise on a 1-bit page). NaN (the
    printed ring not seen) stays NaN: nothing is read where the bubble cannot be seen, but a
    circle drawn round it."""
    if darkness != darkness:
        # The ring not seen: nothing is read, unless a whole circle was drawn round it (the
        # drawn line beside the printed one is what hid it from the ring fit).
        return _MARKED_SCORE if circle >= tuning.CIRCLE_MARKED else darkness
    s = darkness
    if circle >= tuning.CIRCLE_MARKED or face >= tuning.FACE_MARKED:
        s = max(s, _MARKED_SCORE)
    elif (circle >= tuning.CIRCLE_UNSURE or face >= tuning.FACE_UNSURE or between or lifted
          or strokes >= tuning.STROKES_UNSURE
          or (circle >= tuning.TIGHT_CIRCLE and ring_share < tuning.TIGHT_RING_SHARE)
          or (s >= faint_from and ring_share < tuning.FAINT_RING_SHARE)):
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
    """One mark group's outcome: the values clearly marked, and `review` (None when sure)."""

    group: str
    marked: tuple[str, ...]
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


def decide_single(group: str, bubbles: list[tuple[str, float]]) -> Decision:
    """One value may be marked (a single answer, or one digit): exactly one clear mark or
    none -> sure; two marks or anything unsure -> review."""
    conf = min((confidence(d) for _, d in bubbles), default=1.0)
    marked = [v for v, d in bubbles if classify(d) == MARKED]
    unsure = [v for v, d in bubbles if classify(d) == UNSURE]
    if not unsure and len(marked) <= 1:
        return Decision(group, tuple(marked), conf)
    if len(marked) > 1:
        reason = f"{len(marked)} answers marked ({', '.join(marked)})"
    elif marked:
        reason = f"marked {marked[0]}, and {_faint(unsure, bubbles)}"
    else:
        reason = _faint(unsure, bubbles)
    return Decision(group, (), 0.0, reason, tuple(marked + unsure))


def decide_multi(group: str, bubbles: list[tuple[str, float]]) -> Decision:
    """Each bubble on its own; one unsure bubble sends the whole group to review."""
    conf = min((confidence(d) for _, d in bubbles), default=1.0)
    marked = [v for v, d in bubbles if classify(d) == MARKED]
    unsure = [v for v, d in bubbles if classify(d) == UNSURE]
    if unsure:
        return Decision(group, (), 0.0, _faint(unsure, bubbles), tuple(marked + unsure))
    return Decision(group, tuple(marked), conf)


def decide_group(kind: str, group: str, bubbles: list[tuple[str, float]]) -> Decision:
    """The decision table for one mark group of the layout (kind single, multi, digits)."""
    if kind == "multi":
        return decide_multi(group, bubbles)
    return decide_single(group, bubbles)
