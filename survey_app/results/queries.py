"""Results aggregation in SQL: every query GROUPs BY in the database and returns counts.

The number of rows these return grows with collections x questions x options, never with
the number of responses, so the results page stays fast at 100,000 responses. Queries run
unchanged on SQLite and PostgreSQL (no dialect-specific functions).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from forms.definition import NOW, THEN
from forms.scales import DONT_KNOW
from survey_app import access
from survey_app.config import DEFAULT_TIMEZONE
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AnswerStatus,
    Collection,
    Group,
    Response,
    ResponseImage,
    School,
    Survey,
    SurveyVersion,
)
from survey_app.models.base import UTCDateTime

#: Text answers listed per question (the CSV export has them all).
TEXT_LIMIT = 200


@dataclass(frozen=True)
class Scope(access.Scope):
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


def _in_scope(stmt, scope: Scope, survey_id: int | None):
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


def collections(scope: Scope, survey_id: int | None = None) -> list[CollectionInfo]:
    """The collections in scope (a few hundred at most), with their names."""
    stmt = _in_scope(
        select(Collection.id, Collection.phase, Collection.is_comparison,
               Collection.expected_size, Group.id, Group.name, School.id, School.name,
               Survey.id, Survey.code, Survey.audience), scope, survey_id,
    ).order_by(School.name, Group.name, Collection.id)
    return [CollectionInfo(*row) for row in db.session.execute(stmt)]


def collection_ids(scope: Scope, survey_id: int | None = None):
    """The ids of the collections in scope, as a subquery: a big survey has over a
    thousand collections, and an IN list of that many parameters costs more to send
    than the query takes to run."""
    return _in_scope(select(Collection.id), scope, survey_id)


def phases_answered(scope: Scope, survey_id: int) -> set[str]:
    """The phases of the collections in scope that have at least one response in the
    filters: a follow-up made ahead of time is not a time point until someone answers."""
    answered = (select(Response.id).where(Response.collection_id == Collection.id,
                                          *scope.response_filters()).exists())
    return set(db.session.scalars(
        select(Collection.phase).distinct()
        .where(Collection.id.in_(collection_ids(scope, survey_id)), answered)))


def response_counts(scope: Scope, ids: list[int]) -> dict[tuple[int, str], int]:
    """(collection id, source) -> number of responses."""
    if not ids:
        return {}
    stmt = (select(Response.collection_id, Response.source, func.count())
            .where(Response.collection_id.in_(ids), *scope.response_filters())
            .group_by(Response.collection_id, Response.source))
    return {(cid, src): n for cid, src, n in db.session.execute(stmt)}


def review_count(scope: Scope, ids: list[int]) -> int:
    """Answers a person still has to look at (unsure marks on scanned sheets)."""
    if not ids:
        return 0
    stmt = (select(func.count()).select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.collection_id.in_(ids), Answer.status == AnswerStatus.NEEDS_REVIEW,
                   *scope.response_filters()))
    return db.session.scalar(stmt) or 0


def _ok(answer) -> list:
    """A usable answer: checked, not blank, and not "I don't know" (a missing code: left
    out of shares and tests; the pilot report counts it)."""
    return [answer.status == AnswerStatus.OK, answer.value != "", answer.value != DONT_KNOW]


def answer_counts(scope: Scope, ids: list[int],
                  columns: list[str]) -> dict[tuple[int, str, str], int]:
    """(collection id, answer column, value) -> count, usable answers only."""
    if not ids or not columns:
        return {}
    return {(cid, col, val): n for cid, col, val, n in
            db.session.execute(answer_counts_select(scope, ids, columns))}


def answer_counts_select(scope: Scope, ids, columns: list[str]):
    """answer_counts as SQL (collection_id, question_code, value, n), for the tally's
    INSERT ... SELECT too; `ids` is a list or a subquery."""
    # `question_code || ''` keeps SQLite off the question_code index: reading most of the
    # answer table in order is faster than half a million lookups through that index.
    return (select(Response.collection_id.label("collection_id"),
                   Answer.question_code.label("question_code"), Answer.value.label("value"),
                   func.count().label("n"))
            .join(Response, Response.id == Answer.response_id)
            .where(Response.collection_id.in_(ids),
                   Answer.question_code.concat("").in_(columns),
                   *_ok(Answer), *scope.response_filters())
            .group_by(Response.collection_id, Answer.question_code, Answer.value))


def paired_counts(scope: Scope, ids: list[int], columns: list[str],
                  first: str = "before", last: str = "after"
                  ) -> dict[tuple[int, bool, str, str, str], int]:
    """(group id, is comparison, column, first value, last value) -> pupils, pairing a
    response at time point `first` with one at `last` (before and after by default) that
    has the same pupil number in the same group (web and paper alike).

    A pupil number used twice in one phase of a group is ambiguous and left out."""
    if not ids or not columns:
        return {}
    return {(gid, bool(cmp), col, bv, av): n
            for gid, cmp, n_responses, col, bv, av, n in
            db.session.execute(paired_counts_select(scope, ids, columns, first, last))
            if n_responses == 2}


def paired_counts_select(scope: Scope, ids, columns: list[str], first: str = "before",
                         last: str = "after"):
    """paired_counts as SQL (gid, cmp, responses, question_code, before, after, n), where
    "before" is time point `first` and "after" is `last`; rows with `responses` other
    than 2 are ambiguous pupils, for the caller to leave out."""

    def pupils(phase: str):
        """Each (group, pupil) of one phase once, with how many responses carry it.
        Ambiguous pupils are dropped after grouping, not by HAVING, and each phase is its
        own subquery: both keep PostgreSQL's row estimates right, without which it picks
        nested loops and a sort to disk (4 s instead of well under 1 s at 100,000)."""
        return (
            select(func.min(Response.id).label("rid"), func.count().label("n"),
                   Collection.group_id.label("gid"), Collection.is_comparison.label("cmp"),
                   Response.pupil_number.label("pupil"))
            .join(Collection, Collection.id == Response.collection_id)
            .where(Response.collection_id.in_(ids), Collection.phase == phase,
                   Response.pupil_number.is_not(None), *scope.response_filters())
            .group_by(Collection.group_id, Collection.is_comparison, Response.pupil_number)
            .subquery(phase.replace("-", "_"))
        )

    b, a = pupils(first), pupils(last)
    ab, aa = aliased(Answer), aliased(Answer)
    responses = (b.c.n + a.c.n).label("responses")
    return (
        select(b.c.gid, b.c.cmp, responses, ab.question_code.label("question_code"),
               ab.value.label("before"), aa.value.label("after"), func.count().label("n"))
        .select_from(b)
        .join(a, and_(a.c.gid == b.c.gid, a.c.pupil == b.c.pupil, a.c.cmp == b.c.cmp))
        .join(ab, ab.response_id == b.c.rid)
        .join(aa, and_(aa.response_id == a.c.rid, aa.question_code == ab.question_code))
        .where(ab.question_code.in_(columns), *_ok(ab), *_ok(aa))
        .group_by(b.c.gid, b.c.cmp, responses, ab.question_code, ab.value, aa.value)
    )


def retro_counts(scope: Scope, ids: list[int], codes: list[str]
                 ) -> dict[tuple[int, str, str, str], int]:
    """(collection id, question code, 'then' value, 'now' value) -> count, for
    retrospective items answered in one sitting."""
    if not ids or not codes:
        return {}
    return {(cid, col.removesuffix(THEN), tv, nv): k for cid, col, tv, nv, k in
            db.session.execute(retro_counts_select(scope, ids, codes))}


def retro_counts_select(scope: Scope, ids, codes: list[str]):
    """retro_counts as SQL (collection_id, question_code ending in _then, then, now, n)."""
    t, n = aliased(Answer), aliased(Answer)
    now_code = case({f"{c}{THEN}": f"{c}{NOW}" for c in codes}, value=t.question_code)
    return (
        select(Response.collection_id.label("collection_id"),
               t.question_code.label("question_code"), t.value.label("then"),
               n.value.label("now"), func.count().label("n"))
        .select_from(t)
        .join(n, and_(n.response_id == t.response_id, n.question_code == now_code))
        .join(Response, Response.id == t.response_id)
        .where(Response.collection_id.in_(ids), t.question_code.in_([f"{c}{THEN}" for c in codes]),
               *_ok(t), *_ok(n), *scope.response_filters())
        .group_by(Response.collection_id, t.question_code, t.value, n.value)
    )


def _greater(x, y):
    """x > y for whole-number codes stored as text, without a CAST that could fail."""
    return or_(func.length(x) > func.length(y),
               and_(func.length(x) == func.length(y), x > y))


def retro_people(scope: Scope, ids: list[int], tops: dict[str, str]) -> tuple[int, int]:
    """(people with room to improve in at least one area, of those: people who improved in
    at least one area) for retrospective items; `tops` maps question code -> top code."""
    if not ids or not tops:
        return 0, 0
    t, n = aliased(Answer), aliased(Answer)
    now_code = case({f"{c}{THEN}": f"{c}{NOW}" for c in tops}, value=t.question_code)
    top = case({f"{c}{THEN}": v for c, v in tops.items()}, value=t.question_code)
    has_room = t.value != top
    improved = and_(has_room, _greater(n.value, t.value))
    stmt = (
        select(func.count(func.distinct(case((has_room, t.response_id)))),
               func.count(func.distinct(case((improved, t.response_id)))))
        .select_from(t)
        .join(n, and_(n.response_id == t.response_id, n.question_code == now_code))
        .join(Response, Response.id == t.response_id)
        .where(Response.collection_id.in_(ids),
               t.question_code.in_([f"{c}{THEN}" for c in tops]), *_ok(t), *_ok(n),
               *scope.response_filters())
    )
    room, better = db.session.execute(stmt).one()
    return int(room or 0), int(better or 0)


def respondents(scope: Scope, ids: list[int]) -> dict[int, int]:
    """collection id -> responses (whatever they answered)."""
    out: dict[int, int] = defaultdict(int)
    for (cid, _src), k in response_counts(scope, ids).items():
        out[cid] += k
    return dict(out)


def text_answers(scope: Scope, ids: list[int], columns: list[str],
                 limit: int = TEXT_LIMIT) -> dict[tuple[int, str], list[str]]:
    """(collection id, column) -> the newest free-text answers (at most `limit` in all per
    column)."""
    if not ids or not columns:
        return {}
    out: dict[tuple[int, str], list[str]] = defaultdict(list)
    for col in columns:
        stmt = (select(Response.collection_id, Answer.value)
                .join(Response, Response.id == Answer.response_id)
                .where(Response.collection_id.in_(ids), Answer.question_code == col,
                       *_ok(Answer), *scope.response_filters())
                .order_by(Response.submitted_at.desc(), Response.id.desc())
                .limit(limit))
        for cid, value in db.session.execute(stmt):
            out[(cid, col)].append(value)
    return dict(out)


def text_counts(scope: Scope, ids: list[int], columns: list[str]) -> dict[tuple[int, str], int]:
    """(collection id, column) -> written answers (typed, or write-in boxes from scanned
    sheets), for small-number suppression."""
    if not ids or not columns:
        return {}
    out: dict[tuple[int, str], int] = defaultdict(int)
    typed = (select(Response.collection_id, Answer.question_code, func.count())
             .join(Response, Response.id == Answer.response_id)
             .where(Response.collection_id.in_(ids), Answer.question_code.in_(columns),
                    *_ok(Answer), *scope.response_filters())
             .group_by(Response.collection_id, Answer.question_code))
    boxes = (select(Response.collection_id, ResponseImage.question_code, func.count())
             .join(Response, Response.id == ResponseImage.response_id)
             .where(Response.collection_id.in_(ids), ResponseImage.question_code.in_(columns),
                    *scope.response_filters())
             .group_by(Response.collection_id, ResponseImage.question_code))
    for stmt in (typed, boxes):
        for cid, col, n in db.session.execute(stmt):
            out[(cid, col)] += n
    return dict(out)


def writein_images(scope: Scope, ids: list[int], columns: list[str],
                   limit: int = TEXT_LIMIT) -> dict[str, list[int]]:
    """column -> ids of the newest write-in boxes cut from scanned sheets (ResponseImage)."""
    if not ids or not columns:
        return {}
    stmt = (select(ResponseImage.question_code, ResponseImage.id)
            .join(Response, Response.id == ResponseImage.response_id)
            .where(Response.collection_id.in_(ids), ResponseImage.question_code.in_(columns),
                   *scope.response_filters())
            .order_by(Response.submitted_at.desc(), ResponseImage.id.desc()))
    out: dict[str, list[int]] = defaultdict(list)
    for col, image_id in db.session.execute(stmt):
        if len(out[col]) < limit:
            out[col].append(image_id)
    return dict(out)


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


def first_last_response(scope: Scope, ids: list[int]) -> tuple[datetime | None, datetime | None]:
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

