"""No console error on any page, in real Chromium: the demo served by `survey-app serve`
(the live crawl's server), every HTML page a coordinator can reach opened in turn, and
every console error, failed request and script exception collected. The favicon counts:
a missing one is an error in every browser's console. Then the new-collection page's
"Pair with" list, filtered as a coordinator fills the form in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.security.test_live_crawl import crawl, demo_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("db_uri", ["sqlite"], indirect=True)]

#: Pages opened per path: query-string variants of one view rarely differ in script.
PER_PATH = 1


def _watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} "
                                                 f"({m.location.get('url', '')})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    return problems


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_no_console_error_on_any_coordinator_page(demo_server, browser):  # noqa: F811
    base, logins, _log = demo_server
    email, password = logins["first"]["coordinator"]
    html_pages = [v.url for v in crawl(base, "coordinator", email, password).visits
                  if v.status == 200 and v.content_type.startswith("text/html")]
    chosen, per_path = [], {}
    for url in html_pages:
        path = url.split("?", 1)[0]
        if per_path.get(path, 0) < PER_PATH:
            per_path[path] = per_path.get(path, 0) + 1
            chosen.append(url)
    assert len(chosen) > 10, chosen  # the crawl really reached the app's pages
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, base, email, password)
    page.close()
    found = {}
    for url in chosen:
        page = context.new_page()  # a fresh page each time: its own listeners
        problems = _watch(page)
        page.goto(base + url, wait_until="load")
        page.wait_for_timeout(150)  # late script errors, deferred requests
        if problems:
            found[url] = problems
        page.close()
    context.close()
    assert found == {}


def test_pair_with_lists_only_the_same_survey_school_and_class(demo_server, browser):  # noqa: F811
    base, logins, _log = demo_server
    email, password = logins["first"]["coordinator"]
    context = browser.new_context()
    page = context.new_page()
    problems = _watch(page)
    _sign_in(page, base, email, password)
    page.goto(f"{base}/admin/collections/new")
    options = page.locator("#pair_with option:not([value=''])")
    every = options.evaluate_all(
        "os => os.map(o => [o.dataset.survey, o.dataset.school, o.dataset.group, o.hidden])")
    assert every, "the demo has collections to pair with"
    assert all(hidden for *_keys, hidden in every)  # nothing chosen yet: nothing fits
    survey, school, group = every[0][:3]
    page.select_option("#survey", survey)
    page.select_option("#school", school)
    page.fill("#group", group)
    shown = options.evaluate_all(
        "os => os.filter(o => !o.hidden).map(o => [o.dataset.survey, o.dataset.school,"
        " o.dataset.group])")
    assert shown
    assert all(row == [survey, school, group] for row in shown)
    expected = sum(1 for row in every if row[:3] == [survey, school, group])
    assert len(shown) == expected
    # Another class of the same school: the first class's collections go away.
    page.fill("#group", group + " (other)")
    assert options.evaluate_all("os => os.filter(o => !o.hidden).length") == 0
    context.close()
    assert problems == []
