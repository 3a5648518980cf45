"""The codebook of a survey written in several languages: codes unchanged, the labels and
question texts in every language beside the default ones (`question_text_<lang>`,
`label_<lang>`); an English-only codebook keeps its columns."""

from __future__ import annotations

import csv
import io

from forms.definition import parse_survey
from survey_app.admin.operations import load_survey_version
from survey_app.export.tables import CODEBOOK_COLUMNS
from survey_app.extensions import db

WELSH_FIRST = """
code: clwb
title: Clwb gwyddoniaeth
audience: pupil
languages: [cy, en]
questions:
  - code: hwyl
    text: {cy: "Wyt ti'n mwynhau'r clwb?", en: "Do you enjoy the club?"}
    scale: faces3
    dont_know: true
  - code: gorau
    text: {cy: "Beth oedd orau?", en: "What was best?"}
    scale: choice
    options:
      - {code: roced, label: {cy: Rocedi, en: Rockets}, correct: true}
      - {code: llysnafedd, label: Llysnafedd}
"""


def _codebook(client, survey: str) -> tuple[list[str], dict[str, list[list[str]]]]:
    resp = client.get(f"/admin/export/codebook.csv?survey={survey}")
    assert resp.status_code == 200
    header, *rows = csv.reader(io.StringIO(resp.get_data(as_text=True), newline=""))
    by: dict[str, list[list[str]]] = {}
    for row in rows:
        assert len(row) == len(header)
        if row[0]:
            by.setdefault(row[2], []).append(row)
    return header, by


def test_codebook_has_every_language_of_a_bilingual_bank_survey(coordinator_client,
                                                                  loaded_bank):
    header, by = _codebook(coordinator_client, "workshop_knowledge")
    assert header == [*CODEBOOK_COLUMNS, "question_text_en", "label_en", "question_text_cy",
                      "label_cy"]
    col = {name: i for i, name in enumerate(header)}
    then = by["light_travels_then"]
    assert [r[col["value"]] for r in then] == ["1", "2", "3"]  # codes unchanged
    assert [r[col["label"]] for r in then] == ["Not much", "Some", "A lot"]
    assert [r[col["label_cy"]] for r in then] == ["Dim llawer", "Rhywfaint", "Llawer"]
    assert then[0][col["question_text_cy"]] == "Sut mae golau'n teithio [before]"
    assert then[0][col["question_text_en"]] == then[0][col["question_text"]]


def test_codebook_of_a_welsh_first_survey(coordinator_client, partnership):
    load_survey_version(partnership, parse_survey(WELSH_FIRST))
    db.session.commit()
    header, by = _codebook(coordinator_client, "clwb")
    assert header[len(CODEBOOK_COLUMNS):] == ["question_text_cy", "label_cy",
                                              "question_text_en", "label_en"]
    col = {name: i for i, name in enumerate(header)}
    hwyl = by["hwyl"]
    assert [r[col["label"]] for r in hwyl] == ["Na", "Ychydig bach", "Ie",
                                               "Dwi ddim yn gwybod (missing)"]
    assert [r[col["label_en"]] for r in hwyl] == ["No", "A bit", "Yes",
                                                  "I don't know (missing)"]
    gorau = by["gorau"]
    assert [r[col["label_en"]] for r in gorau] == ["Rockets (correct answer)", "Llysnafedd"]
    assert gorau[0][col["question_text_en"]] == "What was best?"


def test_an_english_only_codebook_keeps_its_columns(coordinator_client, loaded_bank):
    header, by = _codebook(coordinator_client, "teacher_confidence")
    assert header == list(CODEBOOK_COLUMNS)
    assert by
