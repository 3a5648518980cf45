"""Faults: a worker killed half-way, storage that fails, a database that goes away."""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from survey_app import storage as stored_files
from survey_app.extensions import db
from survey_app.models import Response, ResponseImage, ScanBatch, ScanPage
from survey_app.scans.operations import ScanUploadError, run_batch, submit_upload
from survey_app.storage import storage
from tests.conftest import REPO, STORAGES, csrf_from, login_as
from tests.scan.test_import import DPI, _pack, _render
from tests.support.generate import pages_pdf


def _scan_pdf(partnership, copies: int, seed: int = 0) -> bytes:
    _, pack = _pack(partnership, copies=copies)
    images, _ = _render(pack.pdf, pack.document, seed=seed)
    return pages_pdf([img for _, _, img in images], dpi=DPI)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("storage_backend", STORAGES)
def test_worker_killed_half_way_resumes_without_duplicates(app, client, loaded_bank,
                                                           partnership, coordinator):
    sheets = 40
    batch = submit_upload(io.BytesIO(_scan_pdf(partnership, sheets)), "pile.pdf", partnership,
                          None).batch
    env = dict(os.environ, SURVEY_APP_INSTANCE=str(Path(app.instance_path)),
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               STORAGE_DIR=app.config["STORAGE_DIR"], SECRET_KEY="test-secret",
               STORAGE_BACKEND=app.config["STORAGE_BACKEND"])
    worker = subprocess.Popen([sys.executable, "-m", "survey_app.cli", "worker"], env=env,
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            db.session.expire_all()
            if _count(ScanPage) >= 3:
                break
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)  # no clean-up: like a power cut or OOM kill
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stderr.close()
    db.session.expire_all()
    stored_before = _count(ScanPage)
    assert 3 <= stored_before < sheets, "the kill should land half-way"
    assert db.session.get(ScanBatch, batch.id).status == "running"

    # The restarted worker takes the job once its heartbeat is stale, and carries on.
    app.config["SCAN_STALE_SECONDS"] = 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "resuming" in result.output
    db.session.expire_all()
    b = db.session.get(ScanBatch, batch.id)
    assert b.status == "done"
    assert b.attempts == 2
    assert _count(ScanPage) == sheets
    assert _count(Response) == sheets  # every sheet once: nothing lost, nothing doubled
    assert db.session.scalar(select(func.count(func.distinct(ScanPage.page_index)))) == sheets
    # Every stored page has its image, and no image is left without its page.
    assert sorted(storage().keys()) == sorted(
        [b.stored_path, *db.session.scalars(select(ScanPage.image_path)),
         *db.session.scalars(select(ResponseImage.path))])
    login_as(client, coordinator.email)
    page = client.get(f"/admin/scans/{batch.id}").get_data(as_text=True)
    assert "resumed" in page
    assert "nothing was counted twice" in page


def test_storage_not_writable_refuses_upload_and_leaves_nothing(app, loaded_bank,
                                                                partnership, tmp_path):
    pdf = _scan_pdf(partnership, 1)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the storage directory should be")
    app.config["STORAGE_DIR"] = str(blocker / "storage")
    with pytest.raises(ScanUploadError, match="could not store"):
        submit_upload(io.BytesIO(pdf), "pile.pdf", partnership, None)
    assert _count(ScanBatch) == 0


def test_disk_full_mid_batch_keeps_earlier_pages_and_retries_cleanly(app, client,
                                                                      loaded_bank, partnership,
                                                                      coordinator,
                                                                      monkeypatch):
    batch = submit_upload(io.BytesIO(_scan_pdf(partnership, 4)), "pile.pdf", partnership,
                          None).batch
    real_replace = os.replace
    calls = {"n": 0}

    def full_disk(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # the third page image cannot be written
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst)

    monkeypatch.setattr(stored_files.os, "replace", full_disk)
    run_batch(batch)
    assert batch.status == "failed"
    assert "storage is full" in batch.error
    assert _count(ScanPage) == 2
    assert _count(Response) == 2
    storage = Path(app.config["STORAGE_DIR"])
    assert not list(storage.rglob(".part-*")), "no half-written file may be left behind"

    monkeypatch.setattr(stored_files.os, "replace", real_replace)
    login_as(client, coordinator.email)
    page = client.get(f"/admin/scans/{batch.id}").get_data(as_text=True)
    assert "Try again" in page
    client.post(f"/admin/scans/{batch.id}/retry", data={"csrf_token": csrf_from(page)})
    run_batch(db.session.get(ScanBatch, batch.id))
    assert _count(ScanPage) == 4
    assert _count(Response) == 4


def test_database_unavailable_gives_a_clear_error_and_stores_nothing(app, client,
                                                                     loaded_bank, partnership,
                                                                     monkeypatch):
    from survey_app.admin.operations import create_collection
    from survey_app.answer import submit, views

    c = create_collection(partnership, survey_code="pupil_attitudes_5_7", school_name="Oak",
                          group_name="Y2", phase="before")
    db.session.commit()
    page = client.get(f"/s/{c.public_token}").get_data(as_text=True)

    def unavailable(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(submit, "record_response", unavailable)  # the fast path
    monkeypatch.setattr(views, "record_response", unavailable)
    resp = client.post(f"/s/{c.public_token}", data={
        "csrf_token": csrf_from(page), "submission_id": "x" * 22, "enjoy": "3"})
    assert resp.status_code == 503
    assert "nothing was saved" in resp.get_data(as_text=True)
    assert _count(Response) == 0
