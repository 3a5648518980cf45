"""Signing in, and the one-time set-password link."""

from __future__ import annotations

from datetime import timedelta

from survey_app.auth.operations import create_user, issue_setup_token
from survey_app.extensions import db
from survey_app.models.base import utcnow
from tests.conftest import csrf_from, login_as

NEW_PASSWORD = "a long new password"


def _new_teacher(partnership):
    user, token = create_user(partnership, "teacher@oak.example", "teacher", "Oak Primary")
    db.session.commit()
    return user, f"/set-password/{token}"


def _set_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_from(page), "password": password,
                                   "confirm": confirm or password})


def test_set_password_link_works_once_then_login(client, partnership):
    _user, path = _new_teacher(partnership)
    resp = _set_password(client, path)
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200  # signed in straight away
    assert client.get(path).status_code == 404  # the link is used up
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert client.get("/admin/").status_code == 302
    login_as(client, "Teacher@Oak.example", NEW_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_short_or_mismatched_password_keeps_the_link(client, partnership):
    user, path = _new_teacher(partnership)
    html = _set_password(client, path, "short").get_data(as_text=True)
    assert "10 characters" in html
    html = _set_password(client, path, NEW_PASSWORD, "something else!").get_data(as_text=True)
    assert "The two passwords differ." in html
    db.session.expire_all()
    assert user.password_hash is None
    assert client.get(path).status_code == 200


def test_expired_and_unknown_links_are_404(client, partnership):
    user, path = _new_teacher(partnership)
    user.setup_token_expires = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(path).status_code == 404
    assert client.get("/set-password/not-a-real-token").status_code == 404


def test_a_new_link_replaces_the_old_one(client, partnership):
    user, old_path = _new_teacher(partnership)
    token = issue_setup_token(user)
    db.session.commit()
    assert client.get(old_path).status_code == 404
    assert client.get(f"/set-password/{token}").status_code == 200


def test_wrong_password_does_not_sign_in(client, coordinator):
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"email": coordinator.email, "password": "wrong guess!",
                                       "csrf_token": csrf_from(page)})
    assert resp.status_code == 200
    assert "do not match" in resp.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_refused(client, coordinator):
    resp = client.post("/login", data={"email": coordinator.email,
                                       "password": "correct horse battery"})
    assert resp.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_next_parameter_cannot_leave_the_site(client, coordinator):
    page = client.get("/login?next=//evil.example/").get_data(as_text=True)
    resp = client.post("/login?next=//evil.example/", data={
        "email": coordinator.email, "password": "correct horse battery",
        "csrf_token": csrf_from(page)})
    assert resp.headers["Location"].endswith("/admin/")


def test_sign_out_needs_a_post(coordinator_client):
    assert coordinator_client.get("/logout").status_code == 405
    page = coordinator_client.get("/admin/").get_data(as_text=True)
    coordinator_client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert coordinator_client.get("/admin/").status_code == 302
