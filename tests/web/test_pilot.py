"""Pilots: a pilot collection's answers feed its pilot report only (never results, the
tally, the report), the export marks them, and the report's figures and suggestions come
from what the class answered, with timings posted by the answer page."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.answer.timings import clean_timings
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.results import pilot
from tests.conftest import csrf_from, login_as, make_user
from tests.results.conftest import add

SURVEY = """
code: pilot_test
title: Science and me
audience: pupil
questions:
  - {code: enjoy, text: I enjoy science., scale: faces5}
  - {code: good, text: I am good at science., scale: faces5}
  - {code: hard, text: Science is easy., scale: faces5}
  - {code: job, text: I want a science job., scale: yesno}
"""
#: Ten pupils: enjoy is at the ceiling (6 of 10 chose 5), `hard` is skipped by three and
#: at the floor, and pupils 1 and 2 gave the same answer to every rating.
ANSWERS = [
    {"enjoy": "5", "good": "5", "hard": "5", "job": "1"},
    {"enjoy": "3", "good": "3", "hard": "3", "job": "0"},
    {"enjoy": "5", "good": "4", "hard": "1"},
    {"enjoy": "5", "good": "2", "hard": "1"},
    {"enjoy": "5", "good": "3", "hard": "1", "job": "1"},
    {"enjoy": "5", "good": "4", "hard": "2"},
    {"enjoy": "4", "good": "3"},
    {"enjoy": "2", "good": "4"},
    {"enjoy": "4", "good": "1"},
    {"enjoy": "5", "good": "2", "hard": "1"},
]


@pytest.fixture
def pilot_data(app, partnership):
    load_survey_version(partnership, parse_survey(SURVEY))
    db.session.commit()
    trial = create_collection(partnership, survey_code="pilot_test", school_name="Alder School",
                              group_name="Year 5 Oak", phase="before", pilot=True)
    real = create_collection(partnership, survey_code="pilot_test", school_name="Alder School",
                             group_name="Year 5 Oak", phase="before")
    db.session.commit()
    for i, values in enumerate(ANSWERS):
        timings = {"enjoy": {"ms": 4000 + 1000 * i, "read": int(i < 6)},
                   "good": {"ms": 5000, "read": 0}, "hard": {"ms": 30000 + 1000 * i, "read": 1}}
        response = add(trial, values)
        db.session.get(Response, response.id).timings_json = json.dumps(timings)
    for values in ANSWERS[:6]:
        add(real, {"enjoy": "1", "good": values["good"]})
    db.session.commit()
    return trial, real


def _column(rep, code):
    return next(c for c in rep.columns if c.column == code)


def test_pilot_report_figures_and_suggestions(pilot_data):
    trial, _real = pilot_data
    rep = pilot.build(trial)
    assert rep.responses == 10
    enjoy, hard, job = _column(rep, "enjoy"), _column(rep, "hard"), _column(rep, "job")
    assert (enjoy.answered, enjoy.skipped, enjoy.top, enjoy.bottom) == (10, 0, 6, 0)
    assert (hard.answered, hard.skipped, hard.top, hard.bottom) == (7, 3, 1, 4)
    assert (job.answered, job.skipped, job.top) == (3, 7, None)
    # medians of the posted times: enjoy 4..13 s -> 8.5 s; hard 30..39 s -> 34.5 s
    assert enjoy.median_seconds == pytest.approx(8.5)
    assert hard.median_seconds == pytest.approx(34.5)
    assert (enjoy.read_aloud, enjoy.timed, hard.read_aloud) == (6, 10, 10)
    assert (rep.straight_checked, rep.straight_lined) == (7, 2)
    assert any("happiest face before anything happened" in s and "little room" in s
               for s in enjoy.suggestions)
    assert any("skipped it" in s for s in hard.suggestions)
    assert any("lowest answer" in s for s in hard.suggestions)
    assert any("times as long" in s for s in hard.suggestions)
    assert not any("skipped" in s for s in enjoy.suggestions)
    assert any("same answer to every question" in s for s in rep.suggestions)
    assert pilot.fraction_words(6 / 10) == "More than half"
    assert pilot.fraction_words(1 / 3) == "A third"
    # Said as a sentence: "Most pupils", "A third of the pupils", never "Most of pupils".
    assert pilot.pupils_words(12, 9 / 12).startswith("Most pupils (9 of 12)")
    assert pilot.pupils_words(12, 4 / 12).startswith("A third of the pupils (4 of 12)")


def test_pilot_answers_never_enter_results(app, partnership, pilot_data):
    from survey_app.models import Survey
    from survey_app.results import analysis, report
    from survey_app.results.queries import ResultsScope

    _trial, real = pilot_data
    survey = db.session.scalar(select(Survey).where(Survey.code == "pilot_test"))
    for use_tally in (True, False):
        res = analysis.build(survey, ResultsScope(partnership.id), 1, use_tally=use_tally)
        enjoy = next(q for q in res.questions if q.question.code == "enjoy")
        (row,) = enjoy.rows
        assert (row.dist.n, row.dist.top_share) == (6, 0.0)  # only the real six, all "1"
        assert res.n_responses == 6
    rep = report.build_report(partnership, app.config, survey_code="pilot_test")
    assert rep.overview.sessions == 1
    assert [r.info.id for r in rep.overview.rows] == [real.id]


def test_export_marks_pilot_responses(runner, pilot_data, tmp_path):
    out = tmp_path / "w.csv"
    result = runner.invoke(args=["export", "--survey", "pilot_test", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert sorted(r["pilot"] for r in rows) == ["false"] * 6 + ["true"] * 10
    trial, _real = pilot_data
    assert {r["collection_id"] for r in rows if r["pilot"] == "true"} == {str(trial.id)}


def test_cli_create_pilot_and_report(runner, pilot_data):
    out = runner.invoke(args=["collections", "create", "--survey", "pilot_test", "--school",
                              "Alder School", "--group", "Year 6", "--phase", "follow-up",
                              "--pilot", "--json"])
    assert out.exit_code == 0, out.output
    made = json.loads(out.output)
    assert (made["pilot"], made["phase"]) == (True, "follow-up")
    trial, real = pilot_data
    out = runner.invoke(args=["pilot", "report", str(trial.id), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["responses"] == 10
    hard = next(c for c in data["columns"] if c["column"] == "hard")
    assert (hard["skipped"], hard["bottom"], hard["median_seconds"]) == (3, 4, 34.5)
    text = runner.invoke(args=["pilot", "report", str(trial.id)])
    assert "little room to show change" in text.output
    refused = runner.invoke(args=["pilot", "report", str(real.id)])
    assert refused.exit_code != 0
    assert "not a pilot" in refused.output


def test_pilot_report_page(client, partnership, pilot_data):
    trial, real = pilot_data
    make_user(partnership, "coord@example.org", "coordinator")
    login_as(client, "coord@example.org")
    page = client.get(f"/results/pilot/{trial.id}").get_data(as_text=True)
    assert "Pilot report: Science and me" in page
    assert "little room to show change" in page
    assert "34 s" in page  # hard's median time (34.5 s, shown whole)
    overview = client.get("/results/").get_data(as_text=True)
    assert f"/results/pilot/{trial.id}" in overview
    assert client.get(f"/results/pilot/{real.id}").status_code == 302
    # a teacher of another school cannot see it
    make_user(partnership, "t@example.org", "teacher", school="Birch School")
    client.get("/logout")
    login_as(client, "t@example.org")
    assert client.get(f"/results/pilot/{trial.id}").status_code == 404


def test_web_answers_store_checked_timings(client, pilot_data):
    trial, _real = pilot_data
    page = client.get(f"/s/{trial.public_token}").get_data(as_text=True)
    sid = re.search(r'name="submission_id"[^>]*value="([^"]+)"', page).group(1)
    posted = {"enjoy": {"ms": 1234, "read": 2}, "nope": {"ms": 5, "read": 0},
              "good": {"ms": -4, "read": 0}}
    resp = client.post(f"/s/{trial.public_token}", data={
        "csrf_token": csrf_from(page), "submission_id": sid, "enjoy": "4",
        "_timings": json.dumps(posted)})
    assert resp.status_code == 303
    stored = db.session.scalar(select(Response.timings_json).where(
        Response.submission_key == "web:" + sid))
    assert json.loads(stored) == {"enjoy": {"ms": 1234, "read": 2}}


@pytest.mark.parametrize("raw", [None, "", "not json", "[1, 2]", '{"enjoy": 5}',
                                 '{"enjoy": {"ms": true}}', '{"enjoy": {"ms": 1.5}}',
                                 '{"enjoy": {"ms": 99999999}}', "{" + " " * 30000 + "}"])
def test_unusable_timings_are_dropped(raw):
    assert clean_timings(raw, ["enjoy"]) is None


def test_new_collection_page_makes_a_follow_up_pilot(client, partnership, pilot_data):
    from survey_app.models import Collection

    make_user(partnership, "coord@example.org", "coordinator")
    login_as(client, "coord@example.org")
    page = client.get("/admin/collections/new").get_data(as_text=True)
    for value in ("before", "during", "after", "follow-up", "once"):
        assert f'value="{value}"' in page
    assert 'name="pilot"' in page
    resp = client.post("/admin/collections/new", data={
        "csrf_token": csrf_from(page), "survey": "pilot_test", "school": "Alder School",
        "group": "Year 6 Elm", "phase": "follow-up", "pilot": "y"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    made = db.session.scalar(select(Collection).order_by(Collection.id.desc()).limit(1))
    assert (made.phase, made.pilot, made.group.name) == ("follow-up", True, "Year 6 Elm")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"/results/pilot/{made.id}" in page
