"""Importing scanned sheets into the database, and the review queue: the names the views,
the CLI and the worker use, from the modules that hold them.

- `upload`: a file stored and its batch queued (`submit_upload`, `ScanUploadError`);
- `jobs`: the worker's batch (`claim_next_batch`, `run_batch`, `retry_batch`);
- `importing`: one page into the database (`store_page`, `layout_lookup`);
- `review`: the review queue, hand entry, deleting a batch.
"""

from __future__ import annotations

from forms.answers import PUPIL_NUMBER
from survey_app.scans.importing import (
    ONLY_NUMBER,
    REVIEW_KINDS,
    UNUSED,
    layout_lookup,
    store_page,
)
from survey_app.scans.jobs import GAVE_UP, claim_next_batch, retry_batch, run_batch
from survey_app.scans.review import (
    CANT_TELL,
    delete_batch,
    enter_page_by_hand,
    resolve_review_item,
)
from survey_app.scans.upload import (
    STORAGE_FAILED,
    ScanUploadError,
    UploadOutcome,
    submit_upload,
)

__all__ = [
    "CANT_TELL", "GAVE_UP", "ONLY_NUMBER", "PUPIL_NUMBER", "REVIEW_KINDS", "STORAGE_FAILED",
    "UNUSED", "ScanUploadError", "UploadOutcome", "claim_next_batch", "delete_batch",
    "enter_page_by_hand", "layout_lookup", "resolve_review_item", "retry_batch", "run_batch",
    "store_page", "submit_upload",
]
