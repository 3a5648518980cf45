"""A pupil answers the bank's bilingual survey in Welsh in real Chromium: switching on the
first screen, `lang="cy"`, Welsh buttons and messages, the offline outbox in Welsh on a
real server (`survey-app serve`), the stored codes; read-aloud picks a Welsh voice, or
says kindly that the device has none (never an English voice reading Welsh)."""

from __future__ import annotations

import pytest
import yaml
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from forms.definition import survey_from_dict
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import Answer, Collection, Partnership, Response
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import _serious
from tests.browser.test_offline import (  # noqa: F401  (`served` is a fixture)
    PUPILS,
    SURVEY,
    _watch_console,
    served,
)
from tests.conftest import BANK

pytestmark = pytest.mark.browser

#: The note where the device has no Welsh voice (the catalog's Welsh).
NO_WELSH_VOICE = "Dydy'r ddyfais hon ddim yn gallu darllen Cymraeg yn uchel."
#: Welsh for the bank's 5-7 survey, used only while the bank file has none of its own.
WELSH_5_7 = {
    "title": "Fi a gwyddoniaeth",
    "intro": "Lliwia neu tapia'r wyneb sy'n dangos sut rwyt ti'n teimlo.",
    "enjoy": "Wyt ti'n hoffi gwyddoniaeth?",
    "fun_lessons": "Ydy gwersi gwyddoniaeth yn hwyl?",
    "good_at": "Wyt ti'n dda mewn gwyddoniaeth?",
    "try_hard": "Wyt ti'n gallu datrys cwestiynau gwyddoniaeth anodd?",
    "learn_more": "Wyt ti eisiau dysgu mwy o wyddoniaeth?",
    "like_me": "Ydy gwyddoniaeth i bobl fel fi?",
    "science_job": "Hoffet ti gael swydd gwyddoniaeth pan fyddi di'n hŷn?",
}


def _bilingual_5_7():
    """The bank's 5-7 survey in English and Welsh."""
    raw = yaml.safe_load((BANK / f"{SURVEY}.yaml").read_text())
    if "cy" not in raw.get("languages", ()):
        raw["languages"] = ["en", "cy"]
        for key in ("title", "intro"):
            raw[key] = {"en": raw[key], "cy": WELSH_5_7[key]}
        for q in raw["questions"]:
            q["text"] = {"en": q["text"], "cy": WELSH_5_7[q["code"]]}
    return survey_from_dict(raw)


def _welsh_collection(app: Flask, language: str = "en", **kwargs) -> str:
    """A new collection of the bilingual 5-7 survey (asking the pupil number) in the
    site's first partnership: its token."""
    with app.app_context():
        p = db.session.scalar(select(Partnership).order_by(Partnership.id))
        load_survey_version(p, _bilingual_5_7())
        c = create_collection(p, survey_code=SURVEY, school_name="Ysgol y Deri",
                              group_name="Blwyddyn 2", phase="once", ask_pupil_number=True,
                              language=language, **kwargs)
        db.session.commit()
        token = c.public_token
        db.session.remove()
    return token


def _stored(app: Flask, token: str) -> list[tuple[int | None, dict[str, str]]]:
    with app.app_context():
        cid = db.session.scalar(select(Collection.id).where(Collection.public_token == token))
        out = []
        for r in db.session.scalars(select(Response).where(Response.collection_id == cid)):
            out.append((r.pupil_number, dict(db.session.execute(
                select(Answer.question_code, Answer.value)
                .where(Answer.response_id == r.id)).all())))
        db.session.remove()
    return sorted(out)


def _answer_in_welsh(page: Page, number: int, taps: dict[str, str]) -> None:
    expect(page.locator("#q-pupil_number")).to_be_visible()
    page.click("button.next")  # no number yet: the message is Welsh
    expect(page.locator(".step-message")).to_have_text(
        "Teipia dy rif (1 i 99). Mae dy athro yn gwybod beth ydy e.")
    page.fill("#pupil_number", str(number))
    page.click("button.next")
    codes = list(taps)
    for i, code in enumerate(codes, start=2):
        expect(page.locator(".progress-text")).to_have_text(f"{i} o {len(codes) + 1}")
        page.click(f"label[for='{code}-{taps[code]}']")
        if i <= len(codes):
            page.click("button.next")
    expect(page.locator("button.send")).to_have_text("Anfon")
    page.click("button.send")


#: Put [url, html] in the service worker's page cache, as if that copy were kept last.
KEEP_PAGE = """([url, html]) => caches.open(window.SurveyOutbox.PAGE_CACHE).then(cache =>
    cache.put(url, new Response(html, {headers: {"Content-Type": "text/html; charset=utf-8"}})))"""


def test_a_pupil_switches_to_welsh_and_answers_offline(served, browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = _watch_console(page)
    token = _welsh_collection(served.app)
    page.goto(f"{served.url}/s/{token}")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.locator("button.next")).to_have_text("Next")
    english = page.content()

    # The switch is on the first screen, in each language's own name.
    page.click("nav.languages a[lang=cy]")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("nav.languages [aria-current=true]")).to_have_text("Cymraeg")
    expect(page.locator("button.next")).to_have_text("Nesaf")
    expect(page.locator(".progress-text")).to_have_text(f"1 o {len(PUPILS[4]) + 1}")
    expect(page.locator("#lg-pupil_number")).to_have_text("Beth yw dy rif di?")
    # Headless Chromium has no voices: no English voice reads the Welsh, a note says so.
    expect(page.locator(".speech-note")).to_have_text(NO_WELSH_VOICE)
    expect(page.locator("button.speak").first).to_be_hidden()
    assert _serious(page) == []
    page.click("button.next")
    page.fill("#pupil_number", "3")
    page.click("button.next")
    expect(page.locator("nav.languages")).to_be_hidden()  # only on the first screen
    page.click("button.back")
    expect(page.locator("nav.languages")).to_be_visible()
    page.fill("#pupil_number", "")

    page.wait_for_selector("html[data-offline-ready=yes]", state="attached")
    context.set_offline(True)
    first, second = list(PUPILS)[:2]
    _answer_in_welsh(page, first, PUPILS[first])
    saved = page.locator("#saved-offline")
    expect(saved.locator("h2")).to_have_text("Diolch! Mae dy atebion wedi'u cadw.")
    expect(saved.locator(".outbox-words")).to_have_text("Atebion yn aros ar y dabled hon: 1")
    expect(saved.locator("a.next-pupil")).to_have_text("Disgybl nesaf")

    # Next pupil with no connection: the Welsh page again, even when the page the service
    # worker keeps is the English one (which copy was kept last is a race: CI once got it).
    page.evaluate(KEEP_PAGE, [f"{served.url}/s/{token}", english])
    page.click("#saved-offline a.next-pupil")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.fill("#pupil_number", "")
    _answer_in_welsh(page, second, PUPILS[second])
    expect(saved).to_have_attribute("data-waiting", "2")
    assert _stored(served.app, token) == []

    context.set_offline(False)
    expect(saved).to_have_attribute("data-waiting", "0", timeout=40_000)
    expect(saved.locator(".outbox-words")).to_have_text(
        "Mae'r holl atebion wedi cael eu hanfon. Da iawn!")
    # The same codes as an English answer: language never reaches the data.
    assert _stored(served.app, token) == sorted((n, PUPILS[n]) for n in (first, second))
    assert problems == []
    context.close()


#: A device with the voices given: getVoices() lists them, and what speak() is asked to
#: say is kept in window.spoken (text, lang, voice) instead of being played.
FAKE_VOICES = """
(voices) => {
  window.spoken = [];
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  speechSynthesis.getVoices = () => voices;
  speechSynthesis.speak = (u) => window.spoken.push(
    [u.text, u.lang, u.voice ? u.voice.name : null]);
}
"""


def _page_with_voices(browser, url: str, voices: list[dict]) -> tuple:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    context.add_init_script(f"({FAKE_VOICES})({voices!r})")
    page = context.new_page()
    page.goto(url + "?lang=cy")
    return context, page


def test_read_aloud_uses_a_welsh_voice_or_says_there_is_none(live_server, browser):
    url = f"{live_server.url}/s/{_welsh_collection(live_server.app)}"
    english = {"name": "Daniel", "lang": "en-GB"}
    context, page = _page_with_voices(browser, url, [english,
                                                     {"name": "Gwyneth", "lang": "cy-GB"}])
    speak = page.locator("#q-pupil_number button.speak")
    expect(speak).to_be_visible()
    expect(speak).to_contain_text("Darllen i mi")
    expect(page.locator(".speech-note")).to_be_hidden()
    speak.click()
    assert page.evaluate("window.spoken") == [
        ["Beth yw dy rif di? Dyma'r rhif a gest ti gan dy athro.", "cy", "Gwyneth"]]
    context.close()

    # Only an English voice: it never reads the Welsh; the note says why there is no button.
    context, page = _page_with_voices(browser, url, [english])
    expect(page.locator(".speech-note")).to_have_text(NO_WELSH_VOICE)
    expect(page.locator("button.speak").first).to_be_hidden()
    context.close()
