"""Results from the database: SQL aggregation, pairing across web and paper, comparison
groups, small-group suppression and empty surveys, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from scipy import stats as sps
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import School, Survey
from survey_app.results import analysis, reach, survey_results
from survey_app.results.queries import ResultsScope
from survey_app.results.stats import holm
from tests.results.conftest import add


def _survey(code: str = "res_test") -> Survey:
    return db.session.scalar(select(Survey).where(Survey.code == code))


def _school(name: str) -> int:
    return db.session.scalar(select(School.id).where(School.name == name))


def _build(partnership, min_n: int = 5, **scope) -> survey_results.SurveyResults:
    return analysis.build(_survey(), ResultsScope(partnership.id, **scope), min_n, people=True)


def _q(res, code):
    return next(q for q in res.questions if q.question.code == code)


def _row(qr, phase, comparison=False):
    return next(r for r in qr.rows if r.phase == phase and r.comparison == comparison)


#: Alder's figures worked out by hand need Cedar's three pupils shown too: at 5, the
#: all-schools "before" row minus Alder's would give Cedar's three back, so Alder's
#: "before" row is hidden (tests/results/test_results_suppression.py).
HAND = 3


def test_one_school_before_and_after(partnership, results_data):
    res = _build(partnership, HAND, school_id=_school("Alder School"))
    conf = _q(res, "conf")
    assert [(r.phase, r.dist.n, r.suppressed) for r in conf.rows] == [
        ("before", 10, False), ("after", 10, False)]
    (change,) = conf.changes
    assert (change.top_before, change.top_after) == (pytest.approx(0.4), pytest.approx(0.7))
    assert change.points == pytest.approx(30)
    assert change.test.r == pytest.approx(0.28)
    # the scanned sheet waiting for review counts as a response, not as an answer
    assert res.respondents == {(False, "before"): 10, (False, "after"): 11}
    career = _q(res, "career")
    assert _row(career, "before").dist.top_share == pytest.approx(0.3)
    assert _row(career, "after").dist.top_share == pytest.approx(0.6)


def test_pairing_across_web_and_paper(partnership, results_data):
    res = _build(partnership, HAND, school_id=_school("Alder School"))
    ((cmp, pc),) = _q(res, "conf").paired
    assert cmp is False
    # half the after answers came on paper; all ten pupils are still paired
    assert (pc.n, pc.improved, pc.same, pc.declined) == (10, 7, 2, 1)
    assert (pc.headroom, pc.improved_with_headroom) == (8, 7)
    assert (pc.same_with_headroom, pc.declined_with_headroom) == (0, 1)
    # zeros dropped: 7 up, 1 down, all by one (midrank 4.5): r = (31.5 - 4.5) / 36
    assert pc.test.r == pytest.approx(0.75)
    # phone answers only: the five pupils whose after sheet was not on paper
    web = _build(partnership, HAND, school_id=_school("Alder School"), source="web")
    ((_, pc_web),) = _q(web, "conf").paired
    assert pc_web.n == 5


def test_a_pupil_number_used_twice_is_not_paired(partnership, results_data):
    add(results_data["after"], {"conf": "1"}, source="paper", pupil=1)
    db.session.commit()
    res = _build(partnership, school_id=_school("Alder School"))
    ((_, pc),) = _q(res, "conf").paired
    assert pc.n == 9


def test_retrospective_items_from_one_sitting(partnership, results_data):
    res = _build(partnership, school_id=_school("Alder School"))
    know = _q(res, "know")
    assert _row(know, "then").dist.top_share == pytest.approx(0.2)
    assert _row(know, "now").dist.top_share == pytest.approx(0.6)
    ((_, pc),) = know.paired
    # then/now: (1,3) (1,2) (2,3) (2,2) (3,3) (1,1) (2,3) (1,2) (3,3) (2,3)
    assert (pc.n, pc.improved, pc.same, pc.declined) == (10, 6, 4, 0)
    assert (pc.headroom, pc.improved_with_headroom) == (8, 6)
    # differences 2,1,1,0,0,0,1,1,0,1: zeros dropped (R's default), six rise: r = 1
    assert pc.test.r == pytest.approx(1.0)
    # V = 21, n = 6, ties (five 1s): z = (21 - 10.5 - 0.5) / sqrt(22.75 - 120/48) = 10/4.5
    assert pc.test.p == pytest.approx(2 * sps.norm.sf(10 / 4.5))
    assert pc.test.p == pytest.approx(sps.wilcoxon(
        [2, 1, 1, 1, 1, 1], correction=True, method="asymptotic").pvalue)
    assert know.changes[0].test is pc.test
    assert res.headroom(retrospective=True) == (8, 6)
    assert res.retro_people == (8, 6)


def test_multi_items_count_people(partnership, results_data):
    res = _build(partnership, school_id=_school("Alder School"))
    tools = _q(res, "tools")
    before, after = _row(tools, "before").dist, _row(tools, "after").dist
    assert (before.n, before.counts) == (6, (6, 2, 0))
    assert (after.n, after.counts) == (10, (5, 10, 5))


def test_comparison_groups_beside_the_groups_that_took_part(partnership, results_data):
    res = _build(partnership)
    assert res.has_comparison
    conf = _q(res, "conf")
    cmp_before, cmp_after = _row(conf, "before", True), _row(conf, "after", True)
    assert (cmp_before.label, cmp_after.label) == ("Before, comparison", "After, comparison")
    assert _row(conf, "before").label == "Before, took part"
    assert (cmp_before.dist.top_share, cmp_after.dist.top_share) == (
        pytest.approx(2 / 6), pytest.approx(3 / 6))
    # the groups that took part include Cedar's three (all 5): 13 before
    assert _row(conf, "before").dist.n == 13
    changes = {c.comparison: c for c in conf.changes}
    assert changes[True].test.r == pytest.approx(2 * 21 / 36 - 1)
    paired = dict(conf.paired)
    assert (paired[True].n, paired[True].improved) == (6, 1)


def test_difference_in_change_from_paired_change_scores(partnership, results_data):
    res = _build(partnership)
    did = _q(res, "conf").did
    # change scores: took part +1 x7, -1, 0 x2 (mean 0.6); comparison +1, 0 x5 (mean 1/6)
    took = [1] * 7 + [-1] + [0, 0]
    cmp = [1, 0, 0, 0, 0, 0]
    assert did.unit == "scale points"
    assert did.estimate == pytest.approx(0.6 - 1 / 6)
    welch = sps.ttest_ind(took, cmp, equal_var=False).confidence_interval(0.95)
    assert (did.ci_low, did.ci_high) == (pytest.approx(welch.low), pytest.approx(welch.high))
    assert did.p == pytest.approx(sps.mannwhitneyu(took, cmp, method="asymptotic").pvalue)
    assert (did.n_participants, did.n_comparison) == (10, 6)
    # no comparison group in Alder's own results: nothing to compare
    assert _q(_build(partnership, school_id=_school("Alder School")), "conf").did is None


def test_primary_questions_carry_the_holm_family(partnership, results_data):
    from survey_app.results.operations import PrimaryError, set_primary_questions

    # Nothing declared: both rating questions are exploratory and adjusted together.
    res = _build(partnership, school_id=_school("Alder School"))
    conf, know = _q(res, "conf"), _q(res, "know")
    assert not conf.primary
    assert not know.primary
    p_conf, p_know = conf.main_test[1], know.main_test[1]
    assert conf.main_test[0] == "Wilcoxon signed-rank"
    assert [conf.p_adjusted, know.p_adjusted] == pytest.approx(holm([p_conf, p_know]))
    smaller = min((conf, know), key=lambda q: q.main_test[1])
    assert smaller.p_adjusted == pytest.approx(min(1, 2 * min(p_conf, p_know)))
    survey = _survey()
    with pytest.raises(PrimaryError, match="said"):
        set_primary_questions(survey, ["said"])  # a text question counts nothing
    set_primary_questions(survey, ["conf"])
    db.session.commit()
    res = _build(partnership, school_id=_school("Alder School"))
    conf, know = _q(res, "conf"), _q(res, "know")
    assert conf.primary
    assert not know.primary
    # each family now holds one test: adjusted p equals its own p
    assert conf.p_adjusted == pytest.approx(p_conf)
    assert know.p_adjusted == pytest.approx(p_know)


def test_small_groups_are_suppressed(app, partnership, results_data):
    cedar = _school("Cedar School")
    res = _build(partnership, min_n=analysis.min_group(app.config, "pupil"), school_id=cedar)
    conf = _q(res, "conf")
    assert [(r.dist.n, r.suppressed) for r in conf.rows] == [(3, True)]
    assert conf.changes == []
    # the threshold is a setting: at 3, three answers are shown
    app.config["MIN_GROUP_PUPIL"] = 3
    res = _build(partnership, min_n=analysis.min_group(app.config, "pupil"), school_id=cedar)
    assert _q(res, "conf").rows[0].suppressed is False
    assert analysis.min_group(app.config, "teacher") == 3
    assert analysis.min_group(app.config, "school") == 1


def test_paired_and_text_suppression(partnership, results_data):
    # with a threshold of 11 the ten Alder pairs are too few to show
    res = _build(partnership, min_n=11, school_id=_school("Alder School"))
    conf = _q(res, "conf")
    assert conf.paired == []
    assert conf.paired_suppressed == [(False, 10)]
    said = _q(res, "said")
    assert said.texts_suppressed is True
    assert said.texts == []
    shown = _q(_build(partnership, school_id=_school("Alder School")), "said")
    assert sorted(shown.texts) == ["Magnets"] * 6 + ["Prisms"] * 2


def test_empty_survey(partnership, loaded_bank):
    res = analysis.build(db.session.scalar(select(Survey).where(
        Survey.code == "teacher_confidence")), ResultsScope(partnership.id), 3)
    assert res.n_responses == 0
    assert all(not q.rows and not q.changes and not q.paired for q in res.questions)
    assert res.headroom(retrospective=False) == (0, 0)


def test_overview_counts(partnership, results_data):
    ov = reach.overview(ResultsScope(partnership.id))
    assert (ov.schools, ov.groups, len(ov.rows)) == (3, 3, 5)
    # Alder: 10 web before, after 5 web + 6 paper; Birch: 6 web + 6 paper; Cedar 3 web
    assert (ov.web, ov.paper) == (10 + 5 + 6 + 3, 6 + 6)
    assert ov.review == 1
    assert ov.rate == pytest.approx(21 / 24)  # only Alder's collections gave a size (12)
    # reached: the largest collection per group that took part (Alder 11, Cedar 3)
    assert ov.reached("pupil") == 14
    assert ov.schools_reached == 2
    assert ov.sessions == 3
    alder = reach.overview(ResultsScope(partnership.id, school_id=_school("Alder School")))
    assert (alder.web + alder.paper, alder.review) == (21, 1)
