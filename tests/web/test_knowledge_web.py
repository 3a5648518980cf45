"""Knowledge checks and large numbers through the app (issue 14, items 4 and 6): the pupil's
page never shows which answer is right, the export scores each pupil, numbers take their
own `max`, and the pupil number goes to 999 only where PUPIL_NUMBER_MAX says so."""

from __future__ import annotations

import csv
import io

import pyreadstat
import pytest

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from tests.conftest import csrf_from
from tests.web.test_answer import Page, _stored

QUIZ_YAML = """
code: light_quiz
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
  - {code: fun, text: "Was it fun?", scale: faces3}
  - {code: steps, text: "How many steps did you walk today?", scale: number, max: 999999}
"""


@pytest.fixture
def quiz(app, partnership):
    load_survey_version(partnership, parse_survey(QUIZ_YAML, "light_quiz.yaml"))
    c = create_collection(partnership, survey_code="light_quiz", school_name="Oak Primary",
                          group_name="Year 5", phase="before", ask_pupil_number=True)
    db.session.commit()
    return c


def _send(client, collection, answers: dict) -> int:
    html = client.get(f"/s/{collection.public_token}").get_data(as_text=True)
    page = Page(html)
    data = {"csrf_token": csrf_from(html), "submission_id": page.value("submission_id"),
            **answers}
    return client.post(f"/s/{collection.public_token}", data=data).status_code


def test_the_pupil_page_never_says_which_answer_is_right(client, quiz):
    html = client.get(f"/s/{quiz.public_token}").get_data(as_text=True)
    assert "The Sun" in html  # the options are there...
    assert "correct" not in html.lower()  # ...but nothing marks the right one
    # every option of a check is offered in the same way
    page = Page(html)
    glow = [i for i in page.inputs if i.get("name") == "glow"]
    assert [i["value"] for i in glow] == ["moon", "sun", "mirror"]
    assert len({tuple(sorted(k for k in i if k not in ("value", "id"))) for i in glow}) == 1
    steps = next(i for i in page.inputs if i.get("name") == "steps")
    assert steps["max"] == "999999"
    # after sending, the thank-you page does not give the score away either
    assert _send(client, quiz, {"glow": "moon", "pupil_number": "3"}) == 303
    thanks = client.get(f"/s/{quiz.public_token}/thanks").get_data(as_text=True)
    assert "score" not in thanks.lower()
    assert "correct" not in thanks.lower()


def test_numbers_up_to_their_max_are_stored_and_bigger_ones_refused(client, quiz):
    assert _send(client, quiz, {"steps": "123456", "pupil_number": "4"}) == 303
    refused = _send(client, quiz, {"steps": "1000000", "pupil_number": "5"})
    assert refused == 422  # the page again, with the message on the question
    assert [values for _n, values in _stored()] == [{"steps": "123456"}]


@pytest.mark.parametrize(("setting", "accepted"), [(None, False), (999, True)])
def test_pupil_numbers_above_99_only_where_the_setting_allows(app, client, quiz, setting,
                                                             accepted):
    if setting:
        app.config["PUPIL_NUMBER_MAX"] = setting
    html = client.get(f"/s/{quiz.public_token}").get_data(as_text=True)
    assert f"(1 to {setting or 99})" in html
    status = _send(client, quiz, {"fun": "3", "pupil_number": "250"})
    assert status == (303 if accepted else 422)
    assert [n for n, _v in _stored()] == ([250] if accepted else [])


def test_the_pupil_number_setting_is_checked_at_start(tmp_path, monkeypatch):
    from survey_app.config import ConfigError, from_environment

    monkeypatch.setenv("PUPIL_NUMBER_MAX", "999")
    assert from_environment(tmp_path)["PUPIL_NUMBER_MAX"] == 999
    for bad in ("1000", "50", "lots"):
        monkeypatch.setenv("PUPIL_NUMBER_MAX", bad)
        with pytest.raises(ConfigError, match="PUPIL_NUMBER_MAX"):
            from_environment(tmp_path)


ANSWERS = [  # (answers, expected score)
    ({"glow": "sun", "opaque": ["wall", "book"], "fun": "3"}, "2"),
    ({"glow": "moon", "opaque": ["wall", "book"]}, "1"),
    ({"glow": "sun", "opaque": ["wall"]}, "1"),
    ({"glow": "mirror", "opaque": ["glass"]}, "0"),
    ({"fun": "2"}, ""),  # no check answered: no score
]


def test_the_wide_export_scores_each_pupil(client, runner, quiz, tmp_path):
    for i, (answers, _score) in enumerate(ANSWERS):
        assert _send(client, quiz, {**answers, "pupil_number": str(i + 1)}) == 303
    out = tmp_path / "quiz.csv"
    result = runner.invoke(args=["export", "--survey", "light_quiz", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[-2:] == ["score", "score_max"]
    assert [r["score"] for r in rows] == [s for _a, s in ANSWERS]
    assert {r["score_max"] for r in rows} == {"2"}

    sav = tmp_path / "quiz.sav"
    assert runner.invoke(args=["export", "--survey", "light_quiz", "-o", str(sav)]
                         ).exit_code == 0
    df, meta = pyreadstat.read_sav(str(sav))
    assert list(df["score"].fillna(-1)) == [2, 1, 1, 0, -1]
    assert "Knowledge checks answered right" in meta.column_names_to_labels["score"]

    book = tmp_path / "codebook.csv"
    assert runner.invoke(args=["export", "--survey", "light_quiz", "-o", str(out),
                               "--codebook", str(book)]).exit_code == 0
    with open(book, encoding="utf-8", newline="") as f:
        code_rows = list(csv.DictReader(f))
    labels = {(r["question_code"], r["value"]): r["label"] for r in code_rows}
    assert labels[("glow", "sun")] == "The Sun (correct answer)"
    assert labels[("glow", "moon")] == "The Moon"
    described = {r["question_code"]: r for r in code_rows if r["survey"] == "light_quiz"}
    assert described["score"]["measures"] == "knowledge"
    assert described["score_max"]["value"] == "2"


def test_surveys_without_checks_keep_their_columns(client, runner, loaded_bank, partnership,
                                                   tmp_path):
    c = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                          school_name="Oak Primary", group_name="Year 5", phase="before")
    db.session.commit()
    assert _send(client, c, {"enjoy": "4"}) in (200, 303)
    out = runner.invoke(args=["export", "--survey", "pupil_attitudes_7_11"]).output
    header = next(csv.reader(io.StringIO(out)))
    assert "score" not in header


def test_the_builder_keeps_right_answers_and_max():
    from werkzeug.datastructures import MultiDict

    from survey_app.builder.operations import Draft, DraftQuestion

    survey = parse_survey(QUIZ_YAML)
    for q in survey.questions:
        draft = DraftQuestion.from_question(q)
        assert draft.to_dict() == q.to_dict()
        posted = MultiDict({"q-0-text": draft.text, "q-0-code": draft.code,
                            "q-0-scale": draft.scale, "q-0-options": draft.options_text,
                            "q-0-meta": draft.meta()})
        assert Draft.from_form(posted).questions[0].to_dict() == q.to_dict()
    typed = DraftQuestion(text="Which is a star?", scale="choice",
                          options_text="moon = The Moon\nsun = The Sun *")
    assert typed.options() == [{"code": "moon", "label": "The Moon"},
                               {"code": "sun", "label": "The Sun", "correct": True}]
