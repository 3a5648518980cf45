"""Scanner round trips through the app run on SQLite only (issue 6 allows it: they are the
slowest tests and touch no SQL that the rest of the suite does not run on PostgreSQL)."""

import shutil

import pytest


@pytest.fixture
def db_uri(template_db, tmp_path):
    target = tmp_path / "test.sqlite3"
    shutil.copy(template_db["sqlite"], target)
    return f"sqlite:///{target}"
