"""Read pages against stored layouts: the steps in order, each a small named function.

    find markers -> identify the sheet (QR) -> layout by fingerprint -> homography ->
    normalised page -> levels -> measure bubbles -> decide -> write-ins

`Scanner` holds what one batch learns as it goes (layouts already looked up, where the QR
sits in each), so the second and later pages of a layout skip the QR search. Reading the
bubbles is `scanner.bubbles`; decisions, write-ins and joining sheets are `scanner.answers`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from forms.sheetcode import (
    SheetCodeError,
    decode_sheet_code,
    is_cover_code,
)
from forms.template import MULTI, LayoutFormatError, SheetTemplate
from scanner import framing, locate, measure, tuning
from scanner.answers import cut_writeins, fill_decisions, join_sheets
from scanner.bubbles import measure_bubbles, px_per_pt
from scanner.images import encode_later, thumbnail
from scanner.inputs import Limits, PageDecodeError, ScanSource, open_scan
from scanner.results import (
    STORED_JPEG_QUALITY,
    FileResult,
    PageResult,
    UnreadablePage,
)

#: fingerprint prefix (upper case, as in the QR) -> the stored layout document, or None.
LayoutLookup = Callable[[str], dict | None]

BLANK_PAGE = "blank page"
COVER_PAGE = ("The teacher's cover page of a class pack: skipped (it holds no answers).")
NO_MARKERS = ("The four corner squares of the sheet were not found: this is not one of our "
              "sheets, or part of it is cut off or covered. Scan it again with the whole page "
              "showing, or enter its answers by hand.")
NO_CODE = ("This page has no readable sheet code (the square barcode at the top): was it "
           "printed from this system? Scan it again, or enter its answers by hand.")
FOREIGN_CODE = ("The barcode on this page is not a sheet code from this system. If it is one "
                "of our sheets, enter its answers by hand.")
OTHER_INSTALLATION = ("This sheet was printed by another installation of the survey app "
                      "(code {inst}), so its answers cannot be stored here. Give it back to "
                      "whoever printed it.")
UNKNOWN_LAYOUT = ("This sheet (sheet {sheet}) was printed for a collection this system does "
                  "not know: it may have been deleted. Enter its answers by hand if the "
                  "collection still exists.")
NO_SUCH_PAGE = ("This sheet says it is page {page}, but its survey has only {pages} pages. "
                "Enter its answers by hand.")
TOO_SMALL = ("This page image is only {w} x {h} pixels, too small to be a scanned sheet. Scan "
             "the sheet again at 200-300 dpi (or photograph the whole sheet), or enter its "
             "answers by hand.")
#: On every page scanned in black and white (1 bit): its dots keep a thin pen line at about
#: half its contrast, so a circle drawn round an answer can still be missed (1.5-3 answers
#: in 1,000 on generated 1-bit pages; docs/developing/scanner-figures.md). The teacher is
#: told, on the page's line of the batch, how to scan for the surest reading.
BLACK_AND_WHITE = ("Scanned in black and white (1 bit): a thin circle drawn round an answer "
                   "can be missed. For the surest reading, set the copier to greyscale at "
                   "200 dpi or more, and check this sheet's answers against the paper.")
LOW_CONTRAST = ("This page is too dark or too faint to read. Scan it again in greyscale at "
                "200-300 dpi with normal brightness, or enter its answers by hand.")


class _Unreadable(Exception):
    def __init__(self, reason: str, code: str | None = None, blank: bool = False,
                 cover: bool = False):
        super().__init__(reason)
        self.reason, self.code, self.blank, self.cover = reason, code, blank, cover


class Scanner:
    """Reads pages for one installation; `lookup` finds stored layouts by fingerprint."""

    def __init__(self, lookup: LayoutLookup, installation: str, *,
                 limits: Limits | None = None, keep_images: bool = True):
        self.lookup = lookup
        self.installation = installation.upper()
        self.limits = limits or Limits()
        self.keep_images = keep_images
        #: fingerprint prefix -> layout document (None: looked up, not known).
        self._layouts: dict[str, dict | None] = {}
        #: fingerprint prefix -> the same layout, typed (forms.template).
        self._sheets: dict[str, SheetTemplate] = {}
        #: (fingerprint prefix, page) -> where the QR symbol was found last time.
        self._qr_places: dict[tuple[str, int], locate.QrPlace | None] = {}
        self._decoder = None

    # -- Files -----------------------------------------------------------------------------
    def scan_file(self, source: str | Path | bytes, filename: str | None = None, *,
                  then: tuple[str | Path | bytes, str | None] | None = None) -> FileResult:
        """Read every page of one upload. Raises `ScanInputError` (with a message for the
        user) only when the file as a whole cannot be read; bad pages become
        `UnreadablePage`s.

        `then` names the file the caller reads next, (source, filename): the decoding child
        opens it and decodes its first page while this file's last page is measured (a
        phone photo is a file of one page, so its decoding then costs the caller nothing).
        """
        if self._decoder is None:
            from scanner.sandbox import Decoder

            self._decoder = Decoder()  # one child process decodes every file this reads
        src = open_scan(source, filename, limits=self.limits, decoder=self._decoder)
        if then is not None:
            self._decoder.expect(then[0], then[1], self.limits)
        try:
            pages = [self.read_source_page(src, i) for i in range(len(src))]
        finally:
            src.close()
        return FileResult(src.filename, pages, join_sheets(pages, self.sheet))

    def read_source_page(self, src: ScanSource, i: int) -> PageResult | UnreadablePage:
        try:
            page = src.page(i)
        except PageDecodeError as exc:
            return UnreadablePage(src.filename, i, f"{str(exc).capitalize()}. Scan this page "
                                  "again, or enter its answers by hand.")
        return self.read_page(page.image, filename=src.filename, file_page=i)

    # -- One page --------------------------------------------------------------------------
    def read_page(self, img: np.ndarray, *, filename: str = "",
                  file_page: int = 0) -> PageResult | UnreadablePage:
        """Read one page image (greyscale; colour is converted). Never raises for a bad page."""
        if img.ndim == 3:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY if img.shape[2] == 3 else
                               cv2.COLOR_BGRA2GRAY)
        try:
            return self._read(img, filename, file_page)
        except _Unreadable as exc:
            return UnreadablePage(filename, file_page, exc.reason, thumbnail(img),
                                  blank=exc.blank, sheet_code=exc.code, cover=exc.cover)
        except Exception as exc:  # a bug or an absurd image must not stop the batch
            return UnreadablePage(filename, file_page, "This page could not be read "
                                  f"({type(exc).__name__}). Enter its answers by hand.",
                                  thumbnail(img) if img.size else b"")

    def _read(self, img: np.ndarray, filename: str, file_page: int) -> PageResult:
        if min(img.shape[:2]) < tuning.MIN_PAGE_SIDE_PX:
            raise _Unreadable(TOO_SMALL.format(w=img.shape[1], h=img.shape[0]))
        bilevel = _is_bilevel(img)
        dots = img if bilevel else None
        if bilevel:
            # A 1-bit scan shows grey as a dither of black dots: smoothed back into grey, its
            # paper, its QR and its marks read as a greyscale scan's.
            img = cv2.GaussianBlur(img, (0, 0), tuning.DITHER_BLUR_PX)  # rare: 1-bit scans
        markers = locate.find_markers(img)
        if len(markers) < tuning.MIN_MARKERS:
            if measure.is_blank(img):
                raise _Unreadable(BLANK_PAGE, blank=True)
            raise _Unreadable(framing.what_is_wrong(img, markers) or NO_MARKERS)
        code, layout, template, h = self._identify(img, markers, dots)
        cut_off = framing.answers_outside(template, h, img.shape)
        if cut_off:
            raise _Unreadable(cut_off, code.encode())
        sheet = self._sheets[code.fingerprint.upper()]
        page = sheet.page(code.page)
        result = PageResult(filename, file_page, code.sheet_id, code.collection_id, code.serial,
                            code.page, layout["fingerprint"], dpi=tuning.NORMALISED_DPI,
                            rotation=locate.rotation_degrees(h), sheet_key=code.key)
        if bilevel:
            result.warnings.append(BLACK_AND_WHITE)
        if len(markers) < 4:
            found = {2: "two", 3: "three"}.get(len(markers), str(len(markers)))
            result.warnings.append(f"Only {found} of the four corner squares were found: the "
                                   "page was placed from them and its sheet code.")
        norm = normalise(img, h, template)
        if bilevel:
            norm = cv2.GaussianBlur(norm, (0, 0), tuning.DITHER_BLUR_PX)
        half = cv2.pyrDown(norm)
        lv = measure.levels(norm, half, _marker_boxes(template))
        if bilevel:
            lv.line_gain = tuning.DITHER_LINE_GAIN
        if lv.ink_contrast < tuning.MIN_CONTRAST:
            raise _Unreadable(framing.what_is_wrong(img) or LOW_CONTRAST, code.encode())
        if self.keep_images:  # the JPEG the app stores, encoded while the page is measured
            result._jpeg = encode_later(norm, STORED_JPEG_QUALITY)
        multi = frozenset(g.name for g in sheet.groups if g.kind == MULTI)
        result.bubbles = measure_bubbles(norm, half, lv, template, multi)
        fill_decisions(result, sheet, page)
        result.writeins = cut_writeins(norm, page)
        if self.keep_images:
            result.image = norm
        return result

    def _identify(self, img: np.ndarray, markers: locate.Markers,
                  dots: np.ndarray | None = None):
        """The sheet code, its layout and page template, and the homography. `dots` is a
        1-bit page as scanned, before the dither blur that made `img`."""
        # Templates whose markers sit in the same places share one homography (every layout
        # of a paper size does): the QR is read with the first, the page measured with its own.
        tried: dict[tuple, tuple[np.ndarray, float] | None] = {}

        def homography(template: dict) -> tuple[np.ndarray, float] | None:
            key = tuple((m["id"], m["x"], m["y"], m["size"]) for m in template["markers"])
            if key not in tried:
                tried[key] = locate.homography(template, markers)
            return tried[key]

        text = self._read_code(img, markers, homography)
        if not text and dots is not None:
            # At 100-115 dpi a QR module is ~4 scan pixels: the dither blur, right for marks,
            # can smear a skewed page's QR past decoding. A lighter blur of the same dots
            # reads it (paper walk, seed 1500); tried only when the first read fails, so no
            # page that reads now changes.
            lighter = cv2.GaussianBlur(dots, (0, 0), tuning.DITHER_QR_BLUR_PX)
            text = self._read_code(lighter, markers, homography)
        if not text:
            raise _Unreadable(framing.what_is_wrong(img, markers) or NO_CODE)
        if is_cover_code(text):
            raise _Unreadable(COVER_PAGE, text, cover=True)
        try:
            code = decode_sheet_code(text)
        except SheetCodeError:
            raise _Unreadable(FOREIGN_CODE, text) from None
        if code.installation != self.installation:
            raise _Unreadable(OTHER_INSTALLATION.format(inst=code.installation), text)
        layout = self.layout(code.fingerprint)
        if layout is None:
            raise _Unreadable(UNKNOWN_LAYOUT.format(sheet=code.sheet_id), text)
        template = _template(layout, code.page)
        if template is None:
            raise _Unreadable(NO_SUCH_PAGE.format(page=code.page,
                                                  pages=len(layout["page_templates"])), text)
        hg = homography(template)
        if hg is None:
            raise _Unreadable(framing.what_is_wrong(img, markers) or NO_MARKERS, text)
        return code, layout, template, hg[0]

    def _read_code(self, img: np.ndarray, markers: locate.Markers,
                   homography: Callable[[dict], tuple[np.ndarray, float] | None]) -> str:
        """The QR's text, read where each known layout puts it, else searched for; ""."""
        for fp, layout in list(self._layouts.items()):
            if layout is None:
                continue
            for template in layout["page_templates"]:
                hg = homography(template)
                if hg is None:
                    continue
                key = (fp, template["page"])
                text, place = locate.read_qr_at(img, hg[0], template["qr"],
                                                self._qr_places.get(key))
                if text:
                    self._qr_places[key] = place
                    return text
        return locate.read_qr_search(img, markers)

    def sheet(self, fingerprint: str) -> SheetTemplate | None:
        """The stored layout for a QR's fingerprint prefix, read (`forms.template`)."""
        return self._sheets.get(fingerprint.upper()) if self.layout(fingerprint) else None

    def layout(self, fingerprint: str) -> dict | None:
        """The stored layout for a QR's fingerprint prefix (looked up once per batch)."""
        key = fingerprint.upper()
        if key not in self._layouts:
            doc = self.lookup(key)
            if doc is not None and not str(doc.get("fingerprint", "")).upper().startswith(key):
                doc = None  # a lookup that answers with the wrong layout is not trusted
            if doc is not None:
                try:
                    self._sheets[key] = SheetTemplate.from_json(doc)
                except LayoutFormatError:
                    doc = None  # a damaged stored layout is not read against
            self._layouts[key] = doc
        return self._layouts[key]


def _is_bilevel(img: np.ndarray) -> bool:
    """True for a 1-bit (black and white, often dithered) scan: nearly every pixel pure black
    or pure white, judged on a sparse sample."""
    sample = img[::7, ::7]
    return float(np.count_nonzero((sample > 8) & (sample < 247))) < 0.002 * sample.size


def _template(layout: dict, page: int) -> dict | None:
    for t in layout.get("page_templates", ()):
        if t["page"] == page:
            return t
    return None


def _marker_boxes(template: dict) -> list[tuple[float, float, float]]:
    s = px_per_pt()
    return [(m["x"] * s, m["y"] * s, m["size"] * s) for m in template["markers"]]


def normalise(img: np.ndarray, h: np.ndarray, template: dict) -> np.ndarray:
    """The page upright and deskewed at `NORMALISED_DPI`: layout point (x, y) is pixel
    (x, y) * dpi / 72."""
    s = px_per_pt()
    size = (round(template["width_pt"] * s), round(template["height_pt"] * s))
    m = h @ np.array([[1 / s, 0, 0], [0, 1 / s, 0], [0, 0, 1]])
    m = m / m[2, 2]
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    # A flatbed scan has no perspective: when it moves no pixel by more than half a pixel, the
    # affine warp gives the same image in about half the time.
    if (abs(m[2, 0]) * size[0] + abs(m[2, 1]) * size[1]) * max(size) < 0.5:
        return cv2.warpAffine(img, m[:2], size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    # A photo: its lens blurs more than a normalised pixel, so the nearest pixel reads the same
    # as interpolating four (on the benchmark's photos bubble darkness moves by at most
    # 0.008, a tenth of the gap between the thresholds) in half the time of the largest step.
    return cv2.warpPerspective(img, m, size, flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
