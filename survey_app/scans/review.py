"""The review queue, hand entry of unreadable pages, and deleting a batch (moved
unchanged from scans/operations.py)."""

from __future__ import annotations

import json

from flask_babel import gettext
from sqlalchemy import delete, func, select, update

from forms.answers import (
    PUPIL_NUMBER,
    from_marks,
    marks_from_review,
    normalise_column,
    normalise_pupil_number,
)
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AnswerStatus,
    Collection,
    PageStatus,
    Response,
    ResponseImage,
    ReviewItem,
    ReviewStatus,
    ScanBatch,
    ScanPage,
    User,
)
from survey_app.models.base import utcnow
from survey_app.pupil_numbers import pupil_number_max
from survey_app.results.tally import answers_changed
from survey_app.scans.upload import ScanUploadError
from survey_app.storage import storage

# --- review ----------------------------------------------------------------------------

CANT_TELL = "__cant_tell__"


def resolve_review_item(item: ReviewItem, value: str | list[str], user: User) -> None:
    """A person's decision: the values as a web form posts them (an option code, several
    for a tick-all question, a number), [] or "" for blank, or CANT_TELL (stored blank
    with status `unreadable`). They pass the same checker as any answer."""
    if item.status != ReviewStatus.OPEN:
        raise ScanUploadError(gettext("This item was already resolved."))
    values = [value] if isinstance(value, str) else list(value)
    values = [v for v in values if v.strip()]
    response = item.response
    definition = response.collection.survey_version.definition
    column = item.question_code
    cant_tell = values == [CANT_TELL]
    if not cant_tell:  # the decision goes the scanner's way: marks, from_marks, the checker
        posted = from_marks(definition, marks_from_review(definition, column, values))
        if column in posted.unsure:
            raise ScanUploadError(gettext("That is not an answer here: %(value)s.",
                                          value=posted.unsure[column]))
        values = posted.values.get(column, [])
    if column == PUPIL_NUMBER:
        if not values or cant_tell:
            response.pupil_number = None
        else:
            try:
                response.pupil_number = normalise_pupil_number(values[0],
                                                               pupil_number_max())
            except ValueError:
                raise ScanUploadError(gettext("A pupil number is from 1 to %(max)s.",
                                              max=pupil_number_max())) from None
    else:
        q = definition.question_for_column(column)
        if cant_tell:
            stored, status = "", AnswerStatus.UNREADABLE
        else:
            try:
                stored = normalise_column(q, values)
            except ValueError as exc:
                raise ScanUploadError(str(exc)) from None
            status = AnswerStatus.OK
        others_open = db.session.scalar(
            select(func.count()).select_from(ReviewItem).where(
                ReviewItem.response_id == response.id, ReviewItem.id != item.id,
                ReviewItem.question_code == item.question_code,
                ReviewItem.status == ReviewStatus.OPEN))
        db.session.execute(update(Answer).where(Answer.response_id == response.id,
                                                Answer.question_code == item.question_code)
                           .values(value=stored, status=AnswerStatus.NEEDS_REVIEW if others_open
                                   else status, confidence=None))
    answers_changed(response_ids=[response.id])
    item.status = ReviewStatus.RESOLVED
    item.resolved_value = ";".join(values)
    item.resolved_by_id = user.id
    item.resolved_at = utcnow()
    db.session.commit()


def enter_page_by_hand(page: ScanPage, collection: Collection, values: dict[str, str],
                       pupil_number: int | None, user: User) -> Response:
    """Answers typed by a person looking at a page the scanner could not read."""
    from survey_app.answer.operations import record_response

    response, _ = record_response(collection, values, source="paper",
                                  submission_key=f"paper:manual:{page.id}",
                                  pupil_number=pupil_number)
    page.status, page.response_id, page.created_response = PageStatus.MANUAL, response.id, True
    page.reason = f"Entered by hand by {user.email}."
    db.session.commit()
    return response


def delete_batch(batch: ScanBatch) -> dict[str, int]:
    """Remove a batch uploaded by mistake, with every response and answer it created (and
    the answers it added to responses another batch made), and its stored files."""
    pages = list(batch.pages)
    created = [p.response_id for p in pages if p.created_response and p.response_id]
    counts = {"pages": len(pages), "responses": len(set(created))}
    files = [p.image_path for p in pages]
    if not db.session.scalar(select(ScanBatch.id).where(  # another upload of the same file
            ScanBatch.stored_path == batch.stored_path, ScanBatch.id != batch.id).limit(1)):
        files.append(batch.stored_path)
    answers_changed(response_ids={p.response_id for p in pages if p.response_id})
    for p in pages:
        if p.response_id and not p.created_response and p.status == PageStatus.READ:
            # Its answers go back to waiting for this page.
            db.session.execute(update(Answer).where(
                Answer.response_id == p.response_id,
                Answer.question_code.in_(json.loads(p.result_json or "{}")
                                         .get("answers", {}).keys()))
                .values(value="", status=AnswerStatus.NEEDS_REVIEW))
    if created:
        files += list(db.session.scalars(select(ResponseImage.path)
                                         .where(ResponseImage.response_id.in_(created))))
        db.session.execute(update(ScanPage).where(ScanPage.response_id.in_(created))
                           .values(response_id=None))
        db.session.execute(delete(ReviewItem).where(ReviewItem.response_id.in_(created)))
        db.session.execute(delete(ResponseImage).where(ResponseImage.response_id.in_(created)))
        db.session.execute(delete(Answer).where(Answer.response_id.in_(created)))
        db.session.execute(delete(Response).where(Response.id.in_(created)))
    db.session.execute(delete(ReviewItem).where(
        ReviewItem.scan_page_id.in_([p.id for p in pages])))
    db.session.delete(batch)
    db.session.commit()
    storage().delete_many(rel for rel in files if rel)
    return counts
