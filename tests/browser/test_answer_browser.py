"""A pupil answers on a phone in real Chromium, with JavaScript and without, and the
database holds exactly what was tapped."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, Collection, Response
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

#: What the pupil taps on the 5-7 survey (faces3: 1 sad, 2 in-between, 3 happy).
TAPS_5_7 = {"enjoy": "3", "fun_lessons": "2", "good_at": "3", "try_hard": "1",
            "learn_more": "3", "like_me": "2", "science_job": "1"}


def _stored(app, token: str) -> list[tuple[int | None, dict[str, str]]]:
    with app.app_context():
        cid = db.session.scalar(select(Collection.id).where(Collection.public_token == token))
        out = []
        for r in db.session.scalars(select(Response).where(Response.collection_id == cid)):
            answers = db.session.execute(select(Answer.question_code, Answer.value)
                                         .where(Answer.response_id == r.id)).all()
            assert r.source == "web"
            out.append((r.pupil_number, dict(answers)))
        db.session.remove()
        return out


def _watch_console(page: Page) -> list[str]:
    """Collect console errors (CSP violations show up here); the browser's own favicon
    request is not the page's fault."""
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_pupil_with_javascript_one_question_per_screen(live_server, browser):
    token = live_server.tokens["pupil_attitudes_5_7"]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = _watch_console(page)
    response = page.goto(f"{live_server.url}/s/{token}")
    assert response is not None
    # Served under a strict policy, so an inline script or style shows up as an error.
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]

    steps = page.locator("fieldset.step")
    expect(steps).to_have_count(1 + len(TAPS_5_7))
    expect(page.locator(".progress-text")).to_have_text(f"1 of {1 + len(TAPS_5_7)}")
    expect(page.locator("#q-enjoy")).to_be_hidden()
    expect(page.locator("button.send")).to_be_hidden()
    expect(page.locator("button.speak").first).to_be_visible()

    # The number is asked first; Next refuses to move on without it.
    page.click("button.next")
    expect(page.locator(".step-message")).to_contain_text("type your number")
    page.fill("#pupil_number", "7")
    page.click("button.next")

    for i, (code, value) in enumerate(TAPS_5_7.items(), start=2):
        question = page.locator(f"#q-{code}")
        expect(question).to_be_visible()
        expect(page.locator(".progress-text")).to_have_text(f"{i} of {1 + len(TAPS_5_7)}")
        expect(page.locator(f"#q-{code} input:checked")).to_have_count(0)
        label = page.locator(f"label[for='{code}-{value}']")
        box = label.bounding_box()
        assert box is not None
        assert box["width"] >= 48
        assert box["height"] >= 48
        label.click()
        expect(page.locator(f"#{code}-{value}")).to_be_checked()
        if i < 1 + len(TAPS_5_7):
            expect(page.locator("button.send")).to_be_hidden()
            page.click("button.next")
    # Back keeps the answer.
    page.click("button.back")
    expect(page.locator(f"#like_me-{TAPS_5_7['like_me']}")).to_be_checked()
    page.click("button.next")
    page.click("button.send")

    expect(page.locator("a.next-pupil")).to_be_visible()
    assert page.url.endswith(f"/s/{token}/thanks")
    page.click("a.next-pupil")
    expect(page.locator("#q-pupil_number")).to_be_visible()
    expect(page.locator("input:checked")).to_have_count(0)
    assert problems == []
    context.close()

    assert _stored(live_server.app, token) == [(7, TAPS_5_7)]


TAPS_7_11 = {"enjoy": "5", "fun_lessons": "4", "good_at": "3", "explain": "2",
             "learn_more": "5", "like_me": "1", "science_job": "4", "family_talk": "2"}


def test_pupil_without_javascript_one_page(live_server, browser):
    token = live_server.tokens["pupil_attitudes_7_11"]
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}")

    for code in TAPS_7_11:
        expect(page.locator(f"#q-{code}")).to_be_visible()
    expect(page.locator(".progress")).to_be_hidden()
    expect(page.locator("button.next")).to_be_hidden()
    expect(page.locator("button.speak").first).to_be_hidden()
    for code, value in TAPS_7_11.items():
        page.click(f"label[for='{code}-{value}']")
    page.click("button.send")
    expect(page.locator("a.next-pupil")).to_be_visible()
    context.close()

    assert _stored(live_server.app, token) == [(None, TAPS_7_11)]


def test_pages_fit_a_320px_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for code in ("pupil_attitudes_5_7", "pupil_attitudes_7_11", "workshop_knowledge",
                 "teacher_confidence"):
        page.goto(f"{live_server.url}/s/{live_server.tokens[code]}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{code}: the page is {width} px wide on a 320 px phone"
    context.close()


def test_retrospective_item_stores_then_and_now(live_server, browser):
    token = live_server.tokens["workshop_knowledge"]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    codes = ["light_travels", "shadows", "reflection", "colours", "eyes"]
    taps = {}
    for i, code in enumerate(codes):
        then, now = str(1 + i % 2), "3"
        page.click(f"label[for='{code}_then-{then}']")
        page.click(f"label[for='{code}_now-{now}']")
        taps.update({f"{code}_then": then, f"{code}_now": now})
        if i < len(codes) - 1:
            page.click("button.next")
    page.click("button.send")
    expect(page.locator("a.next-pupil")).to_be_visible()
    context.close()
    assert _stored(live_server.app, token) == [(None, taps)]


def test_teacher_form(live_server, browser):
    token = live_server.tokens["teacher_confidence"]
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    problems = _watch_console(page)
    page.goto(f"{live_server.url}/s/{token}")
    expect(page.locator("fieldset.question")).to_have_count(7)
    expect(page.locator("button.next")).to_have_count(0)
    taps = {"confident_teaching": "4", "confident_practicals": "2", "subject_knowledge": "5",
            "pupil_questions": "4", "interest": "5", "will_use": "4"}
    for code, value in taps.items():
        page.check(f"#{code}-{value}")
    page.fill("#comments", "More practical kit, please.")
    page.click("button.send")
    expect(page.locator("h1")).to_have_text("Thank you")
    assert problems == []
    context.close()
    assert _stored(live_server.app, token) == [
        (None, {**taps, "comments": "More practical kit, please."})]
