"""Knowledge checks: a pupil's score, the one rule the web, paper, export and results share.

A question is a knowledge check when some of its options say `correct: true`. A pupil's
score is how many knowledge checks they got right, out of `score_max` (how many the survey
has): a single choice is right when the answer chosen is a correct one; a tick-all question
is right when exactly the correct options are ticked. A question left blank scores nothing.
A pupil who answered none of the knowledge checks has no score at all (None), so that an
empty sheet does not count as "knew nothing".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from forms.answers import MULTI_SEP
from forms.definition import Question, SurveyDefinition
from forms.scales import MULTI


@dataclass(frozen=True)
class Score:
    """Questions right, out of the survey's knowledge checks."""

    right: int
    out_of: int


def right_values(question: Question) -> frozenset[str]:
    """The stored answers that count as right: each correct option of a single choice, or
    for a tick-all question the one stored value with exactly the correct options (stored
    in option order, joined by MULTI_SEP, as forms.answers stores them). Empty for a
    question that is not a knowledge check. The results count scores in SQL with these."""
    correct = question.correct_codes
    if not correct:
        return frozenset()
    if question.kind == MULTI:
        return frozenset({MULTI_SEP.join(correct)})
    return frozenset(correct)


def is_right(question: Question, value: str) -> bool:
    """Whether a stored answer ("" for none) to a knowledge check is right."""
    return bool(value) and value in right_values(question)


def score(survey: SurveyDefinition, values: Mapping[str, str]) -> Score | None:
    """The score of one set of stored answers (column -> value), or None when the survey
    has no knowledge checks or none of them was answered."""
    checks = survey.knowledge_questions
    if not checks or not any(values.get(q.code) for q in checks):
        return None
    return Score(sum(is_right(q, values.get(q.code, "")) for q in checks), len(checks))


def score_max(survey: SurveyDefinition) -> int:
    """How many knowledge checks the survey has (0: it gives no score)."""
    return len(survey.knowledge_questions)


__all__ = ["Score", "is_right", "right_values", "score", "score_max"]
