"""Surveys and their frozen versions."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forms.definition import SurveyDefinition, survey_from_dict
from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow


@lru_cache(maxsize=256)
def _parse(fingerprint: str, definition_json: str) -> SurveyDefinition:
    return survey_from_dict(json.loads(definition_json), f"<stored survey {fingerprint}>")


class Survey(db.Model):
    __table_args__ = (UniqueConstraint("partnership_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(400))
    audience: Mapped[str] = mapped_column(String(20))
    #: Teachers' own surveys belong to their school; None for partnership-wide surveys.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.version"
    )

    @property
    def latest(self) -> SurveyVersion:
        return self.versions[-1]


class SurveyVersion(db.Model):
    """One frozen definition; once a collection uses it, it never changes."""

    __table_args__ = (UniqueConstraint("survey_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    version: Mapped[int]
    #: The canonical definition (forms.definition.SurveyDefinition.to_dict) as JSON.
    definition_json: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Question codes the coordinator declared primary outcomes (a JSON list): results
    #: headline these, whatever they show. Not part of the frozen definition.
    primary_questions: Mapped[str | None] = mapped_column(Text, nullable=True)

    survey: Mapped[Survey] = relationship(back_populates="versions")

    @property
    def primary_codes(self) -> list[str]:
        return list(json.loads(self.primary_questions)) if self.primary_questions else []

    @property
    def definition(self) -> SurveyDefinition:
        return _parse(self.fingerprint, self.definition_json)
