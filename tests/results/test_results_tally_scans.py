"""Scanned sheets change stored answers after the response exists (a late second page, a
re-scan with other marks, a batch deleted): each must rebuild the results tally. Runs the
real scanner, so on SQLite only like the other scanner round trips."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from forms.definition import parse_survey
from survey_app.admin.operations import load_survey_version
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.results import analysis, survey_results
from survey_app.results.queries import ResultsScope
from survey_app.scans.operations import delete_batch, run_batch
from tests.results.test_results_tally import figures
from tests.scan.conftest import db_uri  # noqa: F401 - the scan tests' SQLite pin
from tests.scan.test_import import DPI, LONG_TEACHER, _pack, _paint, _render, _upload
from tests.support.generate import pages_pdf


def _q31(partnership) -> tuple[survey_results.SurveyResults, int]:
    survey = db.session.scalar(select(Survey).where(Survey.code == "long_teacher"))
    scope = ResultsScope(partnership.id)
    tallied = analysis.build(survey, scope, 1)
    assert figures(tallied) == figures(analysis.build(survey, scope, 1, use_tally=False))
    q31 = next(q for q in tallied.questions if q.question.code == "q31")
    return tallied, sum(r.dist.n for r in q31.rows)


def test_late_pages_rescans_and_deleted_batches_rebuild_the_tally(app, loaded_bank,
                                                                  partnership):
    load_survey_version(partnership, parse_survey(LONG_TEACHER))
    _c, pack = _pack(partnership, survey="long_teacher", copies=1, ask_pupil_number=False)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    (_, _, page1), (_, _, page2) = images
    _paint(page1, pack.document, 1, {"q0": ["4"], "q1": ["5"]})
    other2 = page2.copy()
    _paint(page2, pack.document, 2, {"q31": ["2"]})
    _paint(other2, pack.document, 2, {"q31": ["5"]})
    run_batch(_upload(pages_pdf([page1], dpi=DPI), "p1.pdf", partnership).batch)
    assert _q31(partnership)[1] == 0  # page 2 not scanned yet: q31 waits for it
    late = run_batch(_upload(pages_pdf([page2], dpi=DPI), "p2.pdf", partnership).batch)
    assert _q31(partnership)[1] == 1
    # Deleting the late page's batch puts its answers back to waiting for the page.
    delete_batch(late)
    assert _q31(partnership)[1] == 0
    run_batch(_upload(pages_pdf([page2], dpi=DPI), "p2.pdf", partnership).batch)
    assert _q31(partnership)[1] == 1
    # The same page again with another mark: q31 goes back to review, out of the counts.
    run_batch(_upload(pages_pdf([np.ascontiguousarray(other2)], dpi=DPI), "p2b.pdf",
                      partnership).batch)
    res, n = _q31(partnership)
    assert n == 0
    q0 = next(q for q in res.questions if q.question.code == "q0")
    assert sum(r.dist.n for r in q0.rows) == 1
