"""The question bank as the builder shows it: every question of `forms/bank/*.yaml`, grouped
by what it measures and filterable by age range. The metadata lives in the bank files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from forms.definition import MEASURES, Question, SurveyDefinition, load_survey

BANK_DIR = Path(__file__).resolve().parents[2] / "forms" / "bank"

#: How each `measures` value reads in the builder, in the order the groups are shown.
MEASURE_TITLES = {
    "enjoyment": _l("Enjoyment of science"),
    "confidence": _l("Confidence in science"),
    "knowledge": _l("Knowledge of a topic"),
    "interest": _l("Interest in science"),
    "identity": _l("Science identity"),
    "careers": _l("Science careers"),
    "teacher_confidence": _l("Teacher confidence"),
    "teacher_competence": _l("Teacher competence"),
    "recommend": _l("Recommending the partnership"),
    "partnership": _l("The partnership"),
    "other": _l("Open and other questions"),
    "satisfaction": _l("Satisfaction with what was learned"),
    "participation": _l("Pupils' participation (teachers' view)"),
    "teacher_interest": _l("Teachers' interest in the subject"),
}
assert set(MEASURE_TITLES) == set(MEASURES), "every MEASURES value needs a title"

#: The age filter: (value, words). "adults" are the teacher, parent and school questions.
AGE_FILTERS = (("", _l("All ages")), ("5-7", _l("Ages 5-7")), ("7-11", _l("Ages 7-11")),
               ("adults", _l("Teachers, parents and schools")))


@dataclass(frozen=True)
class BankQuestion:
    survey: SurveyDefinition
    question: Question

    @property
    def key(self) -> str:
        """What the "Add" button posts: survey code and question code."""
        return f"{self.survey.code}:{self.question.code}"

    @property
    def ages(self) -> str | None:
        return self.question.ages or self.survey.ages

    @property
    def audience(self) -> str:
        return self.survey.audience

    def fits(self, age_filter: str) -> bool:
        """Whether the question suits the chosen age range (ranges overlap)."""
        if not age_filter:
            return True
        if age_filter == "adults":
            return self.audience != "pupil"
        if self.audience != "pupil" or not self.ages:
            return False
        return _overlap(self.ages, age_filter)


def _range(text: str) -> tuple[int, int] | None:
    parts = text.replace("\u2011", "-").split("-")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        return None
    return (nums[0], nums[-1]) if nums else None


def _overlap(a: str, b: str) -> bool:
    ra, rb = _range(a), _range(b)
    if ra is None or rb is None:
        return a == b
    # "5-7" and "7-11" share the age of 7 but are different key stages: a strict overlap.
    return ra[0] < rb[1] and rb[0] < ra[1] or ra == rb


@lru_cache(maxsize=1)
def bank_surveys() -> tuple[SurveyDefinition, ...]:
    return tuple(load_survey(p) for p in sorted(BANK_DIR.glob("*.yaml")))


def bank_survey(code: str) -> SurveyDefinition | None:
    for s in bank_surveys():
        if s.code == code:
            return s
    return None


def bank_question(key: str) -> BankQuestion | None:
    survey_code, _, question_code = key.partition(":")
    survey = bank_survey(survey_code)
    if survey is None:
        return None
    for q in survey.questions:
        if q.code == question_code:
            return BankQuestion(survey, q)
    return None


def all_questions() -> list[BankQuestion]:
    return [BankQuestion(s, q) for s in bank_surveys() for q in s.questions]


def grouped(age_filter: str = "") -> list[tuple[str, str, list[BankQuestion]]]:
    """[(measures, title, questions)] in MEASURES order, empty groups left out."""
    out = []
    questions = [b for b in all_questions() if b.fits(age_filter)]
    for measure in MEASURES:
        group = [b for b in questions if (b.question.measures or "other") == measure]
        if group:
            out.append((measure, MEASURE_TITLES[measure], group))
    return out
