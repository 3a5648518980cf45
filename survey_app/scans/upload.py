"""Scan uploads: the file is stored and a batch queued, or an earlier upload of the same
file is found (moved unchanged from scans/operations.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import select

from survey_app.access import Scope
from survey_app.extensions import db
from survey_app.models import (
    BatchStatus,
    Partnership,
    ScanBatch,
    User,
)
from survey_app.storage import storage

STORAGE_FAILED = ("The server could not store {what} ({why}): its storage is full or not "
                  "writable. Nothing was imported; ask whoever runs the server to check "
                  "STORAGE_DIR, then upload again.")


class ScanUploadError(ValueError):
    """An upload refused before any work started; the message says what to do."""


@dataclass
class UploadOutcome:
    batch: ScanBatch
    #: False: this exact file was uploaded before; `batch` is the earlier one.
    created: bool
    #: False: the earlier upload is someone else's that this person cannot open.
    visible: bool = True


# --- storage ---------------------------------------------------------------------------
# Files go through survey_app.storage (the local folder or the database, STORAGE_BACKEND).


def write_atomic(rel: str, data: bytes) -> str:
    """Store `data` under `rel`; never half-written under the real name (see storage).
    Shared with `importing.py` and `responses.py`, which store page images and write-ins."""
    return storage().put(rel, data)


# --- upload ----------------------------------------------------------------------------


def scan_limits():
    """The scanner's limits on pages and bytes (SCAN_MAX_PAGES, SCAN_MAX_BYTES; unset: the
    scanner's own): used here at upload and by the worker (`jobs.py`) when it reads."""
    from scanner.inputs import Limits

    cfg = current_app.config
    chosen = {"max_pages": cfg["SCAN_MAX_PAGES"], "max_bytes": cfg["SCAN_MAX_BYTES"]}
    return Limits(**{k: v for k, v in chosen.items() if v is not None})  # unset: scanner's


def _earlier_upload(partnership: Partnership, digest: str, reach: Scope) -> ScanBatch | None:
    """The same file uploaded before by someone whose upload could import all that this
    person may import. A teacher's upload imports only their school's sheets, so the
    coordinator's (or another school's) upload of that file is a new batch, not a repeat."""
    for earlier in db.session.scalars(
            select(ScanBatch).where(ScanBatch.partnership_id == partnership.id,
                                    ScanBatch.file_hash == digest,
                                    ScanBatch.status != BatchStatus.FAILED).order_by(ScanBatch.id)):
        if Scope(earlier.partnership_id, earlier.school_id).covers(reach):
            return earlier
    return None


def submit_upload(stream: IO[bytes], filename: str, partnership: Partnership,
                  user: User | None) -> UploadOutcome:
    """Check an upload (type by content, size and page limits) and queue it as a batch.

    Raises ScanUploadError with the scanner's message when the file cannot be read at all:
    nothing is stored then."""
    from scanner.errors import ScanInputError
    from scanner.inputs import open_scan

    limits = scan_limits()
    data = stream.read(limits.max_bytes + 1)
    filename = Path(filename or "upload").name[:200] or "upload"
    try:
        open_scan(data, filename, limits=limits).close()
    except ScanInputError as exc:
        raise ScanUploadError(str(exc)) from None
    digest = hashlib.sha256(data).hexdigest()
    reach = Scope.for_user(user) if user is not None else Scope(partnership.id)
    earlier = _earlier_upload(partnership, digest, reach)
    if earlier is not None:
        return UploadOutcome(earlier, False, visible=reach.sees_batch(earlier))
    try:
        rel = write_atomic(f"uploads/{digest[:2]}/{digest}", data)
    except OSError as exc:
        raise ScanUploadError(STORAGE_FAILED.format(what=f"'{filename}'",
                                                    why=exc.strerror or exc)) from None
    batch = ScanBatch(partnership_id=partnership.id, filename=filename, file_hash=digest,
                      stored_path=rel, size_bytes=len(data),
                      school_id=user.school_id if user is not None and not user.is_coordinator
                      else None,
                      uploaded_by_id=user.id if user is not None else None)
    db.session.add(batch)
    db.session.commit()
    return UploadOutcome(batch, True)
