"""The results page in headless Chromium under the strict CSP the production server will
send: charts render (inline SVG), nothing is blocked, the page works at 320 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serving
from tests.conftest import make_user

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app, partnership, results_data):
    make_user(partnership, "coord@example.org", "coordinator")

    @app.after_request
    def _csp(response):
        response.headers["Content-Security-Policy"] = CSP
        return response

    with serving(app) as url:
        yield url


def test_results_page_in_chromium(served, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        problems: list[str] = []
        # CSP violations show as console errors ("Refused to ..."); failed loads by status
        page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                and not m.text.startswith("Failed to load resource") else None)
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        page.goto(f"{served}/login")
        page.fill("input[name=email]", "coord@example.org")
        page.fill("input[name=password]", "correct horse battery")
        page.click("button[type=submit], input[type=submit]")
        page.goto(f"{served}/results/survey/res_test")
        charts = page.locator("svg.chart")
        assert charts.count() == 4
        box = charts.first.bounding_box()
        assert box is not None
        assert box["width"] > 500
        assert page.get_by_text("too few to show").count() == 0
        # the filter form narrows to one school and keeps the filter in the address
        page.select_option("#f-school", label="Cedar School")
        page.click(".results-filters button[type=submit]")
        page.wait_for_url("**school=*")
        assert page.locator("td.suppressed").count() >= 1
        page.set_viewport_size({"width": 320, "height": 800})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 340, f"page is {width}px wide at 320px"
        page.goto(f"{served}/results/report")
        assert page.locator("svg.chart").count() >= 3
        assert not problems, problems
    finally:
        page.close()
