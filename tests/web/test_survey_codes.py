"""Survey codes shared between owners (issue 12, low items): each owner's survey stays its
own, and the refusal says whose the code really is."""

from __future__ import annotations

import html as htmllib
import io

import pytest
from flask import g
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Survey, SurveyVersion
from tests.conftest import csrf_from, login_as, make_user


def _definition(title: str) -> bytes:
    return f"""code: club_feedback
title: {title}
audience: pupil
questions:
  - code: enjoy
    text: Did you enjoy the club?
    scale: faces3
""".encode()


def _upload(app, email: str, data: bytes) -> str:
    g.pop("csrf_token", None)  # a new browser: nothing kept from the last one
    g.pop("_login_user", None)
    client = app.test_client()
    login_as(client, email)
    page = client.get("/admin/surveys").get_data(as_text=True)
    resp = client.post("/admin/surveys", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(data), "club.yaml")},
        follow_redirects=True)
    return htmllib.unescape(resp.get_data(as_text=True))


@pytest.fixture
def oak_owns_the_code(app, partnership, coordinator):
    make_user(partnership, "oak@oak.example", "teacher", "Oak Primary")
    make_user(partnership, "willow@willow.example", "teacher", "Willow Primary")
    page = _upload(app, "oak@oak.example", _definition("Oak science club"))
    assert "Loaded the new survey 'Oak science club'" in page
    return db.session.scalar(select(Survey).where(Survey.code == "club_feedback"))


def _unchanged(survey: Survey) -> None:
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).title == "Oak science club"
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 1
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1


def test_another_schools_teacher_is_told_it_is_another_school(app, oak_owns_the_code):
    page = _upload(app, "willow@willow.example", _definition("Willow club"))
    assert "already used by another school in your partnership" in page
    assert "coordinator" not in page.split("already used by", 1)[1][:60]
    _unchanged(oak_owns_the_code)


def test_a_coordinator_upload_does_not_replace_a_schools_survey(app, oak_owns_the_code,
                                                                coordinator):
    page = _upload(app, coordinator.email, _definition("Partnership club"))
    assert "belongs to Oak Primary's survey 'Oak science club'" in page
    _unchanged(oak_owns_the_code)


def test_the_cli_does_not_replace_a_schools_survey(runner, oak_owns_the_code, tmp_path):
    path = tmp_path / "club.yaml"
    path.write_bytes(_definition("From the terminal"))
    result = runner.invoke(args=["forms", "load", str(path)])
    assert result.exit_code == 1
    assert "belongs to Oak Primary's survey" in result.output
    _unchanged(oak_owns_the_code)


def test_a_teacher_is_told_when_the_code_is_the_coordinators(app, partnership, coordinator):
    make_user(partnership, "oak@oak.example", "teacher", "Oak Primary")
    assert "Loaded the new survey" in _upload(app, coordinator.email, _definition("Ours"))
    page = _upload(app, "oak@oak.example", _definition("Mine"))
    assert "already used by your partnership's coordinator" in page
    db.session.expire_all()
    assert db.session.scalar(select(Survey.title)) == "Ours"


def test_the_owner_can_still_make_a_new_version(app, oak_owns_the_code):
    page = _upload(app, "oak@oak.example", _definition("Oak science club, take two"))
    assert "Updated 'Oak science club, take two'" in page
