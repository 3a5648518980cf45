"""Sessions end for real: a copied session cookie stops working after sign-out, a new
password, "sign out everywhere" and deactivation (issue 12, item 5)."""

from __future__ import annotations

import pytest
from flask import g

from survey_app.auth.operations import create_user
from survey_app.extensions import db
from survey_app.models import User
from tests.conftest import csrf_from, login_as, make_user

PASSWORD = "correct horse battery"


def _browser(app):
    """Another browser."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _nothing_kept_in_g_between_requests(app):
    """The test's app context outlives requests, so `g` does too: Flask-Login's loaded user
    and Flask-WTF's CSRF token would pass from one browser to the next. A real server
    starts each request with an empty `g`; so does this test."""

    @app.before_request
    def _clear_g():
        g.pop("_login_user", None)
        g.pop("csrf_token", None)


def _login(client, email: str, password: str = PASSWORD):
    return login_as(client, email, password)


def _copy_session(app, client):
    """A second browser holding a copy of `client`'s session cookie."""
    other = _browser(app)
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    assert other.get("/admin/").status_code == 200  # the copy works to begin with
    return other


def _post(client, path: str, page: str = "/admin/"):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def _signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_a_copied_cookie_stops_working_after_sign_out(app, coordinator_client):
    copy = _copy_session(app, coordinator_client)
    _post(coordinator_client, "/logout")
    assert not _signed_in(coordinator_client)
    assert not _signed_in(copy)


def test_a_copied_cookie_stops_working_after_a_set_password_link(app, client, partnership):
    user, token = create_user(partnership, "t@oak.example", "teacher", "Oak Primary")
    user.set_password(PASSWORD)
    db.session.commit()
    _login(client, user.email)
    copy = _copy_session(app, client)
    # The coordinator sends a new link (say the password leaked); it is used elsewhere.
    from survey_app.auth.operations import issue_setup_token

    token = issue_setup_token(db.session.get(User, user.id))
    db.session.commit()
    fresh = _browser(app)
    page = fresh.get(f"/set-password/{token}").get_data(as_text=True)
    resp = fresh.post(f"/set-password/{token}", data={
        "csrf_token": csrf_from(page), "password": "a brand new password",
        "confirm": "a brand new password"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert _signed_in(fresh)  # the person who set it is signed in
    assert not _signed_in(copy)
    assert not _signed_in(client)


def test_coordinator_signs_a_teacher_out_everywhere(app, client, coordinator, partnership):
    teacher = make_user(partnership, "t@oak.example", "teacher", "Oak Primary")
    teacher_client = _browser(app)
    _login(teacher_client, teacher.email)
    _login(client, coordinator.email)
    resp = _post(client, f"/admin/users/{teacher.id}/sign-out", "/admin/users")
    assert resp.status_code == 302
    assert not _signed_in(teacher_client)
    assert _signed_in(client)
    _login(teacher_client, teacher.email)  # the password still works
    assert _signed_in(teacher_client)


def test_deactivated_account_cannot_sign_in_or_use_its_link(app, client, coordinator,
                                                             partnership):
    from survey_app.auth.operations import issue_setup_token

    teacher = make_user(partnership, "t@oak.example", "teacher", "Oak Primary")
    token = issue_setup_token(teacher)
    db.session.commit()
    teacher_client = _browser(app)
    _login(teacher_client, teacher.email)
    _login(client, coordinator.email)
    _post(client, f"/admin/users/{teacher.id}/deactivate", "/admin/users")
    assert not _signed_in(teacher_client)
    page = teacher_client.get("/login").get_data(as_text=True)
    resp = teacher_client.post("/login", data={"email": teacher.email, "password": PASSWORD,
                                               "csrf_token": csrf_from(page)})
    assert resp.status_code == 200
    assert "switched off" in resp.get_data(as_text=True)
    assert not _signed_in(teacher_client)
    assert teacher_client.get(f"/set-password/{token}").status_code == 404
    assert "switched off" in client.get("/admin/users").get_data(as_text=True)
    # Switched on again: the same password works.
    _post(client, f"/admin/users/{teacher.id}/reactivate", "/admin/users")
    _login(teacher_client, teacher.email)
    assert _signed_in(teacher_client)


def test_a_coordinator_cannot_switch_themselves_off(coordinator_client, coordinator):
    resp = _post(coordinator_client, f"/admin/users/{coordinator.id}/deactivate",
                 "/admin/users")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).deactivated_at is None
    assert _signed_in(coordinator_client)


def test_teachers_cannot_sign_others_out(app, client, coordinator, partnership):
    teacher = make_user(partnership, "t@oak.example", "teacher", "Oak Primary")
    _login(client, teacher.email)
    for action in ("sign-out", "deactivate", "reactivate"):
        assert _post(client, f"/admin/users/{coordinator.id}/{action}").status_code == 403


def test_cli_signs_out_and_deactivates(app, runner, client, coordinator, partnership):
    teacher = make_user(partnership, "t@oak.example", "teacher", "Oak Primary")
    _login(client, teacher.email)
    result = runner.invoke(args=["users", "sign-out", "T@Oak.example"])
    assert result.exit_code == 0, result.output
    assert "signed t@oak.example out everywhere" in result.output.lower()
    assert not _signed_in(client)
    _login(client, teacher.email)
    result = runner.invoke(args=["users", "deactivate", teacher.email])
    assert result.exit_code == 0, result.output
    assert not _signed_in(client)
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": teacher.email, "password": PASSWORD,
                                "csrf_token": csrf_from(page)})
    assert not _signed_in(client)
    result = runner.invoke(args=["users", "reactivate", teacher.email])
    assert result.exit_code == 0, result.output
    _login(client, teacher.email)
    assert _signed_in(client)
    result = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert result.exit_code == 1
    assert "No account" in result.output
