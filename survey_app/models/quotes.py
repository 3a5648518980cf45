"""Written answers a coordinator chose to quote in the impact report (none by default).
A quote goes with its answer (ON DELETE CASCADE): erasing the answer erases the choice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow


class ReportQuote(db.Model):
    __table_args__ = (UniqueConstraint("survey_id", "answer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"),
                                           index=True)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
