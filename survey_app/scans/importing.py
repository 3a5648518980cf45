"""One scanned page into the database: the scanner (scanner/) reads it and returns plain
results; this module decides whether the page may be stored (its sheet, collection, school,
a repeat), `reading.py` what it says and `responses.py` the response it makes or changes.

Importing is idempotent (the same file or the same page image is recognised), a sheet
whose page comes back with different marks is flagged, never merged, and nothing the
scanner was unsure of is stored as an answer."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from forms.answers import PUPIL_NUMBER
from survey_app.extensions import db
from survey_app.models import Collection, PageStatus, Response, ScanBatch, ScanPage, Sheet
from survey_app.scans.reading import crop_of, layout_lookup, readings, unused_columns
from survey_app.scans.responses import (
    REVIEW_KINDS,
    add_review,
    later_page,
    new_response,
    store_writeins,
)
from survey_app.scans.upload import write_atomic

__all__ = ["ONLY_NUMBER", "REVIEW_KINDS", "UNUSED", "layout_lookup", "store_page"]

UNUSED = ("No marks at all: an unused sheet (a spare?). Not counted as a response; if a "
          "pupil fills it in later, scan it again.")
ONLY_NUMBER = ("only the pupil number is filled in: a pupil who answered nothing, or a spare "
               "sheet someone numbered? Save the number to keep this (empty) response.")


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
            page.image_path = write_atomic(f"pages/{batch.id}/{index}-thumb.png",
                                            result.thumbnail)
        db.session.add(page)
        return page
    page.sheet_id, page.sheet_page = result.sheet_id, result.page
    page.image_path = write_atomic(f"pages/{batch.id}/{index}.jpg", result.image_jpeg())
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
    reading = readings(definition, result, sheet)
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
        new_response(collection, key, page, result, definition, reading,
                      unused_columns(batch, result))
        if marked == {PUPIL_NUMBER} and not written:
            add_review(page.response_id, page, PUPIL_NUMBER, {
                "reason": ONLY_NUMBER, "confidence": 0.0,
                "crop": reading.review.get(PUPIL_NUMBER, {}).get("crop")
                or crop_of(result, PUPIL_NUMBER)}, "only_number")
    else:
        later_page(response, page, result, reading)
    store_writeins(page, result)
    return None
