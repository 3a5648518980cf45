"""Evaluation plans: a partnership's line of sight, its dated amendments and its random
allocations.

The plan itself is one document (`body_json`, the same shape as the YAML file that
`survey-app plan export` writes): it is read, edited, compared and exported as a whole,
and an amendment is the difference between two versions of it. Names (schools, groups,
survey and question codes) rather than ids keep a plan file meaningful when it is moved
between installations.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow


class EvaluationPlan(db.Model):
    __tablename__ = "evaluation_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), unique=True)
    #: The plan document as canonical JSON (survey_app.plans.document).
    body_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    #: When the first after (or follow-up) answer to a survey the plan names arrived:
    #: from then on the primary outcomes are fixed and every change is an amendment.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def body(self) -> dict:
        return json.loads(self.body_json)


class PlanAmendment(db.Model):
    """A change to a locked plan: who, when, what changed (in words) and why."""

    __tablename__ = "plan_amendment"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("evaluation_plan.id", ondelete="CASCADE"),
                                         index=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Kept as text (no foreign key), so the record outlives the account.
    made_by: Mapped[str] = mapped_column(String(254))
    #: The changes in words, one per line.
    changes: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text)
    #: Whether a primary outcome changed (the report says so beside the headlines).
    touches_primary: Mapped[bool] = mapped_column(default=False)


class PlanAllocation(db.Model):
    """One random allocation of classes, or of pupil numbers within classes, to taking
    part or comparison; the newest is the plan's. The seed makes it reproducible."""

    __tablename__ = "plan_allocation"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("evaluation_plan.id", ondelete="CASCADE"),
                                         index=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_by: Mapped[str] = mapped_column(String(254))
    seed: Mapped[int]
    #: "class" (whole groups) or "pupil" (pupil numbers within each group).
    unit: Mapped[str] = mapped_column(String(10))
    #: Classes allocated within each school (pupils are always allocated within a class).
    stratified: Mapped[bool] = mapped_column(default=False)
    #: [{"school", "group", "pupil" (or null), "arm"}] as JSON, in a fixed order.
    items_json: Mapped[str] = mapped_column(Text)

    @property
    def items(self) -> list[dict]:
        return json.loads(self.items_json)
