"""The answer page's per-question timings (for the pilot report) in real Chromium: with
JavaScript the hidden field carries time on each question and read-aloud use; without it
there is no field and the answers are stored all the same."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Collection, Response
from tests.browser.conftest import PHONE
from tests.browser.test_answer_browser import TAPS_5_7, TAPS_7_11, _stored, _watch_console

pytestmark = pytest.mark.browser


def _timings(app, token: str) -> list[str | None]:
    with app.app_context():
        cid = db.session.scalar(select(Collection.id).where(Collection.public_token == token))
        out = list(db.session.scalars(select(Response.timings_json)
                                      .where(Response.collection_id == cid)))
        db.session.remove()
        return out


def test_timings_with_javascript(live_server, browser):
    token = live_server.tokens["pupil_attitudes_5_7"]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = _watch_console(page)
    page.goto(f"{live_server.url}/s/{token}")
    page.fill("#pupil_number", "4")
    page.click("button.next")
    for code, value in TAPS_5_7.items():
        if code == "good_at":
            page.click("#q-good_at button.speak")
            page.click("#q-good_at button.speak")
        page.click(f"label[for='{code}-{value}']")
        if code != list(TAPS_5_7)[-1]:
            page.click("button.next")
    page.click("button.send")
    expect(page.locator("a.next-pupil")).to_be_visible()
    assert problems == []
    context.close()

    assert _stored(live_server.app, token) == [(4, TAPS_5_7)]
    (raw,) = _timings(live_server.app, token)
    timings = json.loads(raw)
    assert set(timings) == set(TAPS_5_7)  # every question shown was timed, nothing else
    assert all(t["ms"] >= 0 for t in timings.values())
    assert timings["good_at"]["read"] == 2
    assert sum(t["read"] for t in timings.values()) == 2


def test_no_timings_without_javascript(live_server, browser):
    token = live_server.tokens["pupil_attitudes_7_11"]
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    expect(page.locator("input[name=_timings]")).to_have_count(0)
    for code, value in TAPS_7_11.items():
        page.click(f"label[for='{code}-{value}']")
    page.click("button.send")
    expect(page.locator("a.next-pupil")).to_be_visible()
    context.close()
    assert _stored(live_server.app, token) == [(None, TAPS_7_11)]
    assert _timings(live_server.app, token) == [None]
