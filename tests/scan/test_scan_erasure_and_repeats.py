"""Scanned pages under erasure, and the same file uploaded by people with different reach.

Erasure must find a collection's pupils' pages however they were left: read into a
response, refused (a teacher of another school uploaded them) or never linked to a
response. A file uploaded again is recognised, but only as far as the earlier upload
could import: a coordinator may import what a teacher's upload had to refuse, and a
teacher who cannot see the earlier upload is told so in words, not sent to a 404."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from survey_app.admin.operations import create_collection
from survey_app.erasure.operations import erase_collection
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    Collection,
    PrintBatch,
    Response,
    ResponseImage,
    ReviewItem,
    ScanBatch,
    ScanPage,
    Sheet,
)
from survey_app.paper.operations import print_class_pack
from survey_app.scans.operations import delete_batch, run_batch, submit_upload
from survey_app.storage import storage
from tests.conftest import BACKENDS, STORAGES, fresh_database, login_as, make_user
from tests.scan.test_import import DPI, _render
from tests.scan.test_scan_pages import _upload as post_upload
from tests.support.generate import pages_pdf


@pytest.fixture(params=BACKENDS)
def db_uri(request, template_db, tmp_path):
    """Unlike the other scan round trips, these run on PostgreSQL too: the shared
    (database) storage is the one several servers use, and they use PostgreSQL."""
    yield from fresh_database(request.param, template_db, tmp_path)


@pytest.fixture(params=STORAGES)
def storage_backend(request) -> str:
    """Uploads, page images and write-in crops in the local folder or in the database."""
    return request.param


def _oak_pack_pdf(partnership, copies=2) -> tuple[int, bytes]:
    """A collection of Oak Primary and a scan of its printed sheets (filled at random)."""
    cid, images = _oak_pack_images(partnership, copies)
    return cid, pages_pdf(images, dpi=DPI)


def _oak_pack_images(partnership, copies=2) -> tuple[int, list]:
    c = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                          school_name="Oak Primary", group_name="Year 5", phase="before")
    db.session.flush()
    pack = print_class_pack(c, copies)
    db.session.commit()
    images, _ = _render(pack.pdf, pack.document, seed=77)
    return c.id, [img for _, _, img in images]


def _upload(pdf: bytes, name: str, partnership, user):
    return submit_upload(io.BytesIO(pdf), name, partnership, user)


def _files(app) -> list[str]:
    return storage().keys()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_erasure_removes_refused_and_unlinked_pages_too(app, loaded_bank, partnership):
    cid, images = _oak_pack_images(partnership)
    willow = make_user(partnership, "t@willow.sch.uk", "teacher", "Willow Primary")
    refused = run_batch(_upload(pages_pdf(images, dpi=DPI), "oak-sheets.pdf", partnership,
                                willow).batch)
    assert {p.status for p in refused.pages} == {"unreadable"}
    assert all(p.sheet_id and p.sheet_id.startswith(f"{cid}-") and p.image_path
               for p in refused.pages)
    # The coordinator imports the first sheet; the second never reaches a response.
    read = run_batch(_upload(pages_pdf(images[:1], dpi=DPI), "oak.pdf", partnership,
                             None).batch)
    assert [p.status for p in read.pages] == ["read"]
    assert _files(app)
    assert _count(ScanPage) == 3

    summary = erase_collection(db.session.get(Collection, cid), "coord@example.org")
    db.session.expire_all()

    assert _files(app) == [], "files of an erased collection's pupils are left behind"
    assert _count(ScanPage, ScanPage.sheet_id.startswith(f"{cid}-")) == 0
    assert _count(ScanPage) == 0
    for model in (Response, Answer, ReviewItem, ResponseImage, Sheet, PrintBatch):
        assert _count(model) == 0, model.__name__
    # The upload records stay (who uploaded what, when) without their file.
    assert {b.stored_path for b in db.session.scalars(select(ScanBatch))} == {""}
    assert summary.counts["scanned pages"] == 3
    assert not summary.undeleted_files


def test_coordinator_can_import_what_a_teachers_upload_refused(app, client, loaded_bank,
                                                              partnership, coordinator):
    cid, pdf = _oak_pack_pdf(partnership)
    willow = make_user(partnership, "t@willow.sch.uk", "teacher", "Willow Primary")
    first = _upload(pdf, "oak-sheets.pdf", partnership, willow)
    run_batch(first.batch)
    assert _count(Response) == 0

    login_as(client, coordinator.email)
    resp = post_upload(client, pdf, "oak-sheets.pdf")
    assert resp.status_code == 303
    second = db.session.scalar(select(ScanBatch).order_by(ScanBatch.id.desc()))
    assert second.id != first.batch.id
    assert resp.headers["Location"].endswith(f"/admin/scans/{second.id}")
    run_batch(second)
    assert _count(Response, Response.collection_id == cid) == 2
    # Once the coordinator's upload has it, the same file is recognised again, for anyone.
    again = _upload(pdf, "again.pdf", partnership, coordinator)
    assert not again.created
    assert again.batch.id == second.id
    # Both uploads keep the one stored file: deleting the teacher's leaves the other's.
    assert second.stored_path == first.batch.stored_path
    delete_batch(first.batch)
    assert storage().exists(second.stored_path)
    assert storage().get(second.stored_path) == pdf


def test_teacher_who_cannot_see_the_earlier_upload_is_told_plainly(app, client, loaded_bank,
                                                                   partnership,
                                                                   coordinator):
    _, pdf = _oak_pack_pdf(partnership)
    run_batch(_upload(pdf, "oak-sheets.pdf", partnership, coordinator).batch)
    batches = _count(ScanBatch)
    make_user(partnership, "t@oak.sch.uk", "teacher", "Oak Primary")
    login_as(client, "t@oak.sch.uk")
    resp = post_upload(client, pdf, "mine.pdf")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/admin/scans/")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "was uploaded before by someone else" in page
    assert "oak-sheets.pdf" not in page  # the other upload's name is not theirs to see
    assert _count(ScanBatch) == batches  # nothing imported twice


def test_second_teacher_gets_an_upload_of_their_own(app, client, loaded_bank, partnership):
    """A teacher of another school sent the file first: it imported nothing of Oak's, so an
    Oak teacher's upload of the same file is imported, not redirected to a 404."""
    cid, pdf = _oak_pack_pdf(partnership)
    willow = make_user(partnership, "t@willow.sch.uk", "teacher", "Willow Primary")
    run_batch(_upload(pdf, "oak-sheets.pdf", partnership, willow).batch)
    make_user(partnership, "t@oak.sch.uk", "teacher", "Oak Primary")
    login_as(client, "t@oak.sch.uk")
    resp = post_upload(client, pdf, "oak.pdf")
    assert resp.status_code == 303
    target = client.get(resp.headers["Location"])
    assert target.status_code == 200
    run_batch(db.session.scalar(select(ScanBatch).order_by(ScanBatch.id.desc())))
    assert _count(Response, Response.collection_id == cid) == 2
