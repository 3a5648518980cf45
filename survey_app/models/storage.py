"""Stored files (scan uploads, page images, write-in crops) kept in the database, for
STORAGE_BACKEND=database: every app server and worker sharing one PostgreSQL sees the
same files, and `pg_dump` backs them up with the answers that point at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow


class StoredFile(db.Model):
    __tablename__ = "stored_file"

    #: The same relative name the local folder uses (e.g. "pages/12/3.jpg").
    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
