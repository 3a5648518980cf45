"""Read pages against stored layouts: the steps in order, each a small named function.

    find markers -> identify the sheet (QR) -> layout by fingerprint -> homography ->
    normalised page -> levels -> measure bubbles -> decide -> write-ins

`Scanner` holds what one batch learns as it goes (layouts already looked up, where the QR
sits in each), so the second and later pages of a layout skip the QR search.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import cv2
import numpy as np

from forms.sheetcode import (
    QR_FINGERPRINT_CHARS,
    SheetCodeError,
    decode_sheet_code,
    is_cover_code,
)
from forms.template import MULTI, LayoutFormatError, PageTemplate, SheetTemplate
from scanner import darkness, decide, framing, locate, measure, tuning
from scanner.images import encode_later, encode_png, thumbnail
from scanner.inputs import Limits, PageDecodeError, ScanSource, open_scan
from scanner.results import (
    STORED_JPEG_QUALITY,
    BubbleReading,
    FileResult,
    MarkReading,
    PageResult,
    Rect,
    SheetResult,
    UnreadablePage,
    WriteIn,
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
    def scan_file(self, source: str | Path | bytes, filename: str | None = None) -> FileResult:
        """Read every page of one upload. Raises `ScanInputError` (with a message for the
        user) only when the file as a whole cannot be read; bad pages become
        `UnreadablePage`s."""
        if self._decoder is None:
            from scanner.sandbox import Decoder

            self._decoder = Decoder()  # one child process decodes every file this reads
        src = open_scan(source, filename, limits=self.limits, decoder=self._decoder)
        try:
            pages = [self.read_source_page(src, i) for i in range(len(src))]
        finally:
            src.close()
        return FileResult(src.filename, pages, join_sheets(pages, self.layout))

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
        if bilevel:
            # A 1-bit scan shows grey as a dither of black dots: smoothed back into grey, its
            # paper, its QR and its marks read as a greyscale scan's.
            img = cv2.GaussianBlur(img, (0, 0), tuning.DITHER_BLUR_PX)  # rare: 1-bit scans
        markers = locate.find_markers(img)
        if len(markers) < tuning.MIN_MARKERS:
            if measure.is_blank(img):
                raise _Unreadable(BLANK_PAGE, blank=True)
            raise _Unreadable(framing.what_is_wrong(img, markers) or NO_MARKERS)
        code, layout, template, h = self._identify(img, markers)
        cut_off = framing.answers_outside(template, h, img.shape)
        if cut_off:
            raise _Unreadable(cut_off, code.encode())
        sheet = self._sheets[code.fingerprint.upper()]
        page = sheet.page(code.page)
        result = PageResult(filename, file_page, code.sheet_id, code.collection_id, code.serial,
                            code.page, layout["fingerprint"], dpi=tuning.NORMALISED_DPI,
                            rotation=locate.rotation_degrees(h), sheet_key=code.key)
        if len(markers) < 4:
            found = {2: "two", 3: "three"}.get(len(markers), str(len(markers)))
            result.warnings.append(f"Only {found} of the four corner squares were found: the "
                                   "page was placed from them and its sheet code.")
        norm = normalise(img, h, template)
        if bilevel:
            norm = cv2.GaussianBlur(norm, (0, 0), tuning.DITHER_BLUR_PX)
        half = cv2.pyrDown(norm)
        lv = measure.levels(norm, half, _marker_boxes(template))
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

    def _identify(self, img: np.ndarray, markers: locate.Markers):
        """The sheet code, its layout and page template, and the homography."""
        text = ""
        # Templates whose markers sit in the same places share one homography (every layout
        # of a paper size does): the QR is read with the first, the page measured with its own.
        tried: dict[tuple, tuple[np.ndarray, float] | None] = {}

        def homography(template: dict) -> tuple[np.ndarray, float] | None:
            key = tuple((m["id"], m["x"], m["y"], m["size"]) for m in template["markers"])
            if key not in tried:
                tried[key] = locate.homography(template, markers)
            return tried[key]

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
                    break
            if text:
                break
        if not text:
            text = locate.read_qr_search(img, markers)
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


def _scale() -> float:
    return tuning.NORMALISED_DPI / 72


def _marker_boxes(template: dict) -> list[tuple[float, float, float]]:
    s = _scale()
    return [(m["x"] * s, m["y"] * s, m["size"] * s) for m in template["markers"]]


def normalise(img: np.ndarray, h: np.ndarray, template: dict) -> np.ndarray:
    """The page upright and deskewed at `NORMALISED_DPI`: layout point (x, y) is pixel
    (x, y) * dpi / 72."""
    s = _scale()
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


def measure_bubbles(norm: np.ndarray, half: np.ndarray, lv: measure.Levels,
                    template: dict, multi: frozenset[str] = frozenset()) -> list[BubbleReading]:
    """Re-register each bubble near its layout position, then measure its darkness.
    `half` is `pyrDown(norm)`."""
    s = _scale()
    search = max(1, round(tuning.REREGISTER_MM / 25.4 * tuning.NORMALISED_DPI))
    tol = tuning.ROW_OFFSET_TOLERANCE_MM / 25.4 * tuning.NORMALISED_DPI
    by_question: dict[str, list[dict]] = defaultdict(list)
    for b in template["bubbles"]:
        by_question[b["question"]].append(b)
    placed: list[tuple[dict, float, float, float]] = []
    rings: list[float] = []
    for bubbles in by_question.values():
        fits = _register_question(half, bubbles, s, search)
        mdx = statistics.median(f[0] for f in fits)
        mdy = statistics.median(f[1] for f in fits)
        for b, (dx, dy, ring) in zip(bubbles, fits, strict=True):
            if abs(dx - mdx) > tol or abs(dy - mdy) > tol:
                dx, dy = mdx, mdy  # a scribble pulled this fit: trust the row
            placed.append((b, b["cx"] * s + dx, b["cy"] * s + dy, b["r"] * s))
            rings.append(ring / max(lv.ink_contrast, 1.0))
    # Bubbles measured together: same size, and same room around them (a row packed as
    # tight as the 0-10 scale gets narrower background bands than the rest).
    xy = np.array([(b["cx"], b["cy"]) for b, _, _, _ in placed]) * s
    gaps = np.full(len(placed), 1e9)
    if len(placed) > 1:
        dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        np.fill_diagonal(dist, np.inf)
        gaps = dist.min(axis=1)
    by_radius: dict[tuple[float, float], list[int]] = defaultdict(list)
    for k, (_, _, _, r) in enumerate(placed):
        tight = gaps[k] < r * (tuning.BAND_TO + 1) + 2.5
        by_radius[(round(r, 1), round(gaps[k], 0) if tight else 1e9)].append(k)
    n = len(placed)
    blind, worded = _face_blind(template, placed, gaps)
    dark, cover, circle, strokes = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for (r, gap), ks in by_radius.items():
        f = darkness.darkness(norm, lv, np.array([placed[k][1] for k in ks]),
                             np.array([placed[k][2] for k in ks]), r, gap, blind[ks],
                             worded=worded[ks])
        dark[ks], cover[ks], circle[ks], strokes[ks] = f.darkness, f.coverage, f.circle, f.strokes
    face = _faces(norm, lv, template, placed)
    between = _between(norm, lv, placed, multi, template.get("labels"))
    # A bubble whose printed ring cannot be seen is not read at all, however pale it is.
    hidden = np.array(rings) < tuning.RING_VISIBLE
    dark[hidden] = np.nan
    shares = _ring_shares(placed, rings)
    score = [decide.score(float(d), float(c), float(fc), strokes=float(st),
                          ring_share=float(sh))
             for d, c, fc, st, sh in zip(dark, circle, face, strokes, shares, strict=True)]
    for a, b, option in between:
        # Ink between two answers, neither of them boldly marked: the child may have meant
        # either (beside a bold mark, a fill or a circle, it is that mark spilling over; a
        # mark between two bubbles that grazes one of them is faint there). In an option row
        # only the next bubble's mark can spill there: the first one's words lie between.
        near = (b,) if option else (a, b)
        if not max(score[k] for k in near) >= tuning.BETWEEN_SPILL_FROM:
            score[a], score[b] = (decide.score(score[a], between=True),
                                  decide.score(score[b], between=True))
    return [BubbleReading(b["question"], str(b["value"]), cx, cy, r, round(float(d), 4),
                          round(float(c), 4), decide.classify(sc), round(ring, 3),
                          round(float(ci), 3), round(float(fc), 3), round(sc, 4),
                          round(float(st), 3))
            for (b, cx, cy, r), d, c, ring, ci, fc, sc, st
            in zip(placed, dark, cover, rings, circle, face, score, strokes, strict=True)]


def _ring_shares(placed: list[tuple[dict, float, float, float]],
                 rings: list[float]) -> np.ndarray:
    """Each bubble's ring contrast as a share of its row's median: ink drawn close round
    the ring, or shading up to it, makes the ring stand out less than its neighbours'."""
    by_q: dict[str, list[int]] = defaultdict(list)
    for k, (b, _, _, _) in enumerate(placed):
        by_q[b["question"]].append(k)
    out = np.ones(len(placed))
    for ks in by_q.values():
        row = statistics.median(rings[k] for k in ks)
        if row > 0:
            out[ks] = [rings[k] / row for k in ks]
    return out


def _face_blind(template: dict, placed: list[tuple[dict, float, float, float]],
                gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per bubble, the annulus sectors its printed face covers and those the answer's words
    under it may cover (faces sheets print the words under every row's circles), and
    whether the bubble has a face (so words) at all. `gaps`: distance to the nearest
    bubble, the most the words may spread (half of it each side)."""
    blind = np.zeros((len(placed), tuning.RING_SECTORS), bool)
    worded = np.zeros(len(placed), bool)
    faces = {(f.get("question"), str(f.get("value"))): f for f in template.get("faces") or ()}
    if not faces:
        return blind, worded
    s = _scale()
    for k, (b, _, _, r) in enumerate(placed):
        f = faces.get((b["question"], str(b["value"])))
        if f is not None:
            blind[k] = darkness.face_sectors(r, (f["cx"] - b["cx"]) * s, (f["cy"] - b["cy"]) * s,
                                            0.44 * f["size"] * s)
            blind[k] |= darkness.word_sectors(r, round(min(gaps[k], 6 * r) / 2, 1))
            worded[k] = True
    return blind, worded


def _faces(norm: np.ndarray, lv: measure.Levels, template: dict,
           placed: list[tuple[dict, float, float, float]]) -> np.ndarray:
    """For each bubble, how much darker than clean the face printed with it is (0 when it
    has none). The face is found by the re-registered bubble under it."""
    faces = template.get("faces") or ()
    out = np.zeros(len(placed))
    if not faces:
        return out
    s = _scale()
    where = {(b["question"], str(b["value"])): (k, cx - b["cx"] * s, cy - b["cy"] * s)
             for k, (b, cx, cy, _) in enumerate(placed)}
    by_size: dict[float, tuple[list[int], list]] = defaultdict(lambda: ([], []))
    for f in faces:
        hit = where.get((f.get("question"), str(f.get("value"))))
        if hit is None:
            continue
        k, dx, dy = hit
        ks, boxes = by_size[round(f["size"], 1)]
        ks.append(k)
        boxes.append((f["cx"] * s + dx, f["cy"] * s + dy, f["size"] * s))
    for ks, boxes in by_size.values():
        out[ks] = darkness.face_darkness(norm, lv, boxes)
    return out


def _between(norm: np.ndarray, lv: measure.Levels,
             placed: list[tuple[dict, float, float, float]],
             multi: frozenset[str] = frozenset(),
             labels: list[dict] | None = None) -> list[tuple[int, int, bool]]:
    """Neighbouring bubbles of one question with ink halfway between them (a mark between
    two answers): in a scale row, between the two rings; in an option row (yes/no, choice,
    tick all), whose words sit after each bubble, in the clear space from one option's
    words to the next option's bubble (only where the layout gives the words' boxes).
    Each pair comes with whether it is an option row's."""
    by_q: dict[str, list[int]] = defaultdict(list)
    for k, (b, _, _, _) in enumerate(placed):
        by_q[b["question"]].append(k)
    words = {(lb["question"], str(lb["value"])): lb for lb in labels or ()}
    pairs, xs, ys, rs = [], [], [], []
    #: Per disc, the two bubbles whose insides and printed rings are left out of it (only for
    #: rows too tight for a disc clear of both: None otherwise).
    clear: list[tuple[int, int] | None] = []

    def discs(a: int, b: int, x0: float, y0: float, x1: float, y1: float, radius: float,
              option: bool = False):
        """Discs of `radius` spaced along the clear line from (x0, y0) to (x1, y1)."""
        length = float(np.hypot(x1 - x0, y1 - y0))
        room = length - 2 * radius
        if radius < 0.15 * placed[a][3] or room < 0:
            return  # no room between them
        steps = 1 + int(room // (1.5 * radius))
        for t in (np.linspace(radius, length - radius, steps) / length if steps > 1
                  else [0.5]):
            pairs.append((a, b, option))
            xs.append(x0 + t * (x1 - x0))
            ys.append(y0 + t * (y1 - y0))
            rs.append(radius)
            clear.append(None)

    for q, ks in by_q.items():
        steps = [float(np.hypot(placed[b][1] - placed[a][1], placed[b][2] - placed[a][2]))
                 for a, b in zip(ks, ks[1:], strict=False)]
        if q not in multi and len(ks) >= 3 and max(steps) <= 1.05 * min(steps):
            for a, b in zip(ks, ks[1:], strict=False):
                (_, ax, ay, ar), (_, bx, by, _) = placed[a], placed[b]
                gap = float(np.hypot(bx - ax, by - ay))
                radius = min(0.5 * ar, gap / 2 - 1.25 * ar)
                if radius < 0.15 * ar:
                    # Rings nearly touching (the 0-10 row on pupil sheets, 2.4 radii apart):
                    # one disc over the middle, less both bubbles and their rings, which
                    # leaves the narrow gap and the paper above and below it.
                    pairs.append((a, b, False))
                    xs.append((ax + bx) / 2)
                    ys.append((ay + by) / 2)
                    rs.append(tuning.TIGHT_BETWEEN_RADIUS * ar)
                    clear.append((a, b))
                    continue
                # Along the line between the two rings, clear of both by a quarter radius.
                u = (1.25 * ar) / gap
                discs(a, b, ax + u * (bx - ax), ay + u * (by - ay), bx - u * (bx - ax),
                      by - u * (by - ay), radius)
            continue
        _option_gaps(placed, ks, words, discs)
    out: list[tuple[int, int, bool]] = []
    # Scale rows' and option rows' discs (and those over touching rings) each with their own
    # page median.
    by_size: dict[tuple[float, bool, bool], list[int]] = defaultdict(list)
    for j, radius in enumerate(rs):
        by_size[(round(radius, 1), pairs[j][2], clear[j] is not None)].append(j)
    for (radius, option, tight), js in by_size.items():
        away = None
        if tight:
            # Each disc less the insides of its two bubbles and their printed rings.
            away = np.array([[(placed[k][1], placed[k][2], placed[k][3] + tuning.RING_CLEAR_PX)
                              for k in clear[j]] for j in js])
        ink = darkness.ink_at(norm, lv, np.array([xs[j] for j in js]),
                             np.array([ys[j] for j in js]), radius, solid=option or tight,
                             away=away, solid_from=tuning.TIGHT_BETWEEN_SOLID if tight
                             else tuning.BETWEEN_SOLID)
        least = tuning.TIGHT_BETWEEN_INK if tight else tuning.BETWEEN_INK
        for j, v in zip(js, ink, strict=True):
            if v > least and pairs[j] not in out:
                out.append(pairs[j])
    return out


def _option_gaps(placed: list[tuple[dict, float, float, float]], ks: list[int],
                 words: dict[tuple[str, str], dict], discs) -> None:
    """An option row: for each option followed by another on the same line, the clear
    space from the end of its words to the next bubble's ring (`discs` places the discs)."""
    s = _scale()
    for a, b in zip(ks, ks[1:], strict=False):
        (ba, ax, ay, ar), (_, bx, by, br) = placed[a], placed[b]
        lb = words.get((ba["question"], str(ba["value"])))
        if lb is None or abs(by - ay) > 0.5 * ar or bx <= ax:
            continue  # no words known, or the next option starts a new line
        # The words move with their bubble (its re-registered offset).
        end = (lb["x"] + lb["w"]) * s + (ax - ba["cx"] * s)
        x0, x1 = end + tuning.OPTION_GAP_CLEAR * ar, bx - 1.25 * br
        radius = min(0.5 * ar, (x1 - x0) / 2)
        discs(a, b, x0, ay, x1, by, radius, option=True)


def _register_question(half: np.ndarray, bubbles: list[dict], s: float,
                       search: int) -> list[tuple[float, float, float]]:
    """Fits for one question's bubbles, in their order: one strip per line of same-sized
    bubbles (a question's bubbles usually share one line)."""
    lines: dict[tuple[float, float], list[int]] = defaultdict(list)
    for k, b in enumerate(bubbles):
        lines[(b["cy"], b["r"])].append(k)
    fits: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * len(bubbles)
    for (cy, r), ks in lines.items():
        row = measure.register_row(half, [bubbles[k]["cx"] * s for k in ks], cy * s, r * s,
                                   search)
        for k, f in zip(ks, row, strict=True):
            fits[k] = f
    return fits


def _row_rect(page: PageTemplate, groups: Iterable[str]) -> Rect:
    s = _scale()
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
    s = _scale()
    out = []
    for w in page.writeins:
        x, y = max(0, round(w.x * s)), max(0, round(w.y * s))
        crop = norm[y:y + round(w.h * s), x:x + round(w.w * s)]
        out.append(WriteIn(w.column, encode_png(crop), (x, y, crop.shape[1], crop.shape[0]),
                           writing_in(crop)))
    return out


def join_sheets(pages: Iterable[PageResult | UnreadablePage],
                layout_for: Callable[[str], dict | None]) -> list[SheetResult]:
    """Join the pages of each printed sheet by collection and serial, whatever order they
    came in; list missing pages and their questions. Master-sheet copies (serial 0) are each
    their own sheet."""
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
            sheet = SheetTemplate.from_json(doc) if doc is not None else None
        except LayoutFormatError:
            sheet = None
        all_pages = [t.page for t in sheet.pages] if sheet else sorted(by_page)
        missing = [n for n in all_pages if n not in by_page]
        missing_q = [c for n in missing for c in sheet.columns_on(n)] if sheet else []
        sheets.append(SheetResult(first.sheet_id, first.collection_id, first.serial,
                                  first.layout_fingerprint, [by_page[n] for n in sorted(by_page)],
                                  missing, missing_q, dups))
    return sheets
