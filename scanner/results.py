"""What the scanner returns: plain dataclasses, no database objects. The app decides what to
store (answers, review items, images) and how.

Rectangles are (x, y, w, h) in pixels of the page's normalised image
(`PageResult.image`: upright, deskewed, greyscale, `PageResult.dpi` dots per inch).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Rect = tuple[int, int, int, int]

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


@dataclass(frozen=True)
class MarkReading:
    """One answer column as read. `value` is the stored value ("" for blank; multi choices
    joined with ";"); `confidence` is 0-1, lowest for readings nearest a threshold."""

    question: str
    value: str
    confidence: float


@dataclass(frozen=True)
class ReviewItem:
    """A column a person must decide: the scanner does not guess."""

    question: str
    #: Why, in words a coordinator understands ("two marks", "a faint mark on 3").
    reason: str
    confidence: float
    #: The question's row in the normalised image, for the review screen's crop.
    crop: Rect
    #: Values whose bubbles looked marked or unsure (a hint, never stored on its own).
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteIn:
    """A text question's write-in box, cut out as PNG (kept, not read)."""

    question: str
    png: bytes
    crop: Rect


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
    answers: list[MarkReading] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    writeins: list[WriteIn] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bubbles: list[BubbleReading] = field(default_factory=list)
    #: Upright, deskewed greyscale page at `dpi` (numpy uint8); encode with `image_jpeg()`.
    image: np.ndarray | None = field(default=None, repr=False)
    dpi: float = 0.0
    #: Rotation of the page as scanned (0, 90, 180, 270 degrees, rounded), for the report.
    rotation: int = 0

    def image_jpeg(self, quality: int = 80) -> bytes:
        """The normalised page as JPEG bytes (what the app stores for review)."""
        from scanner.images import encode_jpeg

        return encode_jpeg(self.image, quality)

    @property
    def answer_map(self) -> dict[str, str]:
        return {a.question: a.value for a in self.answers}


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
    def answers(self) -> list[MarkReading]:
        return [a for p in self.pages for a in p.answers]

    @property
    def review(self) -> list[ReviewItem]:
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
