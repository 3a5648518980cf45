"""The answer scales a question may use, with their stored codes and default labels.

Stored codes never change once data exist; labels are only words and may be overridden
per question in a survey file.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Kinds decide how a question is answered and stored: one code, several codes, a small
#: number or free text.
SINGLE, MULTI, NUMBER, TEXT = "single", "multi", "number", "text"


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

    @property
    def is_rating(self) -> bool:
        """An ordered scale whose codes are numbers (mean and change make sense)."""
        return self.kind == SINGLE and not self.needs_options and self.name != "yesno"


def _numbered(first: int, last: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(first, last + 1))


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale(
            "faces3", SINGLE, _numbered(1, 3), ("No", "A bit", "Yes"),
            top_box=("3",), faces=True, can_be_retrospective=True,
            meaning="sad / in-between / happy face (ages 5-7)",
        ),
        Scale(
            "faces5", SINGLE, _numbered(1, 5),
            ("Not at all", "Not really", "In between", "Quite a lot", "A lot"),
            top_box=("4", "5"), faces=True, can_be_retrospective=True,
            meaning="five faces, saddest to happiest (ages 7-11)",
        ),
        Scale(
            "agree5", SINGLE, _numbered(1, 5),
            ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
             "Strongly agree"),
            top_box=("4", "5"), can_be_retrospective=True,
            meaning="strongly disagree .. strongly agree",
        ),
        Scale(
            "confidence5", SINGLE, _numbered(1, 5),
            ("Not at all confident", "Slightly confident", "Somewhat confident",
             "Very confident", "Extremely confident"),
            top_box=("4", "5"), can_be_retrospective=True,
            meaning="not at all .. extremely confident",
        ),
        Scale(
            "likely0to10", SINGLE, _numbered(0, 10),
            ("0 Not at all likely", "1", "2", "3", "4", "5", "6", "7", "8", "9",
             "10 Extremely likely"),
            top_box=("9", "10"), can_be_retrospective=True,
            meaning="not at all likely (0) .. extremely likely (10)",
        ),
        Scale("yesno", SINGLE, ("1", "0"), ("Yes", "No"), top_box=("1",), meaning="yes / no"),
        Scale("choice", SINGLE, (), (), needs_options=True, meaning="one of a list"),
        Scale("multi", MULTI, (), (), needs_options=True, meaning="any of a list"),
        Scale("number", NUMBER, (), (), meaning="a small whole number, 0-99"),
        Scale("text", TEXT, (), (), meaning="free text (a write-in box on paper)"),
    )
}

#: The range a `number` answer may take (two digit columns on paper).
NUMBER_MIN, NUMBER_MAX = 0, 99
