"""From readings to answers: each question's decision on a page, the write-in boxes cut
out for a person to read, and the pages of one sheet joined into a `SheetResult`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import cv2
import numpy as np

from forms.sheetcode import (
    QR_FINGERPRINT_CHARS,
)
from forms.template import LayoutFormatError, PageTemplate, SheetTemplate
from scanner import decide, tuning
from scanner.bubbles import px_per_pt
from scanner.images import encode_png
from scanner.results import (
    MarkReading,
    PageResult,
    Rect,
    SheetResult,
    UnreadablePage,
    WriteIn,
)


def _row_rect(page: PageTemplate, groups: Iterable[str]) -> Rect:
    s = px_per_pt()
    boxes = page.rows_of(groups)
    if not boxes:
        return (0, 0, round(page.width_pt * s), round(page.height_pt * s))
    x0 = min(r.x for r in boxes)
    y0 = min(r.y for r in boxes)
    x1 = max(r.x + r.w for r in boxes)
    y1 = max(r.y + r.h for r in boxes)
    pad = 4
    return (round(x0 * s) - pad, round(y0 * s) - pad, round((x1 - x0) * s) + 2 * pad,
            round((y1 - y0) * s) + 2 * pad)


def fill_decisions(result: PageResult, sheet: SheetTemplate, page: PageTemplate) -> None:
    """Apply the decision table to every mark group on this page: per group, the values
    found marked and how sure (`forms.answers.from_marks` makes answers of them)."""
    readings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for b in result.bubbles:
        readings[b.question].append((b.value, b.score))
    for name, bubbles in readings.items():
        group = sheet.group(name)
        d = decide.decide_group(group.kind, name, bubbles)
        result.marks.append(MarkReading(name, group.column, group.kind, group.digit, d.marked,
                                        d.confidence, d.review, d.candidates,
                                        _row_rect(page, (name,))))


#: Inside a write-in box, this far from its printed frame is looked at for writing, mm.
WRITEIN_INSET_MM = 2.5


def writing_in(crop: np.ndarray) -> float:
    """The fraction of a write-in box's inside that is clearly darker than the paper
    around it (writing, not the frame or a shadow): 0 for an empty box."""
    inset = round(WRITEIN_INSET_MM / 25.4 * tuning.NORMALISED_DPI)
    inner = crop[inset:-inset, inset:-inset] if min(crop.shape) > 3 * inset else crop
    if inner.size == 0:
        return 0.0
    paper = cv2.dilate(inner, np.ones((15, 15), np.uint8))
    return round(float((inner.astype(np.float32) < paper.astype(np.float32) * 0.6).mean()), 5)


def cut_writeins(norm: np.ndarray, page: PageTemplate) -> list[WriteIn]:
    s = px_per_pt()
    out = []
    for w in page.writeins:
        x, y = max(0, round(w.x * s)), max(0, round(w.y * s))
        crop = norm[y:y + round(w.h * s), x:x + round(w.w * s)]
        out.append(WriteIn(w.column, encode_png(crop), (x, y, crop.shape[1], crop.shape[0]),
                           writing_in(crop)))
    return out


def join_sheets(pages: Iterable[PageResult | UnreadablePage],
                layout_for: Callable[[str], dict | SheetTemplate | None]) -> list[SheetResult]:
    """Join the pages of each printed sheet by collection and serial, whatever order they
    came in; list missing pages and their questions. Master-sheet copies (serial 0) are each
    their own sheet. `layout_for` gives the stored layout, or the layout already read (a
    `Scanner` has it: reading it again cost a photo about 1 ms)."""
    groups: dict[tuple, list[PageResult]] = defaultdict(list)
    for p in pages:
        if isinstance(p, PageResult):
            key = ((p.collection_id, p.serial, p.layout_fingerprint) if p.serial != 0
                   else (p.collection_id, 0, p.layout_fingerprint, p.filename, p.file_page))
            groups[key].append(p)
    sheets = []
    for group in groups.values():
        first = group[0]
        by_page: dict[int, PageResult] = {}
        dups = []
        for p in sorted(group, key=lambda p: (p.page, p.file_page)):
            if p.page in by_page:
                dups.append(p)
            else:
                by_page[p.page] = p
        doc = layout_for(first.layout_fingerprint[:QR_FINGERPRINT_CHARS])
        try:
            sheet = (doc if isinstance(doc, SheetTemplate) or doc is None
                     else SheetTemplate.from_json(doc))
        except LayoutFormatError:
            sheet = None
        all_pages = [t.page for t in sheet.pages] if sheet else sorted(by_page)
        missing = [n for n in all_pages if n not in by_page]
        missing_q = [c for n in missing for c in sheet.columns_on(n)] if sheet else []
        sheets.append(SheetResult(first.sheet_id, first.collection_id, first.serial,
                                  first.layout_fingerprint, [by_page[n] for n in sorted(by_page)],
                                  missing, missing_q, dups))
    return sheets
