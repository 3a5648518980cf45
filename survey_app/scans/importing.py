"""One scanned page into the database: the scanner (scanner/) reads it and returns plain
results; this module decides what to store (moved unchanged from scans/operations.py).

Importing is idempotent (the same file or the same page image is recognised), a sheet
whose page comes back with different marks is flagged, never merged, and nothing the
scanner was unsure of is stored as an answer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from forms.answers import (
    PUPIL_NUMBER,
    PUPIL_NUMBER_LIMIT,
    from_marks,
    normalise,
    normalise_pupil_number,
)
from forms.definition import SurveyDefinition
from forms.template import LayoutFormatError, SheetTemplate
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AnswerStatus,
    Collection,
    PageStatus,
    PrintBatch,
    Response,
    ResponseImage,
    ReviewItem,
    ReviewStatus,
    ScanBatch,
    ScanPage,
    Sheet,
)
from survey_app.results.tally import answers_changed
from survey_app.scans.upload import _write_atomic

#: Kinds of review item, in words for the queue.
REVIEW_KINDS = {
    "unsure": "the scanner was not sure",
    "conflict": "this sheet was scanned again with different marks",
    "missing_page": "the page with this question has not been scanned",
    "only_number": "only the pupil number is filled in",
}


UNUSED = ("No marks at all: an unused sheet (a spare?). Not counted as a response; if a "
          "pupil fills it in later, scan it again.")
ONLY_NUMBER = ("only the pupil number is filled in: a pupil who answered nothing, or a spare "
               "sheet someone numbered? Save the number to keep this (empty) response.")


def layout_lookup(partnership_id: int):
    """fingerprint prefix (as in the QR) -> stored layout document, for the scanner."""

    def lookup(prefix: str) -> dict | None:
        batch = db.session.scalar(
            select(PrintBatch).where(PrintBatch.layout_fingerprint.startswith(prefix.lower()))
            .order_by(PrintBatch.id.desc()).limit(1))
        return json.loads(batch.layout_json) if batch is not None else None

    return lookup


def store_page(batch: ScanBatch, index: int, src, scanner) -> ScanPage:
    """Read page `index` of the batch's file and add what it says to the session (the
    caller commits: one page, one transaction)."""
    from scanner import PageResult
    from scanner.inputs import PageDecodeError

    try:
        raw = src.page(index)
        image = raw.image
        image_hash = hashlib.sha256(image.tobytes()).hexdigest()
        result = scanner.read_page(image, filename=batch.filename, file_page=index)
    except PageDecodeError as exc:
        page = ScanPage(batch_id=batch.id, page_index=index, image_hash="-",
                        status=PageStatus.UNREADABLE, reason=f"{str(exc).capitalize()}. Scan this "
                        "page again, or enter its answers by hand.")
        db.session.add(page)
        return page
    page = ScanPage(batch_id=batch.id, page_index=index, image_hash=image_hash)
    if not isinstance(result, PageResult):
        page.status = (PageStatus.COVER if result.cover else PageStatus.BLANK if result.blank
                       else PageStatus.UNREADABLE)
        page.reason = result.reason
        if result.thumbnail:
            page.image_path = _write_atomic(f"pages/{batch.id}/{index}-thumb.png",
                                            result.thumbnail)
        db.session.add(page)
        return page
    page.sheet_id, page.sheet_page = result.sheet_id, result.page
    page.image_path = _write_atomic(f"pages/{batch.id}/{index}.jpg", result.image_jpeg())
    _store_reading(batch, page, result)
    db.session.add(page)
    return page


def _unreadable(page: ScanPage, reason: str) -> None:
    page.status, page.reason = PageStatus.UNREADABLE, reason


ERASED = ("Sheet {sheet} was printed for a collection that has been erased, so its answers "
          "were not stored (and never will be: erased answers stay erased). Shred the sheet.")


def _sheet_is_from(collection: Collection | None, sheet: Sheet | None, result) -> bool:
    """Whether a scanned sheet was printed for this collection: its QR key is the
    collection's (sheets printed before keys existed: its serial was printed for this
    collection with a layout of the same fingerprint)."""
    if collection is None:
        return False
    if result.sheet_key:
        return result.sheet_key == collection.sheet_key
    return sheet is not None and sheet.batch.layout_fingerprint.upper().startswith(
        result.layout_fingerprint.upper()[:10])


def _store_reading(batch: ScanBatch, page: ScanPage, result) -> None:
    collection = db.session.get(Collection, result.collection_id)
    sheet = collection and db.session.scalar(
        select(Sheet).where(Sheet.collection_id == collection.id, Sheet.serial == result.serial))
    if collection is None or (result.sheet_key and result.sheet_key != collection.sheet_key):
        return _unreadable(page, ERASED.format(sheet=result.sheet_id))
    if collection.partnership_id != batch.partnership_id:
        return _unreadable(page, f"Sheet {result.sheet_id} belongs to another partnership, "
                           "so its answers were not stored. Give it back to whoever "
                           "printed it.")
    if batch.school_id is not None and collection.group.school_id != batch.school_id:
        return _unreadable(page, f"Sheet {result.sheet_id} is from another school's "
                           "collection; ask the coordinator to upload it.")
    if sheet is None:
        return _unreadable(page, f"Sheet {result.sheet_id} was never printed by this "
                           "system (its serial is unknown). Enter its answers by hand.")
    if not _sheet_is_from(collection, sheet, result):
        return _unreadable(page, ERASED.format(sheet=result.sheet_id))
    earlier = db.session.scalar(
        select(ScanPage).join(ScanBatch)
        .where(ScanPage.image_hash == page.image_hash, ScanPage.batch_id != batch.id,
               ScanBatch.partnership_id == batch.partnership_id,
               ScanPage.status.in_((PageStatus.READ, PageStatus.CONFLICT,
                                    PageStatus.DUPLICATE))).limit(1))
    if earlier is not None:
        page.status = PageStatus.DUPLICATE
        page.reason = (f"This page image was imported before (file "
                       f"'{earlier.batch.filename}', page {earlier.page_index + 1}); nothing "
                       "was changed.")
        page.response_id = earlier.response_id
        return None
    definition = collection.survey_version.definition
    reading = _readings(definition, result, sheet)
    warnings = list(result.warnings)
    if collection.state() == "closed":
        warnings.append("Scanned after the collection closed; accepted, as paper is.")
    page.result_json = json.dumps({**reading.as_json(), "warnings": warnings,
                                   "rotation": result.rotation})
    key = (f"paper:img:{page.image_hash}" if result.serial == 0
           else f"paper:{result.sheet_id}")
    response = db.session.scalar(select(Response).where(Response.submission_key == key))
    marked = {m.column for m in result.marks if m.marked or m.reason}
    written = any(w.written for w in result.writeins)
    if response is None and not marked and not written:
        page.status, page.reason = PageStatus.UNUSED, UNUSED
        return None
    if response is None:
        _new_response(collection, key, page, result, definition, reading,
                      _unused_columns(batch, result))
        if marked == {PUPIL_NUMBER} and not written:
            _add_review(page.response_id, page, PUPIL_NUMBER, {
                "reason": ONLY_NUMBER, "confidence": 0.0,
                "crop": reading.review.get(PUPIL_NUMBER, {}).get("crop")
                or _crop_of(result, PUPIL_NUMBER)}, "only_number")
    else:
        _later_page(response, page, result, reading)
    _store_writeins(page, result)
    return None


@dataclass
class Reading:
    """What one page says, after the app's own checks: answers (normalised like web
    answers), their confidences, the pupil number, and the columns a person must decide."""

    values: dict[str, str]
    confidences: dict[str, float]
    pupil_number: str
    review: dict[str, dict]

    def as_json(self) -> dict:
        return {"answers": self.values, "pupil_number": self.pupil_number,
                "review": sorted(self.review)}


def _readings(definition: SurveyDefinition, result, sheet: Sheet) -> Reading:
    """The page's marks as answers: `forms.answers.from_marks` folds digits and lists multi
    choices, then `normalise` (the web's checker) judges them; what either cannot take
    goes to a person, with the crop of its rows."""
    reading = Reading({}, {}, "", {})
    posted = from_marks(definition, result.marks)
    by_column: dict[str, list] = {}
    for m in result.marks:
        by_column.setdefault(m.column, []).append(m)

    def review(column: str, reason: str) -> None:
        marks = by_column.get(column, [])
        crop = _crop_of(result, column)
        reading.review[column] = {
            "reason": reason, "confidence": min((m.confidence for m in marks), default=0.0)
            if not any(m.reason for m in marks) else 0.0,
            "crop": crop, "candidates": [v for m in marks for v in m.candidates]}

    for column, reason in posted.unsure.items():
        review(column, reason)
    number = posted.values.pop(PUPIL_NUMBER, [])
    reading.pupil_number = number[0] if number else ""
    judged = normalise(definition, posted.values, enforce_required=False)
    for column, values in posted.values.items():
        if column in judged.errors:
            read = ", ".join(values) or "nothing"
            review(column, f"the marks read {read}: {judged.errors[column].lower()}")
            continue
        reading.values[column] = judged.values.get(column, "")
        reading.confidences[column] = min(m.confidence for m in by_column[column])
    if sheet.pupil_number is not None:  # a personalised sheet: the number is printed
        reading.pupil_number = str(sheet.pupil_number)
        reading.review.pop(PUPIL_NUMBER, None)
    return reading


def _crop_of(result, column: str):
    crops = [m.crop for m in result.marks if m.column == column and m.crop is not None]
    if not crops:
        return None
    x0, y0 = min(c[0] for c in crops), min(c[1] for c in crops)
    return (x0, y0, max(c[0] + c[2] for c in crops) - x0, max(c[1] + c[3] for c in crops) - y0)


def _pupil_number(reading: Reading) -> int | None:
    try:
        # The sheet's digit rows already bounded it (forms.answers.fold_marks).
        return normalise_pupil_number(reading.pupil_number, PUPIL_NUMBER_LIMIT)
    except ValueError:
        return None


def _add_review(response_id: int, page: ScanPage, column: str, data: dict, kind: str) -> None:
    crop = data.get("crop") or (None, None, None, None)
    db.session.add(ReviewItem(
        response_id=response_id, scan_page=page, question_code=column, kind=kind,
        confidence=data.get("confidence"), crop_x=crop[0], crop_y=crop[1], crop_w=crop[2],
        crop_h=crop[3], detail_json=json.dumps({"reason": data.get("reason", ""),
                                                "candidates": data.get("candidates", [])})))


def _unused_columns(batch: ScanBatch, result) -> set[str]:
    """Columns on the other pages of this sheet that were scanned before with no marks
    ("unused" pages): blank answers, not pages still to come."""
    if result.serial == 0:
        return set()
    pages = set(db.session.scalars(select(ScanPage.sheet_page).where(
        ScanPage.sheet_id == result.sheet_id, ScanPage.status == PageStatus.UNUSED,
        ScanPage.sheet_page != result.page)))
    if not pages:
        return set()
    doc = layout_lookup(batch.partnership_id)(result.layout_fingerprint[:10].upper())
    try:
        sheet = SheetTemplate.from_json(doc) if doc else None
    except LayoutFormatError:
        return set()
    return {c for n in pages for c in sheet.columns_on(n)} if sheet else set()


def _new_response(collection, key, page, result, definition, reading: Reading,
                  unused: set[str] = frozenset()) -> None:
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
        _add_review(response.id, page, col, data, "unsure")
    for col in definition.columns:
        if col not in on_page:
            _add_review(response.id, page, col, {"reason": "its page has not been scanned "
                                                 "yet", "confidence": None}, "missing_page")


def _page_columns(result) -> set[str]:
    """The answer columns printed on this page of the sheet (from its mark groups)."""
    cols = {m.column for m in result.marks} | {w.question for w in result.writeins}
    return cols - {PUPIL_NUMBER}


def _later_page(response: Response, page: ScanPage, result, reading: Reading) -> None:
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
                _add_review(response.id, page, col, data, "unsure")
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
        _add_review(response.id, page, col, {
            "reason": f"the first scan read {old.get(col) or 'blank'!r}, this scan "
                      f"{reading.values.get(col) or 'unsure'!r}",
            "confidence": 0.0, "crop": reading.review.get(col, {}).get("crop")}, "conflict")
    if before.get("pupil_number") != now["pupil_number"]:
        _add_review(response.id, page, PUPIL_NUMBER, {
            "reason": f"the first scan read pupil number {before.get('pupil_number') or 'blank'}"
                      f", this scan {now['pupil_number'] or 'blank'}", "confidence": 0.0},
            "conflict")


def _store_writeins(page: ScanPage, result) -> None:
    if page.status != PageStatus.READ or page.response_id is None:
        return
    for w in result.writeins:
        rel = _write_atomic(f"writeins/{page.response_id}/{w.question}.png", w.png)
        exists = db.session.scalar(select(ResponseImage).where(
            ResponseImage.response_id == page.response_id,
            ResponseImage.question_code == w.question))
        if exists is None:
            db.session.add(ResponseImage(response_id=page.response_id,
                                         question_code=w.question, path=rel))
