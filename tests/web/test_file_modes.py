"""The SQLite database and backup archives are readable by the app's user only (0600),
whatever the umask (issue 12, low items)."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from survey_app import create_app
from survey_app.extensions import db


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual default: new files world-readable
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_is_private(open_umask, monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path / "instance"))
    path = tmp_path / "survey.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "t"})
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        for part in (path, tmp_path / "survey.sqlite3-wal", tmp_path / "survey.sqlite3-shm"):
            if part.exists():
                assert _mode(part) == 0o600, part
        db.session.remove()
        db.engine.dispose()
    assert _mode(path) == 0o600


def test_an_older_world_readable_database_is_made_private(open_umask, monkeypatch,
                                                          tmp_path):
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path / "instance"))
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "t"})
    assert _mode(path) == 0o600


def test_backup_archives_are_private(open_umask, app, runner, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert _mode(archive) == 0o600
    # Written over an existing, world-readable file: private too.
    archive.chmod(0o644)
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    assert _mode(archive) == 0o600
