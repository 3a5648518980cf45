"""`survey-app worker`: runs scan jobs outside the web request.

Jobs are rows in the database (ScanBatch), so any number of workers on any number of
machines can share one PostgreSQL; a worker that dies leaves a stale heartbeat and the
next worker resumes its job, skipping the pages already stored.
"""

from __future__ import annotations

import time

from flask import current_app

from survey_app.extensions import db
from survey_app.models import BatchStatus
from survey_app.scans.operations import claim_next_batch, run_batch


def refresh_tally(log) -> None:
    """Best effort: a page rebuilds what it needs itself, so a failure here only costs
    time (it is logged, and the worker goes on). Public so its test can call it."""
    from survey_app.results.analysis import refresh_tallies

    try:
        rebuilt = refresh_tallies()
    except Exception as exc:  # noqa: BLE001 - the worker must keep running
        db.session.rollback()
        log(f"results tally: not brought up to date ({type(exc).__name__}: {exc})")
    else:
        if rebuilt:
            log(f"results tally: {rebuilt} group block(s) rebuilt")


def work(*, once: bool = False, log=print) -> int:
    """Run queued jobs; with `once`, stop when none is left. Returns jobs run. When idle
    it also brings the results tally up to date every TALLY_REFRESH_S seconds."""
    ran = 0
    tallied = 0.0
    while True:
        batch = claim_next_batch()
        if batch is None:
            if once:
                return ran
            if time.monotonic() - tallied >= current_app.config["TALLY_REFRESH_S"]:
                tallied = time.monotonic()
                refresh_tally(log)
            db.session.remove()
            time.sleep(current_app.config["WORKER_IDLE_S"])
            continue
        resumed = " (resuming)" if batch.attempts > 1 else ""
        log(f"scan batch {batch.id}: {batch.filename}{resumed}")
        try:
            run_batch(batch)
        except Exception as exc:  # one bad job must not stop the worker
            db.session.rollback()
            batch = db.session.get(type(batch), batch.id)
            batch.status, batch.error = BatchStatus.FAILED, f"{type(exc).__name__}: {exc}"
            db.session.commit()
            log(f"scan batch {batch.id} failed: {batch.error}")
        else:
            log(f"scan batch {batch.id}: {batch.status}, {batch.pages_done} pages")
        ran += 1
        db.session.expire_all()  # the next job reads fresh rows
