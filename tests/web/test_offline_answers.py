"""The server's side of answers that waited in a browser (issue 15, item 2): when they
were answered, the late count on the collection page, a late answer after "Close now",
the service worker and manifest, and the read-aloud words. The browser's side is in
tests/browser/test_offline.py."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forms.definition import parse_survey
from survey_app.admin.operations import close_collection, load_survey_version
from survey_app.answer.offline import LONGEST_WAIT
from survey_app.extensions import db
from survey_app.models import Collection, Response
from survey_app.models.base import utcnow
from tests.conftest import login_as, make_user
from tests.web.test_answer import _collection, _count, _post, checks  # noqa: F401
from tests.web.test_answer_limits import _open_all, _stamp_from

SCIENCE = """
code: science
title: Science
audience: pupil
questions:
  - {code: like, text: "Do you like science?", scale: faces3}
  - {code: lessons, text: "I enjoy science lessons", scale: faces3}
  - {code: wow, text: "Science is fun!", scale: yesno}
"""


def _only_response() -> Response:
    rows = list(db.session.scalars(select(Response)))
    assert len(rows) == 1
    return rows[0]


# --- when a late answer was given -----------------------------------------------------


def test_an_answer_that_waited_is_dated_when_send_was_pressed(client, checks):  # noqa: F811
    hidden = _open_all(client, checks)
    before = utcnow()
    resp = _post(client, checks, {**hidden, "first": "3", "_waited": str(90 * 60 * 1000)})
    assert resp.status_code == 303
    r = _only_response()
    assert r.answered_at is not None
    assert r.submitted_at - r.answered_at >= timedelta(minutes=90)
    assert before - timedelta(minutes=90, seconds=5) <= r.answered_at <= before


def test_an_answer_sent_at_once_has_no_answered_at(client, checks):  # noqa: F811
    assert _post(client, checks, {**_open_all(client, checks), "first": "3"}).status_code == 303
    assert _only_response().answered_at is None


@pytest.mark.parametrize("waited", ["", "soon", "-5", "1.5", "9" * 30])
def test_a_bad_wait_never_costs_the_answers(client, checks, waited):  # noqa: F811
    resp = _post(client, checks, {**_open_all(client, checks), "first": "2",
                                  "_waited": waited})
    assert resp.status_code == 303
    assert _only_response().answered_at is None


def test_a_very_long_wait_counts_as_the_longest(client, checks):  # noqa: F811
    thirty_days_ms = str(30 * 24 * 3600 * 1000)
    before = utcnow()
    _post(client, checks, {**_open_all(client, checks), "first": "1", "_waited": thirty_days_ms})
    r = _only_response()
    assert before - LONGEST_WAIT - timedelta(seconds=5) <= r.answered_at
    assert r.answered_at <= before - LONGEST_WAIT + timedelta(seconds=5)


def test_the_same_answers_sent_again_late_are_stored_once(client, checks):  # noqa: F811
    """The page's own send reached the server but its reply was lost; the outbox sends
    the same submission again later."""
    hidden = _open_all(client, checks)
    assert _post(client, checks, {**hidden, "first": "3"}).status_code == 303
    again = _post(client, checks, {**hidden, "first": "3", "_waited": "60000"})
    assert again.status_code == 303
    assert _count() == 1
    assert _only_response().answered_at is None  # the first one counts


def test_the_collection_page_counts_late_answers(app, client, checks, partnership):  # noqa: F811
    for waited in ("120000", "3600000", None):
        data = {**_open_all(client, checks), "first": "3"}
        if waited:
            data["_waited"] = waited
        assert _post(client, checks, data).status_code == 303
    user = make_user(partnership, "coord@example.org", "coordinator")
    login_as(client, user.email)
    html = client.get(f"/admin/collections/{checks.id}").get_data(as_text=True)
    assert re.search(r"2 answers arrived late", html)


# --- a late answer after "Close now" -----------------------------------------------------


def test_answers_given_before_closing_are_taken_when_they_arrive_later(app, client,
                                                                      checks):  # noqa: F811
    hidden = _open_all(client, checks)
    c = db.session.get(Collection, checks.id)
    c.closes_at = utcnow() - timedelta(hours=3)  # closed 3 hours ago, grace 5 minutes
    db.session.commit()
    shown = _stamp_from(app, c, 4 * 3600)  # the page was opened 4 hours ago
    answered_before = {**hidden, "_shown": shown, "first": "3",
                       "_waited": str(int(3.5 * 3600 * 1000))}
    assert _post(client, checks, answered_before).status_code == 303
    assert _count() == 1
    # Answered (by its own account) after closing: refused, as a page sent late would be.
    answered_after = {**hidden, "submission_id": "answered-after-close-1", "_shown": shown,
                      "first": "3", "_waited": str(2 * 3600 * 1000)}
    assert _post(client, checks, answered_after).status_code == 403
    assert _count() == 1


def test_a_late_answer_from_a_page_opened_after_closing_is_refused(app, client,
                                                                  checks):  # noqa: F811
    hidden = _open_all(client, checks)
    close_collection(db.session.get(Collection, checks.id))
    db.session.commit()
    forged = {**hidden, "_shown": "x.y.z", "first": "3", "_waited": str(3600 * 1000)}
    assert _post(client, checks, forged).status_code == 403
    assert _count() == 0


# --- the installable page -------------------------------------------------------------


def test_the_page_links_its_manifest_and_scripts(client, checks):  # noqa: F811
    html = client.get(f"/s/{checks.public_token}").get_data(as_text=True)
    assert f'rel="manifest" href="/s/{checks.public_token}/manifest.webmanifest"' in html
    assert 'src="/static/outbox.js"' in html
    assert 'src="/static/offline.js"' in html
    assert 'id="saved-offline" hidden' in html
    assert 'data-sw="/s/sw.js" data-scope="/s/"' in html


def test_manifest_names_the_survey_and_its_icons_exist(client, checks):  # noqa: F811
    resp = client.get(f"/s/{checks.public_token}/manifest.webmanifest")
    assert resp.status_code == 200
    assert resp.mimetype == "application/manifest+json"
    manifest = json.loads(resp.get_data(as_text=True))
    assert manifest["name"] == "Checks"
    assert manifest["start_url"] == f"/s/{checks.public_token}"
    assert manifest["display"] == "standalone"
    sizes = {i["sizes"] for i in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        got = client.get(icon["src"])
        assert got.status_code == 200
        assert got.mimetype == "image/png"
        got.close()
    assert client.get("/s/no-such-token/manifest.webmanifest").status_code == 404


def test_service_worker_lists_files_that_exist(client, app):
    resp = client.get("/s/sw.js")
    assert resp.status_code == 200
    assert resp.mimetype == "text/javascript"
    assert resp.headers["Cache-Control"] == "no-cache"
    body = resp.get_data(as_text=True)
    assert re.search(r'^var VERSION = "[0-9a-f]{16}";', body)
    files = json.loads(re.search(r"^var OFFLINE_FILES = (\[.*\]);$", body, re.M).group(1))
    assert "/static/offline.js" in files
    for path in files:
        got = client.get(path)
        assert got.status_code == 200, path
        got.close()
    assert 'addEventListener("fetch"' in body


def test_the_builder_preview_has_no_offline_parts(app):
    from survey_app.answer.views import preview_page

    with app.test_request_context("/"):
        html = preview_page(parse_survey(SCIENCE, "science.yaml"))
    assert "manifest" not in html
    assert "offline.js" not in html
    assert "saved-offline" not in html


# --- read aloud -------------------------------------------------------------------------


def test_read_aloud_speaks_plain_sentences(client, loaded_bank, partnership):
    load_survey_version(partnership, parse_survey(SCIENCE, "science.yaml"))
    db.session.commit()
    c = _collection(partnership, "science")
    html = client.get(f"/s/{c.public_token}").get_data(as_text=True)
    said = [s for s in re.findall(r'data-say="([^"]*)"', html)
            if not s.startswith("Thank you")]  # the "saved" screen's own
    assert said == [
        "Do you like science? No, a bit, yes.",
        "I enjoy science lessons. No, a bit, yes.",
        "Science is fun! Yes, no.",
    ]


def test_no_bank_question_is_read_with_doubled_marks(client, loaded_bank, partnership):
    said = []
    for code, version in loaded_bank.items():
        if version.definition.audience != "pupil":
            continue
        c = _collection(partnership, code)
        html = client.get(f"/s/{c.public_token}").get_data(as_text=True)
        said += re.findall(r'data-say="([^"]*)"', html)
    assert said
    doubled = [s for s in said if re.search(r"[.?!,:]\s*[.?!,:]", s.replace("&#39;", "'"))]
    assert doubled == []
