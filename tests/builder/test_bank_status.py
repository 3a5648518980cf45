"""The builder's bank is honest (issue 14): no "Tested questions" heading, each question's
status shown, and "tested" never carried over to reworded questions; parents are an
audience with their own advice."""

from __future__ import annotations

import html as htmllib

from forms.definition import parse_survey
from survey_app.builder.bank import all_questions
from survey_app.builder.operations import Draft, DraftQuestion, warnings_for
from tests.builder.test_builder_views import URL, press

HEAD = "code: s\ntitle: S\naudience: teacher\nquestions:\n"


def test_the_bank_shows_each_questions_status_and_claims_no_untested_test(coordinator_client):
    page = htmllib.unescape(coordinator_client.get(URL).get_data(as_text=True))
    assert "Tested questions" not in page
    assert "Question bank" in page
    for b in all_questions():
        assert b.question.evidence in page
    untested = [b for b in all_questions() if not b.question.tested]
    assert untested  # today nothing in the bank has been piloted with this product
    assert page.count(">Tested") == sum(b.question.tested for b in all_questions())
    for title in ("Pupils' participation (teachers' view)", "Teachers' interest in the subject",
                  "Satisfaction with what was learned"):
        assert f"<h3>{title}</h3>" in page


def test_rewording_drops_the_claims_that_rested_on_the_old_words():
    survey = parse_survey(HEAD + "  - {code: a, text: 'I like it.', scale: agree5, "
                          "origin: published, source: 'A scale (2019)'}\n"
                          "  - {code: b, text: 'I use it.', scale: agree5, origin: new, "
                          "source: Written here, pilot_n: 40}\n")
    kept = [DraftQuestion.from_question(q) for q in survey.questions]
    assert [q.to_dict().get("origin") for q in kept] == ["published", "new"]
    assert kept[1].to_dict()["pilot_n"] == 40
    for q in kept:
        q.text = q.text.replace(".", " a lot.")
    assert [q.to_dict().get("origin") for q in kept] == ["adapted", "new"]
    assert "pilot_n" not in kept[1].to_dict()
    again = parse_survey(HEAD.replace("questions:\n", "") + "questions:\n" + "".join(
        f"  - {q.to_dict()!r}\n".replace("'", '"') for q in kept))
    assert not any(q.tested for q in again.questions)


def test_parent_drafts_get_adult_advice():
    draft = Draft(code="p", title="P", audience="parent", questions=[
        DraftQuestion(code=f"q{i}", text="Q?", scale="faces5" if i == 0 else "agree5")
        for i in range(8)])
    general, _ = warnings_for(draft)
    assert any("faces" in w for w in general)
    assert any("reply slip" in w for w in general)


def test_builder_offers_parents_and_starts_from_the_parent_bank_survey(coordinator_client):
    page = coordinator_client.get(URL).get_data(as_text=True)
    assert '<option value="parent"' in page
    page = press(coordinator_client, page, "start:parent_views").get_data(as_text=True)
    assert "How satisfied are you with what your child learned" in htmllib.unescape(page)
    assert 'value="parent" selected' in page
