"""Backup and restore: the database and the stored scan images come back as they were."""

import pytest
from sqlalchemy import func, select

from survey_app.admin.operations import create_collection
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.storage import storage
from tests.conftest import STORAGES


@pytest.fixture(params=STORAGES)
def storage_backend(request) -> str:
    """Stored scan images come back from a backup with either storage backend (the
    database backend's are rows, so they travel inside the database copy)."""
    return request.param


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_backup_then_restore_brings_back_data_and_images(app, runner, loaded_bank,
                                                         partnership, tmp_path):
    c = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                          school_name="Oak Primary", group_name="Year 2", phase="before")
    db.session.commit()
    record_response(c, {"enjoy": "3"}, source="web", submission_key="web:one")
    image = "pages/page-1.png"
    storage().put(image, b"\x89PNG fake page")
    db.session.commit()

    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "1 stored files" in result.output
    assert archive.stat().st_size > 0

    # Things change after the backup...
    record_response(c, {"enjoy": "1"}, source="web", submission_key="web:two")
    storage().delete(image)
    assert not storage().exists(image)
    assert _count() == 2
    db.session.remove()
    db.engine.dispose()

    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    db.engine.dispose()
    assert _count() == 1
    assert storage().get(image) == b"\x89PNG fake page"
    assert storage().keys() == [image]


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    import tarfile

    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "not a survey-app backup" in result.output
