"""A pupil takes the bank's light_check knowledge check on a phone in real Chromium: the
page (and what its scripts build) never marks the right answer, and the answers are
stored as tapped; the export then scores them (issue 14, item 4)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_answer_browser import _stored, _watch_console

pytestmark = pytest.mark.browser

TAPS = {"own_light": "sun", "shadow_made": "bends", "light_path": "straight",
        "how_we_see": "to_eyes"}


def test_pupil_answers_a_knowledge_check_without_seeing_the_right_answers(live_server,
                                                                          browser):
    from survey_app.admin.operations import create_collection, resolve_partnership
    from survey_app.extensions import db

    with live_server.app.app_context():
        c = create_collection(resolve_partnership("Riverside Science Partnership"),
                              survey_code="light_check", school_name="Oak Primary",
                              group_name="Year 6 Beech", phase="before")
        db.session.commit()
        token = c.public_token
        db.session.remove()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = _watch_console(page)
    page.goto(f"{live_server.url}/s/{token}")
    assert "correct" not in page.content().lower()
    codes = list(TAPS)
    for i, code in enumerate(codes):
        page.click(f"label[for='{code}-{TAPS[code]}']")
        if i < len(codes) - 1:
            page.click("button.next")
    # nothing the scripts drew in the meantime gives the answer away either
    assert "correct" not in page.content().lower()
    page.click("button.send")
    expect(page.locator("a.next-pupil")).to_be_visible()
    assert "correct" not in page.content().lower()
    assert problems == []
    context.close()
    assert _stored(live_server.app, token) == [(None, TAPS)]


@pytest.mark.parametrize(("setting", "number", "stored"), [(999, "250", 250), (None, "250", None)])
def test_a_large_school_pupil_types_a_three_digit_number(live_server, browser, setting, number,
                                                        stored):
    from survey_app.admin.operations import create_collection, resolve_partnership
    from survey_app.extensions import db

    if setting:
        live_server.app.config["PUPIL_NUMBER_MAX"] = setting
    with live_server.app.app_context():
        c = create_collection(resolve_partnership("Riverside Science Partnership"),
                              survey_code="light_check", school_name="Oak Primary",
                              group_name="Year 6 Beech", phase="before", ask_pupil_number=True)
        db.session.commit()
        token = c.public_token
        db.session.remove()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    expect(page.locator("#hint-pupil_number")).to_contain_text(f"1 to {setting or 99}")
    page.fill("#pupil_number", number)
    if stored is None:  # where numbers stop at 99 the box takes two digits only
        assert page.input_value("#pupil_number") == number[:2]
        context.close()
        return
    page.click("button.next")
    for i, code in enumerate(TAPS):
        page.click(f"label[for='{code}-{TAPS[code]}']")
        if i < len(TAPS) - 1:
            page.click("button.next")
    page.click("button.send")
    expect(page.locator("a.next-pupil")).to_be_visible()
    context.close()
    assert _stored(live_server.app, token) == [(stored, TAPS)]
