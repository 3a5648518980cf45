"""An honest bank (issue 14): every bank question says where its wording comes from, and
"tested" is claimed only for a published instrument (named in `source`) or a pilot run
with this product (with its number of people)."""

from __future__ import annotations

import pytest

from forms.definition import ORIGINS, DefinitionError, load_survey, parse_survey
from tests.conftest import BANK

QUESTIONS = [(p.stem, q) for p in sorted(BANK.glob("*.yaml")) for q in load_survey(p).questions]
#: Bank files whose questions may leave `origin` out (none: every bank question says it).
OTHERS: set[str] = set()


@pytest.mark.parametrize(("survey", "question"), QUESTIONS,
                         ids=[f"{s}:{q.code}" for s, q in QUESTIONS])
def test_every_bank_question_states_its_source(survey, question):
    assert question.source, "say where the wording comes from"
    assert len(question.source) >= 20
    if survey not in OTHERS:
        assert question.origin in ORIGINS
    if question.origin in ("published", "adapted"):
        # A published instrument is named with who published it and when.
        assert any(ch.isdigit() for ch in question.source), question.source


@pytest.mark.parametrize(("survey", "question"), QUESTIONS,
                         ids=[f"{s}:{q.code}" for s, q in QUESTIONS])
def test_tested_only_with_a_reference_or_a_pilot(survey, question):
    if question.tested:
        assert question.origin == "published" or question.pilot_n >= 1
    assert question.evidence.startswith("Tested") == question.tested
    if question.origin == "adapted" and not question.pilot_n:
        assert "not yet piloted" in question.evidence


HEAD = "code: s\ntitle: S\naudience: teacher\nquestions:\n  - code: q\n    text: Q?\n" \
       "    scale: agree5\n"


@pytest.mark.parametrize(("extra", "message"), [
    ("    origin: published\n", "origin 'published' needs a 'source'"),
    ("    origin: tested\n", "unknown 'origin' 'tested'"),
    ("    pilot_n: 0\n", "'pilot_n' must be the number of people"),
    ("    pilot_n: lots\n", "'pilot_n' must be the number of people"),
])
def test_a_claim_without_evidence_is_refused(extra, message):
    with pytest.raises(DefinitionError) as err:
        parse_survey(HEAD + extra)
    assert message in str(err.value)


def test_published_or_piloted_reads_tested_and_round_trips():
    published = parse_survey(HEAD + "    origin: published\n    source: Some scale (2019)\n")
    piloted = parse_survey(HEAD + "    origin: new\n    source: Written here\n"
                           "    pilot_n: 48\n")
    assert published.questions[0].tested
    assert piloted.questions[0].tested
    assert "n = 48" in piloted.questions[0].evidence
    new = parse_survey(HEAD + "    origin: new\n    source: Written here\n")
    assert not new.questions[0].tested
    for s in (published, piloted, new):
        assert parse_survey(s.to_yaml()) == s


def test_the_outcomes_the_advice_lists_are_in_the_bank():
    by_measure = {}
    for survey, q in QUESTIONS:
        by_measure.setdefault(q.measures, set()).add(load_survey(BANK / f"{survey}.yaml")
                                                     .audience)
    assert "teacher" in by_measure["participation"]  # pupils as teachers see them
    assert "teacher" in by_measure["teacher_interest"]
    assert "parent" in by_measure["satisfaction"]
    plans = load_survey(BANK / "partnership_plans.yaml")
    assert plans.audience == "school"
    assert {"stay", "grow"} <= {q.code for q in plans.questions}


def test_parent_bank_survey_is_adult_and_asks_the_three_things():
    survey = load_survey(BANK / "parent_views.yaml")
    assert survey.audience == "parent"
    assert not any(q.scale_def.faces for q in survey.questions)
    assert {"satisfied_learning", "talks_at_home", "more_activities"} <= {
        q.code for q in survey.questions}
    assert survey.question("satisfied_learning").scale_def.top_box == ("4", "5")
