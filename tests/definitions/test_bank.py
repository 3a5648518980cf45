"""The question bank: every file valid, and every survey survives a round trip."""

from __future__ import annotations

import pytest

from forms.definition import MAX_PUPIL_QUESTIONS, check_files, load_survey, parse_survey
from forms.scales import SCALES
from tests.conftest import BANK

BANK_FILES = sorted(BANK.glob("*.yaml"))


def test_the_bank_has_the_surveys_the_partnerships_need():
    codes = {load_survey(p).code for p in BANK_FILES}
    assert {"pupil_attitudes_5_7", "pupil_attitudes_7_11", "workshop_knowledge",
            "teacher_confidence", "partner_school"} <= codes


def test_every_bank_file_is_valid():
    assert check_files([BANK]) == []


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.stem)
def test_bank_survey_round_trips_with_the_same_fingerprint(path):
    survey = load_survey(path)
    again = parse_survey(survey.to_yaml(), f"{path.name} (round trip)")
    assert again == survey
    assert again.fingerprint == survey.fingerprint


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.stem)
def test_bank_survey_fits_its_audience(path):
    survey = load_survey(path)
    assert survey.code == path.stem
    if survey.audience == "pupil":
        assert len(survey.questions) <= MAX_PUPIL_QUESTIONS
    for q in survey.questions:
        assert q.scale in SCALES
        assert q.text.strip()


def test_young_childrens_survey_uses_three_faces():
    survey = load_survey(BANK / "pupil_attitudes_5_7.yaml")
    assert {q.scale for q in survey.questions} == {"faces3"}
    assert 6 <= len(survey.questions) <= 8


def test_workshop_survey_is_retrospective():
    survey = load_survey(BANK / "workshop_knowledge.yaml")
    retro = [q for q in survey.questions if q.retrospective]
    assert 4 <= len(retro) <= 5
    assert all(q.columns == (q.code + "_then", q.code + "_now") for q in retro)


def test_fingerprint_changes_with_wording_but_not_with_comments():
    text = (BANK / "pupil_attitudes_5_7.yaml").read_text()
    base = parse_survey(text).fingerprint
    assert parse_survey("# a new comment\n" + text).fingerprint == base
    assert parse_survey(text.replace("Do you like science?",
                                     "Do you love science?")).fingerprint != base
