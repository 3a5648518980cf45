"""The pupil page in the collection's language, switched on the first screen, without
JavaScript (the Flask test client): Welsh buttons, messages and questions, `lang="cy"`,
and the stored answers are the same codes whatever the language."""

from __future__ import annotations

import json
import re

import pytest
from flask import g
from sqlalchemy import select

from forms.answers import normalise, normalise_pupil_number
from forms.definition import parse_survey
from survey_app.admin.operations import SetupError, create_collection, load_survey_version
from survey_app.answer.messages import translated
from survey_app.extensions import db
from survey_app.languages import use_language
from survey_app.models import Answer, Collection, Response
from tests.conftest import csrf_from

BILINGUAL = """\
code: club_cy
title: {en: Science club, cy: Clwb gwyddoniaeth}
audience: pupil
languages: [en, cy]
intro: {en: Tell us what you think., cy: Dywed wrthon ni beth wyt ti'n feddwl.}
questions:
  - code: enjoy
    text: {en: "Do you like science?", cy: "Wyt ti'n hoffi gwyddoniaeth?"}
    scale: faces3
    required: true
  - code: pets
    text: {en: "How many pets do you have?", cy: "Faint o anifeiliaid anwes sydd gen ti?"}
    scale: number
"""


def _collection(partnership, **kwargs) -> Collection:
    load_survey_version(partnership, parse_survey(BILINGUAL))
    c = create_collection(partnership, survey_code="club_cy", school_name="Ysgol y Deri",
                          group_name="Blwyddyn 5", phase="before", **kwargs)
    db.session.commit()
    return c


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html)[1]


def test_welsh_by_default_for_the_collection(client, partnership):
    c = _collection(partnership, language="cy")
    html = client.get(f"/s/{c.public_token}").get_data(as_text=True)
    assert _lang(html) == "cy"
    assert "Clwb gwyddoniaeth" in html
    assert "Wyt ti&#39;n hoffi gwyddoniaeth?" in html
    assert ">Anfon</button>" in html
    assert "Darllen i mi" in html
    assert "Do you like science?" not in html
    assert ">Send</button>" not in html
    # The switch offers English, in English, and marks Welsh as the current language.
    assert re.search(r'<a href="\?lang=en" lang="en" hreflang="en">English</a>', html)
    assert re.search(r'<span class="current" lang="cy" aria-current="true">Cymraeg</span>',
                     html)


def test_english_default_and_a_switch_to_welsh_that_is_remembered(client, partnership):
    c = _collection(partnership)
    assert c.language == "en"
    page = f"/s/{c.public_token}"
    html = client.get(page).get_data(as_text=True)
    assert _lang(html) == "en-GB"
    assert ">Send</button>" in html
    html = client.get(page + "?lang=cy").get_data(as_text=True)
    assert _lang(html) == "cy"
    assert ">Anfon</button>" in html
    # Remembered for this browser: "Next pupil" on a shared tablet opens in Welsh.
    assert _lang(client.get(page).get_data(as_text=True)) == "cy"
    assert "Diolch!" in client.get(page + "/thanks").get_data(as_text=True)
    # A language the survey does not declare is not offered, and changes nothing.
    assert _lang(client.get(page + "?lang=fr").get_data(as_text=True)) == "cy"
    assert _lang(client.get(page + "?lang=en").get_data(as_text=True)) == "en-GB"


def test_answering_in_welsh_without_javascript_stores_the_codes(client, partnership):
    c = _collection(partnership, language="cy")
    page = f"/s/{c.public_token}"
    html = client.get(page).get_data(as_text=True)
    sid = re.search(r'name="submission_id"[^>]*value="([^"]+)"', html)[1]
    # Nothing chosen for the required question: the message is Welsh, the number kept.
    resp = client.post(page, data={"csrf_token": csrf_from(html), "submission_id": sid,
                                   "pets": "12345678"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert _lang(html) == "cy"
    assert "Bron â gorffen! Edrycha eto ar:" in html
    assert "Mae angen ateb y cwestiwn hwn." in html
    assert "Rho rif cyfan o 0 i" in html
    assert "Please" not in html
    resp = client.post(page, data={"csrf_token": csrf_from(html), "submission_id": sid,
                                   "enjoy": "3", "pets": "2"})
    assert resp.status_code == 303
    thanks = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _lang(thanks) == "cy"
    assert "Mae dy atebion wedi cael eu hanfon." in thanks
    stored = db.session.execute(
        select(Answer.question_code, Answer.value).join(Response)
        .where(Response.collection_id == c.id)).all()
    assert sorted(stored) == [("enjoy", "3"), ("pets", "2")]


def test_a_collection_language_must_be_one_the_survey_declares(partnership):
    with pytest.raises(SetupError, match="not 'fr'"):
        _collection(partnership, language="fr")


def test_english_only_surveys_show_no_switch(client, loaded_bank, partnership):
    c = create_collection(partnership, survey_code="teacher_confidence",
                          school_name="Oak Primary", group_name="Staff", phase="once")
    db.session.commit()
    html = client.get(f"/s/{c.public_token}").get_data(as_text=True)
    assert _lang(html) == "en-GB"
    assert 'class="languages"' not in html
    assert "speech-note" not in html


def test_join_and_not_found_follow_the_browser_language(client):
    html = client.get("/join", headers={"Accept-Language": "cy,en;q=0.5"}).get_data(
        as_text=True)
    assert _lang(html) == "cy"
    assert "Ymuno ag arolwg" in html
    html = client.get("/s/nothing-here", headers={"Accept-Language": "cy"}).get_data(
        as_text=True)
    assert "Dydyn ni ddim yn gallu dod o hyd i'r arolwg hwn" in html
    html = client.get("/join", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert _lang(html) == "en-GB"
    assert "Join a survey" in html


def test_every_message_of_the_answer_checker_has_welsh(app):
    """The checker (forms.answers, plain English) refuses answers in a few ways: each
    of its real messages comes out in Welsh, none left in English."""
    survey = parse_survey("""
code: m
title: M
audience: pupil
questions:
  - {code: a, text: "A?", scale: faces3, required: true}
  - {code: b, text: "B?", scale: faces3}
  - {code: n, text: "N?", scale: number}
  - {code: t, text: "T?", scale: text}
""")
    result = normalise(survey, {"b": ["1", "2"], "n": ["-4"], "t": ["x" * 5000]})
    refused = normalise(survey, {"a": ["9"]}).errors
    messages = [*result.errors.values(), refused["a"]]
    try:
        normalise_pupil_number("500", 99)
    except ValueError as exc:
        messages.append(str(exc))
    assert len(set(messages)) == 6
    with app.test_request_context():
        use_language("cy")
        assert g.page_lang == "cy"
        welsh = [translated(m) for m in messages]
    for english, cy in zip(messages, welsh, strict=True):
        assert cy != english
        assert not re.search(r"\b(Please|answer|number)\b", cy), cy


def test_coordinator_sets_welsh_on_the_new_collection_page(coordinator_client, partnership):
    load_survey_version(partnership, parse_survey(BILINGUAL))
    db.session.commit()
    page = coordinator_client.get("/admin/collections/new").get_data(as_text=True)
    assert '<option value="cy">Cymraeg (cy)</option>' in page
    resp = coordinator_client.post("/admin/collections/new", data={
        "csrf_token": csrf_from(page), "survey": "club_cy", "new_school": "Ysgol y Deri",
        "group": "Blwyddyn 5", "phase": "once", "language": "cy"})
    assert resp.status_code == 302
    new = db.session.scalar(select(Collection).order_by(Collection.id.desc()))
    assert new.language == "cy"
    shown = coordinator_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "the pupils' page opens in Cymraeg (cy)" in shown
    # A language the survey lacks is refused with the ones it has, and nothing is made.
    resp = coordinator_client.post("/admin/collections/new", data={
        "csrf_token": csrf_from(page), "survey": "club_cy", "new_school": "Ysgol y Deri",
        "group": "Blwyddyn 6", "phase": "once", "language": "pl"})
    assert "English, Cymraeg (en, cy), not &#39;pl&#39;" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Collection).order_by(Collection.id.desc())).id == new.id


def test_collections_create_language_on_the_command_line(runner, partnership):
    load_survey_version(partnership, parse_survey(BILINGUAL))
    db.session.commit()
    args = ["collections", "create", "--survey", "club_cy", "--school", "Ysgol y Deri",
            "--group", "Blwyddyn 5", "--phase", "once", "--json"]
    made = runner.invoke(args=[*args, "--language", "cy"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["language"] == "cy"
    plain = runner.invoke(args=args)
    assert json.loads(plain.output)["language"] == "en"  # the survey's first
    refused = runner.invoke(args=[*args, "--language", "fr"])
    assert refused.exit_code != 0
    assert "not 'fr'" in refused.output


def test_a_language_without_a_catalog_gets_english_buttons_marked_as_english(client,
                                                                            partnership):
    """Polish questions, English interface: the page is lang="pl" and the English words
    say so, so a screen reader or a voice reads them as English."""
    load_survey_version(partnership, parse_survey("""\
code: club_pl
title: {pl: Klub naukowy, en: Science club}
audience: pupil
languages: [pl, en]
questions:
  - code: enjoy
    text: {pl: "Czy lubisz nauki ścisłe?", en: "Do you like science?"}
    scale: yesno
"""))
    c = create_collection(partnership, survey_code="club_pl", school_name="Oak Primary",
                          group_name="Year 5", phase="once")
    db.session.commit()
    html = client.get(f"/s/{c.public_token}").get_data(as_text=True)
    assert _lang(html) == "pl"
    assert "Czy lubisz nauki ścisłe?" in html
    assert re.search(r'<div class="actions" lang="en-GB">.*?>Send</button>', html, re.S)
    assert "This device cannot read Polish aloud." in html
    # In a language with a catalog nothing is marked: it is all the page's language.
    english = client.get(f"/s/{c.public_token}?lang=en").get_data(as_text=True)
    assert '<div class="actions">' in english
