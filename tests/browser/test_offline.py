"""Answers that survive a dropped connection, in real Chromium against `survey-app serve`
in its own process (service workers need a real origin; http://127.0.0.1 counts as
secure): load the page, go offline, answer three pupils on one tablet (a double tap, a
reload and "Next pupil" in between), come back online, and the database holds exactly
three responses, each marked as answered before it arrived."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Answer, Collection, Response
from tests.browser.conftest import PHONE, _set_up_collections
from tests.browser.test_accessibility import _serious
from tests.security.test_live_crawl import _free_port, _wait_until_up

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SURVEY = "pupil_attitudes_5_7"
#: Each pupil's number and taps on the 5-7 survey (faces3: 1 sad, 2 in-between, 3 happy).
PUPILS = {
    4: {"enjoy": "3", "fun_lessons": "2", "good_at": "3", "try_hard": "1",
        "learn_more": "3", "like_me": "2", "science_job": "1"},
    9: {"enjoy": "1", "fun_lessons": "1", "good_at": "2", "try_hard": "3",
        "learn_more": "2", "like_me": "3", "science_job": "3"},
    12: {"enjoy": "2", "fun_lessons": "3", "good_at": "1", "try_hard": "2",
         "learn_more": "1", "like_me": "1", "science_job": "2"},
}
#: Browser messages that only say the network is down, which is the point here.
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "Failed to fetch", "net::ERR_FAILED")


@dataclass
class Served:
    url: str
    app: object
    token: str
    log: Path
    tokens: dict[str, str]


@pytest.fixture
def served(db_uri, tmp_path, monkeypatch) -> Iterator[Served]:
    """`survey-app serve` in its own process on the test database, with the bank's
    collections (the 5-7 one asks for the pupil number)."""
    env = {**os.environ, "SURVEY_APP_INSTANCE": str(tmp_path / "instance"),
           "DATABASE_URL": db_uri, "STORAGE_DIR": str(tmp_path / "storage"),
           "SECRET_KEY": "offline-secret-" + "x" * 32,
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env.pop("SURVEY_APP_ENV", None)
    monkeypatch.setenv("SURVEY_APP_INSTANCE", env["SURVEY_APP_INSTANCE"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_uri, "TESTING": True,
                      "SECRET_KEY": "unused-here"})
    tokens = _set_up_collections(app)
    with app.app_context():
        db.engine.dispose()
    port = _free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "survey_app.cli", "serve", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, log)
        yield Served(base, app, tokens[SURVEY], log, tokens)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with app.app_context():
            db.engine.dispose()


def _stored(served: Served) -> list[Response]:
    with served.app.app_context():
        cid = db.session.scalar(select(Collection.id)
                                .where(Collection.public_token == served.token))
        rows = list(db.session.scalars(select(Response).where(Response.collection_id == cid)))
        for r in rows:
            r.taps = dict(db.session.execute(
                select(Answer.question_code, Answer.value).where(Answer.response_id == r.id)
            ).all())
        db.session.expunge_all()
        db.session.remove()
        return rows


def _answer(page: Page, number: int, taps: dict[str, str], *, double_tap: bool = False):
    expect(page.locator("#q-pupil_number")).to_be_visible()
    expect(page.locator("input:checked")).to_have_count(0)
    page.fill("#pupil_number", str(number))
    page.click("button.next")
    # After Next the focus is on the question's heading, shown without a box.
    focused = page.evaluate("[document.activeElement.id,"
                            " getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == [f"lg-{next(iter(taps))}", "none"]
    codes = list(taps)
    for i, code in enumerate(codes):
        expect(page.locator(f"#q-{code}")).to_be_visible()
        page.click(f"label[for='{code}-{taps[code]}']")
        if i < len(codes) - 1:
            page.click("button.next")
    if double_tap:
        page.dblclick("button.send")
    else:
        page.click("button.send")


def _watch_console(page: Page) -> list[str]:
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not any(n in message.text for n in OFFLINE_NOISE) \
                and "favicon" not in message.location.get("url", ""):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_three_pupils_answer_offline_and_are_stored_once_each(served, browser):
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = _watch_console(page)
    page.goto(f"{served.url}/s/{served.token}")
    # The service worker is running and has kept the page.
    page.wait_for_selector("html[data-offline-ready=yes]", state="attached")
    # Installable: Chromium finds a manifest, icons and a service worker it accepts (a
    # test context is an incognito profile, where nothing can be installed).
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []

    context.set_offline(True)
    saved = page.locator("#saved-offline")
    numbers = list(PUPILS)

    # Pupil 1, with a double tap on Send.
    _answer(page, numbers[0], PUPILS[numbers[0]], double_tap=True)
    expect(saved).to_be_visible()
    expect(saved.locator("h2")).to_have_text("Thank you! Your answers are saved.")
    expect(saved).to_have_attribute("data-waiting", "1")
    expect(saved.locator(".outbox-words")).to_have_text("Answers waiting on this tablet: 1")
    expect(page.locator("#outbox-status")).to_be_hidden()  # the screen says it already
    expect(saved.locator("button.speak")).to_be_visible()
    assert _serious(page) == []

    # Next pupil, still offline: the same page starts again, empty (nothing is fetched).
    page.click("#saved-offline a.next-pupil")
    _answer(page, numbers[1], PUPILS[numbers[1]])
    expect(saved).to_have_attribute("data-waiting", "2")
    # The focus is on the message, which says what happened in a child's words.
    assert page.evaluate("document.activeElement.textContent") == \
        "Thank you! Your answers are saved."

    # A reload with no connection: the kept page again, and it says what is waiting.
    page.reload()
    expect(page.locator("#outbox-status")).to_be_visible()
    expect(page.locator("#outbox-status")).to_contain_text("2 people's answers are saved")
    _answer(page, numbers[2], PUPILS[numbers[2]])
    expect(saved).to_have_attribute("data-waiting", "3")

    assert _stored(served) == [], "nothing can have reached the server while offline"

    context.set_offline(False)
    expect(saved).to_have_attribute("data-waiting", "0", timeout=40_000)
    expect(saved.locator(".outbox-words")).to_have_text(
        "All the saved answers have been sent. Well done!")
    rows = _stored(served)
    assert sorted((r.pupil_number, r.taps) for r in rows) == sorted(PUPILS.items())
    assert len({r.submission_key for r in rows}) == 3
    for r in rows:
        assert r.answered_at is not None, "an answer that waited is marked as late"
        assert r.answered_at <= r.submitted_at
    assert problems == []
    context.close()


def test_without_a_service_worker_the_next_pupil_starts_on_the_same_page(served, browser):
    """Plain http on a school network is no secure context: no service worker there. The
    answers still wait in IndexedDB, Next pupil starts the same page again, and they are
    sent even after the browser lost its session."""
    context = browser.new_context(viewport=PHONE, service_workers="block")
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = _watch_console(page)
    page.goto(f"{served.url}/s/{served.token}")
    page.wait_for_selector("html[data-outbox=ready]", state="attached")
    context.set_offline(True)
    numbers = list(PUPILS)[:2]
    _answer(page, numbers[0], PUPILS[numbers[0]])
    expect(page.locator("#saved-offline")).to_be_visible()
    page.click("#saved-offline a.next-pupil")
    expect(page.locator("#saved-offline")).to_be_hidden()
    # The first question again, with the focus on its heading, and no box round it that
    # would look like a mistake to a child.
    expect(page.locator("#q-pupil_number")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "lg-pupil_number"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "none"
    _answer(page, numbers[1], PUPILS[numbers[1]])
    expect(page.locator("#saved-offline")).to_have_attribute("data-waiting", "2")
    assert _stored(served) == []
    # The browser forgets its session meanwhile (restarted): the waiting answers' CSRF
    # token no longer counts, and the outbox fetches a fresh one from the page.
    context.clear_cookies()
    context.set_offline(False)
    expect(page.locator("#saved-offline")).to_have_attribute("data-waiting", "0",
                                                             timeout=40_000)
    rows = _stored(served)
    assert sorted((r.pupil_number, r.taps) for r in rows) == sorted(
        (n, PUPILS[n]) for n in numbers)
    # The first try with the old token is refused (400), as it should be.
    assert [p for p in problems if "status of 400" not in p] == []
    context.close()


def test_online_and_without_javascript_nothing_changes_for_the_pupil(served, browser):
    """With a connection: Send, then the thank-you page (with its picture of "done" and
    read-aloud), and the answer is not counted late. Without JavaScript: the form posts
    the plain way, as it always did. (One test: a server process costs seconds.)"""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = _watch_console(page)
    page.goto(f"{served.url}/s/{served.token}")
    first, second = list(PUPILS)[:2]
    _answer(page, first, PUPILS[first], double_tap=True)
    page.wait_for_url(f"**/s/{served.token}/thanks")
    expect(page.locator("img.done-picture")).to_be_visible()
    box = page.locator("img.done-picture").bounding_box()
    assert box is not None
    assert box["width"] >= 120
    expect(page.locator(".thanks button.speak")).to_be_visible()
    assert page.locator(".thanks button.speak").get_attribute("data-say").startswith(
        "Thank you! Your answers have been sent.")
    assert _serious(page) == []
    assert problems == []
    assert [(r.pupil_number, r.taps, r.answered_at) for r in _stored(served)] == [
        (first, PUPILS[first], None)]

    # Answers the server refuses (here: none given) get the server's own page, as
    # without JavaScript, with the message that says why; nothing waits in the outbox.
    page = context.new_page()
    page.goto(f"{served.url}/s/{served.tokens['teacher_confidence']}")
    page.wait_for_selector("html[data-outbox=ready]", state="attached")
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 422):
        page.click("button.send")
    expect(page.locator("#error-summary")).to_contain_text("not answered any questions")
    expect(page.locator("#saved-offline")).to_be_hidden()
    assert page.evaluate("SurveyOutbox.waiting().then(w => w.length)") == 0
    # A teacher's survey offline: the same, in adult words.
    page.goto(f"{served.url}/s/{served.tokens['teacher_confidence']}")
    page.wait_for_selector("html[data-offline-ready=yes]", state="attached")
    context.set_offline(True)
    page.check("#confident_teaching-4")
    page.click("button.send")
    expect(page.locator("#saved-offline h2")).to_have_text("Your answers are saved")
    assert _serious(page) == []
    context.set_offline(False)
    expect(page.locator("#saved-offline")).to_have_attribute("data-waiting", "0",
                                                             timeout=40_000)
    context.close()

    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served.url}/s/{served.token}")
    expect(page.locator("#saved-offline")).to_be_hidden()
    expect(page.locator("#outbox-status")).to_be_hidden()
    page.fill("#pupil_number", str(second))
    for code, value in PUPILS[second].items():
        page.click(f"label[for='{code}-{value}']")
    page.click("button.send")
    page.wait_for_url(f"**/s/{served.token}/thanks")
    expect(page.locator("a.next-pupil")).to_be_visible()
    context.close()
    assert sorted((r.pupil_number, r.taps, r.answered_at) for r in _stored(served)) == [
        (first, PUPILS[first], None), (second, PUPILS[second], None)]
