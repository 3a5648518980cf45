"""Storing answers: one transaction per submission, idempotent by its submission key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from survey_app.extensions import db
from survey_app.models import Answer, Collection, Response
from survey_app.models.base import utcnow

# Built once: Core statements on the tables skip the ORM's per-call statement building.
_INSERT_RESPONSE = insert(Response.__table__).returning(Response.__table__.c.id)
_INSERT_ANSWERS = insert(Answer.__table__)


def record_response(
    collection: Collection, values: Mapping[str, str], *, source: str, submission_key: str,
    pupil_number: int | None = None, sheet_id: str | None = None,
    statuses: Mapping[str, str] | None = None, confidences: Mapping[str, float] | None = None,
    commit: bool = True, answered_at: datetime | None = None, timings_json: str | None = None,
) -> tuple[Response, bool]:
    """Store one response with its answers; return (response, created).

    A second call with the same `submission_key` (a double tap, a reload, the same page
    scanned twice) returns the first response and stores nothing: the unique constraint
    on the key decides, so two requests racing each other cannot both win. `values` must
    already be normalised (forms.answers); columns without a value are not stored unless a
    status says why (paper review items).

    Core inserts rather than the ORM unit of work: this is the hot path when a class of
    thirty presses Send within the same minute (benchmarks/submit_bench.py).

    With `commit=False` the rows join the caller's transaction (a scanned page stores its
    response, page record and review items all or nothing); a savepoint then catches a
    duplicate key without losing the rest of that transaction.

    `answered_at` is when the pupil pressed Send, for answers that waited in the browser
    before they reached the server (a dropped connection); None when they came at once.
    `timings_json`: the web page's per-question timings, already checked (answer.timings)."""
    statuses = statuses or {}
    confidences = confidences or {}
    fields = {"collection_id": collection.id, "source": source,
              "submission_key": submission_key, "pupil_number": pupil_number,
              "sheet_id": sheet_id, "submitted_at": utcnow(), "answered_at": answered_at,
              "timings_json": timings_json}
    savepoint = None if commit else db.session.begin_nested()
    try:
        response_id = db.session.execute(_INSERT_RESPONSE, fields).scalar_one()
        rows = [
            {"response_id": response_id, "question_code": col, "value": values.get(col, ""),
             "status": statuses.get(col, "ok"), "confidence": confidences.get(col)}
            for col in dict.fromkeys([*values, *statuses])
        ]
        if rows:
            db.session.execute(_INSERT_ANSWERS, rows)
        if savepoint is not None:
            savepoint.commit()
        else:
            db.session.commit()
    except IntegrityError:
        # This key was stored before (or by a request racing this one): that is the one.
        if savepoint is not None:
            savepoint.rollback()
        else:
            db.session.rollback()
        existing = db.session.scalar(
            select(Response).where(Response.submission_key == submission_key))
        if existing is None:
            raise
        return existing, False
    # Hand back an ORM object without reading the row again; other attributes load lazily.
    response = Response(id=response_id, **fields)
    make_transient_to_detached(response)
    db.session.add(response)
    return response, True
