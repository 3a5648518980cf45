"""Knowledge scores in the results (issue 14, item 4): the distribution, the change in the
mean, "the number and percentage of pupils who can do more" with the paired Wilcoxon test,
checked against figures worked out by hand and against SciPy, and small groups suppressed
by the same rules as every other figure (secondary suppression included)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats as sps
from sqlalchemy import select

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import Collection, School, Survey
from survey_app.results import analysis
from survey_app.results.queries import ResultsScope
from survey_app.results.suppression import PROTECTS, reason_words
from tests.results.conftest import add
from tests.web.test_knowledge_web import QUIZ_YAML

CHECKS = """
  - code: travel
    text: Light travels in straight lines.
    scale: choice
    options:
      - {code: "yes", label: "True", correct: true}
      - {code: "no", label: "False"}
"""
#: Answers that score 0, 1, 2 and 3 of the three checks (glow, opaque, travel).
BY_SCORE = [
    {"glow": "moon", "opaque": "glass", "travel": "no"},
    {"glow": "sun", "opaque": "glass", "travel": "no"},
    {"glow": "sun", "opaque": "wall;book", "travel": "no"},
    {"glow": "sun", "opaque": "wall;book", "travel": "yes"},
]
#: Pupils 1..12 of Year 5 Oak before; 1..11 after (pupil 12 was away).
BEFORE = [0, 1, 1, 2, 0, 1, 2, 3, 1, 0, 2, 1]
AFTER = [2, 2, 1, 3, 1, 3, 2, 3, 2, 1, 1]
#: Three comparison pupils (too few to show) and two pupils in a tiny group at another
#: school (too few: their school is hidden, and Alder beside it to stop subtraction).
CMP_BEFORE, CMP_AFTER = [1, 1, 2], [1, 2, 2]
TINY = [3, 3]


@pytest.fixture
def quiz_results(app, partnership):
    load_survey_version(partnership, parse_survey(QUIZ_YAML.replace(
        "  - {code: fun,", CHECKS + "  - {code: fun,")))
    db.session.commit()

    def make(school, group, phase, **kw):
        return create_collection(partnership, survey_code="light_quiz", school_name=school,
                                 group_name=group, phase=phase, ask_pupil_number=True, **kw)

    before = make("Alder School", "Year 5 Oak", "before")
    after = make("Alder School", "Year 5 Oak", "after", pair_with=before.id)
    cmp_before = make("Birch School", "Year 5 Ash", "before", is_comparison=True)
    cmp_after = make("Birch School", "Year 5 Ash", "after", is_comparison=True,
                     pair_with=cmp_before.id)
    tiny = make("Cedar School", "Nurture group", "before")
    db.session.commit()
    for collection, scores in ((before, BEFORE), (after, AFTER), (cmp_before, CMP_BEFORE),
                               (cmp_after, CMP_AFTER), (tiny, TINY)):
        for i, s in enumerate(scores):
            add(collection, {**BY_SCORE[s], "fun": "3"}, pupil=i + 1,
                source="paper" if i % 2 else "web")
    # A response with no knowledge answer has no score and changes nothing.
    add(before, {"fun": "2"}, pupil=40)
    db.session.commit()
    return db.session.query(Survey).filter_by(code="light_quiz").one()


def _build(partnership, survey, **scope):
    return analysis.build(survey, ResultsScope(partnership.id, **scope), 5)


def test_scores_their_change_and_who_can_do_more_match_the_hand_worked_figures(
        partnership, quiz_results):
    ks = _build(partnership, quiz_results).knowledge
    assert ks.score_max == 3
    before = ks.row("before")
    assert before.dist.counts == (3, 5, 3, 3)  # BEFORE and TINY together, by score 0..3
    assert before.dist.n == 14
    assert not before.suppressed  # the partnership's figure: 14 pupils
    after = ks.shown("after")
    assert after.counts == (0, 4, 4, 3)
    assert after.mean == pytest.approx(21 / 11)
    assert before.dist.mean == pytest.approx((14 + 6) / 14)
    assert ks.mean_change() == pytest.approx(21 / 11 - 20 / 14)
    pc = ks.arm_paired()
    # differences 2 1 0 1 1 2 0 0 1 1 -1: 7 pupils did better, 3 the same, 1 worse
    assert (pc.n, pc.improved, pc.same, pc.declined) == (11, 7, 3, 1)
    assert ks.can_do_more() == (7, 11)
    # signed ranks of the 8 non-zero differences: six |1| share ranks 1-6 (3.5 each), two
    # |2| share 7-8 (7.5): R+ = 5 x 3.5 + 2 x 7.5 = 32.5, R- = 3.5, r = (32.5 - 3.5) / 36
    assert pc.test.r == pytest.approx(29 / 36)
    assert pc.test.n_used == 8
    assert pc.test.method != "exact"  # ties and zeros: the normal approximation, as R


def test_the_paired_test_agrees_with_scipy(partnership, quiz_results):
    pc = _build(partnership, quiz_results).knowledge.arm_paired()
    diffs = np.array(AFTER) - np.array(BEFORE[:len(AFTER)])
    ref = sps.wilcoxon(diffs, zero_method="wilcox", correction=True, method="approx")
    assert pc.test.p == pytest.approx(ref.pvalue, rel=1e-9)
    assert pc.mean_change == pytest.approx(diffs.mean())


def test_small_groups_are_suppressed_and_cannot_be_recovered_by_subtraction(
        partnership, quiz_results):
    ks = _build(partnership, quiz_results).knowledge
    assert ks.row("before", comparison=True).suppressed  # 3 pupils
    assert ks.arm_paired(comparison=True) is None
    assert [(c, n) for c, n in ks.paired_suppressed] == [(True, 3)]
    # Alder's own page: its 12 before-scores are the partnership's 14 minus Cedar's 2,
    # so they are hidden too (secondary suppression), as every other figure would be.
    alder = db.session.query(School).filter_by(name="Alder School").one()
    own = _build(partnership, quiz_results, school_id=alder.id).knowledge
    assert own.row("before").suppressed
    assert own.row("before").why == reason_words(PROTECTS, 5)
    assert not own.row("after").suppressed
    assert own.mean_change() is None


def test_the_page_report_and_json_tell_the_same_story(app, partnership, quiz_results,
                                                      coordinator_client, runner):
    page = coordinator_client.get("/results/survey/light_quiz").get_data(as_text=True)
    assert "Knowledge score" in page
    assert "7 of 11 pupils (64%) can do more" in page
    assert "3 right" in page
    report = coordinator_client.get("/results/report?survey=light_quiz").get_data(
        as_text=True)
    assert "7 of the 11 pupils who answered both times (64%) can do more" in report
    out = runner.invoke(args=["results", "--survey", "light_quiz", "--json"])
    assert out.exit_code == 0, out.output
    figures = json.loads(out.output)["knowledge_score"]["participants"]
    assert (figures["can_do_more"], figures["n_pairs"]) == (7, 11)
    assert figures["distribution_after"] == [0, 4, 4, 3]
    assert figures["can_do_more_share"] == pytest.approx(7 / 11)
    assert json.loads(out.output)["knowledge_score"]["comparison"]["n_pairs"] == 3


def test_the_score_test_is_one_more_exploratory_test_in_holms_family(partnership,
                                                                     quiz_results):
    res = _build(partnership, quiz_results)
    ks = res.knowledge
    family = [q.main_test[1] for q in res.questions
              if not q.primary and q.main_test is not None]
    m = len(family) + 1
    raw = sorted([*family, ks.main_p])
    expected, running = {}, 0.0
    for rank, p in enumerate(raw):  # Holm by hand
        running = max(running, min(1.0, (m - rank) * p))
        expected.setdefault(p, running)
    assert ks.p_adjusted == pytest.approx(expected[ks.main_p])
    assert ks.p_adjusted >= ks.main_p


def test_the_tables_csv_has_the_score_lines(partnership, quiz_results, coordinator_client):
    import csv
    import io

    text = coordinator_client.get("/results/survey/light_quiz/tables.csv").get_data(
        as_text=True)
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["question_code"] == "score"]
    paired = [r for r in rows if r["table"] == "score_paired"]
    assert [(r["arm"], r["n_pairs"], r["improved"], r["same"], r["declined"], r["percent"])
            for r in paired] == [("participant", "11", "7", "3", "1", "63.6"),
                                 ("comparison", "3", "", "", "", "")]
    assert "too few" in paired[1]["suppressed"]
    after = [r for r in rows if r["table"] == "score_distribution"
             and r["arm"] == "participant" and r["phase"] == "after"]
    assert [(r["category"], r["count"]) for r in after] == [
        ("0 right", "0"), ("1 right", "4"), ("2 right", "4"), ("3 right", "3")]


def test_the_results_page_names_each_checks_right_answer(quiz_results, coordinator_client):
    page = coordinator_client.get("/results/survey/light_quiz").get_data(as_text=True)
    assert "right answer: The Sun" in page
    assert "right answer: A brick wall + A book" in page


def test_each_response_is_scored_by_its_own_versions_right_answers(app, partnership):
    """A version that changes a check's right answer: the fast path (answers alone) must
    give way to scoring by each response's own version."""
    from survey_app.results import scores

    v1 = parse_survey(QUIZ_YAML)
    load_survey_version(partnership, v1)
    db.session.commit()
    first = create_collection(partnership, survey_code="light_quiz", school_name="Alder School",
                              group_name="Year 5", phase="before", ask_pupil_number=True)
    db.session.commit()
    add(first, {"glow": "sun", "opaque": "wall;book"}, pupil=1)
    # version 2: the Moon is now the "right" answer to glow (a changed mind, say)
    load_survey_version(partnership, parse_survey(QUIZ_YAML.replace(
        "{code: moon, label: The Moon}", "{code: moon, label: The Moon, correct: true}")
        .replace("{code: sun, label: The Sun, correct: true}", "{code: sun, label: The Sun}")))
    db.session.commit()
    second = create_collection(partnership, survey_code="light_quiz",
                               school_name="Alder School", group_name="Year 5",
                               phase="after", ask_pupil_number=True)
    db.session.commit()
    assert second.survey_version_id != first.survey_version_id
    add(second, {"glow": "sun", "opaque": "wall;book"}, pupil=1)
    db.session.commit()
    survey = db.session.query(Survey).filter_by(code="light_quiz").one()
    got = scores.scored(ResultsScope(partnership.id), [first.id, second.id],
                        scores.knowledge_codes(survey), scores.definitions_by_version(survey))
    assert sorted((s.collection_id, s.right) for s in got) == [(first.id, 2), (second.id, 1)]


#: A follow-up term later for Year 5 Oak: pupils 1..10 (two were away).
FOLLOW_UP = [3, 2, 2, 3, 2, 3, 3, 3, 2, 1]


def test_scores_compare_the_same_two_time_points_as_the_questions(partnership, quiz_results):
    """With a follow-up, results compare the first time point with the last: the scores
    follow (pairs before -> follow-up), and any two can be asked for, as for the questions."""
    before = db.session.scalar(select(Collection).where(Collection.phase == "before",
                                                        Collection.is_comparison.is_(False),
                                                        Collection.group_id.isnot(None))
                               .order_by(Collection.id).limit(1))
    follow = create_collection(partnership, survey_code="light_quiz",
                               school_name="Alder School", group_name="Year 5 Oak",
                               phase="follow-up", ask_pupil_number=True)
    db.session.commit()
    for i, s in enumerate(FOLLOW_UP):
        add(follow, {**BY_SCORE[s], "fun": "3"}, pupil=i + 1)
    db.session.commit()
    assert before.group_id == follow.group_id

    default = _build(partnership, quiz_results)
    ks = default.knowledge
    assert default.points == ("before", "follow-up")
    assert ks.points == default.points
    pc = ks.arm_paired()
    diffs = np.array(FOLLOW_UP) - np.array(BEFORE[:len(FOLLOW_UP)])
    assert (pc.n, pc.improved) == (len(diffs), int((diffs > 0).sum()))
    ref = sps.wilcoxon(diffs, zero_method="wilcox", correction=True, method="approx")
    assert pc.test.p == pytest.approx(ref.pvalue, rel=1e-9)
    assert ks.mean_change() == pytest.approx(np.mean(FOLLOW_UP) - (20 / 14))

    asked = analysis.build(quiz_results, ResultsScope(partnership.id), 5,
                           points=("before", "after")).knowledge
    assert asked.points == ("before", "after")
    assert asked.can_do_more() == (7, 11)  # the before/after figures, as above
