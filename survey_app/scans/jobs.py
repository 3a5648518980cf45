"""The scan job: a worker claims a queued batch (or one whose worker died), reads its pages
one by one, and marks it done or failed (moved unchanged from scans/operations.py).

Each page is stored in its own transaction, and its files are written under names fixed
by (batch, page) before the commit: a worker killed half-way leaves either a stored page
or nothing, and a rerun overwrites rather than orphaning files."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select, update

from survey_app.extensions import db
from survey_app.models import (
    BatchStatus,
    ScanBatch,
    ScanPage,
)
from survey_app.models.base import utcnow
from survey_app.scans.importing import layout_lookup, store_page
from survey_app.scans.upload import STORAGE_FAILED, ScanUploadError, scan_limits
from survey_app.storage import storage

GAVE_UP = ("The scanner stopped {tries} times while reading this file, so it was set aside "
           "and other uploads went on. The pages stored before it stopped are kept. Scan "
           "the remaining sheets again to PDF and upload that, or enter them by hand.")


# --- the job ---------------------------------------------------------------------------


def claim_next_batch() -> ScanBatch | None:
    """Take the oldest queued batch, or one whose worker died (stale heartbeat), so that
    two workers (on any machines sharing the database) never take the same batch. A batch
    whose worker died SCAN_MAX_ATTEMPTS times is set aside as failed, so it cannot stop
    every upload behind it.

    PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` locks the row being claimed, and other
    workers skip it rather than wait or retry. SQLite (one machine): a conditional UPDATE
    that only one writer can win."""
    stale = utcnow() - timedelta(
        seconds=current_app.config["SCAN_STALE_SECONDS"])
    tries = current_app.config["SCAN_MAX_ATTEMPTS"]
    db.session.execute(
        update(ScanBatch)
        .where(ScanBatch.status == BatchStatus.RUNNING, ScanBatch.heartbeat_at < stale,
               ScanBatch.attempts >= tries)
        .values(status=BatchStatus.FAILED, finished_at=utcnow(), error=GAVE_UP.format(tries=tries)))
    db.session.commit()
    claimable = ((ScanBatch.status == BatchStatus.QUEUED)
                 | ((ScanBatch.status == BatchStatus.RUNNING) & (ScanBatch.heartbeat_at < stale)))
    if db.engine.dialect.name == "postgresql":
        return _claim_locked(claimable)
    candidates = db.session.scalars(
        select(ScanBatch.id).where(claimable).order_by(ScanBatch.id).limit(5)).all()
    for batch_id in candidates:
        now = utcnow()
        taken = db.session.execute(
            update(ScanBatch)
            .where(ScanBatch.id == batch_id, claimable)
            .values(status=BatchStatus.RUNNING, heartbeat_at=now, attempts=ScanBatch.attempts + 1,
                    started_at=func.coalesce(ScanBatch.started_at, now))
        ).rowcount
        db.session.commit()
        if taken:
            return db.session.get(ScanBatch, batch_id)
    return None


def _claim_locked(claimable) -> ScanBatch | None:
    """PostgreSQL: lock the oldest claimable row no other worker holds, mark it ours,
    commit (which releases the lock with the row already "running")."""
    batch_id = db.session.scalar(
        select(ScanBatch.id).where(claimable).order_by(ScanBatch.id).limit(1)
        .with_for_update(skip_locked=True))
    if batch_id is None:
        db.session.commit()
        return None
    now = utcnow()
    db.session.execute(
        update(ScanBatch).where(ScanBatch.id == batch_id)
        .values(status=BatchStatus.RUNNING, heartbeat_at=now, attempts=ScanBatch.attempts + 1,
                started_at=func.coalesce(ScanBatch.started_at, now)))
    db.session.commit()
    return db.session.get(ScanBatch, batch_id)


def run_batch(batch: ScanBatch, decoder=None) -> ScanBatch:
    """Read every page not yet stored (a resumed job skips what an earlier run stored).

    `decoder` (a `scanner.sandbox.Decoder`) is a decoding child the caller keeps for several
    batches; without one the file gets a child of its own, started and ended here."""
    from scanner import Scanner
    from scanner.errors import ScanInputError
    from scanner.inputs import open_scan
    from survey_app.paper.operations import installation_id

    done = set(db.session.scalars(select(ScanPage.page_index)
                                  .where(ScanPage.batch_id == batch.id)))
    scanner = Scanner(layout_lookup(batch.partnership_id), installation_id(),
                      limits=scan_limits())
    try:
        src = open_scan(storage().source(batch.stored_path), batch.filename,
                        limits=scan_limits(), decoder=decoder)
    except (ScanInputError, OSError) as exc:
        batch.status, batch.error, batch.finished_at = BatchStatus.FAILED, str(exc), utcnow()
        db.session.commit()
        return batch
    if decoder is not None:
        _expect_next(batch, decoder)
    try:
        batch.pages_total = len(src)
        db.session.commit()
        for i in range(len(src)):
            if i in done:
                continue
            try:
                store_page(batch, i, src, scanner)
                batch.pages_done = len(done) + 1
                batch.heartbeat_at = utcnow()
                db.session.commit()
            except OSError as exc:
                # Disk full or storage gone: this page's transaction is dropped whole; the
                # pages before it stay stored and "Try again" carries on from here.
                db.session.rollback()
                batch.status, batch.finished_at = BatchStatus.FAILED, utcnow()
                batch.error = STORAGE_FAILED.format(
                    what=f"page {i + 1}", why=exc.strerror or exc).replace(
                    "Nothing was imported", f"The {len(done)} pages before it are stored")
                db.session.commit()
                return batch
            done.add(i)
    finally:
        src.close()
    batch.status, batch.finished_at = BatchStatus.DONE, utcnow()
    batch.pages_done = len(done)
    db.session.commit()
    return batch


#: Uploads up to this size are read ahead (`_expect_next`); a larger one is a pile of pages,
#: where one page read ahead is worth little, and from the database storage its bytes would
#: wait in memory twice.
READ_AHEAD_MAX_BYTES = 32 * 1024**2


def _expect_next(batch: ScanBatch, decoder) -> None:
    """Name the next queued upload of the same partnership to the decoding child: it opens
    that file and decodes its first page while this batch's last page is read and stored (a
    teacher's photos are a batch each, so this is where a photo's decoding overlaps the
    worker's work). The batch is not claimed here: if this worker claims another one next,
    the child is ended unasked (`Decoder.expect`), and another partnership's file is never
    named, so a child never reads two partnerships' uploads."""
    nxt = db.session.scalars(
        select(ScanBatch).where(ScanBatch.status == BatchStatus.QUEUED,
                                ScanBatch.id != batch.id).order_by(ScanBatch.id).limit(1)).first()
    if (nxt is None or nxt.partnership_id != batch.partnership_id
            or nxt.size_bytes > READ_AHEAD_MAX_BYTES):
        return
    try:
        decoder.expect(storage().source(nxt.stored_path), nxt.filename, scan_limits())
    except (OSError, ValueError):
        pass  # its run will say what is wrong with it


def retry_batch(batch: ScanBatch) -> None:
    """Queue a failed batch again; the worker skips the pages already stored."""
    if batch.status != BatchStatus.FAILED:
        raise ScanUploadError(gettext("Only a batch that failed can be tried again."))
    batch.status, batch.error, batch.finished_at = BatchStatus.QUEUED, None, None
    batch.attempts = 0  # a person asked: it gets its full number of tries again
    db.session.commit()
