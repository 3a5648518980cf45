"""The results' words reach a translation: with the throwaway catalog of
tests/web/test_pseudo_locale.py (every message wrapped in ⟦ ⟧), the PDF impact report
and the pilot report show no run of English words outside the marks, apart from people's
own texts; and the command line, which has no request and so no reader's language, still
prints English.
See docs/coordinator/languages-on-screen.md."""

from __future__ import annotations

import json

from survey_app.admin.operations import create_collection
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.results.stats import NORMAL
from tests.conftest import login_as
from tests.results.test_results_views import _pdf_text as pdf_text
from tests.web.test_pseudo_locale import (
    GROUP,
    OPEN,
    SCHOOL,
    pseudo,
    school_data,
    unmarked_words,
)

__all__ = ["pseudo", "school_data"]  # fixtures shared with the pages' walk


def test_the_pdf_report_goes_through_babel(pseudo, client, school_data, coordinator):
    login_as(client, coordinator.email)
    resp = client.get("/results/report.pdf")
    assert resp.status_code == 200
    text = pdf_text(resp.get_data())
    assert OPEN in text
    assert unmarked_words(text, school_data["content"]) == []


def test_the_pilot_report_goes_through_babel(pseudo, client, school_data, partnership,
                                             coordinator):
    """Its suggestions (everyone chose the top answer, the same answer everywhere, few
    pupils) and its table, in the marked catalog."""
    trial = create_collection(partnership, survey_code="club", school_name=SCHOOL,
                              group_name=GROUP, phase="before", pilot=True)
    db.session.commit()
    for n in range(3):
        record_response(trial, {"enjoy": "3", "job": "1"}, source="web",
                        submission_key=f"pilot-{n}")
    db.session.commit()
    login_as(client, coordinator.email)
    html = client.get(f"/results/pilot/{trial.id}").get_data(as_text=True)
    assert f"{OPEN}Only 3 pupils answered" in html
    assert unmarked_words(html, school_data["content"]) == []


def test_the_command_line_speaks_english(runner, school_data, tmp_path):
    """No request, so no reader's language: the words are the catalog's English, and
    the JSON keeps its codes."""
    out = runner.invoke(args=["results", "--survey", "club", "--json"])
    assert out.exit_code == 0, out.output
    figures = json.loads(out.output)
    assert figures["compared"] == ["before", "after"]
    enjoy = figures["questions"][0]
    assert enjoy["main_test"] == "Wilcoxon signed-rank"
    assert enjoy["participants"]["wilcoxon_method"] == NORMAL  # seven ties: R's default
    pdf = tmp_path / "report.pdf"
    out = runner.invoke(args=["report", "-o", str(pdf)])
    assert out.exit_code == 0, out.output
    text = " ".join(pdf_text(pdf.read_bytes()).split())
    assert OPEN not in text
    for words in ("Headline findings", "Exploratory: Holm-adjusted p = 0.011 (Wilcoxon "
                  "signed-rank): unlikely to be chance alone.", "How these figures were made",
                  "Pupils who answered"):
        assert words in text
    html = tmp_path / "report.html"
    assert runner.invoke(args=["report", "-o", str(html)]).exit_code == 0
    assert "No primary outcomes were declared for this survey" in html.read_text()
