""""I don't know" on the web and in the data: a distinct button (not a face), stored as
the missing code DONT_KNOW, left out of results' shares and tests, counted by the pilot
report, labelled in the codebook and declared missing in SPSS and datapackage.json."""

from __future__ import annotations

import csv
import io
import json
import re

import pyreadstat
import pytest
from sqlalchemy import select

from forms.definition import DefinitionError, parse_survey
from forms.scales import DONT_KNOW
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import Answer, Survey
from survey_app.results import analysis, pilot
from survey_app.results.queries import ResultsScope
from tests.conftest import csrf_from
from tests.results.conftest import add

SURVEY = """
code: dk_test
title: Science and me
audience: pupil
questions:
  - {code: enjoy, text: I enjoy science., scale: faces5, dont_know: true}
  - {code: atoms, text: I know what atoms are., scale: faces3, dont_know: true,
     retrospective: true}
  - {code: plain, text: I like science., scale: faces5}
"""
ENJOY = ["5", "4", DONT_KNOW, DONT_KNOW, "2", "5", "1", DONT_KNOW]


@pytest.fixture
def dk_data(app, partnership):
    load_survey_version(partnership, parse_survey(SURVEY))
    db.session.commit()
    real = create_collection(partnership, survey_code="dk_test", school_name="Alder School",
                             group_name="Year 5 Oak", phase="before")
    trial = create_collection(partnership, survey_code="dk_test", school_name="Alder School",
                              group_name="Year 5 Oak", phase="before", pilot=True)
    db.session.commit()
    for value in ENJOY:
        add(real, {"enjoy": value, "plain": "3"})
        add(trial, {"enjoy": value, "atoms_then": DONT_KNOW, "atoms_now": "2"})
    db.session.commit()
    return real, trial


def test_only_the_faces_scales_offer_it():
    with pytest.raises(DefinitionError, match="has no \"I don't know\" answer"):
        parse_survey("code: x\ntitle: X\naudience: teacher\nquestions:\n"
                     "  - {code: a, text: A, scale: agree5, dont_know: true}\n")
    survey = parse_survey(SURVEY)
    assert parse_survey(survey.to_yaml()) == survey  # the flag survives a round trip
    assert survey.questions[0].answer_codes[-1] == DONT_KNOW
    assert survey.questions[2].answer_codes == ("1", "2", "3", "4", "5")


def test_web_page_shows_a_distinct_button_and_stores_the_code(client, dk_data):
    real, _trial = dk_data
    page = client.get(f"/s/{real.public_token}").get_data(as_text=True)
    assert page.count('class="option dont-know"') == 3  # enjoy, atoms then and now
    button = re.search(r'<div class="option dont-know">(.*?)</div>', page, re.S).group(1)
    assert f'value="{DONT_KNOW}"' in button
    assert "I don&#39;t know" in button or "I don't know" in button
    assert "<svg" not in button  # no face
    assert 'id="plain-dk"' not in page
    sid = re.search(r'name="submission_id"[^>]*value="([^"]+)"', page).group(1)
    resp = client.post(f"/s/{real.public_token}", data={
        "csrf_token": csrf_from(page), "submission_id": sid, "enjoy": DONT_KNOW,
        "atoms_then": DONT_KNOW, "atoms_now": "3"})
    assert resp.status_code == 303
    stored = dict(db.session.execute(select(Answer.question_code, Answer.value).where(
        Answer.question_code.in_(["enjoy", "atoms_then"]))
        .order_by(Answer.id.desc()).limit(2)).all())
    assert stored == {"enjoy": DONT_KNOW, "atoms_then": DONT_KNOW}
    # a plain question refuses the code
    page = client.get(f"/s/{real.public_token}").get_data(as_text=True)
    sid = re.search(r'name="submission_id"[^>]*value="([^"]+)"', page).group(1)
    resp = client.post(f"/s/{real.public_token}", data={
        "csrf_token": csrf_from(page), "submission_id": sid, "plain": DONT_KNOW})
    assert resp.status_code == 422


@pytest.mark.parametrize("use_tally", [True, False])
def test_results_leave_it_out_and_the_pilot_report_counts_it(partnership, dk_data, use_tally):
    real, trial = dk_data
    survey = db.session.scalar(select(Survey).where(Survey.code == "dk_test"))
    res = analysis.build(survey, ResultsScope(partnership.id), 1, use_tally=use_tally)
    enjoy = next(q for q in res.questions if q.question.code == "enjoy")
    (row,) = enjoy.rows
    rated = [v for v in ENJOY if v != DONT_KNOW]
    assert row.dist.n == len(rated)
    assert row.dist.top_share == pytest.approx(sum(v in ("4", "5") for v in rated) / len(rated))
    assert res.n_responses == len(ENJOY)  # who answered is still counted
    rep = pilot.build(trial)
    col = next(c for c in rep.columns if c.column == "enjoy")
    assert (col.answered, col.dont_know, col.rated) == (8, 3, 5)
    assert any("I don't know" in s for s in col.suggestions)
    then = next(c for c in rep.columns if c.column == "atoms_then")
    assert then.dont_know == 8
    assert then.top == 0


def test_export_codebook_spss_and_datapackage_treat_it_as_missing(runner, dk_data, tmp_path):
    out = runner.invoke(args=["export", "--survey", "dk_test", "-o", str(tmp_path / "w.csv"),
                              "--codebook", str(tmp_path / "cb.csv")])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "w.csv").read_text(), newline="")))
    assert sorted(r["enjoy"] for r in rows if r["pilot"] == "false") == sorted(ENJOY)
    book = list(csv.reader(io.StringIO((tmp_path / "cb.csv").read_text(), newline="")))
    assert [r[6:] for r in book if r[2] == "enjoy"][-1] == [DONT_KNOW, "I don't know (missing)"]
    assert not any(r[6] == DONT_KNOW for r in book if r[2] == "plain")
    out = runner.invoke(args=["export", "--survey", "dk_test", "-o", str(tmp_path / "d.sav")])
    assert out.exit_code == 0, out.output
    _df, meta = pyreadstat.read_sav(str(tmp_path / "d.sav"), user_missing=True)
    assert meta.missing_ranges["enjoy"] == [{"lo": -9.0, "hi": -9.0}]
    assert "plain" not in meta.missing_ranges
    assert meta.variable_value_labels["enjoy"][-9] == "I don't know"
    df, _meta = pyreadstat.read_sav(str(tmp_path / "d.sav"))  # SPSS's view: -9 is missing
    assert df["enjoy"].isna().sum() == ENJOY.count(DONT_KNOW) * 2  # real and pilot rows
    out = runner.invoke(args=["export", "--survey", "dk_test", "--datapackage",
                              "-o", str(tmp_path / "p.csv")])
    assert out.exit_code == 0, out.output
    package = json.loads((tmp_path / "p.datapackage.json").read_text())
    assert package["resources"][0]["schema"]["missingValues"] == ["", DONT_KNOW]
