"""Installation-wide settings kept in the database (e.g. the installation id on sheets)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db


class Setting(db.Model):
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(2000))
