"""The public answering page through the real app: rendering, storing, double submits,
closed collections, validation that keeps answers, CSRF, unknown fields."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import Answer, Collection, Response
from survey_app.models.base import utcnow
from tests.conftest import csrf_from

CHECKS_SURVEY = """
code: checks
title: Checks
audience: pupil
questions:
  - {code: first, text: "Do you like magnets?", scale: faces3, required: true}
  - {code: second, text: "Do you like plants?", scale: faces3}
  - {code: third, text: "Have you been to a museum?", scale: yesno}
  - {code: pets, text: "How many pets do you have?", scale: number}
  - code: likes
    text: What do you like?
    scale: multi
    options: [{code: rocks, label: Rocks}, {code: stars, label: Stars}]
  - {code: say, text: Tell us something, scale: text}
"""


class Page(HTMLParser):
    """The parts of a rendered page the tests look at."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.fieldsets: list[dict[str, str | None]] = []
        self.legends: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.styled: list[str] = []
        self.style_blocks = 0
        self.forms = 0
        self._legend: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.styled.append(tag)
        if tag == "input":
            self.inputs.append(a)
        elif tag == "textarea":
            self.inputs.append({**a, "type": "textarea"})
        elif tag == "fieldset":
            self.fieldsets.append(a)
        elif tag == "legend":
            self._legend = []
        elif tag == "script":
            self.scripts.append(a)
        elif tag == "style":
            self.style_blocks += 1
        elif tag == "form":
            self.forms += 1

    def handle_data(self, data):
        if self._legend is not None:
            self._legend.append(data)

    def handle_endtag(self, tag):
        if tag == "legend" and self._legend is not None:
            self.legends.append(" ".join("".join(self._legend).split()))
            self._legend = None

    def value(self, name: str) -> str | None:
        return next(i.get("value") for i in self.inputs if i.get("name") == name)

    def checked(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for i in self.inputs:
            if "checked" in i:
                out.setdefault(i["name"], []).append(i["value"])
        return out

    def answer_names(self) -> set[str]:
        return {i["name"] for i in self.inputs
                if i.get("name") not in ("csrf_token", "submission_id", "pupil_number",
                                         "_shown")}


def _collection(partnership, code: str, **kwargs) -> Collection:
    c = create_collection(partnership, survey_code=code, school_name="Oak Primary",
                          group_name="Year 3", phase="before", **kwargs)
    db.session.commit()
    return c


@pytest.fixture
def checks(loaded_bank, partnership):
    """A small pupil survey with a required question and every kind of answer."""
    load_survey_version(partnership, parse_survey(CHECKS_SURVEY, "checks.yaml"))
    db.session.commit()
    return _collection(partnership, "checks")


def _open(client, collection) -> tuple[str, dict[str, str]]:
    """GET the page; return its HTML and the hidden fields a browser would send."""
    resp = client.get(f"/s/{collection.public_token}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    page = Page(html)
    return html, {"csrf_token": csrf_from(html), "submission_id": page.value("submission_id")}


def _post(client, collection, data):
    return client.post(f"/s/{collection.public_token}", data=data)


def _stored() -> list[tuple[int | None, dict[str, str]]]:
    out = []
    for r in db.session.scalars(select(Response).order_by(Response.id)):
        rows = db.session.execute(select(Answer.question_code, Answer.value)
                                  .where(Answer.response_id == r.id)).all()
        out.append((r.pupil_number, dict(rows)))
    return out


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


# --- rendering -------------------------------------------------------------------------


def test_pupil_page_has_a_fieldset_per_question_named_by_column(client, loaded_bank,
                                                                partnership):
    c = _collection(partnership, "pupil_attitudes_5_7")
    survey = loaded_bank["pupil_attitudes_5_7"].definition
    html, hidden = _open(client, c)
    page = Page(html)
    questions = [f for f in page.fieldsets if f.get("id", "").startswith("q-")]
    assert [f["id"] for f in questions] == [f"q-{q.code}" for q in survey.questions]
    assert page.legends == [q.text for q in survey.questions]
    assert page.answer_names() == set(survey.columns)
    assert page.checked() == {}
    assert len(hidden["submission_id"]) >= 16
    # Faces are drawn inline (SVG, the same drawing as on paper), one per option.
    assert html.count('<svg class="face"') == 3 * len(survey.questions)
    assert "pupil_number" not in html
    assert 'class="answer pupil"' in html


def test_pages_have_no_inline_script_or_style(client, checks, loaded_bank, partnership):
    teacher = _collection(partnership, "teacher_confidence")
    for c in (checks, teacher):
        page = Page(client.get(f"/s/{c.public_token}").get_data(as_text=True))
        assert page.styled == []
        assert page.style_blocks == 0
        assert page.scripts
        assert all(s.get("src") for s in page.scripts)


def test_each_render_gets_a_new_submission_id(client, checks):
    _, first = _open(client, checks)
    _, second = _open(client, checks)
    assert first["submission_id"] != second["submission_id"]


def test_unknown_token_is_a_kind_404(client, app):
    resp = client.get("/s/no-such-survey-token")
    assert resp.status_code == 404
    assert "We cannot find this survey" in resp.get_data(as_text=True)


# --- storing ---------------------------------------------------------------------------


def test_good_submission_stores_exactly_the_normalised_answers(client, checks):
    html, hidden = _open(client, checks)
    resp = _post(client, checks, {**hidden, "first": " 3 ", "third": "0", "pets": "07",
                                  "likes": ["stars", "rocks"], "say": "  =SUM(A1)  ",
                                  "second": ""})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/s/{checks.public_token}/thanks")
    # multi in definition order, numbers without leading zeros, text trimmed; an empty
    # answer is not stored.
    assert _stored() == [(None, {"first": "3", "third": "0", "pets": "7",
                                 "likes": "rocks;stars", "say": "=SUM(A1)"})]
    response = db.session.scalar(select(Response))
    assert response.source == "web"
    assert response.submission_key == "web:" + hidden["submission_id"]

    thanks = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Thank you" in thanks
    assert f'href="/s/{checks.public_token}"' in thanks
    assert "Next pupil" in thanks


def test_double_submit_with_same_submission_id_stores_one_response(client, checks):
    _, hidden = _open(client, checks)
    data = {**hidden, "first": "2", "second": "3"}
    first = _post(client, checks, data)
    second = _post(client, checks, {**data, "first": "1"})  # back button, changed, resent
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert _stored() == [(None, {"first": "2", "second": "3"})]
    # The next pupil's page is a new submission.
    _, hidden2 = _open(client, checks)
    assert _post(client, checks, {**hidden2, "first": "1"}).status_code == 303
    assert _count() == 2


@pytest.mark.parametrize(("field", "expected"),
                         [("closes_at", "has closed"), ("opens_at", "not open yet")])
def test_closed_and_not_yet_open_collections_say_so_and_store_nothing(
        client, loaded_bank, partnership, field, expected):
    open_one = _collection(partnership, "pupil_attitudes_5_7")
    when = utcnow() - timedelta(days=1) if field == "closes_at" else utcnow() + timedelta(days=2)
    shut = _collection(partnership, "pupil_attitudes_5_7", **{field: when})
    assert shut.state() != "open"

    resp = client.get(f"/s/{shut.public_token}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert expected in html
    assert Page(html).forms == 0

    # A page opened while it was open, sent after it shut: refused, kindly.
    _, hidden = _open(client, open_one)
    resp = _post(client, shut, {**hidden, "enjoy": "3"})
    assert resp.status_code == 403
    assert expected in resp.get_data(as_text=True)
    assert _count() == 0


# --- refusing, and keeping what was answered -------------------------------------------


def test_required_missing_keeps_other_answers(client, checks):
    _, hidden = _open(client, checks)
    resp = _post(client, checks, {**hidden, "second": "2", "third": "1", "likes": "stars",
                                  "pets": "4", "say": "hello"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    page = Page(html)
    assert page.checked() == {"second": ["2"], "third": ["1"], "likes": ["stars"]}
    assert page.value("pets") == "4"
    assert ">hello</textarea>" in html
    # The message sits with its question, and a summary at the top links to it.
    first = next(f for f in page.fieldsets if f.get("id") == "q-first")
    assert first["aria-describedby"] == "err-first"
    assert re.search(r'id="err-first">Please answer this question.<', html)
    assert 'class="error-summary" role="alert" tabindex="-1"' in html
    assert 'href="#q-first"' in html
    # Same submission: a second attempt after fixing it is still one response.
    assert page.value("submission_id") == hidden["submission_id"]
    assert _count() == 0
    fixed = _post(client, checks, {**hidden, "first": "3", "second": "2"})
    assert fixed.status_code == 303
    assert _stored() == [(None, {"first": "3", "second": "2"})]


@pytest.mark.parametrize(("extra", "message"), [
    ({"first": "4"}, "That is not one of the answers."),
    ({"first": ["1", "3"]}, "Please choose only one answer."),
    ({"first": "1", "likes": "moon"}, "That is not one of the answers."),
    ({"first": "1", "pets": "100"}, "Please give a whole number from 0 to 99."),
    ({"first": "1", "pets": "-1"}, "Please give a whole number from 0 to 99."),
])
def test_values_not_in_the_options_are_refused(client, checks, extra, message):
    _, hidden = _open(client, checks)
    resp = _post(client, checks, {**hidden, **extra})
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert _count() == 0


def test_unknown_field_name_is_a_400_and_stores_nothing(client, checks):
    _, hidden = _open(client, checks)
    resp = _post(client, checks, {**hidden, "first": "3", "is_admin": "1"})
    assert resp.status_code == 400
    text = resp.get_data(as_text=True)
    assert "is_admin" in text
    assert "nothing was stored" in text
    assert _count() == 0


@pytest.mark.parametrize("token", [None, "", "not-a-real-token"])
def test_missing_or_bad_csrf_token_stores_nothing_and_keeps_answers(client, checks, token):
    _, hidden = _open(client, checks)
    data = {"submission_id": hidden["submission_id"], "first": "3", "second": "1"}
    if token is not None:
        data["csrf_token"] = token
    resp = _post(client, checks, data)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "please press Send again" in html
    assert Page(html).checked() == {"first": ["3"], "second": ["1"]}
    assert _count() == 0
    # The page it gave back carries a good token: pressing Send again works.
    again = _post(client, checks, {**data, "csrf_token": csrf_from(html)})
    assert again.status_code == 303
    assert _stored() == [(None, {"first": "3", "second": "1"})]


def test_csrf_token_from_another_session_is_refused(app, client, checks):
    _, hidden = _open(client, checks)
    other = app.test_client()
    resp = _post(other, checks, {**hidden, "first": "3"})
    assert resp.status_code == 400
    assert _count() == 0


# --- pupil number, retrospective, adult surveys ------------------------------------------


@pytest.mark.parametrize(("number", "stored"), [
    ("1", 1), ("99", 99), (" 42 ", 42), ("0", None), ("100", None), ("ab", None),
    ("", None), ("-3", None),
])
def test_pupil_number_bounds(client, loaded_bank, partnership, number, stored):
    c = _collection(partnership, "pupil_attitudes_5_7", ask_pupil_number=True)
    html, hidden = _open(client, c)
    assert re.search(r'<input[^>]*inputmode="numeric"[^>]*name="pupil_number"', html)
    resp = _post(client, c, {**hidden, "pupil_number": number, "enjoy": "2"})
    if stored is None:
        assert resp.status_code == 422
        text = resp.get_data(as_text=True)
        assert 'id="err-pupil_number"' in text
        assert Page(text).checked() == {"enjoy": ["2"]}
        assert _count() == 0
    else:
        assert resp.status_code == 303
        assert _stored() == [(stored, {"enjoy": "2"})]


def test_pupil_number_is_not_stored_when_the_collection_does_not_ask(client, checks):
    _, hidden = _open(client, checks)
    assert _post(client, checks, {**hidden, "first": "1", "pupil_number": "5"}).status_code == 303
    assert _stored() == [(None, {"first": "1"})]


def test_retrospective_item_has_two_radio_groups_and_two_columns(client, loaded_bank,
                                                                 partnership):
    c = _collection(partnership, "workshop_knowledge")
    html, hidden = _open(client, c)
    page = Page(html)
    assert page.answer_names() == set(loaded_bank["workshop_knowledge"].definition.columns)
    assert "Before the workshop" in page.legends
    assert "Now" in page.legends
    outer = [f for f in page.fieldsets if f.get("id", "").startswith("q-")]
    assert len(outer) == 5
    resp = _post(client, c, {**hidden, "shadows_then": "1", "shadows_now": "3",
                             "eyes_now": "2"})
    assert resp.status_code == 303
    assert _stored() == [(None, {"shadows_then": "1", "shadows_now": "3", "eyes_now": "2"})]


def test_teacher_survey_is_a_plain_form_with_text(client, loaded_bank, partnership):
    c = _collection(partnership, "teacher_confidence")
    html, hidden = _open(client, c)
    page = Page(html)
    assert 'class="answer adult"' in html
    assert '<svg class="face"' not in html
    assert "Read to me" not in html
    assert page.checked() == {}
    assert page.answer_names() == set(loaded_bank["teacher_confidence"].definition.columns)
    resp = _post(client, c, {**hidden, "confident_teaching": "4", "interest": "5",
                             "comments": "More kit.\r\nAnd time."})
    assert resp.status_code == 303
    assert _stored() == [(None, {"confident_teaching": "4", "interest": "5",
                                 "comments": "More kit.\r\nAnd time."})]
    thanks = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Next pupil" not in thanks


def test_school_survey_with_multi_choice_and_likely_scale(client, loaded_bank, partnership):
    c = _collection(partnership, "partner_school")
    html, hidden = _open(client, c)
    page = Page(html)
    radios = [i for i in page.inputs if i.get("name") == "recommend"]
    assert [r["value"] for r in radios] == [str(n) for n in range(11)]
    boxes = [i for i in page.inputs if i.get("name") == "benefits"]
    assert {b["type"] for b in boxes} == {"checkbox"}
    assert "Not at all likely" in html
    assert "Extremely likely" in html
    resp = _post(client, c, {**hidden, "recommend": "9", "continue": "1", "role": "host",
                             "benefits": ["links", "pupils", "staff"]})
    assert resp.status_code == 303
    assert _stored() == [(None, {"recommend": "9", "continue": "1", "role": "host",
                                 "benefits": "pupils;staff;links"})]


def test_sending_nothing_at_all_is_refused(client, loaded_bank, partnership):
    c = _collection(partnership, "partner_school")
    _, hidden = _open(client, c)
    resp = _post(client, c, hidden)
    assert resp.status_code == 422
    assert "You have not answered any questions yet" in resp.get_data(as_text=True)
    assert _count() == 0
