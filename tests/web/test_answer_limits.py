"""Pupil links under hostile or unlucky use (issue 12, low items): a body limit of their
own, a soft per-address throttle, and "Close now" while pupils are mid-survey."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import g
from itsdangerous import TimestampSigner

from survey_app.admin.operations import close_collection
from survey_app.extensions import db
from survey_app.models import Collection
from survey_app.models.base import utcnow
from tests.conftest import csrf_from
from tests.web.test_answer import Page, _count, _open, _post, checks  # noqa: F401
from tests.web.test_sign_in import post_huge


def _hidden(html: str) -> dict[str, str]:
    page = Page(html)
    out = {"csrf_token": csrf_from(html), "submission_id": page.value("submission_id")}
    if 'name="_shown"' in html:
        out["_shown"] = page.value("_shown")
    return out


def _open_all(client, collection) -> dict[str, str]:
    resp = client.get(f"/s/{collection.public_token}")
    assert resp.status_code == 200
    return _hidden(resp.get_data(as_text=True))


# --- body limit ---------------------------------------------------------------------


def test_a_huge_body_to_a_pupil_link_is_refused_before_it_is_read(client, checks):  # noqa: F811
    resp, read = post_huge(client, f"/s/{checks.public_token}")
    assert resp.status_code == 413
    assert read < 128 * 1024
    assert "too much to send" in resp.get_data(as_text=True).lower()
    assert _count() == 0


def test_long_write_ins_in_other_scripts_still_fit(client, checks):  # noqa: F811
    hidden = _open_all(client, checks)
    # 2000 characters of Chinese: 18 KB once form-encoded.
    resp = _post(client, checks, {**hidden, "first": "3", "say": "学" * 2000})
    assert resp.status_code == 303
    assert _count() == 1


# --- throttle -------------------------------------------------------------------------


def test_sends_beyond_the_address_allowance_wait_with_answers_kept(app, client,
                                                                   checks):  # noqa: F811
    app.config["ANSWER_RATE_LIMIT"] = "5 per minute"
    codes = []
    for _ in range(6):
        hidden = _open_all(client, checks)
        codes.append(_post(client, checks, {**hidden, "first": "2", "say": "kept"}))
    assert [r.status_code for r in codes] == [303] * 5 + [429]
    busy = codes[-1]
    html = busy.get_data(as_text=True)
    assert "wait a minute" in html
    assert 'role="alert"' in html
    assert ">kept<" in html  # the write-in is still on the page
    assert busy.headers["Retry-After"] == "60"
    assert _count() == 5
    # Another address (another school) is not held up.
    g.pop("csrf_token", None)
    other = app.test_client()
    page = other.get(f"/s/{checks.public_token}", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    resp = other.post(f"/s/{checks.public_token}", data={
        **_hidden(page.get_data(as_text=True)), "first": "1"},
        environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert resp.status_code == 303
    assert _count() == 6


def test_the_default_allowance_takes_a_class_behind_one_nat(app, checks):  # noqa: F811
    """35 pupils on one address, each opening the page, one in five sending twice (a
    correction or a double tap), within the same minute: all stored."""
    for pupil in range(35):
        g.pop("csrf_token", None)
        browser = app.test_client()
        hidden = _open_all(browser, checks)
        for _ in range(2 if pupil % 5 == 0 else 1):
            assert _post(browser, checks, {**hidden, "first": "3"}).status_code == 303
    assert _count() == 35


# --- closing while pupils answer ------------------------------------------------------


def test_a_form_shown_before_close_now_is_still_taken(client, checks):  # noqa: F811
    hidden = _open_all(client, checks)
    assert "_shown" in hidden
    close_collection(db.session.get(Collection, checks.id))
    db.session.commit()
    assert _post(client, checks, {**hidden, "first": "3"}).status_code == 303
    assert _count() == 1
    # A page opened after closing shows "closed", and a made-up stamp is not believed.
    resp = client.get(f"/s/{checks.public_token}")
    assert "has closed" in resp.get_data(as_text=True)
    forged = {**hidden, "submission_id": "forged-submission-0001", "_shown": "x.y.z"}
    assert _post(client, checks, {**forged, "first": "3"}).status_code == 403
    assert _count() == 1


def _stamp_from(app, collection, seconds_ago: int) -> str:
    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    return Earlier(app.secret_key, salt="answer-form-shown").sign(
        collection.public_token).decode()


def test_the_grace_period_ends(app, client, checks):  # noqa: F811
    hidden = _open_all(client, checks)
    c = db.session.get(Collection, checks.id)
    c.closes_at = utcnow() - timedelta(minutes=6)  # closed 6 minutes ago; grace is 5
    db.session.commit()
    late = {**hidden, "_shown": _stamp_from(app, c, 3600), "first": "3"}
    resp = _post(client, checks, late)
    assert resp.status_code == 403
    assert "has closed" in resp.get_data(as_text=True)
    app.config["CLOSE_GRACE_MINUTES"] = 10
    assert _post(client, checks, late).status_code == 303
    assert _count() == 1


def test_another_collections_stamp_does_not_count(client, checks, partnership):  # noqa: F811
    from tests.web.test_answer import _collection

    other = _collection(partnership, "checks")
    stamp = _open_all(client, other)["_shown"]
    hidden = _open_all(client, checks)
    close_collection(db.session.get(Collection, checks.id))
    db.session.commit()
    assert _post(client, checks, {**hidden, "_shown": stamp, "first": "3"}).status_code == 403


@pytest.fixture
def coordinator_page(client, coordinator, checks):  # noqa: F811
    from tests.conftest import login_as

    login_as(client, coordinator.email)
    return f"/admin/collections/{checks.id}"


def test_close_now_warns_while_pupils_are_answering(app, client, checks,  # noqa: F811
                                                    coordinator_page):
    g.pop("csrf_token", None)
    pupil = app.test_client()
    _open_all(pupil, checks)  # a pupil opens the survey
    g.pop("csrf_token", None)
    page = client.get(coordinator_page).get_data(as_text=True)
    resp = client.post(f"{coordinator_page}/close", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Pupils may still be answering" in html
    assert "next 5 minutes" in html
    db.session.expire_all()
    assert db.session.get(Collection, checks.id).state() == "open"
    resp = client.post(f"{coordinator_page}/close", data={"csrf_token": csrf_from(html),
                                                          "confirmed": "yes"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Collection, checks.id).state() == "closed"


def test_close_now_without_pupils_closes_straight_away(client, checks,  # noqa: F811
                                                       coordinator_page):
    page = client.get(coordinator_page).get_data(as_text=True)
    resp = client.post(f"{coordinator_page}/close", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Collection, checks.id).state() == "closed"
