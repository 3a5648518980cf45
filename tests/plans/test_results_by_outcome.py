"""With a plan, the plan's primary outcomes are the headlines (the same mechanism as
`survey-app primary`), and the report is organised by outcome, amendments shown."""

from __future__ import annotations

import copy
import re

import pypdfium2 as pdfium
import pytest
from flask import current_app

from survey_app.admin.operations import create_collection, find_survey
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.plans.operations import parse_yaml, save_plan
from survey_app.results import analysis, report
from survey_app.results.operations import set_primary_questions
from tests.plans.conftest import PLAN_YAML

BEFORE = [1, 2, 2, 3, 3, 3, 2, 1, 2, 3, 2, 2]
AFTER = [4, 5, 3, 4, 5, 4, 3, 2, 4, 5, 4, 3]


@pytest.fixture
def answered(app, partnership, classes):
    """Year 5 Oak answered before and after (12 pupils, paired by number)."""
    before = classes[("Alderley Primary", "Year 5 Oak")]
    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after", pair_with=before.id)
    db.session.commit()
    for n, (b, a) in enumerate(zip(BEFORE, AFTER, strict=True), 1):
        record_response(before, {"enjoy": str(b), "science_job": "1"}, source="web",
                        submission_key=f"b{n}", pupil_number=n)
        record_response(after, {"enjoy": str(a), "science_job": "2"}, source="web",
                        submission_key=f"a{n}", pupil_number=n)
    return before, after


def test_plan_primary_outcomes_feed_the_headlines(app, partnership, answered):
    survey = find_survey(partnership, "pupil_attitudes_7_11")
    set_primary_questions(survey, ["good_at"])  # the per-survey choice, without a plan
    assert analysis.primary_codes(survey) == ("good_at",)
    save_plan(partnership, parse_yaml(PLAN_YAML), "coord@x.org")
    assert analysis.primary_codes(survey) == ("enjoy",)
    rep = report.build_report(partnership, current_app.config)
    [section] = [s for s in rep.sections if s.results.survey.code == "pupil_attitudes_7_11"]
    assert len(section.headlines) == 1
    assert "I enjoy science." in section.headlines[0]
    # The outcome view carries the same finding under the outcome and its indicator.
    first = rep.outcomes[0]
    assert first.title == "Pupils enjoy science more"
    assert first.primary
    assert first.indicators[0].measures[0].finding == section.headlines[0]
    careers = next(o for o in rep.outcomes if o.code == "careers")
    written = careers.indicators[0].measures[1]
    assert written.finding is None
    assert "own records" in written.note
    teachers = next(o for o in rep.outcomes if o.code == "teacher_conf")
    assert teachers.indicators[0].measures[0].note == "No answers yet."


def test_a_plan_without_primary_outcomes_leaves_the_survey_choice(app, partnership,
                                                                  answered):
    survey = find_survey(partnership, "pupil_attitudes_7_11")
    set_primary_questions(survey, ["good_at"])
    save_plan(partnership, parse_yaml(PLAN_YAML.replace("primary: true", "primary: false")),
              "c")
    assert analysis.primary_codes(survey) == ("good_at",)


def test_report_pages_and_pdf_show_outcomes_and_amendments(app, partnership, answered,
                                                           coordinator_client):
    plan, _a, _c = save_plan(partnership, parse_yaml(PLAN_YAML), "coord@example.org")
    body = copy.deepcopy(plan.body)
    body["questions"][0]["outcomes"][1]["primary"] = True
    save_plan(partnership, body, "coord@example.org", why="The funder asked for careers.")
    db.session.commit()
    html = coordinator_client.get("/results/report").get_data(as_text=True)
    assert "By outcome" in html
    assert "Pupils enjoy science more" in html
    assert "The funder asked for careers." in html
    assert "made primary" in html
    pdf = coordinator_client.get("/results/report.pdf").get_data()
    with pdfium.PdfDocument(pdf) as doc:
        text = "\n".join(p.get_textpage().get_text_range() for p in doc)
    assert "By outcome (from the evaluation plan)" in text
    assert "More pupils want a science job (primary outcome)" in text
    assert "The funder asked for careers." in text


def test_survey_page_and_primary_command_defer_to_the_plan(app, partnership, answered,
                                                           coordinator_client, runner):
    page = coordinator_client.get("/results/survey/pupil_attitudes_7_11").get_data(
        as_text=True)
    assert 'name="primary"' in page  # no plan: the survey's own form
    save_plan(partnership, parse_yaml(PLAN_YAML), "c")
    db.session.commit()
    page = coordinator_client.get("/results/survey/pupil_attitudes_7_11").get_data(
        as_text=True)
    assert 'name="primary"' not in page
    assert "evaluation plan" in page
    assert "I enjoy science." in page
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "primary outcomes: I enjoy science. Change them in the plan." in words
    assert ".." not in words  # the question's own full stop ends the sentence
    out = runner.invoke(args=["primary", "--survey", "pupil_attitudes_7_11", "good_at"])
    assert out.exit_code == 0, out.output
    assert "results use the plan's (enjoy)" in out.output
