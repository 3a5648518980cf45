"""survey_app.storage: the local folder and the database behave alike (issue 15 item 5),
and STORAGE_BACKEND is checked when the app starts."""

from __future__ import annotations

import pytest

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.extensions import db
from survey_app.storage import storage
from tests.conftest import STORAGES


@pytest.fixture(params=STORAGES)
def storage_backend(request) -> str:
    return request.param


def test_both_backends_store_overwrite_list_and_delete(app, storage_backend):
    store = storage()
    assert store.name == storage_backend
    assert store.keys() == []
    store.put("pages/1/0.jpg", b"first")
    store.put("pages/1/0.jpg", b"second")  # a resumed job writes the same name again
    store.put("writeins/7/said.png", b"\x89PNG")
    db.session.commit()
    assert store.get("pages/1/0.jpg") == b"second"
    assert store.keys() == ["pages/1/0.jpg", "writeins/7/said.png"]
    assert store.exists("writeins/7/said.png")
    with pytest.raises(FileNotFoundError):
        store.get("pages/1/9.jpg")
    assert store.delete_many(["pages/1/0.jpg", "not/there.png"]) == []
    assert store.keys() == ["writeins/7/said.png"]
    with pytest.raises(ValueError, match="not a storage key"):
        store.put("../outside.png", b"x")


def test_database_put_is_undone_with_its_transaction(app, storage_backend):
    """A page and its image are committed together, or neither (database backend); the
    local folder writes at once, under the name a rerun overwrites."""
    storage().put("pages/2/0.jpg", b"image")
    db.session.rollback()
    assert storage().exists("pages/2/0.jpg") == (storage_backend == "local")


@pytest.mark.parametrize(("value", "expected"), [("", "local"), ("Database", "database")])
def test_storage_backend_setting(monkeypatch, tmp_path, value, expected):
    monkeypatch.setenv("STORAGE_BACKEND", value)
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path))
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config[
        "STORAGE_BACKEND"] == expected


def test_unknown_storage_backend_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path))
    with pytest.raises(ConfigError, match="STORAGE_BACKEND must be one of local, database"):
        create_app()
