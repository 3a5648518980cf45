"""Importing scanned sheets into the database, and the review queue.

The scanner (scanner/) reads pages and returns plain results; this module decides what to
store. Rules (DESIGN.md): importing is idempotent (the same file or the same page image
is recognised), a sheet whose page comes back with different marks is flagged, never
merged, and nothing the scanner was unsure of is stored as an answer.

Each page is stored in its own transaction, and its files are written under names fixed
by (batch, page) before the commit: a worker killed half-way leaves either a stored page
or nothing, and a rerun overwrites rather than orphaning files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import delete, func, select, update

from forms.answers import (
    PUPIL_NUMBER,
    PUPIL_NUMBER_LIMIT,
    from_marks,
    marks_from_review,
    normalise,
    normalise_column,
    normalise_pupil_number,
)
from forms.definition import Survey as Definition
from forms.template import LayoutFormatError, SheetTemplate
from survey_app.access import Scope
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AnswerStatus,
    BatchStatus,
    Collection,
    PageStatus,
    Partnership,
    PrintBatch,
    Response,
    ResponseImage,
    ReviewItem,
    ReviewStatus,
    ScanBatch,
    ScanPage,
    Sheet,
    User,
)
from survey_app.models.base import utcnow
from survey_app.pupil_numbers import pupil_number_max
from survey_app.results.tally import answers_changed
from survey_app.storage import storage

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
GAVE_UP = ("The scanner stopped {tries} times while reading this file, so it was set aside "
           "and other uploads went on. The pages stored before it stopped are kept. Scan "
           "the remaining sheets again to PDF and upload that, or enter them by hand.")
STORAGE_FAILED = ("The server could not store {what} ({why}): its storage is full or not "
                  "writable. Nothing was imported; ask whoever runs the server to check "
                  "STORAGE_DIR, then upload again.")


class ScanUploadError(ValueError):
    """An upload refused before any work started; the message says what to do."""


@dataclass
class UploadOutcome:
    batch: ScanBatch
    #: False: this exact file was uploaded before; `batch` is the earlier one.
    created: bool
    #: False: the earlier upload is someone else's that this person cannot open.
    visible: bool = True


# --- storage ---------------------------------------------------------------------------
# Files go through survey_app.storage (the local folder or the database, STORAGE_BACKEND).


def _write_atomic(rel: str, data: bytes) -> str:
    """Store `data` under `rel`; never half-written under the real name (see storage)."""
    return storage().put(rel, data)


# --- upload ----------------------------------------------------------------------------


def _limits():
    from scanner.inputs import Limits

    cfg = current_app.config
    chosen = {"max_pages": cfg["SCAN_MAX_PAGES"], "max_bytes": cfg["SCAN_MAX_BYTES"]}
    return Limits(**{k: v for k, v in chosen.items() if v is not None})  # unset: scanner's


def _earlier_upload(partnership: Partnership, digest: str, reach: Scope) -> ScanBatch | None:
    """The same file uploaded before by someone whose upload could import all that this
    person may import. A teacher's upload imports only their school's sheets, so the
    coordinator's (or another school's) upload of that file is a new batch, not a repeat."""
    for earlier in db.session.scalars(
            select(ScanBatch).where(ScanBatch.partnership_id == partnership.id,
                                    ScanBatch.file_hash == digest,
                                    ScanBatch.status != BatchStatus.FAILED).order_by(ScanBatch.id)):
        if Scope(earlier.partnership_id, earlier.school_id).covers(reach):
            return earlier
    return None


def submit_upload(stream: IO[bytes], filename: str, partnership: Partnership,
                  user: User | None) -> UploadOutcome:
    """Check an upload (type by content, size and page limits) and queue it as a batch.

    Raises ScanUploadError with the scanner's message when the file cannot be read at all:
    nothing is stored then."""
    from scanner.errors import ScanInputError
    from scanner.inputs import open_scan

    limits = _limits()
    data = stream.read(limits.max_bytes + 1)
    filename = Path(filename or "upload").name[:200] or "upload"
    try:
        open_scan(data, filename, limits=limits).close()
    except ScanInputError as exc:
        raise ScanUploadError(str(exc)) from None
    digest = hashlib.sha256(data).hexdigest()
    reach = Scope.for_user(user) if user is not None else Scope(partnership.id)
    earlier = _earlier_upload(partnership, digest, reach)
    if earlier is not None:
        return UploadOutcome(earlier, False, visible=reach.sees_batch(earlier))
    try:
        rel = _write_atomic(f"uploads/{digest[:2]}/{digest}", data)
    except OSError as exc:
        raise ScanUploadError(STORAGE_FAILED.format(what=f"'{filename}'",
                                                    why=exc.strerror or exc)) from None
    batch = ScanBatch(partnership_id=partnership.id, filename=filename, file_hash=digest,
                      stored_path=rel, size_bytes=len(data),
                      school_id=user.school_id if user is not None and not user.is_coordinator
                      else None,
                      uploaded_by_id=user.id if user is not None else None)
    db.session.add(batch)
    db.session.commit()
    return UploadOutcome(batch, True)


# --- the job ---------------------------------------------------------------------------


def claim_next_batch() -> ScanBatch | None:
    """Take the oldest queued batch, or one whose worker died (stale heartbeat), so that
    two workers (on any machines sharing the database) never take the same batch. A batch
    whose worker died SCAN_MAX_ATTEMPTS times is set aside as failed, so it cannot stop
    every upload behind it.

    PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` locks the row being claimed, and other
    workers skip it rather than wait or retry. SQLite (one machine): a conditional UPDATE
    that only one writer can win."""
    stale = utcnow() - timedelta(
        seconds=current_app.config["SCAN_STALE_SECONDS"])
    tries = current_app.config["SCAN_MAX_ATTEMPTS"]
    db.session.execute(
        update(ScanBatch)
        .where(ScanBatch.status == BatchStatus.RUNNING, ScanBatch.heartbeat_at < stale,
               ScanBatch.attempts >= tries)
        .values(status=BatchStatus.FAILED, finished_at=utcnow(), error=GAVE_UP.format(tries=tries)))
    db.session.commit()
    claimable = ((ScanBatch.status == BatchStatus.QUEUED)
                 | ((ScanBatch.status == BatchStatus.RUNNING) & (ScanBatch.heartbeat_at < stale)))
    if db.engine.dialect.name == "postgresql":
        return _claim_locked(claimable)
    candidates = db.session.scalars(
        select(ScanBatch.id).where(claimable).order_by(ScanBatch.id).limit(5)).all()
    for batch_id in candidates:
        now = utcnow()
        taken = db.session.execute(
            update(ScanBatch)
            .where(ScanBatch.id == batch_id, claimable)
            .values(status=BatchStatus.RUNNING, heartbeat_at=now, attempts=ScanBatch.attempts + 1,
                    started_at=func.coalesce(ScanBatch.started_at, now))
        ).rowcount
        db.session.commit()
        if taken:
            return db.session.get(ScanBatch, batch_id)
    return None


def _claim_locked(claimable) -> ScanBatch | None:
    """PostgreSQL: lock the oldest claimable row no other worker holds, mark it ours,
    commit (which releases the lock with the row already "running")."""
    batch_id = db.session.scalar(
        select(ScanBatch.id).where(claimable).order_by(ScanBatch.id).limit(1)
        .with_for_update(skip_locked=True))
    if batch_id is None:
        db.session.commit()
        return None
    now = utcnow()
    db.session.execute(
        update(ScanBatch).where(ScanBatch.id == batch_id)
        .values(status=BatchStatus.RUNNING, heartbeat_at=now, attempts=ScanBatch.attempts + 1,
                started_at=func.coalesce(ScanBatch.started_at, now)))
    db.session.commit()
    return db.session.get(ScanBatch, batch_id)


def layout_lookup(partnership_id: int):
    """fingerprint prefix (as in the QR) -> stored layout document, for the scanner."""

    def lookup(prefix: str) -> dict | None:
        batch = db.session.scalar(
            select(PrintBatch).where(PrintBatch.layout_fingerprint.startswith(prefix.lower()))
            .order_by(PrintBatch.id.desc()).limit(1))
        return json.loads(batch.layout_json) if batch is not None else None

    return lookup


def run_batch(batch: ScanBatch) -> ScanBatch:
    """Read every page not yet stored (a resumed job skips what an earlier run stored)."""
    from scanner import Scanner
    from scanner.errors import ScanInputError
    from scanner.inputs import open_scan
    from survey_app.paper.operations import installation_id

    done = set(db.session.scalars(select(ScanPage.page_index)
                                  .where(ScanPage.batch_id == batch.id)))
    scanner = Scanner(layout_lookup(batch.partnership_id), installation_id(),
                      limits=_limits())
    try:
        src = open_scan(storage().source(batch.stored_path), batch.filename,
                        limits=_limits())
    except (ScanInputError, OSError) as exc:
        batch.status, batch.error, batch.finished_at = BatchStatus.FAILED, str(exc), utcnow()
        db.session.commit()
        return batch
    try:
        batch.pages_total = len(src)
        db.session.commit()
        for i in range(len(src)):
            if i in done:
                continue
            try:
                store_page(batch, i, src, scanner)
                batch.pages_done = len(done) + 1
                batch.heartbeat_at = utcnow()
                db.session.commit()
            except OSError as exc:
                # Disk full or storage gone: this page's transaction is dropped whole; the
                # pages before it stay stored and "Try again" carries on from here.
                db.session.rollback()
                batch.status, batch.finished_at = BatchStatus.FAILED, utcnow()
                batch.error = STORAGE_FAILED.format(
                    what=f"page {i + 1}", why=exc.strerror or exc).replace(
                    "Nothing was imported", f"The {len(done)} pages before it are stored")
                db.session.commit()
                return batch
            done.add(i)
    finally:
        src.close()
    batch.status, batch.finished_at = BatchStatus.DONE, utcnow()
    batch.pages_done = len(done)
    db.session.commit()
    return batch


def retry_batch(batch: ScanBatch) -> None:
    """Queue a failed batch again; the worker skips the pages already stored."""
    if batch.status != BatchStatus.FAILED:
        raise ScanUploadError("Only a batch that failed can be tried again.")
    batch.status, batch.error, batch.finished_at = BatchStatus.QUEUED, None, None
    batch.attempts = 0  # a person asked: it gets its full number of tries again
    db.session.commit()


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


def _readings(definition: Definition, result, sheet: Sheet) -> Reading:
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


# --- review ----------------------------------------------------------------------------

CANT_TELL = "__cant_tell__"


def resolve_review_item(item: ReviewItem, value: str | list[str], user: User) -> None:
    """A person's decision: the values as a web form posts them (an option code, several
    for a tick-all question, a number), [] or "" for blank, or CANT_TELL (stored blank
    with status `unreadable`). They pass the same checker as any answer."""
    if item.status != ReviewStatus.OPEN:
        raise ScanUploadError("This item was already resolved.")
    values = [value] if isinstance(value, str) else list(value)
    values = [v for v in values if v.strip()]
    response = item.response
    definition = response.collection.survey_version.definition
    column = item.question_code
    cant_tell = values == [CANT_TELL]
    if not cant_tell:  # the decision goes the scanner's way: marks, from_marks, the checker
        posted = from_marks(definition, marks_from_review(definition, column, values))
        if column in posted.unsure:
            raise ScanUploadError(f"That is not an answer here: {posted.unsure[column]}.")
        values = posted.values.get(column, [])
    if column == PUPIL_NUMBER:
        if not values or cant_tell:
            response.pupil_number = None
        else:
            try:
                response.pupil_number = normalise_pupil_number(values[0],
                                                               pupil_number_max())
            except ValueError:
                raise ScanUploadError(f"A pupil number is from 1 to {pupil_number_max()}."
                                      ) from None
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
