"""Photographing a class pack page by page (issue 15, item 4), through the app's routes: a
printed pack, painted and photographed by the generator, sent one photo at a time as the
camera page sends them; each photo's outcome in words; a retake replaces the bad photo."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from scanner import framing
from survey_app.extensions import db
from survey_app.models import Response, ScanBatch, ScanPage
from survey_app.scans.operations import run_batch
from tests.conftest import csrf_from, login_as, make_user
from tests.scan.test_import import _pack, _render
from tests.support.generate import degrade_photo, jpeg

JSON = {"Accept": "application/json"}


@pytest.fixture
def shots(app, loaded_bank, partnership):
    """Two filled sheets of a pack for Oak Primary, as phone photos (JPEG bytes)."""
    c, pack = _pack(partnership, copies=2)
    images, truth = _render(pack.pdf, pack.document, seed=31)
    rng = np.random.default_rng(32)
    photos = [degrade_photo(img, rng, rates={}) for _, _, img in images]
    return c, photos


@pytest.fixture
def teacher_client(client, partnership):
    make_user(partnership, "t@oak.example.org", "teacher", "Oak Primary")
    login_as(client, "t@oak.example.org")
    return client


def _send(client, photo: bytes, name: str, replaces: int | None = None, json=True):
    import io

    token = csrf_from(client.get("/admin/scans/camera/").get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(photo), name),
            "replaces": "" if replaces is None else str(replaces)}
    return client.post("/admin/scans/camera/photo", data=data,
                       headers=JSON if json else {}, content_type="multipart/form-data")


def _read_and_status(client, sent) -> dict:
    assert sent.status_code == 200, sent.get_data(as_text=True)
    batch = db.session.get(ScanBatch, sent.json["batch"])
    waiting = client.get(sent.json["status_url"]).json
    assert waiting["state"] == "waiting"
    run_batch(batch)  # what the worker does within a second
    return client.get(sent.json["status_url"]).json


def test_the_camera_page_offers_the_viewfinder_and_the_phones_camera(teacher_client):
    page = teacher_client.get("/admin/scans/camera/").get_data(as_text=True)
    assert 'capture="environment"' in page  # the phone's own camera app, with no script
    assert 'id="viewfinder"' in page
    assert "camera.js" in page
    # The browser's check uses the server's thresholds, written once in scanner/framing.py.
    assert f'data-min-sharpness="{framing.MIN_SHARPNESS}"' in page
    assert "Take photos with this phone" in teacher_client.get("/admin/scans/").get_data(
        as_text=True)


def test_each_photo_is_read_and_said_in_words(teacher_client, shots):
    _, photos = shots
    for k, img in enumerate(photos):
        status = _read_and_status(teacher_client, _send(teacher_client, jpeg(img), f"p{k}.jpg"))
        assert status["state"] in ("read", "check"), status
        assert "read" in status["message"]
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 2


def test_a_bad_photo_asks_for_a_retake_which_replaces_it(teacher_client, shots):
    collection, photos = shots
    cut = photos[0][: photos[0].shape[0] * 45 // 100]  # the bottom of the sheet out of frame
    first = _send(teacher_client, jpeg(cut), "cut.jpg")
    status = _read_and_status(teacher_client, first)
    assert status["state"] == "retake"
    assert "bottom of the sheet" in status["message"] or "corner" in status["message"]
    bad_batch = first.json["batch"]

    again = _send(teacher_client, jpeg(photos[0]), "again.jpg", replaces=bad_batch)
    assert again.json["replaced"] is True
    assert db.session.get(ScanBatch, bad_batch) is None  # no page waits for hand entry
    assert db.session.scalar(select(ScanPage.id).where(ScanPage.status == "unreadable")) is None
    assert _read_and_status(teacher_client, again)["state"] in ("read", "check")
    assert db.session.scalar(select(db.func.count()).select_from(Response).where(
        Response.collection_id == collection.id)) == 1


def test_a_retake_never_deletes_a_photo_that_kept_answers(teacher_client, shots):
    _, photos = shots
    good = _send(teacher_client, jpeg(photos[0]), "good.jpg")
    assert _read_and_status(teacher_client, good)["state"] in ("read", "check")
    other = _send(teacher_client, jpeg(photos[1]), "other.jpg", replaces=good.json["batch"])
    assert other.json["replaced"] is False
    assert db.session.get(ScanBatch, good.json["batch"]) is not None


def test_another_schools_teacher_cannot_replace_a_photo(app, client, shots, partnership):
    _, photos = shots
    make_user(partnership, "t@oak.example.org", "teacher", "Oak Primary")
    make_user(partnership, "t@elm.example.org", "teacher", "Elm Primary")
    login_as(client, "t@oak.example.org")
    cut = photos[0][: photos[0].shape[0] * 45 // 100]
    bad = _send(client, jpeg(cut), "cut.jpg")
    assert _read_and_status(client, bad)["state"] == "retake"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/admin/scans/").get_data(
        as_text=True))})
    db.session.remove()
    from flask import g

    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    login_as(client, "t@elm.example.org")
    theirs = _send(client, jpeg(photos[1]), "elm.jpg", replaces=bad.json["batch"])
    assert theirs.json["replaced"] is False
    assert db.session.get(ScanBatch, bad.json["batch"]) is not None
    assert client.get(f"/admin/scans/camera/{bad.json['batch']}.json").status_code == 404


def test_without_javascript_a_photo_opens_its_report(teacher_client, shots):
    _, photos = shots
    sent = _send(teacher_client, jpeg(photos[0]), "nojs.jpg", json=False)
    assert sent.status_code == 303
    assert "/admin/scans/" in sent.headers["Location"]


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(teacher_client, shots):
    sent = _send(teacher_client, b"%!PS-Adobe-3.0 EPSF-3.0\n", "x.eps")
    assert sent.status_code == 400
    assert sent.json["error"]
    assert db.session.scalar(select(ScanBatch.id)) is None
