"""What a scanned page says, after the app's own checks (`Reading`), and the stored layouts
the scanner reads with (`layout_lookup`).

Shared by the importing of a page (`importing.py`) and the responses made from it
(`responses.py`); it reads the database but writes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from forms.answers import PUPIL_NUMBER, from_marks, normalise
from forms.definition import SurveyDefinition
from forms.template import LayoutFormatError, SheetTemplate
from survey_app.extensions import db
from survey_app.models import PageStatus, PrintBatch, ScanBatch, ScanPage, Sheet


def layout_lookup(partnership_id: int):
    """fingerprint prefix (as in the QR) -> stored layout document, for the scanner."""

    def lookup(prefix: str) -> dict | None:
        batch = db.session.scalar(
            select(PrintBatch).where(PrintBatch.layout_fingerprint.startswith(prefix.lower()))
            .order_by(PrintBatch.id.desc()).limit(1))
        return json.loads(batch.layout_json) if batch is not None else None

    return lookup


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


def readings(definition: SurveyDefinition, result, sheet: Sheet) -> Reading:
    """The page's marks as answers: `forms.answers.from_marks` folds digits and lists multi
    choices, then `normalise` (the web's checker) judges them; what either cannot take
    goes to a person, with the crop of its rows. For `importing.py`, before it stores."""
    reading = Reading({}, {}, "", {})
    posted = from_marks(definition, result.marks)
    by_column: dict[str, list] = {}
    for m in result.marks:
        by_column.setdefault(m.column, []).append(m)

    def review(column: str, reason: str) -> None:
        marks = by_column.get(column, [])
        crop = crop_of(result, column)
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


def crop_of(result, column: str):
    """The box around `column`'s rows on the page image (x, y, w, h), or None; for a review
    item, here and in `importing.py` (a page with only a pupil number)."""
    crops = [m.crop for m in result.marks if m.column == column and m.crop is not None]
    if not crops:
        return None
    x0, y0 = min(c[0] for c in crops), min(c[1] for c in crops)
    return (x0, y0, max(c[0] + c[2] for c in crops) - x0, max(c[1] + c[3] for c in crops) - y0)


def unused_columns(batch: ScanBatch, result) -> set[str]:
    """Columns on the other pages of this sheet that were scanned before with no marks
    ("unused" pages): blank answers, not pages still to come. For `importing.py`, which
    hands them to a new response."""
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
