"""Coordinator and teacher pages: scope, forms with CSRF, QR downloads, surveys, accounts."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import cv2
import numpy as np
import pypdfium2
import pytest
from sqlalchemy import func, select

from survey_app.admin.operations import create_collection
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.models import Collection, Survey, SurveyVersion, User
from tests.conftest import csrf_from, login_as, make_user
from tests.qr_text import read_qr


@pytest.fixture
def two_schools(app, partnership, loaded_bank):
    """One collection at Oak Primary (with two web answers) and one at Birch Academy."""
    oak = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                            school_name="Oak Primary", group_name="Year 2 Robins",
                            phase="before", expected_size=28)
    birch = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Birch Academy", group_name="Year 5 Secret",
                              phase="before")
    db.session.commit()
    for key in ("a", "b"):
        record_response(oak, {"enjoy": "3"}, source="web", submission_key=key)
    db.session.commit()
    return oak, birch


@pytest.fixture
def teacher_client(client, partnership, two_schools):
    make_user(partnership, "teacher@oak.example", "teacher", "Oak Primary")
    login_as(client, "teacher@oak.example")
    return client


def _assert_no_inline_code(html: str) -> None:
    """A strict CSP comes later: no inline scripts, style blocks or style attributes."""
    assert "<script" not in html.replace('<script src="', "")
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


# --- scope -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/collections/new", "/admin/surveys",
                                  "/admin/collections/1/board",
                                  "/admin/users", "/admin/collections/1",
                                  "/admin/collections/1/qr.png", "/admin/collections/1/poster.pdf"])
def test_anonymous_is_sent_to_login(client, two_schools, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_coordinator_dashboard_lists_every_collection_with_counts(coordinator_client,
                                                                  two_schools):
    html = coordinator_client.get("/admin/").get_data(as_text=True)
    assert "Oak Primary" in html
    assert "Birch Academy" in html
    assert "Year 5 Secret" in html
    assert re.search(r"<strong>2</strong> of 28", html)
    assert "2 web, 0 paper" in html
    _assert_no_inline_code(html)


def test_teacher_sees_only_their_school(teacher_client, two_schools):
    oak, birch = two_schools
    html = teacher_client.get("/admin/").get_data(as_text=True)
    assert "Oak Primary" in html
    assert "Birch Academy" not in html
    assert "Year 5 Secret" not in html
    for suffix in ("", "/qr.png", "/qr.svg", "/poster.pdf", "/board"):
        assert teacher_client.get(f"/admin/collections/{birch.id}{suffix}").status_code == 404
        assert teacher_client.get(f"/admin/collections/{oak.id}{suffix}").status_code == 200
    # The new-collection form offers no pairing with the other school's collection.
    form = teacher_client.get("/admin/collections/new").get_data(as_text=True)
    assert "Birch Academy" not in form


def test_teacher_cannot_close_another_schools_collection(teacher_client, two_schools):
    _oak, birch = two_schools
    token = csrf_from(teacher_client.get("/admin/").get_data(as_text=True))
    resp = teacher_client.post(f"/admin/collections/{birch.id}/close",
                               data={"csrf_token": token})
    assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(Collection, birch.id).closes_at is None


def test_teacher_creates_collections_only_for_their_own_school(teacher_client, two_schools):
    page = teacher_client.get("/admin/collections/new").get_data(as_text=True)
    resp = teacher_client.post("/admin/collections/new", data={
        "csrf_token": csrf_from(page), "survey": "pupil_attitudes_5_7",
        "school": "Birch Academy", "new_school": "Sneaky School", "group": "Year 1",
        "phase": "once"})
    assert resp.status_code == 302
    new = db.session.scalar(select(Collection).order_by(Collection.id.desc()))
    assert new.school.name == "Oak Primary"
    assert new.group.name == "Year 1"


def test_users_page_is_for_coordinators_only(teacher_client):
    assert teacher_client.get("/admin/users").status_code == 403


# --- creating and closing collections ---------------------------------------------------


def test_new_collection_form_creates_with_local_times(app, coordinator_client, two_schools):
    oak, _birch = two_schools
    page = coordinator_client.get("/admin/collections/new").get_data(as_text=True)
    _assert_no_inline_code(page)
    resp = coordinator_client.post("/admin/collections/new", data={
        "csrf_token": csrf_from(page), "survey": "pupil_attitudes_5_7", "school": "Oak Primary",
        "group": "Year 2 Robins", "phase": "after",
        "pair_with": str(oak.id), "ask_pupil_number": "y", "expected_size": "27",
        "opens_at": "2026-06-01T09:00", "closes_at": "2026-12-01T09:00"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    new = db.session.get(Collection, int(resp.headers["Location"].rsplit("/", 1)[1]))
    assert (new.school.name, new.phase, new.expected_size) == ("Oak Primary", "after", 27)
    assert new.ask_pupil_number
    assert not new.is_comparison
    assert new.paired_with_id == oak.id
    # Europe/London: summer time in June (UTC+1), Greenwich time in December.
    assert new.opens_at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert new.closes_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    html = coordinator_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Mon 01 Jun 2026, 09:00" in html


def test_new_collection_error_keeps_the_form(coordinator_client, two_schools):
    page = coordinator_client.get("/admin/collections/new").get_data(as_text=True)
    before = db.session.scalar(select(func.count()).select_from(Collection))
    resp = coordinator_client.post("/admin/collections/new", data={
        "csrf_token": csrf_from(page), "survey": "pupil_attitudes_5_7", "school": "Oak Primary",
        "group": "Year 3", "phase": "before",
        "opens_at": "2026-06-02T09:00", "closes_at": "2026-06-01T09:00"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "The closing date must be after the opening date." in html
    assert 'value="Year 3"' in html
    assert db.session.scalar(select(func.count()).select_from(Collection)) == before


def test_post_without_csrf_token_is_refused_and_changes_nothing(coordinator_client,
                                                                 two_schools):
    oak, _birch = two_schools
    before = db.session.scalar(select(func.count()).select_from(Collection))
    resp = coordinator_client.post("/admin/collections/new", data={
        "survey": "pupil_attitudes_5_7", "school": "Oak Primary", "group": "Year 9",
        "phase": "once"})
    assert resp.status_code == 400
    assert coordinator_client.post(f"/admin/collections/{oak.id}/close").status_code == 400
    assert coordinator_client.post("/admin/users", data={
        "email": "x@example.org", "role": "coordinator"}).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Collection)) == before
    assert db.session.get(Collection, oak.id).closes_at is None
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_close_now_stops_web_answers_and_reopen_undoes_it(coordinator_client, two_schools):
    oak, _birch = two_schools
    url = f"/admin/collections/{oak.id}"
    page = coordinator_client.get(url).get_data(as_text=True)
    assert "Close now" in page
    resp = coordinator_client.post(f"{url}/close", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Collection, oak.id).state() == "closed"
    page = coordinator_client.get(url).get_data(as_text=True)
    assert "Close now" not in page
    assert "closed" in page
    # A slip of the mouse is undone with "Reopen".
    coordinator_client.post(f"{url}/reopen", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert db.session.get(Collection, oak.id).state() == "open"


def test_collection_page_links_only_to_endpoints_that_exist(app, coordinator_client,
                                                            two_schools):
    oak, _birch = two_schools
    html = coordinator_client.get(f"/admin/collections/{oak.id}").get_data(as_text=True)
    assert "http://survey.test/s/" + oak.public_token in html
    assert ("Print paper copies" in html) == ("paper.print_form" in app.view_functions)
    assert ("Download CSV" in html) == ("export.responses_csv" in app.view_functions)
    _assert_no_inline_code(html)


# --- QR codes --------------------------------------------------------------------------


def test_qr_png_decodes_to_the_public_link(coordinator_client, two_schools):
    oak, _birch = two_schools
    resp = coordinator_client.get(f"/admin/collections/{oak.id}/qr.png")
    assert resp.mimetype == "image/png"
    assert "attachment" in resp.headers["Content-Disposition"]
    image = cv2.imdecode(np.frombuffer(resp.data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert read_qr(image) == "http://survey.test/s/" + oak.public_token


def test_qr_svg_is_an_svg(coordinator_client, two_schools):
    oak, _birch = two_schools
    resp = coordinator_client.get(f"/admin/collections/{oak.id}/qr.svg?download=1")
    assert resp.mimetype == "image/svg+xml"
    assert "attachment" in resp.headers["Content-Disposition"]
    root = ET.fromstring(resp.data)
    assert root.tag.endswith("svg")
    assert root.iter("{http://www.w3.org/2000/svg}path")


def test_poster_is_one_a4_page_whose_qr_scans(coordinator_client, two_schools):
    oak, _birch = two_schools
    resp = coordinator_client.get(f"/admin/collections/{oak.id}/poster.pdf")
    assert resp.mimetype == "application/pdf"
    pdf = pypdfium2.PdfDocument(io.BytesIO(resp.data))
    try:
        assert len(pdf) == 1
        page = pdf[0]
        width_pt, height_pt = page.get_size()
        assert (round(width_pt), round(height_pt)) == (595, 842)
        text = page.get_textpage().get_text_range()
        assert "Me and science" in text
        assert "Oak Primary" in text
        assert "Year 2 Robins" in text
        assert "http://survey.test/s/" + oak.public_token in text
        image = np.array(page.render(scale=100 / 72).to_pil().convert("L"))
    finally:
        pdf.close()
    assert read_qr(image) == "http://survey.test/s/" + oak.public_token


# --- surveys ---------------------------------------------------------------------------

GOOD = b"""code: club_feedback
title: Science club
audience: pupil
questions:
  - code: enjoy
    text: Did you enjoy the club?
    scale: faces3
"""

BAD = b"""code: club_feedback
title: Science club
audience: pupil
questions:
  - code: enjoy
    text: Did you enjoy the club?
    scale: faces4
  - code: enjoy
    text: ""
    scale: faces3
"""


def _upload(client, data: bytes, name: str = "club.yaml"):
    page = client.get("/admin/surveys").get_data(as_text=True)
    return client.post("/admin/surveys", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(data), name)})


def test_survey_upload_loads_and_versions(coordinator_client, partnership, loaded_bank):
    resp = _upload(coordinator_client, GOOD)
    assert resp.status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.code == "club_feedback"))
    assert [v.version for v in survey.versions] == [1]
    create_collection(partnership, survey_code="club_feedback", school_name="Oak Primary",
                      group_name="Club", phase="once")
    db.session.commit()
    _upload(coordinator_client, GOOD.replace(b"the club", b"science club"))
    html = coordinator_client.get("/admin/surveys").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)
                             .where(SurveyVersion.survey_id == survey.id)) == 2
    assert "already in use" in html
    assert "yes (frozen)" in html
    assert survey.versions[0].fingerprint in html
    assert survey.versions[1].fingerprint in html


def test_survey_upload_shows_every_problem(coordinator_client, loaded_bank):
    resp = _upload(coordinator_client, BAD)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "club.yaml:7: question &#39;enjoy&#39;: unknown scale &#39;faces4&#39;" in html
    assert "club.yaml:8: question &#39;enjoy&#39;: duplicate code &#39;enjoy&#39;" in html
    assert "&#39;text&#39; is empty" in html
    assert db.session.scalar(select(Survey).where(Survey.code == "club_feedback")) is None


def test_teacher_cannot_replace_a_partnership_survey(teacher_client):
    clash = GOOD.replace(b"club_feedback", b"pupil_attitudes_5_7")
    html = _upload(teacher_client, clash).get_data(as_text=True)
    assert "already used by your partnership" in html
    survey = db.session.scalar(select(Survey).where(Survey.code == "pupil_attitudes_5_7"))
    assert survey.title == "Me and science"


# --- accounts --------------------------------------------------------------------------


def test_coordinator_adds_a_teacher_and_gets_a_link_once(client, coordinator_client,
                                                         two_schools):
    page = coordinator_client.get("/admin/users").get_data(as_text=True)
    resp = coordinator_client.post("/admin/users", data={
        "csrf_token": csrf_from(page), "email": "New.Teacher@Birch.example", "role": "teacher",
        "school": "Birch Academy"})
    html = resp.get_data(as_text=True)
    m = re.search(r"http://survey\.test(/set-password/[\w-]+)", html)
    assert m, html
    user = db.session.scalar(select(User).where(User.email == "new.teacher@birch.example"))
    assert user.school.name == "Birch Academy"
    assert user.password_hash is None
    # Shown once: the accounts page itself never shows a link again.
    assert "/set-password/" not in coordinator_client.get("/admin/users").get_data(as_text=True)
    # A new link replaces the old one.
    page = coordinator_client.get("/admin/users").get_data(as_text=True)
    html2 = coordinator_client.post(f"/admin/users/{user.id}/new-link",
                                    data={"csrf_token": csrf_from(page)}).get_data(as_text=True)
    m2 = re.search(r"http://survey\.test(/set-password/[\w-]+)", html2)
    assert m2
    assert m2.group(1) != m.group(1)
    assert client.get(m.group(1)).status_code == 404
    assert client.get(m2.group(1)).status_code == 200


def test_adding_a_teacher_without_school_says_what_to_do(coordinator_client):
    page = coordinator_client.get("/admin/users").get_data(as_text=True)
    html = coordinator_client.post("/admin/users", data={
        "csrf_token": csrf_from(page), "email": "t@example.org", "role": "teacher"},
    ).get_data(as_text=True)
    assert "choose or type their school" in html
    assert db.session.scalar(select(User).where(User.email == "t@example.org")) is None
