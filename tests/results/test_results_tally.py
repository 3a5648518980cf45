"""The results tally (stored counts per group and survey) gives exactly what the answers
give, is really what a page reads, and is rebuilt whenever the answers behind it change,
on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from sqlalchemy import func, select, update

from survey_app.erasure.operations import erase_collection
from survey_app.extensions import db
from survey_app.models import (
    Response,
    ReviewItem,
    School,
    Survey,
    TallyBlock,
    TallyCount,
)
from survey_app.results import analysis, survey_results
from survey_app.results.queries import ResultsScope
from survey_app.results.tally import answers_changed
from survey_app.scans.operations import PUPIL_NUMBER, resolve_review_item
from tests.results.conftest import CONF_BEFORE, add
from tests.results.test_results_analysis import _q, _row


def _survey() -> Survey:
    return db.session.scalar(select(Survey).where(Survey.code == "res_test"))


def _build(partnership, *, use_tally: bool = True, min_n: int = 5,
           **scope) -> survey_results.SurveyResults:
    return analysis.build(_survey(), ResultsScope(partnership.id, **scope), min_n, people=True,
                          use_tally=use_tally)


def figures(res: survey_results.SurveyResults) -> str:
    """Every figure a page shows (repr, so that two NaN p-values compare equal)."""
    return repr([(q.question.code, q.rows, q.changes, q.paired, q.paired_suppressed)
                 for q in res.questions]) + repr(sorted(res.respondents.items()))


def assert_tally_is_live(partnership, **scope) -> survey_results.SurveyResults:
    tallied = _build(partnership, **scope)
    assert figures(tallied) == figures(_build(partnership, use_tally=False, **scope))
    return tallied


def _signatures() -> dict[int, str]:
    return dict(db.session.execute(select(TallyBlock.group_id, TallyBlock.signature)).all())


def test_tally_gives_what_the_answers_give(partnership, results_data):
    alder = db.session.scalar(select(School.id).where(School.name == "Alder School"))
    assert_tally_is_live(partnership)
    res = assert_tally_is_live(partnership, school_id=alder)
    assert_tally_is_live(partnership, group_id=results_data["tiny"].group_id)
    # One block per group that has the survey, and the counts are really there.
    assert len(_signatures()) == 3
    assert db.session.scalar(select(func.count()).select_from(TallyCount)) > 20
    # The hand-checked figures of test_results_analysis hold through the tally too.
    conf = _q(res, "conf")
    assert _row(conf, "before").dist.n == len(CONF_BEFORE)
    assert sum(pc.n for cmp, pc in conf.paired if not cmp) == 10


def test_a_page_reads_the_tally_and_a_change_rebuilds_it(partnership, results_data):
    _build(partnership)
    before = results_data["before"]
    # Change a stored count behind the signature's back: the page shows it, so pages do
    # read the tally and not the answers ...
    db.session.execute(update(TallyCount).where(
        TallyCount.kind == "answer", TallyCount.collection_id == before.id,
        TallyCount.question_code == "conf", TallyCount.value == "5")
        .values(n=TallyCount.n + 100))
    db.session.commit()
    alder = db.session.scalar(select(School.id).where(School.name == "Alder School"))
    shown = _row(_q(_build(partnership, school_id=alder), "conf"), "before").dist
    assert shown.counts[shown.codes.index("5")] == CONF_BEFORE.count(5) + 100
    # ... and a change recorded the way the app records changes puts it right.
    answers_changed(collection_ids=[before.id])
    db.session.commit()
    assert_tally_is_live(partnership)


def test_a_new_response_rebuilds_only_its_own_group(partnership, results_data):
    _build(partnership)
    old = _signatures()
    add(results_data["after"], {"conf": "1", "career": "0"}, pupil=11, source="paper")
    db.session.commit()
    assert_tally_is_live(partnership)
    new = _signatures()
    alder, birch = results_data["after"].group_id, results_data["cmp_after"].group_id
    assert new[alder] != old[alder]
    assert new[birch] == old[birch]


def test_filters_the_tally_cannot_answer_are_counted_live(partnership, results_data):
    _build(partnership)
    db.session.execute(update(TallyCount).values(n=TallyCount.n + 100))
    db.session.commit()
    # (suppression off: its decisions read the unfiltered tally, spoilt on purpose here)
    web = _build(partnership, source="web", min_n=1)
    assert figures(web) == figures(_build(partnership, source="web", use_tally=False, min_n=1))
    assert _row(_q(web, "conf"), "before").dist.n == len(CONF_BEFORE) + 3  # + Cedar


def test_review_decisions_and_pupil_numbers_rebuild_the_tally(partnership, results_data,
                                                             coordinator):
    after = results_data["after"]
    _build(partnership)
    # The scanned sheet waiting for review (fixture: pupil 12, 'conf' unsure) is decided.
    waiting = db.session.scalar(select(Response).where(Response.collection_id == after.id,
                                                       Response.pupil_number == 12))
    item = ReviewItem(response_id=waiting.id, question_code="conf", kind="unsure")
    db.session.add(item)
    db.session.commit()
    resolve_review_item(item, "5", coordinator)
    res = assert_tally_is_live(partnership)
    assert _row(_q(res, "conf"), "after").dist.n == 11
    # A reviewer corrects pupil 1's number on their after sheet: that pair is gone.
    pupil1 = db.session.scalar(select(Response).where(Response.collection_id == after.id,
                                                      Response.pupil_number == 1))
    item = ReviewItem(response_id=pupil1.id, question_code=PUPIL_NUMBER, kind="conflict")
    db.session.add(item)
    db.session.commit()
    resolve_review_item(item, "40", coordinator)
    res = assert_tally_is_live(partnership)
    assert sum(pc.n for cmp, pc in _q(res, "conf").paired if not cmp) == 9


def test_erasing_a_collection_takes_its_counts(partnership, results_data):
    _build(partnership)
    cmp_after = results_data["cmp_after"]
    erase_collection(cmp_after, actor="test")
    assert not db.session.scalar(select(func.count()).select_from(TallyCount).where(
        TallyCount.collection_id == cmp_after.id))
    res = assert_tally_is_live(partnership)
    assert not _q(res, "conf").paired[1:]  # the comparison arm has no pairs left


def test_pages_built_at_the_same_time_agree(app, partnership, results_data):
    """Several requests find the same stale blocks: one rebuild wins, the others start
    again or count live; every page shows the same figures."""
    expected = figures(_build(partnership, use_tally=False))
    pid = partnership.id
    out, errors = [], []

    def page():
        try:
            with app.app_context():
                survey = db.session.scalar(select(Survey).where(Survey.code == "res_test"))
                out.append(figures(analysis.build(survey, ResultsScope(pid), 5, people=True)))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=page) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert out == [expected] * 4
    assert len(_signatures()) == 3


def test_every_module_that_changes_stored_answers_tells_the_tally():
    """A new way of changing answers or pupil numbers of existing responses must call
    answers_changed, or pages would show the old counts. Erasure is the one exception: it
    deletes whole collections, and their counts go with them (ON DELETE CASCADE)."""
    # `reading.pupil_number = ` sets what a scanned page says (scans/reading.py), not a
    # stored response's number.
    changes = re.compile(r"update\(Answer\)|delete\(Answer\)|(?<!reading)\.pupil_number = ")
    root = Path(__file__).resolve().parents[2] / "survey_app"
    found = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
             for p in root.rglob("*.py") if changes.search(p.read_text(encoding="utf-8"))}
    assert "scans/responses.py" in found  # the search itself works
    for name, text in found.items():
        if name != "erasure/operations.py":
            assert "answers_changed(" in text, name


def test_the_worker_and_the_cli_bring_the_tally_up_to_date(app, runner, partnership,
                                                          results_data):
    from survey_app.scans.worker import refresh_tally

    said: list[str] = []
    refresh_tally(said.append)
    assert said == ["results tally: 3 group block(s) rebuilt"]
    assert runner.invoke(args=["tally"]).output.strip() == \
        "Results tally: 0 group block(s) rebuilt."
    add(results_data["tiny"], {"conf": "1"}, pupil=4)
    db.session.commit()
    assert runner.invoke(args=["tally"]).output.strip() == \
        "Results tally: 1 group block(s) rebuilt."
    stored = _signatures()
    assert figures(_build(partnership)) == figures(_build(partnership, use_tally=False))
    assert _signatures() == stored  # the page found everything up to date
