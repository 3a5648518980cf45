"""Several machines, one PostgreSQL (issue 15 item 5): scan workers in separate processes
claim queued batches without reading any twice, and the results tally stays equal to the
live counts while several processes write answers and rebuild it at once.

PostgreSQL only: that is the set-up several machines share (SQLite serves one laptop)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import ScanBatch, ScanPage
from survey_app.scans.operations import submit_upload
from survey_app.storage import storage
from tests.conftest import POSTGRES_URL, REPO, fresh_database
from tests.results.conftest import results_data  # noqa: F401 - a fixture used below
from tests.support.generate import pages_pdf

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_POSTGRES_URL")

BATCHES = 10
WORKERS = 2


@pytest.fixture
def db_uri(template_db, tmp_path):
    yield from fresh_database("postgresql", template_db, tmp_path)


@pytest.fixture
def storage_backend() -> str:
    return "database"  # no shared disk between the "machines"


def _env(app) -> dict:
    return dict(os.environ, SURVEY_APP_INSTANCE=str(Path(app.instance_path)),
                DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], STORAGE_BACKEND="database",
                STORAGE_DIR=str(Path(app.instance_path) / "not-shared"),
                SECRET_KEY="test-secret", PYTHONPATH=str(REPO))


def _blank_pdf(n: int) -> bytes:
    """A one-page scan with no sheet on it (read quickly as blank or unreadable), made
    unique by a number so that no two uploads are the same file."""
    img = np.full((1100, 850), 255, np.uint8)
    cv2.putText(img, str(n), (100, 200), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 3)
    return pages_pdf([img], dpi=100)


def test_two_worker_processes_read_each_batch_exactly_once(app, partnership):
    ids = [submit_upload(io.BytesIO(_blank_pdf(i)), f"pile-{i}.pdf", partnership,
                         None).batch.id for i in range(BATCHES)]
    assert len(storage().keys()) == BATCHES  # the uploads are rows, seen by every worker
    procs = [subprocess.Popen([sys.executable, "-m", "survey_app.cli", "worker", "--once"],
                              env=_env(app), cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(WORKERS)]
    claimed: list[list[int]] = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
        claimed.append([int(line.split()[2].rstrip(":")) for line in out.splitlines()
                        if line.startswith("scan batch ") and line.endswith(".pdf")])
    everything = [i for worker in claimed for i in worker]
    assert sorted(everything) == ids, "a batch was read twice, or never"
    assert all(claimed), f"one worker did all the work, so nothing was contended: {claimed}"
    db.session.expire_all()
    batches = db.session.scalars(select(ScanBatch)).all()
    assert {b.status for b in batches} == {"done"}
    assert {b.attempts for b in batches} == {1}
    # Each page read once: one ScanPage per batch, and no batch with a second.
    pages = db.session.execute(select(ScanPage.batch_id, func.count())
                               .group_by(ScanPage.batch_id)).all()
    assert sorted(pages) == [(i, 1) for i in ids]


WRITERS = 3
PER_WRITER = 20

WRITER = """
import sys
from sqlalchemy import select
from survey_app import create_app
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.models import Collection
from survey_app.results.analysis import refresh_tallies

me, n = int(sys.argv[1]), int(sys.argv[2])
app = create_app()
with app.app_context():
    ids = list(db.session.scalars(select(Collection.id).order_by(Collection.id)))
    for i in range(n):
        c = db.session.get(Collection, ids[(me + i) % len(ids)])
        record_response(c, {"conf": str(1 + (me * 7 + i) % 5), "career": str(i % 2),
                            "know_then": str(1 + i % 3), "know_now": str(1 + (i + me) % 3),
                            "tools": "a;b" if i % 3 else "c"},
                        source="web", submission_key=f"w{me}-{i}", pupil_number=1 + i % 30)
        if i % 4 == 0:  # a page view or an idle worker rebuilding, between answers
            refresh_tallies()
        db.session.remove()
print("ok")
"""


def test_tally_equals_live_counts_after_several_processes_write_at_once(
        app, partnership, results_data):  # noqa: F811 - the fixture imported above
    from tests.results.test_results_tally import assert_tally_is_live

    assert_tally_is_live(partnership)  # the tally exists before the writers start
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(w), str(PER_WRITER)],
                              env=_env(app), cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for w in range(WRITERS)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
        assert out.strip() == "ok"
    db.session.expire_all()
    from survey_app.models import Response

    keys = db.session.scalars(select(Response.submission_key)
                              .where(Response.submission_key.startswith("w"))).all()
    assert sorted(keys) == sorted(f"w{w}-{i}" for w in range(WRITERS)
                                  for i in range(PER_WRITER))
    assert_tally_is_live(partnership)


def test_two_servers_two_workers_lose_and_double_nothing():
    """The load test (benchmarks/load/multi_server.py) in miniature: two gunicorn servers
    and two workers on one PostgreSQL with the database storage, pupils answering (some
    pressing Send twice) while two teachers upload scans through either server."""
    import argparse

    from benchmarks.load import multi_server

    args = argparse.Namespace(database_url=POSTGRES_URL, workers=2, gunicorn_workers=1,
                              threads=4, clients=8, pupils=30, teachers=2, sheets=2,
                              scan_timeout=300)
    result = multi_server.run(args, servers=2)
    assert result["checks"] == dict.fromkeys(result["checks"], True), result["errors"]
    assert result["pupils"] == 30
    assert result["pages"] == 4
    assert result["stored_files"] == 2 + 4  # two uploads, four page images: all rows
