"""The responses a scanned page makes or changes: a new response, a later page of a sheet
already stored, a re-scan with different marks (flagged, never merged), the review items
for what a person must decide, and the write-in images.

Called by the importing of a page (`importing.py`) once it has decided the page may be
stored; it reads the page through `reading.py`.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, select, update

from forms.answers import PUPIL_NUMBER, PUPIL_NUMBER_LIMIT, normalise_pupil_number
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AnswerStatus,
    PageStatus,
    Response,
    ResponseImage,
    ReviewItem,
    ReviewStatus,
    ScanPage,
)
from survey_app.results.tally import answers_changed
from survey_app.scans.reading import Reading
from survey_app.scans.upload import write_atomic

#: Kinds of review item, in words for the queue.
REVIEW_KINDS = {
    "unsure": "the scanner was not sure",
    "conflict": "this sheet was scanned again with different marks",
    "missing_page": "the page with this question has not been scanned",
    "only_number": "only the pupil number is filled in",
}


def _pupil_number(reading: Reading) -> int | None:
    try:
        # The sheet's digit rows already bounded it (forms.answers.fold_marks).
        return normalise_pupil_number(reading.pupil_number, PUPIL_NUMBER_LIMIT)
    except ValueError:
        return None


def add_review(response_id: int, page: ScanPage, column: str, data: dict, kind: str) -> None:
    """A review item for `column` (`data`: reason, confidence, crop, candidates); also for
    `importing.py`'s "only the pupil number" pages."""
    crop = data.get("crop") or (None, None, None, None)
    db.session.add(ReviewItem(
        response_id=response_id, scan_page=page, question_code=column, kind=kind,
        confidence=data.get("confidence"), crop_x=crop[0], crop_y=crop[1], crop_w=crop[2],
        crop_h=crop[3], detail_json=json.dumps({"reason": data.get("reason", ""),
                                                "candidates": data.get("candidates", [])})))



def new_response(collection, key, page, result, definition, reading: Reading,
                  unused: set[str] = frozenset()) -> None:
    """The first page of a sheet (or an unnumbered one): a new response, with review items
    for what a person must decide and for the columns on pages not yet scanned."""
    from survey_app.answer.operations import record_response

    on_page = _page_columns(result) | (set(unused) - {PUPIL_NUMBER})
    # Answer rows: what was read, blanks, and "needs review" for the columns a person must
    # decide and for those on pages not yet scanned.
    statuses = {c: AnswerStatus.NEEDS_REVIEW for c in reading.review if c != PUPIL_NUMBER}
    statuses.update({c: AnswerStatus.NEEDS_REVIEW for c in definition.columns if c not in on_page})
    values = {**{c: "" for c in on_page if c not in statuses}, **reading.values}
    response, created = record_response(
        collection, values, source="paper", submission_key=key,
        pupil_number=_pupil_number(reading), sheet_id=result.sheet_id, statuses=statuses,
        confidences=reading.confidences, commit=False)
    page.status, page.response_id, page.created_response = PageStatus.READ, response.id, created
    db.session.add(page)
    for col, data in reading.review.items():
        add_review(response.id, page, col, data, "unsure")
    for col in definition.columns:
        if col not in on_page:
            add_review(response.id, page, col, {"reason": "its page has not been scanned "
                                                 "yet", "confidence": None}, "missing_page")


def _page_columns(result) -> set[str]:
    """The answer columns printed on this page of the sheet (from its mark groups)."""
    cols = {m.column for m in result.marks} | {w.question for w in result.writeins}
    return cols - {PUPIL_NUMBER}


def later_page(response: Response, page: ScanPage, result, reading: Reading) -> None:
    """Another page of a sheet already stored: fill its columns, or flag a re-scan."""
    seen = db.session.scalar(
        select(ScanPage).where(ScanPage.response_id == response.id,
                               ScanPage.sheet_page == result.page,
                               ScanPage.status.in_((PageStatus.READ, PageStatus.CONFLICT)),
                               ).limit(1))
    page.response_id = response.id
    if seen is None:
        answers_changed(response_ids=[response.id])
        page.status = PageStatus.READ
        on_page = _page_columns(result)
        db.session.execute(delete(ReviewItem).where(
            ReviewItem.response_id == response.id, ReviewItem.kind == "missing_page",
            ReviewItem.status == ReviewStatus.OPEN, ReviewItem.question_code.in_(on_page)))
        for col in on_page - set(reading.review):
            db.session.execute(update(Answer).where(Answer.response_id == response.id,
                                                    Answer.question_code == col)
                               .values(value=reading.values.get(col, ""), status=AnswerStatus.OK,
                                       confidence=reading.confidences.get(col)))
        for col, data in reading.review.items():
            if col != PUPIL_NUMBER or response.pupil_number is None:
                add_review(response.id, page, col, data, "unsure")
        if response.pupil_number is None:
            response.pupil_number = _pupil_number(reading)
        return
    before = json.loads(seen.result_json or "{}")
    now = reading.as_json()
    if all(before.get(k) == now[k] for k in now):
        page.status = PageStatus.DUPLICATE
        page.reason = ("This sheet page was imported before with the same marks; nothing "
                       "was changed.")
        return
    answers_changed(response_ids=[response.id])
    page.status = PageStatus.CONFLICT
    page.reason = ("This sheet page was imported before with different marks (a photocopied "
                   "or re-marked sheet?): the differences are waiting in the review queue.")
    old = before.get("answers", {})
    for col in sorted(set(old) | set(reading.values) | set(reading.review)):
        if old.get(col) == reading.values.get(col) and col not in reading.review:
            continue
        db.session.execute(update(Answer).where(Answer.response_id == response.id,
                                                Answer.question_code == col)
                           .values(status=AnswerStatus.NEEDS_REVIEW))
        add_review(response.id, page, col, {
            "reason": f"the first scan read {old.get(col) or 'blank'!r}, this scan "
                      f"{reading.values.get(col) or 'unsure'!r}",
            "confidence": 0.0, "crop": reading.review.get(col, {}).get("crop")}, "conflict")
    if before.get("pupil_number") != now["pupil_number"]:
        add_review(response.id, page, PUPIL_NUMBER, {
            "reason": f"the first scan read pupil number {before.get('pupil_number') or 'blank'}"
                      f", this scan {now['pupil_number'] or 'blank'}", "confidence": 0.0},
            "conflict")


def store_writeins(page: ScanPage, result) -> None:
    """The write-in images of a page that was read, kept once per response and question."""
    if page.status != PageStatus.READ or page.response_id is None:
        return
    for w in result.writeins:
        rel = write_atomic(f"writeins/{page.response_id}/{w.question}.png", w.png)
        exists = db.session.scalar(select(ResponseImage).where(
            ResponseImage.response_id == page.response_id,
            ResponseImage.question_code == w.question))
        if exists is None:
            db.session.add(ResponseImage(response_id=page.response_id,
                                         question_code=w.question, path=rel))
