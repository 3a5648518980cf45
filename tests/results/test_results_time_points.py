"""More than two time points: pupils paired by number across before, during, after and
follow-up; any two compared (first with last by default), with statistics equal to SciPy's
on the same pupils; the line chart of the share at the top; pilots never in results. On
SQLite and PostgreSQL, from the tally and live alike."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from scipy import stats as sps
from sqlalchemy import select

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import Survey, TallyCount
from survey_app.results import analysis, charts, survey_results
from survey_app.results.queries import ResultsScope
from tests.conftest import login_as, make_user
from tests.results.conftest import add

SURVEY = """
code: tp_test
title: Science over the year
audience: pupil
questions:
  - {code: conf, text: I am good at science., scale: faces5}
  - {code: career, text: I would like a science job., scale: yesno}
"""
POINTS = ("before", "during", "after", "follow-up")
PUPILS = 14


def _answers(seed: int) -> dict[str, dict[int, int]]:
    """phase -> pupil -> faces5 answer; some pupils miss some time points."""
    rnd = random.Random(seed)
    out: dict[str, dict[int, int]] = {}
    level = {p: rnd.randint(1, 3) for p in range(1, PUPILS + 1)}
    for step, phase in enumerate(POINTS):
        out[phase] = {p: max(1, min(5, level[p] + rnd.choice([0, step // 2, step, 1])))
                      for p in range(1, PUPILS + 1) if rnd.random() > 0.15}
    return out


@pytest.fixture
def time_data(app, partnership):
    load_survey_version(partnership, parse_survey(SURVEY))
    db.session.commit()
    answers = _answers(7)
    answers["during"].setdefault(1, 3)
    made = {}
    for phase in POINTS:
        made[phase] = create_collection(
            partnership, survey_code="tp_test", school_name="Alder School",
            group_name="Year 5 Oak", phase=phase, ask_pupil_number=True)
    # A pilot in the same group, with answers no result may count (all at the top).
    pilot = create_collection(partnership, survey_code="tp_test", school_name="Alder School",
                              group_name="Year 5 Oak", phase="before", ask_pupil_number=True,
                              pilot=True)
    db.session.commit()
    for phase in POINTS:
        for pupil, value in answers[phase].items():
            add(made[phase], {"conf": str(value), "career": str(value % 2)}, pupil=pupil,
                source="paper" if pupil % 3 == 0 else "web")
    # Pupil 1 answered twice during: ambiguous there, so never paired with "during".
    add(made["during"], {"conf": "5"}, pupil=1)
    for pupil in range(1, 9):
        add(pilot, {"conf": "5", "career": "1"}, pupil=pupil)
    db.session.commit()
    return answers, made, pilot


def _survey() -> Survey:
    return db.session.scalar(select(Survey).where(Survey.code == "tp_test"))


def _conf(res) -> survey_results.QuestionResult:
    return next(q for q in res.questions if q.question.code == "conf")


def _build(partnership, points=None, use_tally=True) -> survey_results.SurveyResults:
    return analysis.build(_survey(), ResultsScope(partnership.id), 1, points=points,
                          use_tally=use_tally)


def _rank_biserial(diffs: np.ndarray) -> float:
    d = diffs[diffs != 0]
    ranks = sps.rankdata(np.abs(d))
    plus, minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    return (plus - minus) / (plus + minus)


@pytest.mark.parametrize("use_tally", [True, False])
@pytest.mark.parametrize("pair", [None, ("before", "after"), ("during", "follow-up"),
                                  ("follow-up", "before")])
def test_any_two_time_points_equal_scipy_on_the_same_pupils(partnership, time_data,
                                                            use_tally, pair):
    answers, _made, _pilot = time_data
    res = _build(partnership, pair, use_tally)
    first, last = ("before", "follow-up") if pair in (None, ("follow-up", "before")) else pair
    assert res.points == (first, last)
    assert res.present == POINTS
    conf = _conf(res)
    # every time point has its row; the pilot's answers are in none of them
    assert [(r.phase, r.dist.n) for r in conf.rows] == [
        (p, len(answers[p]) + (p == "during")) for p in POINTS]
    ((cmp, pc),) = conf.paired
    assert cmp is False
    both = sorted((set(answers[first]) & set(answers[last])) - (
        {1} if "during" in (first, last) else set()))
    x = np.array([answers[first][p] for p in both])
    y = np.array([answers[last][p] for p in both])
    assert pc.n == len(both)
    assert (pc.improved, pc.declined) == (int((y > x).sum()), int((y < x).sum()))
    want = sps.wilcoxon(y, x, zero_method="wilcox", correction=True, method="asymptotic")
    assert pc.test.p == pytest.approx(want.pvalue)
    assert pc.test.r == pytest.approx(_rank_biserial(y - x))
    (change,) = conf.changes
    everyone_first = [v for v in answers[first].values()] + ([5] if first == "during" else [])
    everyone_last = [v for v in answers[last].values()] + ([5] if last == "during" else [])
    mw = sps.mannwhitneyu(everyone_first, everyone_last, method="asymptotic")
    assert change.test.p == pytest.approx(mw.pvalue)
    top = [int(c) for c in conf.question.scale_def.top_box]
    assert change.top_before == pytest.approx(np.isin(everyone_first, top).mean())
    assert change.top_after == pytest.approx(np.isin(everyone_last, top).mean())


def test_the_tally_holds_pairs_of_every_two_time_points(partnership, time_data):
    _build(partnership)
    keys = set(db.session.scalars(select(TallyCount.phase).where(TallyCount.kind == "pair")))
    assert keys == {"1>2", "1>3", "1>4", "2>3", "2>4", "3>4"}


def test_a_pilot_never_enters_results_the_tally_or_the_report(app, partnership, time_data):
    from survey_app.results import report

    _answers_, _made, pilot = time_data
    res = _build(partnership)
    assert pilot.id not in {c.id for c in res.collections}
    before = next(r for r in _conf(res).rows if r.phase == "before")
    assert before.dist.n == len(time_data[0]["before"])
    assert not db.session.scalar(select(TallyCount.id).where(
        TallyCount.collection_id == pilot.id))
    rep = report.build_report(partnership, app.config, survey_code="tp_test")
    assert rep.overview.sessions == 4  # the four real time points, not the pilot
    assert all(r.info.id != pilot.id for r in rep.overview.rows)


def test_trend_line_across_all_time_points(partnership, time_data):
    answers, _made, _pilot = time_data
    conf = _conf(_build(partnership))
    trend = conf.top_trend()
    during = list(answers["during"].values()) + [5]
    top = [int(c) for c in conf.question.scale_def.top_box]
    want = {p: np.isin(list(answers[p].values()) if p != "during" else during, top).mean()
            for p in POINTS}
    assert [p for p, _s, _n in trend] == list(POINTS)
    for p, share, _n in trend:
        assert share == pytest.approx(want[p])
    svg = charts.trend_svg(conf)
    assert svg.startswith("<svg")
    assert svg.count("<polyline") == 1  # one arm, one line
    for p in ("Before", "During", "After", "Follow-up"):
        assert f">{p}<" in svg
    assert f"{want['follow-up'] * 100:.0f}%" in svg


def test_results_page_and_cli_choose_the_time_points(app, client, runner, partnership,
                                                    time_data):
    answers, _made, _pilot = time_data
    make_user(partnership, "coord@example.org", "coordinator")
    login_as(client, "coord@example.org")
    page = client.get("/results/survey/tp_test").get_data(as_text=True)
    assert 'name="first"' in page
    assert 'name="last"' in page
    assert '<option value="follow-up" selected>' in page
    assert "over time" in page  # the trend chart's title
    page = client.get("/results/survey/tp_test?first=during&last=after").get_data(as_text=True)
    assert "Same pupils midway and after" in page
    out = runner.invoke(args=["results", "--survey", "tp_test", "--compare", "during:after",
                              "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["compared"] == ["during", "after"]
    conf = next(q for q in data["questions"] if q["code"] == "conf")
    both = (set(answers["during"]) & set(answers["after"])) - {1}
    assert conf["participants"]["n_pairs"] == len(both)
    assert list(conf["participants"]["top_box_by_time_point"]) == list(POINTS)
    bad = runner.invoke(args=["results", "--survey", "tp_test", "--compare", "before:soon"])
    assert bad.exit_code != 0
    assert "FIRST:LAST" in bad.output


def test_a_time_point_counts_once_someone_answers(partnership, time_data):
    """A follow-up made ahead of time must not turn the default comparison into one with
    no answers yet."""
    from survey_app.admin.operations import create_collection

    create_collection(partnership, survey_code="tp_test", school_name="Birch School",
                      group_name="Year 6", phase="follow-up", ask_pupil_number=True)
    db.session.commit()
    answers, made, _pilot = time_data
    # empty the real follow-up: its answers gone, the collection kept
    from survey_app.models import Response

    db.session.execute(Response.__table__.delete().where(
        Response.collection_id == made["follow-up"].id))
    db.session.commit()
    res = _build(partnership, use_tally=False)
    assert res.present == ("before", "during", "after")
    assert res.points == ("before", "after")
