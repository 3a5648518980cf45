"""The answers in SQL: counts of usable answers per option, of the same pupils' before/after
pairs and of 'looking back' items, the people who answered, and the written answers, every
query GROUPed BY in the database within a ResultsScope (queries.py) so the app never loads rows to
count them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from forms.definition import NOW, THEN
from forms.scales import DONT_KNOW
from survey_app.extensions import db
from survey_app.models import Answer, AnswerStatus, Collection, Response, ResponseImage
from survey_app.results.queries import ResultsScope, response_counts

#: Text answers listed per question (the CSV export has them all).
TEXT_LIMIT = 200


def _ok(answer) -> list:
    """A usable answer: checked, not blank, and not "I don't know" (a missing code: left
    out of shares and tests; the pilot report counts it)."""
    return [answer.status == AnswerStatus.OK, answer.value != "", answer.value != DONT_KNOW]


def answer_counts(scope: ResultsScope, ids: list[int],
                  columns: list[str]) -> dict[tuple[int, str, str], int]:
    """(collection id, answer column, value) -> count, usable answers only."""
    if not ids or not columns:
        return {}
    return {(cid, col, val): n for cid, col, val, n in
            db.session.execute(answer_counts_select(scope, ids, columns))}


def answer_counts_select(scope: ResultsScope, ids, columns: list[str]):
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


def paired_counts(scope: ResultsScope, ids: list[int], columns: list[str],
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


def reused_pupil_numbers(scope: ResultsScope, ids: list[int], phases: tuple[str, ...]
                         ) -> dict[str, int]:
    """phase -> pupil numbers given by more than one response in one group (and arm) at
    that time point: the pairing above leaves them out, and the results say how many, so
    nothing is dropped without a word."""
    if not ids or not phases:
        return {}
    reused = (select(Collection.phase.label("phase")).select_from(Response)
              .join(Collection, Collection.id == Response.collection_id)
              .where(Response.collection_id.in_(ids), Collection.phase.in_(phases),
                     Response.pupil_number.is_not(None), *scope.response_filters())
              .group_by(Collection.phase, Collection.group_id, Collection.is_comparison,
                        Response.pupil_number)
              .having(func.count() > 1)
              .subquery())
    return dict(db.session.execute(select(reused.c.phase, func.count())
                                   .group_by(reused.c.phase)).all())


def paired_counts_select(scope: ResultsScope, ids, columns: list[str], first: str = "before",
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


def retro_counts(scope: ResultsScope, ids: list[int], codes: list[str]
                 ) -> dict[tuple[int, str, str, str], int]:
    """(collection id, question code, 'then' value, 'now' value) -> count, for
    retrospective items answered in one sitting."""
    if not ids or not codes:
        return {}
    return {(cid, col.removesuffix(THEN), tv, nv): k for cid, col, tv, nv, k in
            db.session.execute(retro_counts_select(scope, ids, codes))}


def retro_counts_select(scope: ResultsScope, ids, codes: list[str]):
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


def retro_people(scope: ResultsScope, ids: list[int], tops: dict[str, str]) -> tuple[int, int]:
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


def respondents(scope: ResultsScope, ids: list[int]) -> dict[int, int]:
    """collection id -> responses (whatever they answered)."""
    out: dict[int, int] = defaultdict(int)
    for (cid, _src), k in response_counts(scope, ids).items():
        out[cid] += k
    return dict(out)


def text_answers(scope: ResultsScope, ids: list[int], columns: list[str],
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


def text_counts(scope: ResultsScope, ids: list[int],
                columns: list[str]) -> dict[tuple[int, str], int]:
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


def writein_images(scope: ResultsScope, ids: list[int], columns: list[str],
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
