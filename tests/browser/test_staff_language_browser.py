"""A coordinator switches the staff pages to Welsh in the header's Language menu, in
headless Chromium against the live app: the choice holds from page to page, the pages have
no serious axe issue in Welsh, and a pupil page opened in the same browser keeps its own
language. docs/coordinator/languages-on-screen.md."""

from __future__ import annotations

from tests.browser.test_accessibility import PASSWORD, _serious


def _coordinator(app) -> str:
    from survey_app.admin.operations import resolve_partnership
    from survey_app.extensions import db
    from tests.conftest import make_user

    with app.app_context():
        email = make_user(resolve_partnership("Riverside Science Partnership"),
                          "coord@example.org", "coordinator").email
        db.session.remove()
    return email


def test_a_coordinator_switches_the_staff_pages_to_welsh(live_server, browser):
    email = _coordinator(live_server.app)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form:not(.language-menu) button[type=submit]")
        page.wait_for_url("**/admin/**")
        page.goto(f"{live_server.url}/admin/collections/new")
        assert page.get_attribute("html", "lang") == "en-GB"
        page.select_option("#staff-lang", "cy")
        page.click("form.language-menu button[type=submit]")
        page.wait_for_load_state()
        # Back on the page it was chosen on, now Welsh; and the next page too.
        assert page.url.endswith("/admin/collections/new")
        assert page.get_attribute("html", "lang") == "cy"
        assert "Allgofnodi" in page.inner_text("header")
        problems = _serious(page)
        page.goto(f"{live_server.url}/admin/")
        assert page.get_attribute("html", "lang") == "cy"
        assert page.input_value("#staff-lang") == "cy"
        problems += _serious(page)
        assert not problems, "\n".join(problems)
        # The English-only pupil survey stays English in the same browser.
        page.goto(f"{live_server.url}/s/{live_server.tokens['pupil_attitudes_7_11']}")
        assert page.get_attribute("html", "lang") == "en-GB"
        assert page.locator("#staff-lang").count() == 0
    finally:
        context.close()
