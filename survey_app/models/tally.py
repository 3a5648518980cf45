"""The results tally: answer counts kept per group and survey, so a results page adds up a
few thousand stored counts instead of reading every answer (100,000 responses are close to
a million answer rows; reading them takes seconds, adding up the tally milliseconds).

It is a cache with a signature, never a second source of truth: survey_app.results.tally
rebuilds a block whenever its signature (the collections, their response counts and
highest response ids, and their `revision`) no longer matches, and the answers themselves
stay in the answer table. Rows go with their group, survey and collection (ON DELETE
CASCADE), so erasing data erases its counts too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow

#: Kinds of tally rows: an answer's value in a collection; a before/after pair of one
#: pupil in a group (value, value_after); a then/now pair in one response.
TALLY_KINDS = ("answer", "pair", "retro")


class TallyBlock(db.Model):
    """One group's counts for one survey, valid while `signature` matches the data."""

    __tablename__ = "tally_block"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("pupil_group.id", ondelete="CASCADE"), primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[str] = mapped_column(Text)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TallyCount(db.Model):
    __tablename__ = "tally_count"
    __table_args__ = (
        ForeignKeyConstraint(["group_id", "survey_id"],
                             ["tally_block.group_id", "tally_block.survey_id"],
                             ondelete="CASCADE"),
        Index("ix_tally_count_block", "survey_id", "group_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int]
    survey_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    #: The collection counted ("answer", "retro"), or for a "pair" the group's first
    #: before collection: every row goes when its collection is erased.
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), index=True)
    #: The collection's arm and phase, copied so a page adds up counts without a join
    #: (both are in the block's signature, so a change rebuilds the block).
    comparison: Mapped[bool]
    phase: Mapped[str] = mapped_column(String(10))
    question_code: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text)
    #: The after (or now) value of a "pair" ("retro").
    value_after: Mapped[str | None] = mapped_column(Text)
    n: Mapped[int]
