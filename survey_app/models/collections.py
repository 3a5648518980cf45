"""Collections: one survey version given to one group in one phase."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.join.codes import random_join_code
from survey_app.models.base import UTCDateTime, utcnow
from survey_app.models.people import Group
from survey_app.models.surveys import SurveyVersion

#: When a collection is given: the time points in the order they happen, then "once" (no
#: comparison over time). Pairing follows the pupil number across all the timed ones.
TIME_POINTS = ("before", "during", "after", "follow-up")
PHASES = (*TIME_POINTS, "once")


#: Sheet keys avoid 0/O and 1/I: someone may read one off a sheet over the phone.
SHEET_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SHEET_KEY_CHARS = 8


def new_sheet_key() -> str:
    """A collection's public sheet key, printed in every sheet's QR code: random (40 bits)
    and never reused, so sheets of an erased collection never land in a new one that got
    its integer id."""
    return "".join(secrets.choice(SHEET_KEY_ALPHABET) for _ in range(SHEET_KEY_CHARS))


def new_public_token() -> str:
    """An unguessable link token: 22 url-safe characters carry 132 bits of randomness."""
    return secrets.token_urlsafe(17)[:22]


class UsedJoinCode(db.Model):
    """Every join code ever issued, kept when its collection is erased, so a code on an old
    whiteboard photo or poster never leads into someone else's new collection."""

    __tablename__ = "used_join_code"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)


def issue_join_code(context) -> str:
    """Column default for Collection.join_code: a code never issued before, recorded as used
    in the same transaction (works for ORM and Core inserts alike)."""
    conn = context.connection
    while True:
        code = random_join_code()
        taken = conn.execute(select(UsedJoinCode.code).where(UsedJoinCode.code == code))
        if taken.first() is None:
            conn.execute(insert(UsedJoinCode).values(code=code))
            return code


class Collection(db.Model):
    #: Ids leave the database (sheet ids, exports): SQLite must never hand one out again.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)
    #: Printed in the sheets' QR codes with the id, checked when a sheet is scanned.
    sheet_key: Mapped[str] = mapped_column(String(12), unique=True, default=new_sheet_key)
    #: Six characters for /join, stored without the dash (see survey_app.join.codes).
    join_code: Mapped[str] = mapped_column(String(6), unique=True, default=issue_join_code)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("pupil_group.id"), index=True)
    phase: Mapped[str] = mapped_column(String(10))
    #: Web answers are accepted from opens_at until closes_at (paper is accepted late).
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expected_size: Mapped[int | None]
    ask_pupil_number: Mapped[bool] = mapped_column(default=False)
    #: Pupils who did not take part in the activity, for comparison.
    is_comparison: Mapped[bool] = mapped_column(default=False)
    #: A trial run with a class before the real survey: its answers feed the pilot report
    #: only, never results, the tally or reports (survey_app.results.queries._in_scope).
    pilot: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The before (or after) collection of the same activity.
    paired_with_id: Mapped[int | None] = mapped_column(ForeignKey("collection.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Raised by every change to this collection's stored answers other than a new
    #: response (a review decided, a second page merged, a batch deleted): the results
    #: tally's signature includes it (survey_app.results.tally).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When a pupil last opened the answering page (noted at most once a minute): "Close
    #: now" warns while pupils may still be answering.
    last_shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The language a pupil's page opens in (one the survey declares; a pupil may switch
    #: on the first screen): survey_app.languages.
    language: Mapped[str] = mapped_column(String(12), default="en", server_default="en")

    survey_version: Mapped[SurveyVersion] = relationship()
    group: Mapped[Group] = relationship()
    paired_with: Mapped[Collection | None] = relationship(remote_side="Collection.id")

    @property
    def school(self):
        return self.group.school

    @property
    def partnership_id(self) -> int:
        return self.group.school.partnership_id

    def state(self, now: datetime | None = None) -> str:
        """'open', 'not_open' or 'closed' for web answers."""
        return window_state(self.opens_at, self.closes_at, now)


def window_state(opens_at: datetime | None, closes_at: datetime | None,
                 now: datetime | None = None) -> str:
    """'open', 'not_open' or 'closed': the one rule for a collection's answering window."""
    now = now or utcnow()
    if opens_at and now < opens_at:
        return "not_open"
    if closes_at and now >= closes_at:
        return "closed"
    return "open"
