"""The report's sentences: falls said as falls, the difference in change in plain words
with its interval, and different starting points said out loud."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from survey_app.results.difference_in_change import DiffInChange
from survey_app.results.findings import did_sentence, moved_words, p_text


def _q(did):
    return SimpleNamespace(did=did, codes=("0", "1"), top_label="'Yes'")


def test_falls_are_said_as_falls():
    assert moved_words(12.4) == "rose by 12 percentage points"
    assert moved_words(-8.6) == "fell by 9 percentage points"
    assert moved_words(0.3) == "did not change"
    assert p_text(0.0004) == "p < 0.001"
    assert p_text(0.0412) == "p = 0.041"


def test_difference_in_change_in_plain_words():
    did = DiffInChange(12.2, 3.1, 21.4, 0.012, "m", "percentage points", 40, 38, 0.3, 0.31, 0.9)
    text = did_sentence(_q(did), "pupils")
    assert text == ("Pupils who took part rose 12 percentage points more than the comparison "
                    "group in 'Yes' (95% CI +3 to +21 points; bootstrap, p = 0.012).")
    fell = DiffInChange(-7.0, -15.0, 1.0, 0.09, "m", "percentage points", 40, 38)
    assert "changed 7 percentage points less than the comparison group" in \
        did_sentence(_q(fell), "pupils")


def test_different_starting_points_are_said():
    did = DiffInChange(20.0, 5.0, 35.0, 0.01, "m", "percentage points", 40, 38,
                       0.1, 0.5, 0.001)
    text = did_sentence(_q(did), "pupils")
    assert "The groups started from different places (10% against 50% before" in text
    assert "catching up" in text


def test_parents_answers_are_their_view_not_a_self_rating():
    from survey_app.results.findings import section_notes, self_rating_words

    q = SimpleNamespace(audience="parent", question=SimpleNamespace(
        measures="interest", text="My child talks at home about science."))
    assert self_rating_words(q, "parents") == (
        "Parents' view ('My child talks at home about science.')")
    pupil_q = SimpleNamespace(audience="pupil", question=SimpleNamespace(
        measures="interest", text="I want to learn more."))
    assert "rating of their own interest" in self_rating_words(pupil_q, "pupils")
    results = SimpleNamespace(primary=True, has_comparison=True, knowledge=None,
                              reused_numbers={},
                              survey=SimpleNamespace(audience="parent"))
    notes = section_notes(results)
    assert not any("ratings of themselves" in n for n in notes)
    assert any("parents' and carers' views of their child's learning" in n for n in notes)


@pytest.mark.parametrize(("text", "ended"), [
    ("I enjoy science.", "I enjoy science."), ("Is it fun?", "Is it fun?"),
    ("I like it", "I like it."), ("“Wow!”", "“Wow!”"), ("a; b ", "a; b."),
])
def test_end_sentence_adds_a_full_stop_only_when_missing(text, ended):
    from survey_app.results.views import end_sentence

    assert end_sentence(text) == ended
