"""Knowledge checks (`correct: true`, forms.scoring) and large numbers (`max:` on a number
question, digit rows on paper, folding n digits) in the pure core (issue 14, items 4 and 6)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from forms.answers import from_marks, marks_from_review, normalise, normalise_pupil_number
from forms.definition import DefinitionError, parse_survey, survey_from_dict
from forms.scoring import Score, is_right, score, score_max
from print import layout_for

QUIZ = parse_survey("""
code: quiz
title: Light quiz
audience: pupil
questions:
  - code: glow
    text: Which of these makes its own light?
    scale: choice
    options:
      - {code: moon, label: The Moon}
      - {code: sun, label: The Sun, correct: true}
      - {code: mirror, label: A mirror}
  - code: opaque
    text: Which of these make a shadow? Tick all.
    scale: multi
    options:
      - {code: wall, label: A brick wall, correct: true}
      - {code: glass, label: Clear glass}
      - {code: book, label: A book, correct: true}
  - code: travel
    text: Light travels in straight lines.
    scale: choice
    options:
      - {code: "yes", label: "True", correct: true}
      - {code: "no", label: "False"}
  - {code: fun, text: "Was it fun?", scale: faces3}
  - {code: hours, text: Hours of science club this year, scale: number, max: 999999}
""")


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        parse_survey(text, "quiz.yaml")
    return [str(p) for p in info.value.problems]


def one(question: str) -> str:
    return f"code: q\ntitle: Q\naudience: pupil\nquestions:\n{question}"


def test_correct_options_are_kept_and_round_trip_through_the_stored_form():
    assert QUIZ.question("glow").correct_codes == ("sun",)
    assert QUIZ.question("opaque").correct_codes == ("wall", "book")
    assert [q.code for q in QUIZ.knowledge_questions] == ["glow", "opaque", "travel"]
    again = survey_from_dict(QUIZ.to_dict())
    assert again == QUIZ
    assert again.fingerprint == QUIZ.fingerprint
    assert QUIZ.to_dict()["questions"][0]["options"][1] == {"code": "sun", "label": "The Sun",
                                                            "correct": True}
    assert "correct" not in QUIZ.to_dict()["questions"][0]["options"][0]


@pytest.mark.parametrize(("question", "message"), [
    ("  - {code: fun, text: 'Fun', scale: faces3, options: [{code: '1', label: No, "
     "correct: true}]}\n", "scale 'faces3' cannot have a correct answer: only 'choice' and "
     "'multi' questions can"),
    ("  - code: pet\n    text: Pet?\n    scale: choice\n    options:\n"
     "      - {code: cat, label: Cat, correct: true}\n"
     "      - {code: dog, label: Dog, correct: true}\n",
     "every option is marked correct"),
    ("  - code: pet\n    text: Pet?\n    scale: choice\n    options:\n"
     "      - {code: cat, label: Cat, correct: false}\n      - {code: dog, label: Dog}\n",
     "no option is marked 'correct: true'"),
    ("  - code: pet\n    text: Pet?\n    scale: choice\n    options:\n"
     "      - {code: cat, label: Cat, correct: 'yes'}\n      - {code: dog, label: Dog}\n",
     "'correct' must be true or false"),
    ("  - code: pet\n    text: Pet?\n    scale: choice\n    options:\n"
     "      - {code: cat, label: Cat, right: true}\n      - {code: dog, label: Dog}\n",
     "unknown field 'right' in an option (expected one of code, label, correct)"),
    ("  - {code: n, text: 'How many', scale: number, max: 1000000}\n",
     "'max' must be a whole number from 1 to 999,999"),
    ("  - {code: n, text: 'How many', scale: number, max: 0}\n", "'max' must be a whole"),
    ("  - {code: n, text: 'How many', scale: number, max: '50'}\n", "'max' must be a whole"),
    ("  - {code: n, text: 'Fun', scale: faces3, max: 5}\n",
     "only 'number' questions take 'max' (this one is 'faces3')"),
])
def test_wrong_knowledge_checks_and_maximums_say_what_to_do(question, message):
    found = problems(one(question))
    assert any(message in p for p in found), found
    assert all(p.startswith("quiz.yaml:") for p in found)


@dataclass(frozen=True)
class Case:
    values: dict
    right: int | None


@pytest.mark.parametrize("case", [
    Case({"glow": "sun", "opaque": "wall;book", "travel": "yes"}, 3),
    Case({"glow": "moon", "opaque": "wall;book", "travel": "yes"}, 2),
    Case({"glow": "sun", "opaque": "wall", "travel": "no"}, 1),          # tick-all: all
    Case({"glow": "sun", "opaque": "wall;glass;book", "travel": ""}, 1),  # and only them
    Case({"glow": "sun"}, 1),                                             # blank: not right
    Case({"fun": "3", "hours": "12"}, None),                                # no check answered
    Case({}, None),
])
def test_a_score_counts_the_checks_answered_right(case):
    got = score(QUIZ, case.values)
    assert got == (None if case.right is None else Score(case.right, 3))
    assert score_max(QUIZ) == 3


def test_no_knowledge_checks_no_score():
    plain = parse_survey(one("  - {code: fun, text: 'Fun', scale: faces3}\n"))
    assert score(plain, {"fun": "3"}) is None
    assert score_max(plain) == 0
    assert not is_right(plain.question("fun"), "3")


def test_large_numbers_are_checked_against_their_own_max():
    ok = normalise(QUIZ, {"hours": ["999999"]})
    assert ok.values == {"hours": "999999"}
    assert normalise(QUIZ, {"hours": ["1000000"]}).errors == {
        "hours": "Please give a whole number from 0 to 999,999."}
    small = parse_survey(one("  - {code: n, text: 'How many', scale: number}\n"))
    assert normalise(small, {"n": ["100"]}).errors == {
        "n": "Please give a whole number from 0 to 99."}
    assert small.question("n").number_digits == 2
    assert QUIZ.question("hours").number_digits == 6
    mid = parse_survey(one("  - {code: n, text: 'How many', scale: number, max: 250}\n"))
    assert mid.question("n").number_digits == 3
    assert normalise(mid, {"n": ["251"]}).errors


def test_pupil_numbers_go_to_999_only_when_allowed():
    assert normalise_pupil_number("250", 999) == 250
    with pytest.raises(ValueError, match="from 1 to 99"):
        normalise_pupil_number("250")
    with pytest.raises(ValueError, match="from 1 to 999"):
        normalise_pupil_number("1000", 999)


@dataclass(frozen=True)
class Mark:
    group: str
    column: str
    kind: str
    digit: int | None
    marked: tuple[str, ...]
    reason: str | None = None


SUFFIX = {5: "_hundred_thousands", 4: "_ten_thousands", 3: "_thousands", 2: "_hundreds",
          1: "_tens", 0: "_units"}


def rows(column: str, digits: str) -> list[Mark]:
    """Digit rows highest place first; " " leaves a row blank."""
    n = len(digits)
    return [Mark(column + SUFFIX[n - 1 - i], column, "digits", n - 1 - i,
                 () if d == " " else (d,)) for i, d in enumerate(digits)]


def test_six_digit_rows_fold_into_one_number():
    assert from_marks(QUIZ, rows("hours", "120345")).values == {"hours": ["120345"]}
    # Leading rows left blank read as 0, as the tens always did.
    assert from_marks(QUIZ, rows("hours", "   045")).values == {"hours": ["45"]}
    gap = from_marks(QUIZ, rows("hours", "1 2345"))
    assert gap.unsure == {"hours": "hundred thousands digit 1 but no ten thousands digit"}
    double = rows("hours", "120345")
    double[2] = Mark("hours_thousands", "hours", "digits", 3, ("0", "4"))
    assert from_marks(QUIZ, double).unsure == {"hours": "thousands: 2 digits marked (0, 4)"}


def test_three_pupil_number_rows_allow_up_to_999_and_two_rows_up_to_99():
    assert from_marks(QUIZ, rows("pupil_number", "250")).values == {"pupil_number": ["250"]}
    assert from_marks(QUIZ, rows("pupil_number", "000")).unsure == {
        "pupil_number": "the number reads 000"}
    assert from_marks(QUIZ, rows("pupil_number", "07")).values == {"pupil_number": ["7"]}


def test_a_review_decision_on_a_large_number_goes_through_the_same_fold():
    marks = marks_from_review(QUIZ, "hours", ["98765"])
    assert from_marks(QUIZ, marks).values == {"hours": ["98765"]}
    marks = marks_from_review(QUIZ, "pupil_number", ["7"])
    assert [m.group for m in marks] == ["pupil_number_tens", "pupil_number_units"]


def test_digit_rows_on_paper_follow_max_and_the_pupil_number_setting():
    lay = layout_for(QUIZ, "a4", "bubbles")
    groups = {g.name: g for g in lay.questions}
    hours = [g for g in lay.questions if g.column == "hours"]
    assert [g.digit for g in hours] == [5, 4, 3, 2, 1, 0]
    assert all(g.values == tuple("0123456789") for g in hours)
    assert [g.digit for g in lay.questions if g.column == "pupil_number"] == [1, 0]
    assert "hours_hundred_thousands" in groups
    three = layout_for(QUIZ, "a4", "bubbles", pupil_digits=3)
    assert [g.digit for g in three.questions if g.column == "pupil_number"] == [2, 1, 0]
    assert three.fingerprint != lay.fingerprint
    words = [t.text for p in three.pages for t in p.texts]
    assert "Hundreds" in words
    assert "100 thousands" in words


def test_correct_answers_are_not_in_the_sheet_layout():
    lay = layout_for(QUIZ, "a4", "none")
    printed = " ".join(t.text for p in lay.pages for t in p.texts).lower()
    assert "correct" not in printed
    assert "answer:" not in printed
