"""Erasure removes everything under the target, leaves the rest, and is audited."""

import pytest
from sqlalchemy import func, select

from survey_app.admin.operations import create_collection
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.models import Answer, Collection, Group, Response, School, User
from survey_app.models.audit import AuditEntry
from survey_app.models.scans import ResponseImage, ScanBatch, ScanPage
from survey_app.storage import storage
from tests.conftest import STORAGES, csrf_from, login_as, make_user


@pytest.fixture(params=STORAGES)
def storage_backend(request) -> str:
    """Erasure removes stored files from either storage backend."""
    return request.param


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _setup(app, partnership):
    oak = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                            school_name="Oak Primary", group_name="Year 2", phase="before")
    willow = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                               school_name="Willow Primary", group_name="Year 2",
                               phase="before")
    db.session.commit()
    r_oak, _ = record_response(oak, {"enjoy": "3"}, source="paper", submission_key="paper:a",
                               sheet_id=f"{oak.id}-1")
    record_response(willow, {"enjoy": "1"}, source="web", submission_key="web:b")
    files = ("pages/p1.png", "upload.pdf", "pages/w1.png")
    for key in files:
        storage().put(key, b"x")
    batch = ScanBatch(partnership_id=partnership.id, filename="scan.pdf", file_hash="h" * 64,
                      stored_path="upload.pdf", size_bytes=1, status="done")
    db.session.add(batch)
    db.session.flush()
    db.session.add(ScanPage(batch_id=batch.id, page_index=0, image_hash="i" * 64,
                            image_path="pages/p1.png", status="read", sheet_id=f"{oak.id}-1",
                            response_id=r_oak.id))
    db.session.add(ResponseImage(response_id=r_oak.id, question_code="comments",
                                 path="pages/w1.png"))
    db.session.commit()
    return oak, willow, files


def test_erase_collection_removes_its_data_and_files_only(app, loaded_bank, partnership):
    from survey_app.erasure.operations import erase_collection

    oak, willow, files = _setup(app, partnership)
    summary = erase_collection(oak, "coord@example.org")
    assert summary.counts["responses"] == 1
    assert db.session.get(Collection, oak.id) is None
    assert db.session.get(Collection, willow.id) is not None
    assert _count(Response) == 1  # Willow's stays
    assert _count(Answer) == 1
    assert _count(ScanPage) == 0
    assert _count(ResponseImage) == 0
    assert not any(storage().exists(f) for f in files)
    assert storage().keys() == []
    entry = db.session.scalar(select(AuditEntry))
    assert entry.actor == "coord@example.org"
    assert entry.action == "erase_collection"
    assert "Oak Primary" in entry.target


def test_erase_school_and_partnership(app, loaded_bank, partnership):
    from survey_app.erasure.operations import erase_partnership, erase_school

    _setup(app, partnership)
    make_user(partnership, "t@oak.sch.uk", "teacher", "Oak Primary")
    oak = db.session.scalar(select(School).where(School.name == "Oak Primary"))
    erase_school(oak, "coord")
    assert db.session.scalar(select(School).where(School.name == "Oak Primary")) is None
    assert db.session.scalar(select(User).where(User.email == "t@oak.sch.uk")) is None
    assert _count(Response) == 1
    erase_partnership(partnership, "coord")
    assert _count(Response) == 0
    assert _count(Group) == 0
    assert _count(School) == 0
    assert [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] \
        == ["erase_school", "erase_partnership"]


def test_erase_page_needs_typed_confirmation(app, client, loaded_bank, partnership,
                                             coordinator):
    oak, _, _ = _setup(app, partnership)
    login_as(client, coordinator.email)
    url = f"/admin/erase/collection/{oak.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Oak Primary Year 2 before" in page
    resp = client.post(url, data={"csrf_token": csrf_from(page), "confirm": "yes"})
    assert resp.status_code == 200
    assert db.session.get(Collection, oak.id) is not None  # wrong name: nothing deleted
    resp = client.post(url, data={"csrf_token": csrf_from(page),
                                  "confirm": "Oak Primary Year 2 before"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Collection, oak.id) is None


def test_teacher_cannot_erase_other_school_or_partnership(app, client, loaded_bank,
                                                          partnership):
    _, willow, _ = _setup(app, partnership)
    make_user(partnership, "t@oak.sch.uk", "teacher", "Oak Primary")
    login_as(client, "t@oak.sch.uk")
    assert client.get(f"/admin/erase/collection/{willow.id}").status_code == 404
    assert client.get("/admin/erase/partnership").status_code == 403


def test_erase_cli_asks_then_erases(app, runner, loaded_bank, partnership):
    oak, _, _ = _setup(app, partnership)
    result = runner.invoke(args=["erase", "collection", str(oak.id)], input="n\n")
    assert result.exit_code == 1  # declined: nothing happens
    assert db.session.get(Collection, oak.id) is not None
    result = runner.invoke(args=["erase", "collection", str(oak.id), "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 responses" in result.output
    db.session.expire_all()
    assert db.session.get(Collection, oak.id) is None
    result = runner.invoke(args=["erase", "collection", "9999", "--yes"])
    assert result.exit_code == 1
    assert "no collection 9999" in result.output
