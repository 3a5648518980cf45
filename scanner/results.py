"""What the scanner returns: plain dataclasses, no database objects. The app decides what to
store (answers, review items, images) and how.

Rectangles are (x, y, w, h) in pixels of the page's normalised image
(`PageResult.image`: upright, deskewed, greyscale, `PageResult.dpi` dots per inch).
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

Rect = tuple[int, int, int, int]

#: JPEG quality of the normalised page the app stores (`PageResult.image_jpeg`).
STORED_JPEG_QUALITY = 80

#: Decisions for one bubble.
EMPTY, MARKED, UNSURE = "empty", "marked", "unsure"


@dataclass(frozen=True)
class BubbleReading:
    """One bubble as measured: the evidence behind every answer and the debug overlay."""

    question: str
    value: str
    #: Centre and radius in the normalised image (after local re-registration), px.
    cx: float
    cy: float
    r: float
    #: Mean relative darkness of the inner disc (0 paper, 1 printed black).
    darkness: float
    #: Fraction of the inner disc that is inked.
    coverage: float
    decision: str
    #: How clearly the printed ring was seen (relative to printed black); below
    #: `tuning.RING_VISIBLE` the bubble is unsure and `darkness` is NaN.
    ring: float = 1.0
    #: Share of the space around the ring inked (a circle drawn round the bubble).
    circle: float = 0.0
    #: How much darker than a clean face the face above this bubble is (faces sheets).
    face: float = 0.0
    #: The one figure the decision uses: `darkness`, raised to read as marked or unsure
    #: by a circle, a coloured face or a mark between two answers (NaN: ring not seen).
    score: float = 0.0
    #: Share of the inner disc that is a drawn stroke, above the page's bubbles of its size
    #: (a faint pencil mark or a thin tick is structured; noise and streaks are not).
    strokes: float = 0.0


@dataclass(frozen=True)
class MarkReading:
    """One mark group (forms.template.MarkGroup) as read: the values found clearly marked
    and how sure (0-1, lowest nearest a threshold). The scanner never joins, folds or
    interprets: `forms.answers.from_marks` turns these into answers."""

    group: str
    #: The answer column the group feeds, its kind (single, multi, digits) and, for
    #: digits, the digit's place (1 tens, 0 units): copied from the stored layout.
    column: str
    kind: str
    digit: int | None
    #: Values whose bubbles are clearly marked, in layout order.
    marked: tuple[str, ...]
    confidence: float
    #: Set when a person must decide, in words a coordinator understands ("2 answers
    #: marked (1, 3)", "a faint mark on 3").
    reason: str | None = None
    #: Values whose bubbles looked marked or unsure (a hint, never stored on its own).
    candidates: tuple[str, ...] = ()
    #: The group's row in the normalised image, for the review screen's crop.
    crop: Rect | None = None


@dataclass(frozen=True)
class MarkReview:
    """An answer column a person must decide (from one or two mark groups)."""

    question: str
    reason: str
    confidence: float
    crop: Rect
    candidates: tuple[str, ...] = ()


def _union(rects: list[Rect]) -> Rect:
    x0 = min(r[0] for r in rects)
    y0 = min(r[1] for r in rects)
    x1 = max(r[0] + r[2] for r in rects)
    y1 = max(r[1] + r[3] for r in rects)
    return (x0, y0, x1 - x0, y1 - y0)


def column_review(marks: list[MarkReading]) -> list[MarkReview]:
    """The columns of these marks a person must decide, each with its groups' crop."""
    from forms.answers import fold_marks

    posted = fold_marks(marks)
    items = []
    for column, reason in posted.unsure.items():
        groups = [m for m in marks if m.column == column]
        crops = [m.crop for m in groups if m.crop is not None]
        items.append(MarkReview(column, reason, min(m.confidence for m in groups),
                                _union(crops) if crops else (0, 0, 0, 0),
                                tuple(v for m in groups for v in m.candidates)))
    return items


@dataclass(frozen=True)
class WriteIn:
    """A text question's write-in box, cut out as PNG (kept, not read)."""

    question: str
    png: bytes
    crop: Rect
    #: Fraction of the box's inside written on (0 for an empty box): an unused sheet has
    #: no marks and no writing.
    ink: float = 0.0

    @property
    def written(self) -> bool:
        return self.ink >= WRITTEN_INK


#: A write-in box with at least this fraction of its inside inked has something written
#: (a short word in a 24 mm box is about 0.5 %; scanner noise stays under 0.05 %).
WRITTEN_INK = 0.002


@dataclass
class PageResult:
    """One page read against its layout."""

    filename: str
    #: 0-based page index in the uploaded file.
    file_page: int
    sheet_id: str
    collection_id: int
    serial: int
    #: 1-based page of the sheet (a two-page survey has pages 1 and 2).
    page: int
    layout_fingerprint: str
    #: Every mark group on the page, as read.
    marks: list[MarkReading] = field(default_factory=list)
    writeins: list[WriteIn] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bubbles: list[BubbleReading] = field(default_factory=list)
    #: Upright, deskewed greyscale page at `dpi` (numpy uint8); encode with `image_jpeg()`.
    image: np.ndarray | None = field(default=None, repr=False)
    dpi: float = 0.0
    #: Rotation of the page as scanned (0, 90, 180, 270 degrees, rounded), for the report.
    rotation: int = 0
    #: The never-reused key of the sheet's collection, from the QR ("" on old sheets): the
    #: app refuses a sheet whose key is not its collection's (an erased collection's).
    sheet_key: str = ""
    #: `image_jpeg()` at its default quality, being encoded on another thread while the page
    #: is measured (`scanner.images.encode_later`); not pickled.
    _jpeg: Future | None = field(default=None, init=False, repr=False, compare=False)

    def image_jpeg(self, quality: int = STORED_JPEG_QUALITY) -> bytes:
        """The normalised page as JPEG bytes (what the app stores for review)."""
        from scanner.images import encode_jpeg

        if self._jpeg is not None and quality == STORED_JPEG_QUALITY:
            return self._jpeg.result()
        return encode_jpeg(self.image, quality)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_jpeg": None}

    @property
    def review(self) -> list[MarkReview]:
        """The answer columns a person must decide."""
        return column_review(self.marks)

    @property
    def answer_map(self) -> dict[str, str]:
        """For tests and the benchmark: each clear column's values as one string (";"
        between multi values), folded by forms.answers. The app uses `marks`."""
        from forms.answers import fold_marks

        return {c: ";".join(v) for c, v in fold_marks(self.marks).values.items()}


@dataclass
class UnreadablePage:
    """A page that could not be read: why, and a small picture so a person can find it."""

    filename: str
    file_page: int
    reason: str
    #: Small PNG of the page as scanned.
    thumbnail: bytes = field(default=b"", repr=False)
    #: True for the blank back of a duplex scan: expected, not an error.
    blank: bool = False
    #: What the QR said, when it was read (a sheet of another installation, say).
    sheet_code: str | None = None
    #: True for a pack's cover page (its own code): expected, skipped with a note.
    cover: bool = False


@dataclass
class SheetResult:
    """All pages of one printed sheet (same collection and serial), joined in page order."""

    sheet_id: str
    collection_id: int
    serial: int
    layout_fingerprint: str
    pages: list[PageResult]
    #: Page numbers of the sheet that did not arrive.
    missing_pages: list[int] = field(default_factory=list)
    #: Question columns on the missing pages: the response's `needs_review` lists them.
    missing_questions: list[str] = field(default_factory=list)
    #: Pages of this serial that arrived twice (the later copies, for the app to compare).
    duplicates: list[PageResult] = field(default_factory=list)

    @property
    def marks(self) -> list[MarkReading]:
        return [m for p in self.pages for m in p.marks]

    @property
    def review(self) -> list[MarkReview]:
        return [r for p in self.pages for r in p.review]

    @property
    def complete(self) -> bool:
        return not self.missing_pages


@dataclass
class FileResult:
    """Everything read from one uploaded file."""

    filename: str
    pages: list[PageResult | UnreadablePage]
    sheets: list[SheetResult]

    @property
    def unreadable(self) -> list[UnreadablePage]:
        return [p for p in self.pages if isinstance(p, UnreadablePage)]
