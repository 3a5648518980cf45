"""Crafted and unusual survey definitions, through every door a definition comes in by
(the CLI, the surveys page, the builder): YAML alias expansion ("billion laughs") is
refused at once with a message, and text in any script, emoji included, is stored and
read back unchanged, shown on the pupil page and in the builder, and printed or refused
with a message naming the characters (never a 500)."""

from __future__ import annotations

import html
import io

import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from forms.definition import ALIASES_REFUSED, DefinitionError, parse_survey
from print import PackSheet, UnprintableTextError, layout_for, render_pack
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import Survey, SurveyVersion
from survey_app.paper.operations import PrintError, print_class_pack
from tests.conftest import csrf_from


def laughs(levels: int = 7, width: int = 9) -> str:
    """A valid-looking survey whose question text is `width ** (levels - 1)` strings once
    its aliases are expanded (7 levels: half a million; 9: forty million)."""
    lines = ['l0: &l0 ["lol"]']
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]"
              for i in range(1, levels)]
    lines += ["code: lol", "title: Lol", "audience: pupil", "questions:", "  - code: q1",
              f"    text: *l{levels - 1}", "    scale: faces3"]
    return "\n".join(lines) + "\n"


#: A pupil survey in Welsh, Polish and English with emoji a child would type.
PRINTABLE = """\
code: hwyl
title: "Sut oedd y gweithdy? 😀"
audience: pupil
intro: "Dewiswch un wyneb. Zażółć gęślą jaźń ☺"
questions:
  - code: enjoy
    text: "Wnest ti fwynhau'r gweithdy? 😺 Czy podobały ci się warsztaty? Zażółć gęślą jaźń"
    scale: faces3
  - code: colour
    text: "Pa liw oedd y golau? ŵ ŷ"
    scale: choice
    options:
      - {code: red, label: "Coch 😀"}
      - {code: blue, label: "Glas – niebieski"}
"""
#: Every script a partnership may write in (docs/coordinator/languages-surveys.md):
#: also Urdu (right to left) and Chinese.
EVERY_SCRIPT = PRINTABLE.replace("code: hwyl", "code: ieithoedd").replace(
    "Pa liw oedd y golau? ŵ ŷ", "Pa liw oedd y golau? ŵ ŷ 你好 🚀").replace(
    "Glas – niebieski", "نیلا blue")


# --- billion laughs ---------------------------------------------------------------------


def test_parser_refuses_aliases_with_a_message():
    with pytest.raises(DefinitionError) as caught:
        parse_survey(laughs(), "lol.yaml")
    [problem] = caught.value.problems
    assert problem.line == 1
    assert str(problem) == f"lol.yaml:1: {ALIASES_REFUSED}"


@pytest.mark.parametrize("text", ["title: &x Lol\n", "a: &x 1\ntitle: *x\n",
                                  "base: &b {code: q}\nquestions: [{<<: *b}]\n"])
def test_any_anchor_or_alias_is_refused(text):
    with pytest.raises(DefinitionError) as caught:
        parse_survey(text, "s.yaml")
    assert [p.message for p in caught.value.problems] == [ALIASES_REFUSED]


def test_cli_refuses_billion_laughs(runner, partnership, tmp_path):
    (tmp_path / "lol.yaml").write_text(laughs())
    for command in ("check", "load"):
        result = runner.invoke(args=["forms", command, str(tmp_path / "lol.yaml")])
        assert result.exit_code == 1
        assert ALIASES_REFUSED in result.output
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 0


def _upload(client, data: bytes, name: str):
    page = client.get("/admin/surveys").get_data(as_text=True)
    return client.post("/admin/surveys", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(data), name)})


def test_surveys_page_refuses_billion_laughs(coordinator_client):
    resp = _upload(coordinator_client, laughs().encode(), "lol.yaml")
    assert resp.status_code == 200
    assert f"lol.yaml:1: {ALIASES_REFUSED}" in html.unescape(resp.get_data(as_text=True))
    assert db.session.scalar(select(Survey).where(Survey.code == "lol")) is None


def test_builder_refuses_billion_laughs(coordinator_client):
    from tests.builder.test_builder_views import URL, form_of

    data = form_of(coordinator_client.get(URL).get_data(as_text=True))
    data["action"] = "upload"
    data["yaml_file"] = (io.BytesIO(laughs().encode()), "lol.yaml")
    resp = coordinator_client.post(URL, data=data, content_type="multipart/form-data")
    assert resp.status_code == 422
    page = html.unescape(resp.get_data(as_text=True))
    assert "lol.yaml could not be read as a survey file" in page
    assert ALIASES_REFUSED in page


# --- any script, emoji included ---------------------------------------------------------


def _stored(partnership, text: str) -> SurveyVersion:
    result = load_survey_version(partnership, parse_survey(text, "hwyl.yaml"))
    db.session.commit()
    version_id = result.version.id
    db.session.expire_all()
    return db.session.get(SurveyVersion, version_id)


def test_every_script_round_trips_through_the_database(app, partnership):
    original = parse_survey(EVERY_SCRIPT, "ieithoedd.yaml")
    version = _stored(partnership, EVERY_SCRIPT)
    assert version.definition == original
    assert version.fingerprint == original.fingerprint
    assert version.definition.question("colour").options[1].label == "نیلا blue"
    assert "🚀" in version.definition.question("colour").text


def test_pupil_page_shows_every_script(client, partnership):
    _stored(partnership, EVERY_SCRIPT)
    c = create_collection(partnership, survey_code="ieithoedd", school_name="Ysgol Llŷn",
                          group_name="Blwyddyn 5", phase="once")
    db.session.commit()
    resp = client.get(f"/s/{c.public_token}")
    assert resp.status_code == 200
    page = html.unescape(resp.get_data(as_text=True))
    for words in ("Sut oedd y gweithdy? 😀", "Zażółć gęślą jaźń ☺", "ŵ ŷ 你好 🚀", "نیلا blue",
                  "Ysgol Llŷn"):
        assert words in page, words


def test_builder_opens_and_previews_every_script(coordinator_client, partnership):
    from tests.builder.test_builder_views import URL, press, texts

    _stored(partnership, EVERY_SCRIPT)
    page = coordinator_client.get(URL).get_data(as_text=True)
    resp = press(coordinator_client, page, "open", open_code="ieithoedd")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    page = resp.get_data(as_text=True)
    assert texts(page)[1] == "Pa liw oedd y golau? ŵ ŷ 你好 🚀"
    phone = html.unescape(page.split('<iframe')[1].split('src="')[1].split('"')[0])
    preview = html.unescape(coordinator_client.get(phone).get_data(as_text=True))
    assert "你好 🚀" in preview
    assert "نیلا blue" in preview
    assert "cannot be printed" in html.unescape(page.split('id="paper-empty"')[1])[:2000]
    paper = html.unescape(page.split('" id="paper-link"')[0].rsplit('href="', 1)[1])
    refused = coordinator_client.get(paper)
    assert refused.status_code == 422
    assert "'你' (U+4F60" in refused.get_data(as_text=True)


def _pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_welsh_polish_and_emoji_print_with_a_font_that_has_them():
    survey = parse_survey(PRINTABLE, "hwyl.yaml")
    pdf = render_pack(layout_for(survey), [PackSheet(1)], installation="TEST0001",
                      collection_id=3, school="Ysgol Llŷn", group="Blwyddyn 5")
    text = _pdf_text(pdf)
    # Pupil sheets print the paper instruction, not the survey's web intro, so the Polish
    # sample is checked in a question.
    for words in ("Zażółć", "gęślą", "jaźń", "ŵ ŷ", "Llŷn", "Sut oedd y gweithdy?"):
        assert words in text, words
    # The emoji is drawn from DejaVu Sans (reportlab's text layer cannot name a character
    # beyond U+FFFF, so it is not in the extracted text; the picture is right).
    assert b"DejaVuSans" in pdf
    assert "■" not in text


def test_unprintable_characters_are_named_not_a_500(app, partnership, coordinator_client):
    survey = parse_survey(EVERY_SCRIPT, "ieithoedd.yaml")
    with pytest.raises(UnprintableTextError) as caught:
        layout_for(survey)
    message = str(caught.value)
    for named in ("'你' (U+4F60", "'好' (U+597D", "'🚀' (U+1F680", "'ن' (U+0646",
                  "question 'colour'", "option 'blue'"):
        assert named in message, named
    assert "😀" not in message
    assert "ż" not in message
    _stored(partnership, EVERY_SCRIPT)
    c = create_collection(partnership, survey_code="ieithoedd", school_name="Ysgol Llŷn",
                          group_name="Blwyddyn 5", phase="once")
    db.session.commit()
    with pytest.raises(PrintError, match="U\\+4F60"):
        print_class_pack(c, 2)
    db.session.rollback()
    page = coordinator_client.get(f"/admin/paper/collections/{c.id}/print").get_data(as_text=True)
    resp = coordinator_client.post(f"/admin/paper/collections/{c.id}/print", data={
        "csrf_token": csrf_from(page), "kind": "pack", "copies": "2", "paper": "a4",
        "numbers": "1-2"}, follow_redirects=True)
    assert resp.status_code == 200
    assert "'你' (U+4F60" in html.unescape(resp.get_data(as_text=True))


def test_classroom_poster_prints_welsh_and_polish():
    from survey_app.admin.qr import Poster, poster_pdf

    text = _pdf_text(poster_pdf(Poster(url="http://127.0.0.1/s/abc", survey_title="Zażółć "
                                       "gęślą jaźń", school="Ysgol Llŷn", group="Dosbarth ŵ")))
    for words in ("Zażółć gęślą jaźń", "Ysgol Llŷn", "Dosbarth ŵ"):
        assert words in text, words
