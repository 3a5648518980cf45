"""Storing answers: one transaction per submission, idempotent by its submission key."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import Answer, Collection, Response


def record_response(
    collection: Collection, values: Mapping[str, str], *, source: str, submission_key: str,
    pupil_number: int | None = None, sheet_id: str | None = None,
    statuses: Mapping[str, str] | None = None, confidences: Mapping[str, float] | None = None,
) -> tuple[Response, bool]:
    """Store one response with its answers; return (response, created).

    A second call with the same `submission_key` (a double tap, a reload, the same page
    scanned twice) returns the first response and stores nothing. `values` must already be
    normalised (forms.answers); columns without a value are not stored unless a status says
    why (paper review items)."""
    existing = db.session.scalar(select(Response).where(Response.submission_key == submission_key))
    if existing is not None:
        return existing, False
    response = Response(collection_id=collection.id, source=source, submission_key=submission_key,
                        pupil_number=pupil_number, sheet_id=sheet_id)
    statuses = statuses or {}
    confidences = confidences or {}
    try:
        db.session.add(response)
        db.session.flush()
        rows = [
            {"response_id": response.id, "question_code": col, "value": values.get(col, ""),
             "status": statuses.get(col, "ok"), "confidence": confidences.get(col)}
            for col in dict.fromkeys([*values, *statuses])
        ]
        if rows:
            db.session.execute(insert(Answer), rows)
        db.session.commit()
    except IntegrityError:
        # Another request with the same key won the race: theirs is the one response.
        db.session.rollback()
        existing = db.session.scalar(
            select(Response).where(Response.submission_key == submission_key))
        if existing is None:
            raise
        return existing, False
    return response, True
