"""Responses and their answers, from the web or from paper."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow
from survey_app.models.collections import Collection

SOURCES = ("web", "paper")


class AnswerStatus(StrEnum):
    """An answer is ok, waits for a person (needs_review), or could not be read. Stored as
    these strings (a str Enum: no migration)."""

    OK = "ok"
    NEEDS_REVIEW = "needs_review"
    UNREADABLE = "unreadable"


ANSWER_STATUSES = tuple(AnswerStatus)


class Response(db.Model):
    #: Ids leave the database (exports): SQLite must never hand one out again.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collection.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    #: Makes a submission idempotent: the web form's per-render id, or the paper sheet's
    #: id (master copies: the page image hash). A double tap hits this unique constraint.
    submission_key: Mapped[str] = mapped_column(String(100), unique=True)
    pupil_number: Mapped[int | None]
    sheet_id: Mapped[str | None] = mapped_column(String(40), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: When the pupil pressed Send, for answers that waited in the browser (Wi-Fi down)
    #: and reached the server later; empty when they arrived straight away. Such a
    #: response "arrived late" (the collection page counts them).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Web only, never required: what the answer page's script measured per question code,
    #: JSON {"code": {"ms": time on it, "read": times read aloud}} (the pilot report).
    timings_json: Mapped[str | None] = mapped_column(Text)

    collection: Mapped[Collection] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response",
                                                 cascade="all, delete-orphan")


class Answer(db.Model):
    __table_args__ = (UniqueConstraint("response_id", "question_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    #: The export column: the question code, or <code>_then / <code>_now.
    question_code: Mapped[str] = mapped_column(String(100), index=True)
    #: Option code(s) ("a;b" for multi), a number, or free text; "" for blank.
    value: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=AnswerStatus.OK)
    #: How sure the scanner was (0..1); None for web answers and human decisions.
    confidence: Mapped[float | None]

    response: Mapped[Response] = relationship(back_populates="answers")
