"""Printed sheets: each batch keeps the layout it was printed with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow
from survey_app.models.collections import Collection


class PrintBatch(db.Model):
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collection.id"), index=True)
    paper: Mapped[str] = mapped_column(String(10))
    #: The sheet layout JSON (forms.layout) these sheets were printed with, so they stay
    #: readable after the layout code changes.
    layout_json: Mapped[str] = mapped_column(Text)
    layout_fingerprint: Mapped[str] = mapped_column(String(32), index=True)
    is_master: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    collection: Mapped[Collection] = relationship()
    sheets: Mapped[list[Sheet]] = relationship(back_populates="batch", order_by="Sheet.serial")


class Sheet(db.Model):
    """One printed copy; its sheet id is '<collection id>-<serial>'."""

    __table_args__ = (UniqueConstraint("collection_id", "serial"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collection.id"), index=True)
    print_batch_id: Mapped[int] = mapped_column(ForeignKey("print_batch.id"), index=True)
    #: 0 is the master sheet for photocopying.
    serial: Mapped[int]
    #: Personalised packs print the pupil's number on the sheet.
    pupil_number: Mapped[int | None]

    batch: Mapped[PrintBatch] = relationship(back_populates="sheets")

    @property
    def sheet_id(self) -> str:
        return f"{self.collection_id}-{self.serial}"
