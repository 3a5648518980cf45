"""Scanned paper: uploaded batches, their pages, and the review queue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow
from survey_app.models.people import Partnership, School, User
from survey_app.models.responses import Response


class BatchStatus(StrEnum):
    """queued -> running -> done | failed. A worker that dies leaves "running" with a stale
    heartbeat; the next worker takes the job again and skips pages already stored. Stored
    as these strings (a str Enum: no migration)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PageStatus(StrEnum):
    """What happened to one page of a batch."""

    READ = "read"  # answers stored (maybe with review items)
    UNREADABLE = "unreadable"  # no code, unknown sheet, markers missing...: reason says which
    BLANK = "blank"  # an empty back side of a duplex scan
    DUPLICATE = "duplicate"  # the same page (same marks) was imported before: nothing changed
    CONFLICT = "conflict"  # the same sheet page came back with different marks: to review
    MANUAL = "manual"  # entered by hand by a person looking at the image
    UNUSED = "unused"  # a sheet with no marks at all (a spare): no response
    COVER = "cover"  # a class pack's cover page: skipped


class ReviewStatus(StrEnum):
    """A review item waits (open) until a person decides (resolved)."""

    OPEN = "open"
    RESOLVED = "resolved"


BATCH_STATUSES = tuple(BatchStatus)
PAGE_STATUSES = tuple(PageStatus)


class ScanBatch(db.Model):
    """One uploaded file (a multi-page PDF, a photo, a TIFF)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    #: A teacher's upload belongs to their school (scoping); None for coordinators.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    filename: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the file: the same file uploaded twice is recognised.
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    stored_path: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=BatchStatus.QUEUED, index=True)
    pages_total: Mapped[int | None]
    pages_done: Mapped[int] = mapped_column(default=0)
    #: How many times a worker has started this job (more than one: it was resumed).
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    #: A running worker touches this; a stale one means the worker died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partnership: Mapped[Partnership] = relationship()
    school: Mapped[School | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    pages: Mapped[list[ScanPage]] = relationship(
        back_populates="batch", order_by="ScanPage.page_index", cascade="all, delete-orphan"
    )


class ScanPage(db.Model):
    __table_args__ = (UniqueConstraint("batch_id", "page_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("scan_batch.id", ondelete="CASCADE"),
                                          index=True)
    #: 0-based page of the uploaded file.
    page_index: Mapped[int]
    #: SHA-256 of the page's pixels: a re-upload of the same page image is recognised.
    image_hash: Mapped[str] = mapped_column(String(64), index=True)
    #: The normalised (deskewed greyscale) image kept for review, relative to STORAGE_DIR.
    image_path: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    sheet_id: Mapped[str | None] = mapped_column(String(40), index=True)
    #: The sheet's page number (1, 2, ...), from its QR code.
    sheet_page: Mapped[int | None]
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), index=True)
    #: This page made the response (deleting the batch deletes it); otherwise it added a
    #: later page's answers to a response another page made.
    created_response: Mapped[bool] = mapped_column(default=False)
    #: What the scanner read (answers, confidences, warnings) as JSON, for the batch report.
    result_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    batch: Mapped[ScanBatch] = relationship(back_populates="pages")
    response: Mapped[Response | None] = relationship()


class ReviewItem(db.Model):
    """A mark the scanner was not sure of; a person decides, looking at the crop."""

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"),
                                             index=True)
    scan_page_id: Mapped[int | None] = mapped_column(
        ForeignKey("scan_page.id", ondelete="CASCADE"), index=True)
    #: The export column (or "pupil_number").
    question_code: Mapped[str] = mapped_column(String(100))
    #: Why it needs a person: "unsure", "two_marks", "conflict", "missing_page", ...
    kind: Mapped[str] = mapped_column(String(30))
    #: 0..1, lowest first in the queue.
    confidence: Mapped[float | None]
    #: The crop of the question's row in the page image (pixels of the normalised image).
    crop_x: Mapped[int | None]
    crop_y: Mapped[int | None]
    crop_w: Mapped[int | None]
    crop_h: Mapped[int | None]
    #: What the scanner saw, per bubble, as JSON (shown beside the crop).
    detail_json: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.OPEN, index=True)
    resolved_value: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship()
    scan_page: Mapped[ScanPage | None] = relationship()
    resolved_by: Mapped[User | None] = relationship()


class ResponseImage(db.Model):
    """A write-in box cut from a scan (kept, not read)."""

    __table_args__ = (UniqueConstraint("response_id", "question_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"),
                                             index=True)
    question_code: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(500))
