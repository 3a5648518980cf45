"""The audit log: who erased or changed what, kept even after the data is gone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Kept as text (no foreign key) so the log outlives an erased account or partnership.
    actor: Mapped[str] = mapped_column(String(254))
    partnership_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(50))
    #: What was acted on, in words ("collection 12: Oak Primary / Year 2 / before").
    target: Mapped[str] = mapped_column(Text)
    #: Counts of what was removed, as JSON.
    detail_json: Mapped[str | None] = mapped_column(Text)
