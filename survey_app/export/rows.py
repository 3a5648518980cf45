"""The export's rows: each response in scope streamed with its answers (two sorted streams
merged by response id, read in chunks, so memory stays flat at any size), then laid out
wide (one row a response, one survey) or long (one row an answer, all surveys). Which data
and what a cell says are decided in tables.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain

from sqlalchemy import Row, Select, literal, select, union_all

from forms.answers import MULTI_SEP, PUPIL_NUMBER
from survey_app.access import Scope
from survey_app.export.fields import Field, has_scores, wide_fields
from survey_app.export.tables import (
    ARMS,
    CHUNK_ROWS,
    FIXED_COLUMNS,
    LONG_COLUMNS,
    PILOT_CODES,
    SCORE_COLUMNS,
    TIME_POINT_CODES,
    ExportedVersion,
    ExportError,
    Filters,
    SeveralSurveys,
    check_filters,
    iso_utc,
    join_collection,
    latest_definition,
    safe_text,
    scoped,
    union_columns,
    versions_in_scope,
)
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    Collection,
    Group,
    Partnership,
    Response,
    ReviewItem,
    School,
    Survey,
    SurveyVersion,
)


def _joined(stmt: Select) -> Select:
    """A select from Response joined up to its school, for scoping."""
    return join_collection(stmt.join(Collection, Collection.id == Response.collection_id))


def _response_stream(scope: Scope, filters: Filters) -> Iterator[tuple[Row, list[Row]]]:
    """Each response in scope with its answers (response_id, question_code, value, status).

    Two streams merged by response id rather than one joined query: the response's own
    cells (names, timestamp) are then read and converted once, not once per answer. Both
    use the Core connection with streamed results, read CHUNK_ROWS at a time."""
    responses_stmt = scoped(_joined(
        select(Response.id, Partnership.name, Survey.code, SurveyVersion.version,
               SurveyVersion.id, Response.collection_id, School.name, Group.name,
               Collection.is_comparison, Collection.phase, Response.source, Response.sheet_id,
               Response.pupil_number, Response.submitted_at, Collection.pilot)
        .select_from(Response))
        .join(Partnership, Partnership.id == School.partnership_id), scope, filters,
    ).order_by(Response.id)
    answers = scoped(_joined(
        select(Answer.response_id, Answer.question_code, Answer.value, Answer.status)
        .select_from(Answer).join(Response, Response.id == Answer.response_id)),
        scope, filters)
    # The pupil number has no answer row: an open review item of it is flagged the same way.
    numbers = scoped(_joined(
        select(ReviewItem.response_id, ReviewItem.question_code, literal(""),
               literal("needs_review")).distinct()
        .select_from(ReviewItem).join(Response, Response.id == ReviewItem.response_id)
        .where(ReviewItem.question_code == PUPIL_NUMBER, ReviewItem.status == "open")),
        scope, filters)
    both = union_all(answers, numbers).subquery()
    answers_stmt = select(both).order_by(both.c.response_id)
    conn = db.session.connection().execution_options(stream_results=True)
    response_result = conn.execute(responses_stmt).yield_per(CHUNK_ROWS)
    answer_result = conn.execute(answers_stmt).yield_per(CHUNK_ROWS)
    # Iterating fetched partitions (plain lists) is several times faster than next(result).
    answers = chain.from_iterable(answer_result.partitions())
    try:
        pending = next(answers, None)
        for response in chain.from_iterable(response_result.partitions()):
            mine = []
            while pending is not None and pending[0] <= response[0]:
                if pending[0] == response[0]:
                    mine.append(pending)
                pending = next(answers, None)
            yield response, mine
    finally:
        answer_result.close()
        response_result.close()


def _fixed(row: Sequence) -> list[str]:
    """The fixed leading cells of a response (all but needs_review)."""
    (response_id, partnership, code, version, _vid, collection_id, school, group,
     comparison, phase, source, sheet_id, pupil_number, submitted_at, pilot) = row[:15]
    return [safe_text(partnership), str(response_id), code, str(version), str(collection_id),
            safe_text(school), safe_text(group), ARMS[bool(comparison)], phase,
            TIME_POINT_CODES.get(phase, ""), PILOT_CODES[bool(pilot)], source, sheet_id or "",
            "" if pupil_number is None else str(pupil_number), iso_utc(submitted_at)]


def wide_rows(scope: Scope, filters: Filters) -> Iterator[list[str]]:
    """One survey's responses, one row each: the fixed columns, then one column per answer
    column. Raises SeveralSurveys (before any row) when the filters reach several surveys."""
    versions, columns = _wide_plan(scope, filters)
    return _wide(scope, filters, {v.id: v for v in versions}, columns)


def wide_table(scope: Scope, filters: Filters) -> tuple[list[Field], Iterator[list[str]]]:
    """wide_rows with a description of each column (for SPSS, Stata and datapackage.json)."""
    versions, columns = _wide_plan(scope, filters)
    definitions = [v.definition for v in versions]
    if not definitions and filters.survey:
        definitions = [d for d in [latest_definition(scope, filters.survey)] if d]
    return (wide_fields(definitions, columns, filters.labels),
            _wide(scope, filters, {v.id: v for v in versions}, columns))


def _wide_plan(scope: Scope, filters: Filters) -> tuple[list[ExportedVersion], list[str]]:
    check_filters(scope, filters)
    versions = versions_in_scope(scope, filters)
    codes = sorted({v.code for v in versions})
    if len(codes) > 1:
        raise SeveralSurveys(codes)
    if versions:
        columns = union_columns([v.definition for v in versions])
    else:
        latest = latest_definition(scope, filters.survey) if filters.survey else None
        if latest is None:
            raise ExportError("There are no responses to export for these choices yet: "
                              "choose a survey to get an empty file with its columns.")
        columns = list(latest.columns)
    return versions, columns


def _wide(scope: Scope, filters: Filters, versions: dict[int, ExportedVersion],
          columns: list[str]) -> Iterator[list[str]]:
    scored = has_scores([v.definition for v in versions.values()])
    yield [*FIXED_COLUMNS, *columns, *(SCORE_COLUMNS if scored else ())]
    position = {c: i for i, c in enumerate(columns)}
    for response, answers in _response_stream(scope, filters):
        version = versions[response[4]]
        cells = [""] * len(columns)
        review = []
        for _, column, value, status in answers:
            if status == "needs_review":
                review.append(column)
            if column in position:
                cells[position[column]] = version.cell(column, value, status, filters.labels)
        review.sort(key=lambda c: -1 if c == PUPIL_NUMBER else position.get(c, len(position)))
        if scored:
            cells += version.score_cells(answers)
        yield [*_fixed(response), MULTI_SEP.join(review), *cells]


def long_rows(scope: Scope, filters: Filters) -> Iterator[list[str]]:
    """Every answer in scope, one row each, all surveys in one table (for R and pandas)."""
    check_filters(scope, filters)
    versions = {v.id: v for v in versions_in_scope(scope, filters)}
    return _long(scope, filters, versions)


def _long(scope: Scope, filters: Filters, versions: dict[int, ExportedVersion]
          ) -> Iterator[list[str]]:
    yield list(LONG_COLUMNS)
    for response, answers in _response_stream(scope, filters):
        version = versions[response[4]]
        fixed = _fixed(response)
        answers.sort(key=lambda a: (version.order.get(a[1], len(version.order)), a[1]))
        for _, column, value, status in answers:
            if column == PUPIL_NUMBER:  # flagged in the wide table's needs_review only
                continue
            yield [*fixed, column, version.cell(column, value, status, filters.labels), status]
