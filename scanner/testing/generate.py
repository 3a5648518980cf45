"""Generate filled-in, scanned-looking sheets with known answers.

    pack = class_pack("pupil_attitudes_7_11", copies=10, pupil_number="bubbles")
    pages = filled_pages(pack, seed=1000, condition="copier")   # images + the truth
    pdf = pages_pdf([p.image for p in pages], dpi=200)          # a copier-style PDF

The mix of mark styles is fixed (`STYLE_MIX`) so accuracy figures are comparable between
runs; thresholds were tuned on seeds below 1000, and accuracy is reported on seeds >= 1000.
The truth for each answer column is a value, "" (blank) or `REVIEW` (a person must look:
two marks, a crossed-out fill beside a new mark).

Renders with print/ (the real class pack) on purpose: this module is the test rig, and
the scanner package proper never imports it or print/.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

REVIEW = "<review>"

#: Single-choice question styles and their share (sums to 1). Two marks and crossed-out
#: fills must go to review; everything else must be read.
STYLE_MIX: dict[str, float] = {
    "blank": 0.08, "fill": 0.26, "scribble": 0.12, "tick": 0.12, "cross": 0.10,
    "pencil": 0.12, "blue": 0.10, "two_marks": 0.05, "crossed_out": 0.05,
}
#: Pages that also carry stray doodles outside the bubbles.
DOODLE_SHARE = 0.3
CONDITIONS = ("clean", "copier", "photo")

PEN_BLACK = (35, 35, 40)
PEN_BLUE = (150, 60, 25)  # BGR: a ballpoint blue
PENCIL = (120, 120, 120)


@dataclass
class Pack:
    """A rendered class pack: the layout document and each sheet page as a colour image."""

    layout: dict
    dpi: float
    installation: str
    collection_id: int
    #: (serial, page number, BGR image) per printed sheet page, cover left out.
    pages: list[tuple[int, int, np.ndarray]]


@dataclass
class FilledPage:
    serial: int
    page: int
    image: np.ndarray
    #: column -> value, "" (blank) or REVIEW.
    truth: dict[str, str] = field(default_factory=dict)
    condition: str = "clean"
    #: (question, value, style) of every mark painted, for tuning.
    marks: list[tuple[str, str, str]] = field(default_factory=list)


def class_pack(survey, copies: int, *, pupil_number: str = "none", paper: str = "a4",
               dpi: float = 200, installation: str = "TESTINST", collection_id: int = 7,
               first_serial: int = 1) -> Pack:
    """Render a real class pack with print/ (no database) and rasterise its sheet pages.
    `survey` is a bank survey's code or a `forms.definition.Survey`."""
    from pathlib import Path

    import pypdfium2 as pdfium

    from forms.definition import load_survey
    from forms.layout import layout_document
    from print import PackSheet, layout_for, render_pack

    if isinstance(survey, str):
        definition = load_survey(Path(__file__).resolve().parents[2] / "forms" / "bank"
                                 / f"{survey}.yaml")
    else:
        definition = survey
    layout = layout_for(definition, paper, pupil_number)
    sheets = [PackSheet(first_serial + k) for k in range(copies)]
    pdf = render_pack(layout, sheets, installation=installation, collection_id=collection_id)
    doc = layout_document(layout, [(f"{collection_id}-{s.serial}", None) for s in sheets])
    pages = []
    with pdfium.PdfDocument(pdf) as d:
        n = len(layout.pages)
        for k, sheet in enumerate(sheets):
            for p in range(n):
                bmp = d[k * n + p].render(scale=dpi / 72)
                rgb = bmp.to_numpy()[:, :, :3]
                pages.append((sheet.serial, p + 1, np.ascontiguousarray(rgb[:, :, ::-1])))
    return Pack(doc, dpi, installation, collection_id, pages)


# --- Painting marks ---------------------------------------------------------------------------


def _px(v: float, dpi: float) -> float:
    return v * dpi / 72


def _stroke(img, pts, colour, width, rng) -> None:
    pts = np.asarray(pts, np.float64)
    cv2.polylines(img, [np.round(pts * 8).astype(np.int32)], False, colour,
                  max(1, int(round(width))), cv2.LINE_AA, 3)


def _fill(img, cx, cy, r, colour, rng, cover=1.0) -> None:
    """A child's fill: an irregular blob about the bubble's size, sometimes over the line."""
    n = 24
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rad = r * cover * rng.uniform(0.82, 1.08, n)
    rad = np.convolve(np.r_[rad[-2:], rad, rad[:2]], np.ones(5) / 5, "valid")
    ox, oy = rng.normal(0, 0.06 * r, 2)
    pts = np.c_[cx + ox + rad * np.cos(ang), cy + oy + rad * np.sin(ang)]
    cv2.fillPoly(img, [np.round(pts * 8).astype(np.int32)], colour, cv2.LINE_AA, 3)


def _pencil(img, cx, cy, r, rng, dpi) -> None:
    """Light pencil shading: parallel grey strokes with gaps, lighter than pen."""
    grey = int(rng.uniform(140, 180))
    colour = (grey, grey, grey)
    w = _px(rng.uniform(0.7, 1.2), dpi)
    angle = rng.uniform(0.5, 1.2)
    step = w * rng.uniform(1.0, 1.7)
    d, k = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    off = -r * 0.95
    while off < r * 0.95:
        half = np.sqrt(max(0.0, (r * 0.98) ** 2 - off ** 2))
        c = np.array([cx, cy]) + k * off
        _stroke(img, [c - d * half, c + d * half], colour, w, rng)
        off += step


def _scribble(img, cx, cy, r, colour, rng, dpi) -> None:
    w = _px(rng.uniform(0.5, 0.9), dpi)
    n = int(rng.integers(7, 13))
    ys = np.linspace(-0.8 * r, 0.8 * r, n)
    xs = np.where(np.arange(n) % 2 == 0, -1, 1) * r * np.sqrt(1 - (ys / r) ** 2) * 0.95
    pts = np.c_[cx + xs + rng.normal(0, 0.08 * r, n), cy + ys + rng.normal(0, 0.05 * r, n)]
    _stroke(img, pts, colour, w, rng)


def _tick(img, cx, cy, r, colour, rng, dpi) -> None:
    w = _px(rng.uniform(0.55, 0.9), dpi)
    s = r * rng.uniform(0.9, 1.25)
    a = (cx - 0.55 * s, cy + 0.0 * s)
    b = (cx - 0.15 * s, cy + 0.5 * s)
    c = (cx + 0.7 * s, cy - 0.65 * s)
    j = rng.normal(0, 0.05 * r, (3, 2))
    _stroke(img, np.array([a, b, c]) + j, colour, w, rng)


def _cross(img, cx, cy, r, colour, rng, dpi) -> None:
    w = _px(rng.uniform(0.55, 0.9), dpi)
    s = r * rng.uniform(0.75, 1.0)
    for sign in (1, -1):
        j = rng.normal(0, 0.06 * r, (2, 2))
        _stroke(img, np.array([(cx - s, cy - sign * s), (cx + s, cy + sign * s)]) + j,
                colour, w, rng)


def paint_mark(img, style: str, cx, cy, r, rng, dpi) -> None:
    """One mark of a style at a bubble (pixel coordinates)."""
    pen = PEN_BLUE if style == "blue" else PEN_BLACK
    if style in ("fill", "blue"):
        if style == "blue" and rng.random() < 0.4:
            _tick(img, cx, cy, r, pen, rng, dpi)
        else:
            _fill(img, cx, cy, r, pen, rng)
    elif style == "pencil":
        _pencil(img, cx, cy, r, rng, dpi)
    elif style == "scribble":
        _scribble(img, cx, cy, r, pen, rng, dpi)
    elif style == "tick":
        _tick(img, cx, cy, r, pen, rng, dpi)
    elif style == "cross":
        _cross(img, cx, cy, r, pen, rng, dpi)
    else:
        raise ValueError(style)


_READ_STYLES = ("fill", "scribble", "tick", "cross", "pencil", "blue")


def _pick_style(rng) -> str:
    names = list(STYLE_MIX)
    return names[int(rng.choice(len(names), p=np.array(list(STYLE_MIX.values()))))]


def _doodle(img, template, dpi, rng) -> None:
    """A stray line or loop that avoids every bubble (with a 2 mm margin)."""
    bubbles = [(_px(b["cx"], dpi), _px(b["cy"], dpi), _px(b["r"] + 6, dpi))
               for b in template["bubbles"]]
    h, w = img.shape[:2]
    for _ in range(30):
        x, y = rng.uniform(0.15 * w, 0.85 * w), rng.uniform(0.15 * h, 0.9 * h)
        t = np.linspace(0, rng.uniform(3, 9), 40)
        size = _px(rng.uniform(15, 45), dpi)
        pts = np.c_[x + size * np.cos(t) * t / 9, y + size * np.sin(1.7 * t) * 0.4]
        if any(np.min(np.hypot(pts[:, 0] - bx, pts[:, 1] - by)) < br for bx, by, br in bubbles):
            continue
        _stroke(img, pts, PEN_BLACK if rng.random() < 0.6 else PEN_BLUE, _px(0.6, dpi), rng)
        return


def fill_page(img: np.ndarray, layout: dict, page: int, dpi: float, rng,
              marks: list | None = None) -> dict[str, str]:
    """Paint answers on one page (in place); return the truth per column. `marks` collects
    (question, value, style) of each mark."""
    marks = [] if marks is None else marks
    template = next(t for t in layout["page_templates"] if t["page"] == page)
    by_q: dict[str, list[dict]] = {}
    for b in template["bubbles"]:
        by_q.setdefault(b["question"], []).append(b)
    kinds = {q["code"]: q["type"] for q in layout["questions"]}
    truth: dict[str, str] = {}

    def mark(b, style):
        marks.append((b["question"], b["value"], style))
        paint_mark(img, style, _px(b["cx"], dpi), _px(b["cy"], dpi), _px(b["r"], dpi), rng, dpi)

    if "pupil_number_units" in by_q:
        n = int(rng.integers(1, 100))
        tens, units = by_q.pop("pupil_number_tens"), by_q.pop("pupil_number_units")
        style = _READ_STYLES[int(rng.integers(0, 3))]  # fill, scribble or tick for digits
        if n >= 10 or rng.random() < 0.5:
            mark(tens[n // 10], style)
        mark(units[n % 10], style)
        truth["pupil_number"] = str(n)
    for q, bubbles in by_q.items():
        if kinds.get(q) == "multi":
            chosen = [b for b in bubbles if rng.random() < 0.4]
            for b in chosen:
                mark(b, _READ_STYLES[int(rng.integers(0, len(_READ_STYLES)))])
            truth[q] = ";".join(b["value"] for b in chosen)
            continue
        style = _pick_style(rng)
        pick = rng.permutation(len(bubbles))
        if style == "blank":
            truth[q] = ""
        elif style == "two_marks":
            for k in pick[:2]:
                mark(bubbles[k], _READ_STYLES[int(rng.integers(0, 3))])
            truth[q] = REVIEW
        elif style == "crossed_out":
            old, new = bubbles[pick[0]], bubbles[pick[1]]
            mark(old, "fill")
            mark(old, "cross")
            mark(new, _READ_STYLES[int(rng.integers(0, 4))])
            truth[q] = REVIEW
        else:
            b = bubbles[pick[0]]
            mark(b, style)
            truth[q] = b["value"]
    for w in template.get("writeins", ()):
        x, y = _px(w["x"] + 8, dpi), _px(w["y"] + w["h"] / 2, dpi)
        cv2.putText(img, "I liked the rockets", (int(x), int(y)), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
                    dpi / 150, PEN_BLUE, 2, cv2.LINE_AA)
    if rng.random() < DOODLE_SHARE:
        _doodle(img, template, dpi, rng)
    return truth


# --- Degrading ------------------------------------------------------------------------------


def _noise(img: np.ndarray, sigma: float, rng) -> np.ndarray:
    n = np.empty(img.shape, np.int16)
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    cv2.randn(n, 0, sigma)
    return cv2.add(img, n, dtype=cv2.CV_8U)


def degrade_copier(img: np.ndarray, rng) -> np.ndarray:
    """A copier's "scan to PDF": small rotation (a quarter upside down), 95-100 % scale,
    a shift, slight blur, grey paper, noise; greyscale."""
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    angle = rng.uniform(-2.5, 2.5) + (180 if rng.random() < 0.25 else 0)
    scale = rng.uniform(0.95, 1.0)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[:, 2] += rng.uniform(-0.015, 0.015, 2) * (w, h)
    paper = int(rng.uniform(225, 250))
    out = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=paper)
    # Paper is not pure white and the toner not pure black.
    out = cv2.convertScaleAbs(out, alpha=(paper - 20) / 255, beta=20)
    sigma = rng.uniform(0.3, 0.9)
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    return _noise(out, rng.uniform(1.5, 4.0), rng)


def degrade_photo(img: np.ndarray, rng) -> np.ndarray:
    """A phone photo: perspective, the page on a darker desk, uneven light, blur, noise,
    colour kept; sometimes sideways."""
    h, w = img.shape[:2]
    fw, fh = int(w * 1.15), int(h * 1.12)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-0.05, 0.05, (4, 2)) * (w, h)
    base = np.float32([[0.06 * fw, 0.05 * fh], [0.94 * fw, 0.05 * fh],
                       [0.94 * fw, 0.95 * fh], [0.06 * fw, 0.95 * fh]])
    dst = (base + jitter).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    desk = tuple(int(v) for v in rng.uniform(60, 120, 3))
    out = cv2.warpPerspective(img, m, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=desk)
    # Light falling off across the page, with a soft shadow.
    yy, xx = np.mgrid[0:fh:8, 0:fw:8].astype(np.float32)
    gx, gy = rng.uniform(-1, 1, 2)
    light = 1.0 - 0.35 * (0.5 + 0.5 * (gx * (xx / fw - 0.5) + gy * (yy / fh - 0.5)) * 2) / 2
    light -= 0.12 * np.exp(-((xx / fw - rng.uniform()) ** 2 + (yy / fh - rng.uniform()) ** 2)
                           / 0.05)
    light = cv2.resize(np.clip(light, 0.45, 1.0).astype(np.float32), (fw, fh),
                       interpolation=cv2.INTER_LINEAR)
    out = cv2.multiply(out, cv2.merge([light] * 3), dtype=cv2.CV_8U)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.6, 1.4))
    out = _noise(out, rng.uniform(2.0, 5.0), rng)
    if rng.random() < 0.3:
        out = cv2.rotate(out, cv2.ROTATE_90_CLOCKWISE)
    return out


def degrade(img: np.ndarray, condition: str, rng) -> np.ndarray:
    if condition == "clean":
        return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if condition == "copier":
        return degrade_copier(img, rng)
    if condition == "photo":
        return degrade_photo(img, rng)
    raise ValueError(condition)


def filled_pages(pack: Pack, seed: int, condition: str = "clean") -> list[FilledPage]:
    """Every page of the pack filled in (answers drawn from `seed`) and degraded."""
    rng = np.random.default_rng(seed)
    out = []
    for serial, page, img in pack.pages:
        canvas = img.copy()
        marks: list = []
        truth = fill_page(canvas, pack.layout, page, pack.dpi, rng, marks)
        out.append(FilledPage(serial, page, degrade(canvas, condition, rng), truth, condition,
                              marks))
    return out


# --- Files ----------------------------------------------------------------------------------


def pages_pdf(images: list[np.ndarray], dpi: float = 200, quality: int = 80) -> bytes:
    """A copier-style PDF: one JPEG image per page at `dpi`."""
    pil = [Image.fromarray(i if i.ndim == 2 else cv2.cvtColor(i, cv2.COLOR_BGR2RGB))
           for i in images]
    buf = io.BytesIO()
    pil[0].save(buf, "PDF", save_all=True, append_images=pil[1:], resolution=dpi,
                quality=quality)
    return buf.getvalue()


def jpeg(img: np.ndarray, quality: int = 85) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return buf.tobytes()


# --- Scoring --------------------------------------------------------------------------------


@dataclass
class Score:
    answers: int = 0
    correct: int = 0
    #: Sent to review when the truth was definite (cost: a person's time).
    reviewed: int = 0
    #: Sent to review when it had to be (two marks, crossed out).
    reviewed_needed: int = 0
    #: A stored answer that differs from what was painted: the one thing never allowed.
    wrong: int = 0
    unreadable_pages: int = 0
    details: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k in ("answers", "correct", "reviewed", "reviewed_needed", "wrong",
                  "unreadable_pages"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.details += other.details

    def line(self) -> str:
        n = max(1, self.answers)
        return (f"{self.answers} answers: {self.correct} correct ({100 * self.correct / n:.2f} %), "
                f"{self.reviewed} sent to review unnecessarily ({100 * self.reviewed / n:.2f} %), "
                f"{self.reviewed_needed} reviewed as required, {self.wrong} silently wrong "
                f"({1000 * self.wrong / n:.2f} per 1,000); {self.unreadable_pages} pages unread")


def score_page(truth: dict[str, str], result, label: str = "") -> Score:
    """Compare one page's scanner result with what was painted."""
    from scanner.results import PageResult

    s = Score()
    if not isinstance(result, PageResult):
        s.unreadable_pages = 1
        s.answers = len(truth)
        s.reviewed = sum(1 for v in truth.values() if v != REVIEW)
        s.reviewed_needed = len(truth) - s.reviewed
        s.details.append(f"{label}: unreadable: {result.reason}")
        return s
    got = result.answer_map
    review = {r.question for r in result.review}
    for col, want in truth.items():
        s.answers += 1
        if col in review:
            if want == REVIEW:
                s.reviewed_needed += 1
            else:
                s.reviewed += 1
                why = next(r.reason for r in result.review if r.question == col)
                s.details.append(f"{label} {col}: review ({why}), painted {want!r}")
        elif col not in got:
            s.wrong += 1
            s.details.append(f"{label} {col}: not read at all")
        elif want == REVIEW or got[col] != want:
            s.wrong += 1
            s.details.append(f"{label} {col}: read {got[col]!r}, painted {want!r}")
        else:
            s.correct += 1
    return s
