"""`survey-app worker`: runs scan jobs outside the web request.

Jobs are rows in the database (ScanBatch), so any number of workers on any number of
machines can share one PostgreSQL; a worker that dies leaves a stale heartbeat and the
next worker resumes its job, skipping the pages already stored.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from flask import current_app

from survey_app.extensions import db
from survey_app.models import BatchStatus
from survey_app.scans.operations import claim_next_batch, run_batch

if TYPE_CHECKING:
    from scanner.sandbox import Decoder


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


class DecoderForBatches:
    """The decoding child (`scanner.sandbox.Decoder`) the worker keeps from one batch to the
    next while they come from the same partnership: a teacher's phone photos are one batch
    each, and starting a child costs about 0.15 s, most of a photo's time in the worker.
    A batch from another partnership gets a fresh child, so no process that has parsed one
    partnership's uploads reads another's. A child that dies while reading is replaced by
    the `Decoder` itself, as within a file; one found ended between batches, here."""

    def __init__(self):
        self._decoder: Decoder | None = None
        self._partnership: int | None = None

    def for_batch(self, partnership_id: int) -> Decoder:
        from scanner.sandbox import Decoder

        if self._decoder is not None and (partnership_id != self._partnership
                                          or not self._decoder.alive):
            self.close()  # also a child that ended while idle: its pipes are closed
        if self._decoder is None:
            self._decoder = Decoder()
            self._partnership = partnership_id
        return self._decoder

    def close(self) -> None:
        """End the child (when the queue is empty, and when the worker stops)."""
        if self._decoder is not None:
            self._decoder.kill()
        self._decoder = self._partnership = None


def work(*, once: bool = False, log=print) -> int:
    """Run queued jobs; with `once`, stop when none is left. Returns jobs run. When idle
    it also brings the results tally up to date every TALLY_REFRESH_S seconds."""
    decoders = DecoderForBatches()
    try:
        return _work(decoders, once, log)
    finally:
        decoders.close()


def _work(decoders: DecoderForBatches, once: bool, log) -> int:
    ran = 0
    tallied = 0.0
    while True:
        batch = claim_next_batch()
        if batch is None:
            decoders.close()  # an idle worker holds no child (and no uploaded bytes)
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
            run_batch(batch, decoders.for_batch(batch.partnership_id))
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
