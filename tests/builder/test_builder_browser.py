"""The builder in real Chromium: a coordinator builds a pupil survey from bank questions
and one of their own, sees both previews, saves, creates a collection, a pupil answers on
a phone, and the answers are in the export.

Chromium runs in a thread of its own: tests/browser keeps one session-wide Playwright in
the main thread, and a second sync Playwright there fails ("Sync API inside the asyncio
loop"); fixtures in tests/browser/conftest.py are not visible from this folder."""

from __future__ import annotations

import csv
import threading

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Collection, Survey
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, live_server  # noqa: F401

DESKTOP = {"width": 1680, "height": 1050}
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.browser


def in_chromium(scenario) -> None:
    """Run `scenario(browser)` with a headless Chromium in a thread of its own."""
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    scenario(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # handed to the test's own thread below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(600)
    assert not thread.is_alive(), "the browser scenario did not finish in 10 minutes"
    if "error" in outcome:
        raise outcome["error"]


def _watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and "favicon" not in m.location.get("url", "") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _coordinator(app) -> None:
    from survey_app.admin.operations import resolve_partnership
    from survey_app.auth.operations import create_user

    with app.app_context():
        user, _ = create_user(resolve_partnership(None), "coord@example.org", "coordinator")
        user.set_password(PASSWORD)
        db.session.commit()
        db.session.remove()


def _preview_shows(page: Page, text: str) -> None:
    expect(page.frame_locator("#phone-preview").get_by_text(text)).to_have_count(1)


def test_build_preview_save_collect_answer_export(live_server, tmp_path):  # noqa: F811
    app, url = live_server.app, live_server.url
    _coordinator(app)
    taps = {"periscope": "3", "enjoy": "5", "good_at": "4"}  # in the dragged order

    def scenario(browser) -> None:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        problems = _watch(page)
        page.goto(f"{url}/login")
        page.fill("input[name=email]", "coord@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.click("nav >> text=Build a survey")
        expect(page.locator("h1")).to_have_text("Build a survey")

        page.fill("#title", "Light workshop")
        page.fill("#ages", "7-11")
        page.select_option("#bank_ages", "7-11")  # filters without a reload (JS)
        expect(page.get_by_role("button", name="Add: Do you like science?")).to_be_hidden()
        page.get_by_role("button", name="Add: I enjoy science.").click()
        expect(page.locator("textarea.q-text")).to_have_count(1)
        page.get_by_role("button", name="Add: I am good at science.").click()
        expect(page.locator("textarea.q-text")).to_have_count(2)
        page.fill("#new-text", "I liked making a periscope.")
        page.select_option("#new-scale", "faces5")
        page.get_by_role("button", name="Add this question").click()
        expect(page.locator("textarea.q-text")).to_have_count(3)
        page.locator("#q-2 details.more summary").click()
        page.fill("#q-2-code", "periscope")

        # A negative in a pupil question gets a gentle warning while typing (JS refresh).
        page.fill("#q-1-text", "I am not good at science.")
        expect(page.locator("ul.warnings[data-for='1']")).to_contain_text("positive way round")
        page.fill("#q-1-text", "I am good at science.")
        expect(page.locator("ul.warnings[data-for='1'] li")).to_have_count(0)

        # Drag our own question to the top (by its handle); the previews follow.
        page.evaluate("document.getElementById('q-0').scrollIntoView()")
        page.locator("#q-2 .drag").hover()
        page.mouse.down()
        box = page.locator("#q-0").bounding_box()
        page.mouse.move(box["x"] + 40, box["y"] + 5, steps=8)
        page.mouse.up()
        expect(page.locator("#q-0-text")).to_have_value("I liked making a periscope.")
        _preview_shows(page, "I liked making a periscope.")
        frame = page.frame_locator("#phone-preview")
        expect(frame.locator("fieldset.step").first).to_contain_text("periscope")
        expect(frame.locator(".progress-text")).to_have_text("1 of 3")
        expect(page.locator("#paper-pages")).to_have_text("(page 1 of 1)")
        paper = page.locator("#paper-preview")
        # The sheet shown is the one for the same draft as the phone (after the drag).
        page.wait_for_function(
            "() => { const i = document.getElementById('paper-preview');"
            " const f = document.getElementById('phone-preview');"
            " return i.complete && i.naturalWidth > 800"
            " && new URL(i.src).search === new URL(f.src).search; }")
        assert paper.bounding_box()["width"] > 300

        page.get_by_role("button", name="Save survey").click()
        expect(page.locator(".flash").first).to_contain_text("Loaded the new survey")
        assert not problems, problems

        # A collection with the New collection page.
        page.get_by_role("link", name="Create a collection with").click()
        expect(page.locator("#survey")).to_have_value("light_workshop")  # arrives chosen
        expect(page.locator("#ask_pupil_number")).to_be_checked()  # a pupil survey
        page.select_option("#school", "Oak Primary")
        page.fill("#group", "Year 5 Light")
        page.uncheck("#ask_pupil_number")  # this pupil answers without a number
        page.get_by_role("button", name="Create collection").click()
        expect(page.locator(".flash").first).to_contain_text("Collection created")
        context.close()

        with app.app_context():
            token = db.session.scalar(
                select(Collection.public_token).join(Collection.survey_version)
                .join(Survey).where(Survey.code == "light_workshop"))
            db.session.remove()

        # A pupil answers on a phone, one question per screen.
        phone = browser.new_context(viewport=PHONE)
        pupil = phone.new_page()
        pupil_problems = _watch(pupil)
        pupil.goto(f"{url}/s/{token}")
        for code, value in taps.items():
            pupil.locator(f"label[for='{code}-{value}']").click()
            if code != "good_at":
                pupil.click("button.next")
        pupil.click("button.send")
        expect(pupil.locator("h1")).to_contain_text("Thank")
        assert not pupil_problems, pupil_problems
        phone.close()

    in_chromium(scenario)

    from survey_app.cli import register_commands

    register_commands(app)
    out = tmp_path / "export.csv"
    result = app.test_cli_runner().invoke(args=["export", "--survey", "light_workshop",
                                                "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    assert {code: rows[0][code] for code in taps} == taps
    assert rows[0]["source"] == "web"


BROKEN = """\
code: mirror_check
title: Light check
audience: pupil
ages: "7-11"
questions:
  - code: enjoy
    text: I enjoy science.
    scale: faces5
  - code: mirrors
    text: Which mirrors did you use?
    scale: choice
  - code: enjoy
    text: I know how shadows are made.
    scale: faces5
"""


def test_upload_with_errors_in_chromium(live_server, tmp_path):  # noqa: F811
    app, url = live_server.app, live_server.url
    _coordinator(app)
    broken = tmp_path / "mirror_check.yaml"
    broken.write_text(BROKEN, encoding="utf-8")

    def scenario(browser) -> None:
        page = browser.new_page(viewport=DESKTOP)
        problems = _watch(page)
        page.goto(f"{url}/login")
        page.fill("input[name=email]", "coord@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.goto(f"{url}/admin/builder/")
        page.set_input_files("#yaml_file", str(broken))
        page.get_by_role("button", name="Upload into the builder").click()
        expect(page.locator("#notice")).to_contain_text("has problems")
        expect(page.locator("#q-1 .problems-beside")).to_contain_text(
            "mirror_check.yaml:9: question 'mirrors': scale 'choice' needs a list")
        expect(page.locator("#q-2 .problems-beside")).to_contain_text(
            "duplicate code 'enjoy' (first used on line 6)")
        expect(page.locator("#q-0 .problems-beside")).to_have_count(0)
        # The phone still previews the questions that are complete.
        _preview_shows(page, "I enjoy science.")
        # Fixed in the builder, it saves.
        page.fill("#q-1-options", "Flat mirror\nCurved mirror")
        # A problem with a code opens the box that holds it.
        page.fill("#q-2-code", "shadows")
        page.get_by_role("button", name="Save survey").click()
        expect(page.locator(".flash").first).to_contain_text("Loaded the new survey")
        assert not [p for p in problems if "422" not in p], problems

    in_chromium(scenario)
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.code == "mirror_check"))
        options = survey.latest.definition.question("mirrors").options
        assert [o.code for o in options] == ["flat_mirror", "curved_mirror"]
        db.session.remove()
