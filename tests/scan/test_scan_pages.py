"""The scan pages: upload, the worker, the batch report, review, hand entry, delete, scope."""

from __future__ import annotations

import io
import json

import numpy as np
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey_app.extensions import db
from survey_app.models import Answer, Response, ReviewItem, ScanBatch, ScanPage
from tests.conftest import csrf_from, login_as, make_user
from tests.scan.test_import import DPI, _pack, _paint, _render
from tests.support.generate import pages_pdf


def _filled_pdf(partnership, marks) -> tuple[object, bytes]:
    c, pack = _pack(partnership, copies=1)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    img = images[0][2]
    _paint(img, pack.document, 1, marks)
    white = np.full_like(img, 255)
    noise = np.random.default_rng(5).integers(0, 255, img.shape, dtype=np.uint8)
    return c, pages_pdf([img, white, noise], dpi=DPI)


def _upload(client, data: bytes, name: str = "scan.pdf", with_csrf: bool = True):
    """POST the file as a browser would. The body is encoded in memory: werkzeug's test
    client would spool a large one to a temporary file that it never closes."""
    page = client.get("/admin/scans/").get_data(as_text=True)
    fields = {"file": FileStorage(io.BytesIO(data), filename=name,
                                  content_type="application/octet-stream")}
    if with_csrf:
        fields["csrf_token"] = csrf_from(page)
    boundary, body = encode_multipart(fields)
    return client.post("/admin/scans/", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_worker_report_review_and_delete(app, client, runner, loaded_bank,
                                                partnership, coordinator):
    c, pdf = _filled_pdf(partnership, {"enjoy": ["2", "4"], "good_at": ["5"],
                                       "pupil_number_units": ["3"]})
    login_as(client, coordinator.email)
    resp = _upload(client, pdf)
    assert resp.status_code == 303
    batch_url = resp.headers["Location"]
    assert "queued" in client.get(batch_url + "/status.json").get_data(as_text=True)

    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 scan jobs run" in result.output
    status = json.loads(client.get(batch_url + "/status.json").get_data(as_text=True))
    assert status["status"] == "done"
    assert (status["read"], status["blank"], status["not_read"]) == (1, 1, 1)
    assert status["responses_created"] == 1
    assert status["to_review"] == 1

    report = client.get(batch_url).get_data(as_text=True)
    assert "Enter its answers by hand" in report
    # The same file again: recognised, nothing imported twice.
    again = _upload(client, pdf, "scan-again.pdf")
    assert again.headers["Location"] == batch_url
    assert db.session.scalar(select(func.count()).select_from(ScanBatch)) == 1

    # Review: the two-mark question, with its crop, answered by pressing a button.
    queue = client.get("/admin/review/")
    item_url = queue.headers["Location"]
    page = client.get(item_url).get_data(as_text=True)
    assert "Do you" in page or "I enjoy science" in page
    crop = client.get(item_url + "/crop.png")
    assert crop.status_code == 200
    assert crop.data[:4] == b"\x89PNG"
    resp = client.post(item_url, data={"csrf_token": csrf_from(page), "value": "4"})
    assert resp.status_code == 303
    assert db.session.scalar(select(Answer.value).where(Answer.question_code == "enjoy")) == "4"
    item = db.session.scalar(select(ReviewItem))
    assert item.resolved_by_id == coordinator.id
    assert "Nothing is waiting" in client.get("/admin/review/",
                                              follow_redirects=True).get_data(as_text=True)

    # The unreadable page entered by hand while looking at it.
    unreadable = db.session.scalar(select(ScanPage).where(ScanPage.status == "unreadable"))
    enter_url = f"/admin/scans/page/{unreadable.id}/enter"
    page = client.get(f"{enter_url}?collection={c.id}").get_data(as_text=True)
    assert "Save answers" in page
    resp = client.post(enter_url, data={"csrf_token": csrf_from(page), "collection": c.id,
                                        "save": "1", "enjoy": "5", "pupil_number": "12"})
    assert resp.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2

    # Delete the upload: both responses it led to go.
    delete_page = client.get(batch_url + "/delete").get_data(as_text=True)
    resp = client.post(batch_url + "/delete", data={"csrf_token": csrf_from(delete_page)})
    assert resp.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_bad_uploads_get_clear_errors(app, client, partnership, coordinator):
    login_as(client, coordinator.email)
    resp = _upload(client, b"GIF89a not a scan", "photo.gif")
    assert resp.status_code == 400
    assert "photo.gif" in resp.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    resp = _upload(client, b"%PDF" + b"x" * 5000, "huge.pdf")
    assert resp.status_code == 303
    assert "larger than" in client.get("/admin/scans/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ScanBatch)) == 0


def test_upload_without_csrf_is_refused(app, client, coordinator):
    login_as(client, coordinator.email)
    resp = _upload(client, b"%PDF-1.4", "a.pdf", with_csrf=False)
    assert resp.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ScanBatch)) == 0


def test_teacher_sees_only_own_school_batches_and_items(app, client, runner,
                                                        loaded_bank, partnership,
                                                        coordinator):
    _, pdf = _filled_pdf(partnership, {"enjoy": ["1", "3"]})
    login_as(client, coordinator.email)
    batch_url = _upload(client, pdf).headers["Location"]
    runner.invoke(args=["worker", "--once"])
    item = db.session.scalar(select(ReviewItem))
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/admin/scans/")
                                                         .get_data(as_text=True))})
    make_user(partnership, "t@willow.sch.uk", "teacher", "Willow Primary")
    login_as(client, "t@willow.sch.uk")
    assert client.get(batch_url).status_code == 404
    assert client.get(f"/admin/review/{item.id}").status_code == 404
    assert client.get(f"/admin/review/{item.id}/crop.png").status_code == 404
    assert "Nothing is waiting" in client.get("/admin/review/",
                                              follow_redirects=True).get_data(as_text=True)


def test_report_of_a_repeat_upload_counts_nothing_new(app, client, runner, loaded_bank,
                                                      partnership, coordinator):
    _, pack = _pack(partnership, copies=1)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    img = images[0][2]
    _paint(img, pack.document, 1, {"enjoy": ["2", "4"], "pupil_number_units": ["3"]})
    white = np.full_like(img, 255)
    login_as(client, coordinator.email)
    first = _upload(client, pages_pdf([img, white], dpi=DPI), "a.pdf").headers["Location"]
    again = _upload(client, pages_pdf([white, img], dpi=DPI), "b.pdf").headers["Location"]
    assert first != again
    runner.invoke(args=["worker", "--once"])
    one = json.loads(client.get(first + "/status.json").get_data(as_text=True))
    two = json.loads(client.get(again + "/status.json").get_data(as_text=True))
    assert (one["to_review"], one["responses_created"]) == (1, 1)
    assert (two["to_review"], two["responses_created"], two["duplicates"]) == (0, 0, 1)
