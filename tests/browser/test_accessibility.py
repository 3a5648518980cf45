"""axe-core in real Chromium: no serious or critical accessibility violation on the pupil
page (JavaScript on and off), the teacher form, the thank-you and closed pages, and the
coordinator's main pages, on the demo data (`survey-app demo`).

axe-core comes bundled in axe-playwright-python (axe.min.js, MPL-2.0, no network at run
time). It is injected with `page.evaluate`, which the pages' strict CSP does not block.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from survey_app import create_app
from tests.browser.conftest import PHONE, serving

pytestmark = pytest.mark.browser

#: Impacts that fail the test (axe also reports "moderate" and "minor").
FAILING = ("serious", "critical")
PASSWORD = "correct horse battery"


@dataclass
class DemoSite:
    app: Flask
    url: str
    coordinator: str
    paths: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def demo_site(template_db, tmp_path_factory) -> Iterator[DemoSite]:
    """The demo partnership served over HTTP, plus a closed collection and a review item."""
    tmp = tmp_path_factory.mktemp("a11y")
    db_file = tmp / "demo.sqlite3"
    shutil.copy(template_db["sqlite"], db_file)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SURVEY_APP_INSTANCE", str(tmp / "instance"))
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "TESTING": True,
                          "SECRET_KEY": "a11y-secret", "STORAGE_DIR": str(tmp / "storage")})
        coordinator, paths = _build(app)
        with serving(app) as url:
            yield DemoSite(app, url, coordinator, paths)


def _build(app: Flask) -> tuple[str, dict[str, str]]:
    import cv2
    import numpy as np
    from sqlalchemy import select

    from survey_app.admin.operations import create_collection
    from survey_app.demo import build_demo
    from survey_app.extensions import db
    from survey_app.models import Collection, Response, Survey, SurveyVersion
    from survey_app.models.base import utcnow
    from survey_app.models.scans import ReviewItem, ScanBatch, ScanPage

    with app.app_context():
        summary = build_demo(seed=1)
        partnership = summary["partnership"]
        email = next(e for role, e, _ in summary["logins"] if role == "coordinator")
        from survey_app.models import User

        db.session.scalar(select(User).where(User.email == email)).set_password(PASSWORD)

        def token_of(code: str) -> str:
            """An open collection of the survey (the demo closes most of its own)."""
            found = db.session.scalars(
                select(Collection).join(Collection.survey_version)
                .join(SurveyVersion.survey).where(Survey.code == code))
            open_one = next((c for c in found if c.state() == "open"), None)
            if open_one is None:
                open_one = create_collection(partnership, survey_code=code,
                                             school_name="Oak Primary",
                                             group_name=f"Open {code}", phase="once",
                                             ask_pupil_number=True)
                db.session.flush()
            return open_one.public_token

        parent_token = token_of("parent_views")  # the letters home are printed from it
        parent_id = db.session.scalar(select(Collection.id)
                                      .where(Collection.public_token == parent_token))
        closed = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                                   school_name="Oak Primary", group_name="Year 6 Closed",
                                   phase="once", opens_at=utcnow() - timedelta(days=9),
                                   closes_at=utcnow() - timedelta(days=2))
        db.session.flush()
        paper = db.session.scalar(select(Response).where(Response.source == "paper")
                                  .order_by(Response.id).limit(1))
        definition = paper.collection.survey_version.definition
        column = definition.questions[0].columns[0]
        storage = Path(app.config["STORAGE_DIR"])
        (storage / "pages").mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(storage / "pages/a11y.png"), np.full((600, 800), 250, np.uint8))
        batch = ScanBatch(partnership_id=partnership.id, filename="class-pile.pdf",
                          file_hash="a" * 64, stored_path="class-pile.pdf", size_bytes=1,
                          status="done", pages_total=1, pages_done=1)
        db.session.add(batch)
        db.session.flush()
        page = ScanPage(batch_id=batch.id, page_index=0, image_hash="b" * 64,
                        image_path="pages/a11y.png", status="read", sheet_id=paper.sheet_id,
                        sheet_page=1, response_id=paper.id)
        db.session.add(page)
        db.session.flush()
        item = ReviewItem(response_id=paper.id, scan_page_id=page.id, question_code=column,
                          kind="unsure", confidence=0.3, crop_x=50, crop_y=50, crop_w=500,
                          crop_h=60, detail_json="{}")
        db.session.add(item)
        db.session.commit()
        extra = _time_points_pilot_and_dont_know(partnership)
        pupil = token_of("pupil_attitudes_5_7")
        paths = {
            "pupil": f"/s/{pupil}",
            "teacher_form": f"/s/{token_of('teacher_confidence')}",
            "parent_form": f"/s/{parent_token}",
            "thanks": f"/s/{pupil}/thanks",
            "closed": f"/s/{closed.public_token}",
            "dashboard": "/admin/",
            "collection": f"/admin/collections/{paper.collection_id}",
            "new_collection": "/admin/collections/new",
            "scans": "/admin/scans/",
            "camera": "/admin/scans/camera/",
            "batch": f"/admin/scans/{batch.id}",
            "review_item": f"/admin/review/{item.id}",
            "results": "/results/",
            "results_survey": "/results/survey/pupil_attitudes_7_11",
            "plan": "/plan/",
            "plan_results": "/plan/results",
            "join": "/join",
            "join_wrong": "/join?code=ab",
            "board": f"/admin/collections/{paper.collection_id}/board",
            "print": f"/admin/paper/collections/{paper.collection_id}/print",
            "print_letters": f"/admin/paper/collections/{parent_id}/print",
            "pupil_join_code": db.session.scalar(
                select(Collection.join_code).where(Collection.public_token == pupil)),
            **extra,
        }
        db.session.remove()
    return email, paths


DONT_KNOW_SURVEY = """
code: dk_a11y
title: Science and me
audience: pupil
questions:
  - {code: enjoy, text: I enjoy science., scale: faces5, dont_know: true}
  - {code: know, text: I know what a circuit is., scale: faces3, dont_know: true}
"""


def _time_points_pilot_and_dont_know(partnership) -> dict[str, str]:
    """A follow-up for one demo class (so the results page offers a choice of time points
    and draws the line chart), a pilot with answers and timings, and a survey that offers
    "I don't know"."""
    import json
    import random

    from sqlalchemy import select

    from forms.definition import parse_survey
    from survey_app.admin.operations import create_collection, load_survey_version
    from survey_app.answer.operations import record_response
    from survey_app.extensions import db
    from survey_app.models import Collection, Survey, SurveyVersion

    rng = random.Random(5)
    after = db.session.scalars(
        select(Collection).join(Collection.survey_version).join(SurveyVersion.survey)
        .where(Survey.code == "pupil_attitudes_7_11", Collection.phase == "after",
               Collection.is_comparison.is_(False)).order_by(Collection.id)).first()
    definition = after.survey_version.definition
    follow = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                               school_name=after.school.name, group_name=after.group.name,
                               phase="follow-up", ask_pupil_number=True)
    trial = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name=after.school.name, group_name="Pilot class",
                              phase="before", pilot=True)
    db.session.flush()
    for collection, n in ((follow, 24), (trial, 8)):
        for i in range(n):
            values = {c: rng.choice(q.option_codes) for q in definition.questions
                      if q.option_codes for c in q.columns}
            timings = {q.code: {"ms": rng.randint(2000, 20000), "read": rng.randint(0, 1)}
                       for q in definition.questions}
            record_response(collection, values, source="web",
                            submission_key=f"a11y-{collection.id}-{i}", pupil_number=i + 1,
                            timings_json=json.dumps(timings))
    load_survey_version(partnership, parse_survey(DONT_KNOW_SURVEY))
    dk = create_collection(partnership, survey_code="dk_a11y", school_name=after.school.name,
                           group_name="Year 3 Dont Know", phase="once")
    db.session.commit()
    return {"pupil_dont_know": f"/s/{dk.public_token}",
            "pilot_report": f"/results/pilot/{trial.id}",
            "results_time_points":
                "/results/survey/pupil_attitudes_7_11?first=before&last=follow-up"}


def _serious(page) -> list[str]:
    """axe's serious and critical violations on the page, one line per rule."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    out = []
    for v in results.response["violations"]:
        if v["impact"] in FAILING:
            targets = [", ".join(n["target"]) for n in v["nodes"][:5]]
            out.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return out


def _check(site: DemoSite, browser, names: list[str], *, javascript: bool = True,
           signed_in: bool = False) -> list[str]:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    if not javascript:
        # The page as it is without its scripts. (A context with JavaScript disabled would
        # stop axe too: its promise never settles there.) No page uses <noscript>.
        context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    problems = []
    try:
        if signed_in:
            page.goto(f"{site.url}/login")
            page.fill("input[name=email]", site.coordinator)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_url("**/admin/**")
        for name in names:
            response = page.goto(site.url + site.paths.get(name, name))
            assert response is not None
            assert response.status < 500, (name, response.status)
            if name in ("pupil", "teacher_form", "pupil_dont_know"):
                assert page.locator("button.send").count() == 1, f"{name} is not the form"
            if name == "closed":
                assert "closed" in page.content().lower()
            problems += [f"{name}: {line}" for line in _serious(page)]
    finally:
        context.close()
    return problems


def test_public_pages_have_no_serious_violations(demo_site, browser):
    problems = _check(demo_site, browser, ["pupil", "teacher_form", "parent_form", "thanks",
                                           "closed", "join", "join_wrong", "pupil_dont_know"])
    problems += _check(demo_site, browser, ["pupil", "teacher_form", "closed", "join",
                                            "join_wrong", "pupil_dont_know"], javascript=False)
    assert not problems, "\n".join(problems)


def test_public_pages_in_welsh_have_no_serious_violations(demo_site, browser):
    """The same pages in Welsh: the first one switches (?lang=cy, kept for the session);
    /join follows that choice. Each page must say it is Welsh."""
    from survey_app.models.base import utcnow
    from tests.browser.test_languages_browser import _welsh_collection

    pupil = "/s/" + _welsh_collection(demo_site.app)
    closed = "/s/" + _welsh_collection(demo_site.app, language="cy",
                                       opens_at=utcnow() - timedelta(days=9),
                                       closes_at=utcnow() - timedelta(days=2))
    welsh = [pupil + "?lang=cy", pupil + "/thanks", closed, "join", "join_wrong"]
    for javascript in (True, False):
        context = browser.new_context(viewport=PHONE)
        context.set_default_timeout(20_000)
        if not javascript:
            context.route("**/*.js", lambda route: route.abort())
        page = context.new_page()
        try:
            for name in welsh:
                page.goto(demo_site.url + demo_site.paths.get(name, name))
                assert page.get_attribute("html", "lang") == "cy", name
                problems = [f"{name}: {line}" for line in _serious(page)]
                assert not problems, "\n".join(problems)
        finally:
            context.close()


def test_pupil_page_with_errors_has_no_serious_violations(demo_site, browser):
    """Sent with nothing answered (scripts off, so the server answers): the error summary
    and the marked questions."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto(demo_site.url + demo_site.paths["pupil"])
        with page.expect_response(lambda r: r.request.method == "POST") as sent:
            page.click("button.send")
        assert sent.value.status == 422
        page.wait_for_selector("#error-summary")
        problems = _serious(page)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_coordinator_pages_have_no_serious_violations(demo_site, browser):
    problems = _check(demo_site, browser, ["/login"])
    problems += _check(demo_site, browser, [
        "dashboard", "collection", "new_collection", "scans", "batch", "review_item",
        "results", "results_survey", "plan", "plan_results", "board", "print", "camera",
        "pilot_report", "results_time_points", "print_letters"], signed_in=True)
    assert not problems, "\n".join(problems)


def test_pupil_joins_by_typing_the_code_at_phone_width(demo_site, browser, tmp_path):
    """The code as a child might type it (small letters, a space) leads to the survey; the
    box and its button are at least 48 px high."""
    code = demo_site.paths["pupil_join_code"]
    context = browser.new_context(viewport=PHONE)
    context.route("**/*.js", lambda route: route.abort())  # works without JavaScript
    page = context.new_page()
    try:
        page.goto(demo_site.url + "/join")
        for target in ("#code", "button.join-go"):
            assert page.locator(target).bounding_box()["height"] >= 48, target
        page.screenshot(path=str(tmp_path / "join.png"))
        page.fill("#code", f"{code[:3].lower()} {code[3:].lower()}")
        page.press("#code", "Enter")
        page.wait_for_url("**" + demo_site.paths["pupil"])
        assert page.locator("button.send").count() == 1
    finally:
        context.close()


def test_axe_finds_a_planted_violation(demo_site, browser):
    """The check can fail: an image without alt text and an unlabelled field are caught."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(demo_site.url + demo_site.paths["thanks"])
        page.evaluate("""() => {
            const i = document.createElement('input'); i.type = 'text';
            document.body.appendChild(i);
            const b = document.createElement('button'); document.body.appendChild(b);
        }""")
        found = _serious(page)
    finally:
        context.close()
    assert any(line.startswith(("label", "button-name")) for line in found), found
