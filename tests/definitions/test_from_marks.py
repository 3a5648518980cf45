"""forms.answers.from_marks: the one place marks (from the scanner or a person) become the
values a web form would post; then the web's checker judges them (issue 11)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from forms.answers import from_marks, normalise
from forms.definition import parse_survey

SURVEY = parse_survey("""
code: kinds
title: Every kind
audience: pupil
questions:
  - {code: age, text: "How old are you?", scale: number}
  - {code: likes, text: "Which do you like?", scale: multi,
     options: [{code: plants, label: Plants}, {code: space, label: Space},
               {code: rocks, label: Rocks}]}
  - {code: fun, text: "Was it fun?", scale: faces3}
""")


@dataclass(frozen=True)
class Mark:
    group: str
    column: str
    kind: str
    digit: int | None
    marked: tuple[str, ...]
    reason: str | None = None


def digits(column: str, tens: str | None, units: str | None, *, unsure: str = "") -> list:
    return [Mark(f"{column}_tens", column, "digits", 1, (tens,) if tens else (),
                 unsure or None),
            Mark(f"{column}_units", column, "digits", 0, (units,) if units else ())]


@pytest.mark.parametrize("column", ["pupil_number", "age"])
def test_digits_fold_the_same_for_the_pupil_number_and_a_number_question(column):
    assert from_marks(SURVEY, digits(column, "2", "7")).values == {column: ["27"]}
    # Tens left blank reads as 0: number 7 may fill only the units.
    assert from_marks(SURVEY, digits(column, None, "7")).values == {column: ["7"]}
    both_blank = from_marks(SURVEY, digits(column, None, None))
    assert (both_blank.values, both_blank.unsure) == ({column: []}, {})
    assert "no units digit" in from_marks(SURVEY, digits(column, "1", None)).unsure[column]
    faint = from_marks(SURVEY, digits(column, None, "3", unsure="a faint mark on 4"))
    assert faint.unsure == {column: "tens: a faint mark on 4"}
    assert faint.groups[column] == [f"{column}_tens", f"{column}_units"]


def test_00_is_no_pupil_number_but_is_the_number_0():
    assert from_marks(SURVEY, digits("pupil_number", "0", "0")).unsure == {
        "pupil_number": "the number reads 00"}
    assert from_marks(SURVEY, digits("age", "0", "0")).values == {"age": ["0"]}


def test_multi_stays_a_list_and_the_web_checker_judges_it():
    marks = [Mark("likes", "likes", "multi", None, ("plants", "rocks")),
             Mark("fun", "fun", "single", None, ("3",))]
    posted = from_marks(SURVEY, marks)
    assert posted.values == {"likes": ["plants", "rocks"], "fun": ["3"]}
    judged = normalise(SURVEY, posted.values, enforce_required=False)
    assert judged.values == {"likes": "plants;rocks", "fun": "3"}
    assert not judged.errors


def test_an_unsure_group_and_a_column_the_survey_lacks_go_to_a_person():
    marks = [Mark("fun", "fun", "single", None, (), "2 answers marked (1, 3)"),
             Mark("stray", "stray", "single", None, ("1",))]
    posted = from_marks(SURVEY, marks)
    assert posted.values == {}
    assert posted.unsure["fun"] == "2 answers marked (1, 3)"
    assert "does not have" in posted.unsure["stray"]


def test_a_review_decision_goes_through_the_same_fold():
    """The review form's values become marks and pass from_marks as a scan does."""
    from forms.answers import marks_from_review

    def decide(column, values):
        return from_marks(SURVEY, marks_from_review(SURVEY, column, values))

    assert decide("age", ["15"]).values == {"age": ["15"]}
    assert decide("age", ["7"]).values == {"age": ["7"]}
    assert decide("pupil_number", ["0"]).unsure == {"pupil_number": "the number reads 00"}
    assert decide("likes", ["space", "plants"]).values == {"likes": ["space", "plants"]}
    assert decide("fun", ["2"]).values == {"fun": ["2"]}
    assert decide("age", []).values == {"age": []}
