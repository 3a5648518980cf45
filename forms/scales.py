"""The answer scales a question may use, with their stored codes and default labels.

Stored codes never change once data exist; labels are only words and may be overridden
per question in a survey file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: Kinds decide how a question is answered and stored: one code, several codes, a small
#: number or free text.
SINGLE, MULTI, NUMBER, TEXT = "single", "multi", "number", "text"

#: How a scale is drawn on paper (forms.layout): bubbles in fixed columns under the option
#: words (and faces), bubble + word items that wrap, two digit rows, a write-in box.
PAPER_COLUMNS, PAPER_OPTIONS, PAPER_DIGITS, PAPER_WRITEIN = "columns", "options", "digits", \
    "writein"
#: The stored answer "I don't know" (a question with `dont_know: true`): a missing code,
#: never a point on the scale. Results leave it out of shares and tests, the export's
#: codebook labels it, and SPSS/Stata files declare it missing; the pilot report counts it.
DONT_KNOW = "-9"
DONT_KNOW_LABEL = "I don't know"
#: Wider scales are charted in three bands (the table keeps every point).
MAX_CHART_CATEGORIES = 5


@dataclass(frozen=True)
class Scale:
    """One answer scale: what is stored (codes) and what people see (labels)."""

    name: str
    kind: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    #: Codes counted as the "top box" in results ("yes", "very or extremely confident").
    top_box: tuple[str, ...] = ()
    #: Drawn as smiley faces on screen and on paper.
    faces: bool = False
    #: May be asked twice on one sheet ("before the workshop" / "now").
    can_be_retrospective: bool = False
    #: Codes and labels come from the survey file's `options`.
    needs_options: bool = False
    #: A short phrase for the builder and the docs.
    meaning: str = ""
    #: An ordered scale whose codes are numbers (mean and change make sense).
    is_rating: bool = False
    #: Paper: one of PAPER_COLUMNS, PAPER_OPTIONS, PAPER_DIGITS, PAPER_WRITEIN.
    paper_widget: str = PAPER_COLUMNS
    #: Many numbered points (0-10): shown as a row of numbers with words at the two ends
    #: only, on screen for adults and on paper.
    numbered_row: bool = False
    #: The smallest face drawn on paper, mm (the youngest need big faces to colour).
    paper_face_mm: float = 0.0
    #: A question on this scale may add "I don't know" (`dont_know: true`): on screen a
    #: button apart from the faces, on paper one more bubble with words, no face.
    offers_dont_know: bool = False

    def answer_codes(self, option_codes: Sequence[str], dont_know: bool) -> tuple[str, ...]:
        """Every code an answer may store: the options, then DONT_KNOW where offered."""
        extra = (DONT_KNOW,) if dont_know and self.offers_dont_know else ()
        return (*option_codes, *extra)

    def web_widget(self, pupil: bool) -> str:
        """The answer page's widget (its CSS class): faces for pupils on a faces scale, a
        row of numbers for adults on a numbered row, words for other pupils' questions,
        a list otherwise ("list rating" for a rating)."""
        if self.kind not in (SINGLE, MULTI):
            return self.kind
        if pupil and self.faces:
            return "faces"
        if self.numbered_row and not pupil:
            return "scale11"
        if pupil:
            return "words"
        return "list rating" if self.is_rating else "list"

    @staticmethod
    def end_words(code: str, label: str) -> str:
        """A numbered point's words without its number ("10 Extremely likely" ->
        "Extremely likely"), for the two ends of a numbered row."""
        return label[len(code):].strip() if label.startswith(code) else label

    def chart_bands(self, codes: Sequence[str], label: Callable[[str], str]
                    ) -> list[tuple[str, tuple[str, ...]]]:
        """Chart categories: every option, or (more than MAX_CHART_CATEGORIES) three bands
        with the top box as the top band."""
        codes = tuple(codes)
        if len(codes) <= MAX_CHART_CATEGORIES:
            return [(label(c), (c,)) for c in codes]
        top = tuple(c for c in codes if c in self.top_box) or codes[-2:]
        rest = tuple(c for c in codes if c not in top)
        low, mid = rest[:-2], rest[-2:]
        return [(f"{low[0]}-{low[-1]}", low), (f"{mid[0]}-{mid[-1]}", mid),
                (f"{top[0]}-{top[-1]}", top)]


def _numbered(first: int, last: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(first, last + 1))


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale(
            "faces3", SINGLE, _numbered(1, 3), ("No", "A bit", "Yes"),
            top_box=("3",), faces=True, can_be_retrospective=True, is_rating=True,
            paper_face_mm=15.0, meaning="sad / in-between / happy face (ages 5-7)",
            offers_dont_know=True,
        ),
        Scale(
            "faces5", SINGLE, _numbered(1, 5),
            ("Not at all", "Not really", "In between", "Quite a lot", "A lot"),
            top_box=("4", "5"), faces=True, can_be_retrospective=True, is_rating=True,
            meaning="five faces, saddest to happiest (ages 7-11)", offers_dont_know=True,
        ),
        Scale(
            "agree5", SINGLE, _numbered(1, 5),
            ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
             "Strongly agree"),
            top_box=("4", "5"), can_be_retrospective=True, is_rating=True,
            meaning="strongly disagree .. strongly agree",
        ),
        Scale(
            "confidence5", SINGLE, _numbered(1, 5),
            ("Not at all confident", "Slightly confident", "Somewhat confident",
             "Very confident", "Extremely confident"),
            top_box=("4", "5"), can_be_retrospective=True, is_rating=True,
            meaning="not at all .. extremely confident",
        ),
        Scale(
            "satisfied5", SINGLE, _numbered(1, 5),
            ("Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied",
             "Satisfied", "Very satisfied"),
            top_box=("4", "5"), can_be_retrospective=True, is_rating=True,
            meaning="very dissatisfied .. very satisfied (parents, teachers)",
        ),
        Scale(
            "likely0to10", SINGLE, _numbered(0, 10),
            ("0 Not at all likely", "1", "2", "3", "4", "5", "6", "7", "8", "9",
             "10 Extremely likely"),
            top_box=("9", "10"), can_be_retrospective=True, is_rating=True,
            numbered_row=True, meaning="not at all likely (0) .. extremely likely (10)",
        ),
        Scale("yesno", SINGLE, ("1", "0"), ("Yes", "No"), top_box=("1",), meaning="yes / no",
              paper_widget=PAPER_OPTIONS),
        Scale("choice", SINGLE, (), (), needs_options=True, meaning="one of a list",
              paper_widget=PAPER_OPTIONS),
        Scale("multi", MULTI, (), (), needs_options=True, meaning="any of a list",
              paper_widget=PAPER_OPTIONS),
        Scale("number", NUMBER, (), (), meaning="a whole number, 0-99 (or up to max: 999999)",
              paper_widget=PAPER_DIGITS),
        Scale("text", TEXT, (), (), meaning="free text (a write-in box on paper)",
              paper_widget=PAPER_WRITEIN),
    )
}

#: The range a `number` answer takes unless its question sets `max` (two digit rows on
#: paper); `max` may go up to NUMBER_MAX_LIMIT (six digit rows: hours, pounds, pupils).
NUMBER_MIN, NUMBER_MAX = 0, 99
NUMBER_MAX_LIMIT = 999_999
