"""Answer normalisation: the one gate for web answers and scanned marks."""

from __future__ import annotations

import pytest

from forms.answers import (
    MAX_TEXT_ANSWER,
    normalise,
    normalise_column,
    normalise_pupil_number,
    unknown_fields,
)
from forms.definition import parse_survey

SURVEY = parse_survey("""
code: mix
title: Everything
audience: teacher
questions:
  - {code: mood, text: "Mood?", scale: faces3, required: true}
  - {code: know, text: "Knowledge?", scale: confidence5, retrospective: true}
  - code: pets
    text: Pets?
    scale: multi
    options: [{code: cat, label: Cat}, {code: dog, label: Dog}, {code: fish, label: Fish}]
  - {code: age, text: "Age?", scale: number}
  - {code: yes_no, text: "Again?", scale: yesno}
  - {code: notes, text: "Anything else?", scale: text}
""", "mix.yaml")


def q(code):
    return SURVEY.question(code)


def test_a_full_answer_is_normalised():
    result = normalise(SURVEY, {"mood": ["3"], "know_then": ["2"], "know_now": [" 5 "],
                                "pets": ["fish", "cat"], "age": ["07"], "yes_no": ["0"],
                                "notes": ["  =SUM(A1)  "]})
    assert result.ok
    assert result.values == {"mood": "3", "know_then": "2", "know_now": "5",
                             "pets": "cat;fish", "age": "7", "yes_no": "0",
                             "notes": "=SUM(A1)"}


def test_blank_answers_are_not_stored_and_required_is_enforced():
    result = normalise(SURVEY, {"mood": [""], "pets": [], "notes": ["   "]})
    assert result.values == {}
    assert result.errors == {"mood": "Please answer this question."}
    assert normalise(SURVEY, {}, enforce_required=False).ok


@pytest.mark.parametrize(("code", "raw", "message"), [
    ("mood", ["4"], "That is not one of the answers."),
    ("mood", ["1", "3"], "Please choose only one answer."),
    ("pets", ["cat", "horse"], "That is not one of the answers."),
    ("age", ["100"], "Please give a whole number from 0 to 99."),
    ("age", ["-1"], "Please give a whole number from 0 to 99."),
    ("age", ["2.5"], "Please give a whole number from 0 to 99."),
    ("age", ["²"], "Please give a whole number from 0 to 99."),
    ("yes_no", ["2"], "That is not one of the answers."),
    ("notes", ["x" * (MAX_TEXT_ANSWER + 1)], f"Please keep this under {MAX_TEXT_ANSWER}"),
])
def test_bad_values_are_refused(code, raw, message):
    with pytest.raises(ValueError, match=message):
        normalise_column(q(code), raw)


def test_errors_keep_the_good_answers():
    result = normalise(SURVEY, {"mood": ["9"], "age": ["12"]})
    assert result.errors == {"mood": "That is not one of the answers."}
    assert result.values == {"age": "12"}


def test_multi_order_follows_the_definition_and_duplicates_collapse():
    assert normalise_column(q("pets"), ["dog", "cat", "dog"]) == "cat;dog"


def test_text_loses_nul_bytes_and_keeps_lines():
    assert normalise_column(q("notes"), ["line one\x00", "line two"]) == "line one\nline two"


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), (" 7 ", 7),
                                               ("99", 99), ("01", 1)])
def test_pupil_number(raw, expected):
    assert normalise_pupil_number(raw) == expected


@pytest.mark.parametrize("raw", ["0", "100", "x", "-3", "1.5", "²"])
def test_pupil_number_out_of_range(raw):
    with pytest.raises(ValueError, match="Your number is from 1 to 99."):
        normalise_pupil_number(raw)


def test_unknown_fields_are_reported():
    keys = ["mood", "know_then", "pupil_number", "know", "evil"]
    assert unknown_fields(SURVEY, keys, ["pupil_number"]) == ["evil", "know"]
