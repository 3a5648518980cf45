"""The decision table of issue 4, bubble darkness in, marked values or review out. Folding
digits into numbers is forms.answers.from_marks' job (tests/definitions/test_from_marks.py)."""

from __future__ import annotations

from scanner import tuning
from scanner.decide import decide_multi, decide_single

E, M = 0.0, 0.8
U = (tuning.EMPTY_BELOW + tuning.MARKED_ABOVE) / 2


def test_single_one_clear_mark_is_the_answer():
    d = decide_single("q", [("1", E), ("2", M), ("3", E)])
    assert (d.marked, d.review) == (("2",), None)
    assert d.confidence == 1.0


def test_single_all_empty_is_blank_not_review():
    d = decide_single("q", [("1", E), ("2", E)])
    assert (d.marked, d.review) == ((), None)


def test_single_two_marks_goes_to_review():
    d = decide_single("q", [("1", M), ("2", M), ("3", E)])
    assert d.review == "2 answers marked (1, 2)"
    assert d.marked == ()
    assert d.candidates == ("1", "2")


def test_single_unsure_bubble_goes_to_review_even_beside_a_clear_mark():
    d = decide_single("q", [("1", M), ("2", U)])
    assert d.review is not None
    assert "faint" in d.review
    assert decide_single("q", [("1", U), ("2", E)]).review == "a faint mark on 1"


def test_multi_each_bubble_on_its_own():
    assert decide_multi("m", [("a", M), ("b", E), ("c", M)]).marked == ("a", "c")
    assert decide_multi("m", [("a", E), ("b", E)]).marked == ()
    d = decide_multi("m", [("a", M), ("b", U)])
    assert d.review == "a faint mark on b"


def test_confidence_is_lowest_near_a_threshold():
    near = decide_single("q", [("1", tuning.MARKED_ABOVE + 0.005), ("2", E)])
    far = decide_single("q", [("1", M), ("2", E)])
    assert near.marked == far.marked == ("1",)
    assert near.confidence < 0.2 < far.confidence


def test_a_bubble_whose_ring_is_hidden_is_never_read_as_empty():
    hidden = float("nan")  # what measuring gives when the printed ring is not seen
    d = decide_single("q", [("1", E), ("2", hidden), ("3", E)])
    assert d.review == "the printed circle of 2 cannot be seen (folded, covered or cut off?)"
    assert decide_multi("m", [("a", M), ("b", hidden)]).review is not None
