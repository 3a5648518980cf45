"""Parents as an audience (issue 14): an adult answer page with their child's pupil number,
results suppressed like pupils', and report wording that does not call their answers
self-ratings."""

from __future__ import annotations

import html as htmllib

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, Response
from survey_app.results import analysis
from tests.web.test_answer import Page, _collection, _open, _post


def test_parent_page_is_adult_and_asks_for_the_childs_number(client, loaded_bank, partnership):
    c = _collection(partnership, "parent_views", ask_pupil_number=True)
    html, hidden = _open(client, c)
    assert 'class="answer adult"' in html
    assert '<svg class="face"' not in html
    assert "Read to me" not in html
    assert "Your child&#39;s pupil number" in html or "Your child's pupil number" in html
    assert "letter from school" in html
    assert Page(html).answer_names() == set(loaded_bank["parent_views"].definition.columns)
    resp = _post(client, c, {**hidden, "pupil_number": "12", "satisfied_learning": "5",
                             "talks_at_home": "4", "come_to_event": "1"})
    assert resp.status_code == 303
    r = db.session.scalar(select(Response))
    assert r.pupil_number == 12
    stored = dict(db.session.execute(select(Answer.question_code, Answer.value)
                                     .where(Answer.response_id == r.id)).all())
    assert stored["satisfied_learning"] == "5"
    thanks = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Next pupil" not in thanks


def test_parents_are_suppressed_like_pupils(app):
    assert analysis.min_group(app.config, "parent") == 5
    assert analysis.min_group(app.config, "parent") == analysis.min_group(app.config, "pupil")
    app.config["MIN_GROUP_PARENT"] = 8
    assert analysis.min_group(app.config, "parent") == 8


def test_parent_results_page_and_report(coordinator_client, loaded_bank, partnership):
    from survey_app.answer.operations import record_response

    c = _collection(partnership, "parent_views", ask_pupil_number=True)
    for i, value in enumerate(("5", "4", "4", "5", "2", "3")):
        record_response(c, {"satisfied_learning": value, "come_to_event": "1"}, source="web",
                        submission_key=f"p{i}", pupil_number=i + 1)
    html = coordinator_client.get("/results/survey/parent_views").get_data(as_text=True)
    assert "for parents" in html
    assert "Very satisfied" in html
    overview = coordinator_client.get("/results/").get_data(as_text=True)
    assert "Parents reached" in overview
    report = htmllib.unescape(coordinator_client.get("/results/report").get_data(as_text=True))
    assert "parents' and carers' views of their child's learning" in report
    assert "6 parents or carers" in report
    assert "ratings of themselves" not in report.split("Your child and science")[-1][:3000]
