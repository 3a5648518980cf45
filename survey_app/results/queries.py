"""Results aggregation in SQL: every query GROUPs BY in the database and returns counts.

The number of rows these return grows with collections x questions x options, never with
the number of responses, so the results page stays fast at 100,000 responses. Queries run
unchanged on SQLite and PostgreSQL (no dialect-specific functions).

Here: the scope of a query and the collections, surveys, schools and groups in it; the
answers themselves are counted in answer_queries.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from survey_app import access
from survey_app.config import DEFAULT_TIMEZONE
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AnswerStatus,
    Collection,
    Group,
    Response,
    School,
    Survey,
    SurveyVersion,
)
from survey_app.models.base import UTCDateTime


@dataclass(frozen=True)
class ResultsScope(access.Scope):
    """What a person is looking at: their access scope (`survey_app.access`: teachers
    always have `school_id` set to their own school), narrowed by the page's filters."""

    group_id: int | None = None
    source: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: Dates in filters are whole days in the school's time zone.
    timezone: str = DEFAULT_TIMEZONE

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=ZoneInfo(self.timezone))

    def response_filters(self) -> list:
        out = []
        if self.source:
            out.append(Response.source == self.source)
        if self.date_from:
            out.append(Response.submitted_at >= self._start_of(self.date_from))
        if self.date_to:
            out.append(Response.submitted_at < self._start_of(self.date_to + timedelta(days=1)))
        return out


@dataclass(frozen=True)
class CollectionInfo:
    id: int
    phase: str
    is_comparison: bool
    expected_size: int | None
    group_id: int
    group: str
    school_id: int
    school: str
    survey_id: int
    survey_code: str
    audience: str


def _in_scope(stmt, scope: ResultsScope, survey_id: int | None):
    """`stmt` (over Collection) joined and narrowed to the collections in scope."""
    stmt = (stmt.join(Group, Group.id == Collection.group_id)
            .join(School, School.id == Group.school_id)
            .join(SurveyVersion, SurveyVersion.id == Collection.survey_version_id)
            .join(Survey, Survey.id == SurveyVersion.survey_id))
    # Pilot collections are trial runs: their answers feed the pilot report only, and
    # everything in results (pages, tally, suppression, report) starts from here.
    stmt = scope.schools(stmt).where(Collection.pilot.is_(False))
    if scope.group_id:
        stmt = stmt.where(Group.id == scope.group_id)
    if survey_id:
        stmt = stmt.where(Survey.id == survey_id)
    return stmt


def collections(scope: ResultsScope, survey_id: int | None = None) -> list[CollectionInfo]:
    """The collections in scope (a few hundred at most), with their names."""
    stmt = _in_scope(
        select(Collection.id, Collection.phase, Collection.is_comparison,
               Collection.expected_size, Group.id, Group.name, School.id, School.name,
               Survey.id, Survey.code, Survey.audience), scope, survey_id,
    ).order_by(School.name, Group.name, Collection.id)
    return [CollectionInfo(*row) for row in db.session.execute(stmt)]


def collection_ids(scope: ResultsScope, survey_id: int | None = None):
    """The ids of the collections in scope, as a subquery: a big survey has over a
    thousand collections, and an IN list of that many parameters costs more to send
    than the query takes to run."""
    return _in_scope(select(Collection.id), scope, survey_id)


def phases_answered(scope: ResultsScope, survey_id: int) -> set[str]:
    """The phases of the collections in scope that have at least one response in the
    filters: a follow-up made ahead of time is not a time point until someone answers."""
    answered = (select(Response.id).where(Response.collection_id == Collection.id,
                                          *scope.response_filters()).exists())
    return set(db.session.scalars(
        select(Collection.phase).distinct()
        .where(Collection.id.in_(collection_ids(scope, survey_id)), answered)))


def response_counts(scope: ResultsScope, ids: list[int]) -> dict[tuple[int, str], int]:
    """(collection id, source) -> number of responses."""
    if not ids:
        return {}
    stmt = (select(Response.collection_id, Response.source, func.count())
            .where(Response.collection_id.in_(ids), *scope.response_filters())
            .group_by(Response.collection_id, Response.source))
    return {(cid, src): n for cid, src, n in db.session.execute(stmt)}


def review_count(scope: ResultsScope, ids: list[int]) -> int:
    """Answers a person still has to look at (unsure marks on scanned sheets)."""
    if not ids:
        return 0
    stmt = (select(func.count()).select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.collection_id.in_(ids), Answer.status == AnswerStatus.NEEDS_REVIEW,
                   *scope.response_filters()))
    return db.session.scalar(stmt) or 0


def surveys(partnership_id: int, school_id: int | None = None) -> list[Survey]:
    """The partnership's surveys (a teacher also sees only their school's own surveys)."""
    stmt = select(Survey).where(Survey.partnership_id == partnership_id).order_by(Survey.title)
    if school_id:
        stmt = stmt.where(or_(Survey.school_id.is_(None), Survey.school_id == school_id))
    return list(db.session.scalars(stmt))


def versions(survey_id: int) -> list[SurveyVersion]:
    return list(db.session.scalars(select(SurveyVersion).where(
        SurveyVersion.survey_id == survey_id).order_by(SurveyVersion.version.desc())))


def schools(partnership_id: int) -> list[School]:
    return list(db.session.scalars(select(School).where(
        School.partnership_id == partnership_id).order_by(School.name)))


def groups(partnership_id: int, school_id: int | None) -> list[tuple[int, str, str]]:
    stmt = (select(Group.id, School.name, Group.name).join(School, School.id == Group.school_id)
            .where(School.partnership_id == partnership_id).order_by(School.name, Group.name))
    if school_id:
        stmt = stmt.where(School.id == school_id)
    return list(db.session.execute(stmt))


def first_last_response(scope: ResultsScope,
                        ids: list[int]) -> tuple[datetime | None, datetime | None]:
    if not ids:
        return None, None
    stmt = select(func.min(Response.submitted_at), func.max(Response.submitted_at)).where(
        Response.collection_id.in_(ids), *scope.response_filters())
    first, last = db.session.execute(stmt).one()
    return _aware(first), _aware(last)


def _aware(value):
    """min()/max() bypass the column type on SQLite: give back UTC-aware datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)
