"""The builder without JavaScript, through the Flask test client: each step posts the page's
form as a browser would (every field as rendered, plus the button pressed)."""

from __future__ import annotations

import html as htmllib
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from PIL import Image
from sqlalchemy import select

from forms.definition import DefinitionError, load_survey, parse_survey
from survey_app.builder.operations import Draft, encode_draft
from survey_app.extensions import db
from survey_app.models import School, Survey
from tests.conftest import BANK, login_as, make_user

URL = "/admin/builder/"


class _FormFields(HTMLParser):
    """The values a browser would submit from the builder form (no button yet)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "builder-form":
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("file", "submit"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, None
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self._select_chosen = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop one newline straight after <textarea>.
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        if tag == "select" and self._select:
            chosen = self._select_chosen
            self.fields.append((self._select, chosen if chosen is not None
                                else self._select_first or ""))
            self._select = None


def form_of(page: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    return dict(parser.fields)


def press(client, page: str, action: str, **changes):
    """Submit the builder form as shown in `page`, after typing `changes`, with a button."""
    data = form_of(page)
    for key, value in changes.items():
        key = key.replace("__", "-")
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    data["action"] = action
    return client.post(URL, data=data, content_type="multipart/form-data")


def texts(page: str) -> list[str]:
    return [htmllib.unescape(t) for t in re.findall(
        r'<textarea name="q-\d+-text"[^>]*>([^<]*)</textarea>', page)]


@pytest.fixture
def builder(coordinator_client):
    return coordinator_client


def test_builder_needs_login(client):
    assert client.get(URL).status_code == 302


def test_nav_links_to_builder(builder):
    assert 'href="/admin/builder/"' in builder.get("/admin/").get_data(as_text=True)


def test_add_edit_reorder_remove_and_save_without_javascript(builder, partnership):
    page = builder.get(URL).get_data(as_text=True)
    assert "No questions yet" in page
    page = press(builder, page, "refresh", title="Light workshop", ages="7-11").get_data(
        as_text=True)
    # Two bank questions, then one of our own.
    page = press(builder, page, "add_bank:pupil_attitudes_7_11:enjoy").get_data(as_text=True)
    page = press(builder, page, "add_bank:pupil_attitudes_7_11:good_at").get_data(as_text=True)
    page = press(builder, page, "add_own", new__text="I liked making a periscope.",
                 new__scale="faces5").get_data(as_text=True)
    assert texts(page) == ["I enjoy science.", "I am good at science.",
                           "I liked making a periscope."]
    assert "In your survey" in page  # the bank marks what is already added
    # Edit the wording of question 2, then move our own question to the top.
    page = press(builder, page, "refresh", **{"q-1-text": "I am good at doing science."}
                 ).get_data(as_text=True)
    page = press(builder, page, "up:2").get_data(as_text=True)
    page = press(builder, page, "up:1").get_data(as_text=True)
    assert texts(page) == ["I liked making a periscope.", "I enjoy science.",
                           "I am good at doing science."]
    page = press(builder, page, "down:0").get_data(as_text=True)
    assert texts(page)[:2] == ["I enjoy science.", "I liked making a periscope."]
    page = press(builder, page, "remove:2").get_data(as_text=True)
    assert texts(page) == ["I enjoy science.", "I liked making a periscope."]

    resp = press(builder, page, "save")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    survey = db.session.scalar(select(Survey).where(Survey.code == "light_workshop"))
    assert survey is not None
    assert survey.school_id is None
    d = survey.latest.definition
    assert [q.text for q in d.questions] == ["I enjoy science.", "I liked making a periscope."]
    assert d.questions[0].source.startswith("Adapted from TIMSS")  # bank metadata kept
    assert d.questions[1].code == "i_liked_making_a"
    assert d.ages == "7-11"
    assert d.audience == "pupil"
    page = builder.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Loaded the new survey" in page
    assert "Create a collection with" in page
    assert texts(page) == ["I enjoy science.", "I liked making a periscope."]


def test_own_question_needs_words_and_options(builder):
    page = builder.get(URL).get_data(as_text=True)
    resp = press(builder, page, "add_own", new__text="  ", new__scale="faces5")
    assert resp.status_code == 422
    assert "Write the question first" in resp.get_data(as_text=True)
    resp = press(builder, page, "add_own", new__text="Which part did you like?",
                 new__scale="choice", new__options="Mirrors")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "at least two answers" in body
    assert "Which part did you like?" in body  # what was typed is kept
    resp = press(builder, page, "add_own", new__text="Which part did you like?",
                 new__scale="choice", new__options="Mirrors\nmaking = Making a periscope")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    data = form_of(page)
    assert data["q-0-options"] == "mirrors = Mirrors\nmaking = Making a periscope" or \
        data["q-0-options"] == "Mirrors\nmaking = Making a periscope"
    draft = Draft.from_form(_multidict(data))
    assert draft.to_dict()["questions"][0]["options"] == [
        {"code": "mirrors", "label": "Mirrors"}, {"code": "making", "label": "Making a periscope"}]


def _multidict(data):
    from werkzeug.datastructures import MultiDict

    return MultiDict(list(data.items()))


def test_gentle_warnings_while_editing(builder):
    page = builder.get(URL + "?bank=pupil_attitudes_7_11").get_data(as_text=True)
    long_text = "I really think that the science lessons at our school are good fun to do"
    page = press(builder, page, "refresh", **{"q-0-text": long_text,
                                              "q-1-text": "I don't like science."}
                 ).get_data(as_text=True)
    block0 = _question_block(page, 0)
    assert f"This question is long ({len(long_text)} characters)" in block0
    assert "positive way round" in _question_block(page, 1)
    assert "positive way round" not in block0
    for i in range(5):
        page = press(builder, page, "add_own", new__text=f"Extra question {i}",
                     new__scale="faces5").get_data(as_text=True)
    assert "13 questions" in page
    assert "Remove 1 before saving" in page
    # ... and saving refuses it with the file checker's own message.
    resp = press(builder, page, "save", code="too_long")
    body = htmllib.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422
    # (line 16: the bank survey brings its Welsh title, intro and description along)
    assert "too_long.yaml:16: questions: 13 questions is too many for a pupil survey" in body


def _question_block(page: str, index: int) -> str:
    m = re.search(rf'<li class="q[^"]*" id="q-{index}".*?</li>\s*(?=<li class="q|</ol>)',
                  page, re.S)
    assert m, f"no question {index}"
    return htmllib.unescape(m.group(0))


def test_save_problems_show_beside_their_question(builder):
    page = builder.get(URL + "?bank=pupil_attitudes_5_7").get_data(as_text=True)
    resp = press(builder, page, "save", code="my_survey", **{
        "q-2-text": "", "q-4-code": "enjoy", "q-5-scale": "choice", "q-5-options": "Yes"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "The survey was not saved" in page
    q2, q4, q5 = (_question_block(page, i) for i in (2, 4, 5))
    assert "question 'good_at': 'text' is empty" in q2
    assert "question 'enjoy': duplicate code 'enjoy'" in q4
    assert "question 'like_me': scale 'choice' needs a list of at least 2 'options'" in q5
    for other in (0, 1, 3, 6):
        assert "problems-beside" not in _question_block(page, other)
    # The messages are exactly those of the file checker on the downloaded file.
    data = form_of(page)
    draft = Draft.from_form(_multidict(data))
    _, problems = draft.check()
    assert len(problems) == 3
    for p in problems:
        assert str(p) in htmllib.unescape(page)


def test_every_bank_survey_round_trips(builder, partnership):
    page = builder.get(URL).get_data(as_text=True)
    for path in sorted(BANK.glob("*.yaml")):
        original = load_survey(path)
        page = press(builder, page, f"start:{original.code}").get_data(as_text=True)
        resp = press(builder, page, "save")
        assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
        saved = db.session.scalar(select(Survey).where(Survey.code == original.code))
        assert saved.latest.fingerprint == original.fingerprint, original.code
        assert saved.latest.definition == original
        page = builder.get(resp.headers["Location"]).get_data(as_text=True)


def test_download_gives_the_forms_file(builder):
    page = builder.get(URL + "?bank=partner_school").get_data(as_text=True)
    resp = press(builder, page, "download")
    assert resp.status_code == 200
    assert 'filename="partner_school.yaml"' in resp.headers["Content-Disposition"]
    survey = parse_survey(resp.get_data(as_text=True))
    assert survey.fingerprint == load_survey(BANK / "partner_school.yaml").fingerprint
    resp = press(builder, page, "download", **{"q-0-text": ""})
    assert resp.status_code == 422
    assert "fix the problems marked below, then download it again" in resp.get_data(
        as_text=True)


BROKEN = """\
code: broken_survey
title: Broken
audience: pupil
questions:
  - code: enjoy
    text: I enjoy science.
    scale: faces5
  - code: Bad Code
    text: I like mirrors.
    scale: faces5
  - code: colours
    text: Which colours?
    scale: multi
  - code: shadows
    text: I know how shadows are made.
    scale: sevenfaces
"""


def test_upload_with_errors_shows_each_message_beside_its_question(builder):
    page = builder.get(URL).get_data(as_text=True)
    data = form_of(page)
    data["action"] = "upload"
    data["yaml_file"] = (io.BytesIO(BROKEN.encode()), "broken.yaml")
    resp = builder.post(URL, data=data, content_type="multipart/form-data")
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    with pytest.raises(DefinitionError) as info:
        parse_survey(BROKEN, "broken.yaml")
    problems = info.value.problems
    assert len(problems) == 3
    assert texts(page) == ["I enjoy science.", "I like mirrors.", "Which colours?",
                           "I know how shadows are made."]
    expected = {1: "broken.yaml:8: question 'Bad Code': bad code 'Bad Code'",
                2: "broken.yaml:11: question 'colours': scale 'multi' needs a list",
                3: "broken.yaml:16: question 'shadows': unknown scale 'sevenfaces'"}
    for index, start in expected.items():
        assert start in _question_block(page, index)
    assert "problems-beside" not in _question_block(page, 0)
    for p in problems:
        assert str(p) in htmllib.unescape(page)


def test_upload_of_a_good_file_loads_it(builder):
    page = builder.get(URL).get_data(as_text=True)
    data = form_of(page)
    data["action"] = "upload"
    text = (BANK / "teacher_confidence.yaml").read_bytes()
    data["yaml_file"] = (io.BytesIO(text), "teacher_confidence.yaml")
    page = builder.post(URL, data=data, content_type="multipart/form-data").get_data(
        as_text=True)
    assert "it has no problems" in page
    assert texts(page)[0] == "How confident are you teaching this topic?"


def test_upload_of_something_else_keeps_the_draft(builder):
    page = builder.get(URL + "?bank=pupil_attitudes_5_7").get_data(as_text=True)
    data = form_of(page)
    data["action"] = "upload"
    data["yaml_file"] = (io.BytesIO(b"\xff\xfe not text"), "photo.yaml")
    page = builder.post(URL, data=data, content_type="multipart/form-data").get_data(
        as_text=True)
    assert "not UTF-8 text" in page
    assert texts(page)[0] == "Do you like science?"


def test_previews_are_the_real_page_and_sheet(builder):
    page = builder.get(URL + "?bank=workshop_knowledge").get_data(as_text=True)
    phone = re.search(r'<iframe[^>]*src="([^"]+)"', page).group(1)
    paper = re.search(r'<img id="paper-preview" src="([^"]+)"', page).group(1)
    phone_page = builder.get(htmllib.unescape(phone)).get_data(as_text=True)
    assert 'class="answer-form pupil' in phone_page
    assert 'name="light_travels_then"' in phone_page
    assert "How white light splits" in phone_page
    resp = builder.get(htmllib.unescape(paper))
    assert resp.status_code == 200
    assert resp.mimetype == "image/png"
    image = Image.open(io.BytesIO(resp.data))
    assert image.width == 900
    assert image.height > 1200
    ink = image.convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255]
    assert 0 < ink < image.width * image.height // 4
    again = builder.get(htmllib.unescape(paper), headers={"If-None-Match": resp.get_etag()[0]})
    assert again.status_code == 304


def test_preview_of_a_draft_with_nothing_complete(builder):
    packed = encode_draft(Draft(title="Nothing yet"))
    page = builder.get(f"{URL}preview/phone?d={packed}").get_data(as_text=True)
    assert "Add a question to see the preview." in page
    assert builder.get(f"{URL}preview/paper.png?d={packed}").status_code == 422
    assert builder.get(f"{URL}preview/paper.png?d=garbage!").status_code == 422


def test_teacher_saves_for_their_own_school_only(client, partnership, loaded_bank):
    make_user(partnership, "t@oak.example", "teacher", "Oak Primary")
    login_as(client, "t@oak.example")
    page = client.get(URL + "?bank=pupil_attitudes_7_11").get_data(as_text=True)
    # The coordinator's survey of the same code cannot be replaced by a teacher.
    resp = press(client, page, "save")
    assert resp.status_code == 422
    assert "already used by your partnership" in resp.get_data(as_text=True)
    resp = press(client, page, "save", code="oak_attitudes")
    assert resp.status_code == 303
    saved = db.session.scalar(select(Survey).where(Survey.code == "oak_attitudes"))
    oak = db.session.scalar(select(School).where(School.name == "Oak Primary"))
    assert saved.school_id == oak.id


def test_bank_browser_groups_and_filters(builder):
    page = builder.get(URL).get_data(as_text=True)
    for title in ("Enjoyment of science", "Knowledge of a topic", "Teacher confidence",
                  "Recommending the partnership"):
        assert f"<h3>{title}</h3>" in page
    assert "Adapted from TIMSS" in page  # sources are shown
    page = press(builder, page, "refresh", bank_ages="5-7").get_data(as_text=True)
    shown = re.findall(r'<li class="bank-q" data-fits="([^"]*)">', page)
    hidden = re.findall(r'<li class="bank-q" data-fits="([^"]*)" hidden>', page)
    assert shown
    assert all("[5-7]" in f for f in shown)
    assert hidden
    assert not any("[5-7]" in f for f in hidden)


def test_yaml_of_the_draft_is_the_forms_format(tmp_path: Path):
    draft = Draft.from_survey(load_survey(BANK / "partner_school.yaml"))
    data = yaml.safe_load(draft.to_yaml())
    assert data["questions"][3]["options"][0] == {"code": "host",
                                                  "label": "Host workshops or training"}


def test_dont_know_survives_the_builder_and_is_offered_on_faces_scales_only():
    survey = parse_survey("code: dk\ntitle: DK\naudience: pupil\nquestions:\n"
                          "  - {code: a, text: A, scale: faces3, dont_know: true}\n"
                          "  - {code: b, text: B, scale: faces5}\n")
    draft = Draft.from_survey(survey)
    assert parse_survey(draft.to_yaml()) == survey
    draft.questions[1].dont_know = True
    draft.questions[1].scale = "agree5"  # ticked, then a scale without it chosen
    assert "dont_know" not in yaml.safe_load(draft.to_yaml())["questions"][1]
