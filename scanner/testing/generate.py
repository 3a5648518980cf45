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

#: Single-choice question styles and their share (sums to 1), as children and teachers mark
#: real sheets. Two marks, a crossed-out fill, a changed mind (one bubble scribbled over,
#: another marked) and a mark between two bubbles must go to review; a very light pencil
#: mark may go to review; everything else must be read.
STYLE_MIX: dict[str, float] = {
    "blank": 0.07, "fill": 0.22, "scribble": 0.09, "tick": 0.11, "cross": 0.08,
    "pencil": 0.09, "light_pencil": 0.03, "blue": 0.08, "circle": 0.08, "between": 0.02,
    "two_marks": 0.05, "crossed_out": 0.04, "changed_mind": 0.04,
}
#: The same on a faces sheet (ages 5-7): the sheet says "colour in", and children colour
#: the face as often as the circle, and circle the answer more often than older pupils.
FACES_MIX: dict[str, float] = {
    "blank": 0.05, "fill": 0.19, "face": 0.16, "circle": 0.12, "scribble": 0.08,
    "tick": 0.08, "cross": 0.05, "pencil": 0.08, "light_pencil": 0.03, "blue": 0.04,
    "between": 0.02, "two_marks": 0.04, "crossed_out": 0.02, "changed_mind": 0.04,
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
    #: Columns whose mark is so light (a pencil barely pressed, a pale crayon) that review
    #: is an acceptable outcome too; reading them wrong is still an error.
    lenient: set[str] = field(default_factory=set)
    #: The copier or phone faults applied to this page ("streak", "shadow", "skew 5.2", ...).
    faults: list[str] = field(default_factory=list)


def class_pack(survey, copies: int, *, pupil_number: str = "none", paper: str = "a4",
               dpi: float = 200, installation: str = "TESTINST", collection_id: int = 7,
               first_serial: int = 1, languages: tuple[str, ...] = ()) -> Pack:
    """Render a real class pack with print/ (no database) and rasterise its sheet pages.
    `survey` is a bank survey's code or a `forms.definition.Survey`; `languages` as
    `print.layout_for` takes them (one, or two for a bilingual sheet)."""
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
    layout = layout_for(definition, paper, pupil_number, languages=languages)
    sheets = [PackSheet(first_serial + k) for k in range(copies)]
    pdf = render_pack(layout, sheets, installation=installation, collection_id=collection_id)
    doc = layout_document(layout, [(f"{collection_id}-{s.serial}", None) for s in sheets])
    _add_faces(doc, layout)
    pages = []
    with pdfium.PdfDocument(pdf) as d:
        n = len(layout.pages)
        for k, sheet in enumerate(sheets):
            for p in range(n):
                bmp = d[k * n + p].render(scale=dpi / 72)
                rgb = bmp.to_numpy()[:, :, :3]
                pages.append((sheet.serial, p + 1, np.ascontiguousarray(rgb[:, :, ::-1])))
    return Pack(doc, dpi, installation, collection_id, pages)



def _add_faces(doc: dict, layout) -> None:
    """Each printed face with the bubble under it, in the page templates (the layout carries
    them itself once `forms.layout` writes "faces"; layouts without them are left alone)."""
    for tpl, page in zip(doc["page_templates"], layout.pages, strict=True):
        if "faces" in tpl or not page.faces:
            continue
        faces = []
        for f in page.faces:
            below = [b for b in tpl["bubbles"] if abs(b["cx"] - f.cx) < 1 and b["cy"] > f.cy]
            b = min(below, key=lambda b: b["cy"] - f.cy, default=None)
            if b is not None:
                faces.append({"question": b["question"], "value": b["value"], "cx": f.cx,
                              "cy": f.cy, "size": f.size})
        tpl["faces"] = faces


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


def _pencil(img, cx, cy, r, rng, dpi, light: bool = False) -> None:
    """Pencil shading: parallel grey strokes with gaps, lighter than pen; `light`: a child
    who barely presses (pale, thin, gappy strokes)."""
    grey = int(rng.uniform(178, 200) if light else rng.uniform(140, 180))
    colour = (grey, grey, grey)
    w = _px(rng.uniform(0.5, 0.8) if light else rng.uniform(0.7, 1.2), dpi)
    angle = rng.uniform(0.5, 1.2)
    step = w * (rng.uniform(1.8, 2.6) if light else rng.uniform(1.0, 1.7))
    d, k = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    off = -r * 0.95
    while off < r * 0.95:
        half = np.sqrt(max(0.0, (r * 0.98) ** 2 - off ** 2))
        c = np.array([cx, cy]) + k * off
        _stroke(img, [c - d * half, c + d * half], colour, w, rng)
        off += step


def _scribble(img, cx, cy, r, colour, rng, dpi, dense: bool = False) -> None:
    """Zig-zag over the bubble; `dense`: scribbled out hard to cancel it, past the ring."""
    w = _px(rng.uniform(0.5, 0.9), dpi)
    n = int(rng.integers(16, 24) if dense else rng.integers(7, 13))
    reach = 1.25 if dense else 1.0
    ys = np.linspace(-0.8 * r, 0.8 * r, n) * reach
    xs = np.where(np.arange(n) % 2 == 0, -1, 1) * r * reach * np.sqrt(
        np.clip(1 - (ys / (r * reach)) ** 2, 0, 1)) * 0.95
    pts = np.c_[cx + xs + rng.normal(0, 0.08 * r, n), cy + ys + rng.normal(0, 0.05 * r, n)]
    _stroke(img, pts, colour, w, rng)


def _zigzag(img, cx, cy, r, colour, rng, dpi) -> None:
    """A tight zig-zag in a fine ballpoint (0.4-0.5 pt), its lines under 0.5 mm apart: the
    densest scribble a child draws, not in the mixes (tests paint it on purpose)."""
    n = int(rng.integers(13, 17))
    ys = np.linspace(-0.85 * r, 0.85 * r, n)
    xs = np.where(np.arange(n) % 2 == 0, -1, 1) * r * np.sqrt(np.clip(1 - (ys / r) ** 2, 0, 1))
    pts = np.c_[cx + xs + rng.normal(0, 0.04 * r, n), cy + ys + rng.normal(0, 0.03 * r, n)]
    _stroke(img, pts, colour, _px(rng.uniform(0.4, 0.5), dpi), rng)


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


def _circle(img, cx, cy, r, colour, rng, dpi) -> None:
    """A ring drawn AROUND the bubble instead of filling it: a wobbly ellipse 1.2-1.7 radii
    across, off-centre, often not quite closed or overlapping itself."""
    w = _px(rng.uniform(0.5, 0.9), dpi)
    ra, rb = r * rng.uniform(1.22, 1.65, 2)
    start = rng.uniform(0, 2 * np.pi)
    sweep = rng.uniform(1.85, 2.15) * np.pi
    t = np.linspace(start, start + sweep, 60)
    wob = 1 + np.convolve(rng.normal(0, 0.04, 64), np.ones(5) / 5, "same")[:60]
    ox, oy = rng.normal(0, 0.1 * r, 2)
    tilt = rng.uniform(0, np.pi)
    x, y = ra * np.cos(t) * wob, rb * np.sin(t) * wob
    pts = np.c_[cx + ox + x * np.cos(tilt) - y * np.sin(tilt),
                cy + oy + x * np.sin(tilt) + y * np.cos(tilt)]
    _stroke(img, pts, colour, w, rng)


#: Crayons (BGR) a child colours a face with; yellow is pale on a greyscale scan.
CRAYONS = [(40, 40, 200), (200, 90, 40), (60, 160, 60), (30, 140, 240), (150, 50, 150),
           (40, 210, 240)]


def colour_face(img, cx, cy, size, rng, colour=None) -> tuple[int, int, int]:
    """Colour a printed face in with crayon: strokes over most of the head, multiplied onto
    the page so the printed lines stay visible; sometimes over the outline."""
    colour = colour or CRAYONS[int(rng.integers(0, len(CRAYONS)))]
    head = 0.44 * size
    layer = np.zeros(img.shape[:2], np.uint8)
    w = max(2, int(head * rng.uniform(0.12, 0.2)))
    angle = rng.uniform(0, np.pi)
    d, k = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    reach = head * rng.uniform(0.85, 1.08)
    off = -reach
    while off < reach:
        half = np.sqrt(max(0.0, reach ** 2 - off ** 2)) * rng.uniform(0.8, 1.05)
        c = np.array([cx, cy]) + k * off + rng.normal(0, 0.03 * head, 2)
        _stroke(layer, [c - d * half, c + d * half], 255, w, rng)
        off += w * rng.uniform(0.7, 1.2)
    alpha = (layer.astype(np.float32) / 255 * rng.uniform(0.75, 1.0))[:, :, None]
    tint = np.array(colour, np.float32)[None, None, :] / 255
    img[:] = np.clip(img * (1 - alpha + alpha * tint), 0, 255).astype(np.uint8)
    return colour


def paint_mark(img, style: str, cx, cy, r, rng, dpi) -> None:
    """One mark of a style at a bubble (pixel coordinates)."""
    pen = PEN_BLUE if style == "blue" else PEN_BLACK
    if style in ("fill", "blue"):
        if style == "blue" and rng.random() < 0.4:
            _tick(img, cx, cy, r, pen, rng, dpi)
        else:
            _fill(img, cx, cy, r, pen, rng)
    elif style in ("pencil", "light_pencil"):
        _pencil(img, cx, cy, r, rng, dpi, light=style == "light_pencil")
    elif style == "scribble":
        _scribble(img, cx, cy, r, pen, rng, dpi)
    elif style == "scribble_out":
        _scribble(img, cx, cy, r, pen, rng, dpi, dense=True)
    elif style == "zigzag":
        _zigzag(img, cx, cy, r, pen, rng, dpi)
    elif style == "tick":
        _tick(img, cx, cy, r, pen, rng, dpi)
    elif style == "cross":
        _cross(img, cx, cy, r, pen, rng, dpi)
    elif style == "circle":
        _circle(img, cx, cy, r, PEN_BLUE if rng.random() < 0.3 else pen, rng, dpi)
    else:
        raise ValueError(style)


_READ_STYLES = ("fill", "scribble", "tick", "cross", "pencil", "blue")


def _pick_style(rng, mix: dict[str, float] = STYLE_MIX) -> str:
    names = list(mix)
    return names[int(rng.choice(len(names), p=np.array(list(mix.values()))))]


def _doodle(img, template, dpi, rng) -> None:
    """A stray line or loop that avoids every bubble (with a 2 mm margin)."""
    bubbles = [(_px(b["cx"], dpi), _px(b["cy"], dpi), _px(b["r"] + 6, dpi))
               for b in template["bubbles"]]
    bubbles += [(_px(f["cx"], dpi), _px(f["cy"], dpi), _px(f["size"] / 2 + 6, dpi))
                for f in template.get("faces", ())]
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


def _scale_row(bubbles: list[dict]) -> bool:
    """Three or more bubbles evenly spaced on one line (a rating scale or digits), as the
    scanner tells them from option rows."""
    if len(bubbles) < 3:
        return False
    steps = [float(np.hypot(b["cx"] - a["cx"], b["cy"] - a["cy"]))
             for a, b in zip(bubbles, bubbles[1:], strict=False)]
    return max(steps) <= 1.05 * min(steps)


def _between(img, a: dict, b: dict, dpi, rng, words: dict | None = None) -> None:
    """A mark between two neighbouring bubbles: the child could not decide, or missed. In
    an option row (`words`: the box of `a`'s words, printed after its bubble) it falls in
    the space between those words and the next bubble, sometimes over either."""
    if words is None:
        t = rng.uniform(0.4, 0.6)
        cx, cy = a["cx"] + t * (b["cx"] - a["cx"]), a["cy"] + t * (b["cy"] - a["cy"])
    else:
        end, ring = words["x"] + words["w"], b["cx"] - b["r"]
        cx = end + rng.uniform(0.25, 0.75) * (ring - end)
        cy = a["cy"] + rng.normal(0, 0.1 * a["r"])
    r = a["r"] * rng.uniform(0.6, 1.0)
    style = ("fill", "tick", "cross", "scribble")[int(rng.integers(0, 4))]
    paint_mark(img, style, _px(cx, dpi), _px(cy, dpi), _px(r, dpi), rng, dpi)


def _option_pairs(bubbles: list[dict], words: dict) -> list[tuple[dict, dict, dict]]:
    """Neighbouring options on one line of an option row whose words' box the layout gives:
    (option, the next one, the option's words)."""
    out = []
    for a, b in zip(bubbles, bubbles[1:], strict=False):
        lb = words.get((a["question"], str(a["value"])))
        if lb is not None and abs(a["cy"] - b["cy"]) < 1 and b["cx"] > a["cx"]:
            out.append((a, b, lb))
    return out


def fill_page(img: np.ndarray, layout: dict, page: int, dpi: float, rng,
              marks: list | None = None, lenient: set | None = None) -> dict[str, str]:
    """Paint answers on one page (in place); return the truth per column. `marks` collects
    (question, value, style) of each mark; `lenient` the columns where review is fine too."""
    marks = [] if marks is None else marks
    lenient = set() if lenient is None else lenient
    template = next(t for t in layout["page_templates"] if t["page"] == page)
    by_q: dict[str, list[dict]] = {}
    for b in template["bubbles"]:
        by_q.setdefault(b["question"], []).append(b)
    faces = {(f["question"], str(f["value"])): f for f in template.get("faces", ())}
    words = {(lb["question"], str(lb["value"])): lb for lb in template.get("labels", ())}
    kinds = {q["code"]: q["type"] for q in layout["questions"]}
    truth: dict[str, str] = {}

    def mark(b, style):
        marks.append((b["question"], b["value"], style))
        if style == "face":
            f = faces[(b["question"], str(b["value"]))]
            colour = colour_face(img, _px(f["cx"], dpi), _px(f["cy"], dpi),
                                 _px(f["size"], dpi), rng)
            if colour == CRAYONS[-1]:
                lenient.add(b["question"])  # yellow crayon: pale on a greyscale scan
            return
        if style == "light_pencil":
            lenient.add(b["question"])
        paint_mark(img, style, _px(b["cx"], dpi), _px(b["cy"], dpi), _px(b["r"], dpi), rng, dpi)

    # Digit rows (the pupil number and every number question) are one answer column each,
    # scored on the number folded from its tens and units, as the app stores it
    # (forms.answers.from_marks): a one-digit number may leave the tens blank.
    digit_rows: dict[str, dict[int, str]] = {}
    for g in layout["questions"]:
        if g.get("kind") == "digits" and g["code"] in by_q:
            digit_rows.setdefault(g["column"], {})[int(g["digit"])] = g["code"]
    for column, places in digit_rows.items():
        rows = {p: by_q.pop(code, None) for p, code in places.items()}
        if rows.get(0) is None:
            continue
        if column != "pupil_number" and rng.random() < STYLE_MIX["blank"]:
            truth[column] = ""
            continue
        width = max(rows) + 1
        n = int(rng.integers(1 if column == "pupil_number" else 0, 10 ** width))
        style = _READ_STYLES[int(rng.integers(0, 3))]  # fill, scribble or tick for digits
        # Leading zeros are coloured half the time (a blank leading row reads as 0).
        leading = n >= 10 ** (width - 1) or rng.random() < 0.5
        for p in range(width - 1, -1, -1):
            if rows.get(p) is not None and (p == 0 or leading or n >= 10 ** p):
                mark(rows[p][n // 10 ** p % 10], style)
        truth[column] = str(n)
    for q, bubbles in by_q.items():
        if kinds.get(q) == "multi":
            chosen = [b for b in bubbles if rng.random() < 0.4]
            for b in chosen:
                mark(b, _READ_STYLES[int(rng.integers(0, len(_READ_STYLES)))])
            truth[q] = ";".join(b["value"] for b in chosen)
            pairs = [p for p in _option_pairs(bubbles, words) if p[1] not in chosen]
            if pairs and rng.random() < STYLE_MIX["between"]:
                # Tick all: a mark between two options as well (which did they mean?). Not
                # before a ticked option: the scanner takes ink there for that tick's.
                a, b, lb = pairs[int(rng.integers(0, len(pairs)))]
                marks.append((q, f"{a['value']}|{b['value']}", "between"))
                _between(img, a, b, dpi, rng, lb)
                truth[q] = REVIEW
            continue
        has_faces = all((q, str(b["value"])) in faces for b in bubbles)
        style = _pick_style(rng, FACES_MIX if has_faces else STYLE_MIX)
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
        elif style == "changed_mind":
            old, new = bubbles[pick[0]], bubbles[pick[1]]
            mark(old, _READ_STYLES[int(rng.integers(0, 4))])
            mark(old, "scribble_out")
            mark(new, ("fill", "tick", "circle")[int(rng.integers(0, 3))])
            truth[q] = REVIEW
        elif style == "between" and not _scale_row(bubbles):
            # An option row (yes/no, choice) prints each option's words after its bubble:
            # the mark falls between those words and the next option.
            pairs = _option_pairs(bubbles, words)
            if pairs:
                a, b, lb = pairs[int(rng.integers(0, len(pairs)))]
                marks.append((q, f"{a['value']}|{b['value']}", "between"))
                _between(img, a, b, dpi, rng, lb)
                truth[q] = REVIEW
            else:  # a layout without the words' boxes (printed before they were written)
                b = bubbles[pick[0]]
                mark(b, "fill")
                truth[q] = b["value"]
        elif style == "between":
            order = sorted(bubbles, key=lambda b: (b["cy"], b["cx"]))
            k = int(rng.integers(0, len(order) - 1))
            marks.append((q, f"{order[k]['value']}|{order[k + 1]['value']}", "between"))
            _between(img, order[k], order[k + 1], dpi, rng)
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
#: Share of copier pages with each fault (independently), and of phone photos with a hard
#: shadow edge: often enough that a few hundred pages hold every fault many times.
COPIER_FAULTS: dict[str, float] = {
    "streak": 0.35, "skew": 0.25, "fit_to_page": 0.15, "paper_mismatch": 0.12,
    "low_dpi": 0.2, "dithered": 0.08, "marker_hidden": 0.05,
}
PHOTO_FAULTS: dict[str, float] = {"shadow_edge": 0.45, "marker_hidden": 0.04}
LETTER_ASPECT = 792.0 / 612.0
A4_ASPECT = 841.89 / 595.28


def _noise(img: np.ndarray, sigma: float, rng) -> np.ndarray:
    n = np.empty(img.shape, np.int16)
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    cv2.randn(n, 0, sigma)
    return cv2.add(img, n, dtype=cv2.CV_8U)


def streak(img: np.ndarray, rng, vertical: bool | None = None) -> np.ndarray:
    """A dirty drum or scanner glass: a faint grey line 0.5-3 mm wide along the whole feed
    direction (a column of the image, sometimes a row), 8-40 grey levels darker."""
    out = img.astype(np.int16)
    h, w = img.shape[:2]
    vertical = rng.random() < 0.75 if vertical is None else vertical
    across = w if vertical else h
    mm = across / 210
    for _ in range(int(rng.integers(1, 3))):
        at = rng.uniform(0.1, 0.9) * across
        width = rng.uniform(0.5, 3.0) * mm
        depth = rng.uniform(8, 40)
        pos = np.arange(across)
        prof = depth * np.clip(1 - np.abs(pos - at) / (width / 2 + 1), 0, 1) ** 0.5
        along = 1 + 0.25 * np.sin(np.linspace(0, rng.uniform(2, 8), h if vertical else w))
        band = (along[:, None] * prof[None, :]) if vertical else (prof[:, None] * along[None, :])
        out -= band.astype(np.int16) if img.ndim == 2 else band.astype(np.int16)[:, :, None]
    return np.clip(out, 0, 255).astype(np.uint8)


def hide_marker(img: np.ndarray, rng, paper: int = 245) -> tuple[np.ndarray, str]:
    """One corner marker lost: a folded corner, a staple over it, or the corner cut off by
    the scanner window."""
    h, w = img.shape[:2]
    corner = int(rng.integers(0, 4))
    mm = w / 210
    kind = ("fold", "staple", "cut")[int(rng.integers(0, 3))]
    out = img.copy()
    x = 0 if corner in (0, 3) else w
    y = 0 if corner in (0, 1) else h
    sx, sy = (1 if x == 0 else -1), (1 if y == 0 else -1)
    if kind in ("fold", "cut"):
        reach = rng.uniform(28, 36) * mm  # past the marker, short of the QR
        tri = np.array([[x, y], [x + sx * reach, y], [x, y + sy * reach]], np.int32)
        cv2.fillPoly(out, [tri], (paper,) * 3 if out.ndim == 3 else paper)
        if kind == "fold":
            cv2.line(out, tuple(tri[1]), tuple(tri[2]), (150,) * 3 if out.ndim == 3 else 150, 2)
        else:
            cv2.fillPoly(out, [tri], (20,) * 3 if out.ndim == 3 else 20)  # the scanner lid
    else:
        cx, cy = x + sx * 17 * mm, y + sy * 17 * mm
        pts = cv2.boxPoints(((cx, cy), (14 * mm, 2.5 * mm), rng.uniform(-60, 60)))
        cv2.fillPoly(out, [pts.astype(np.int32)], (110,) * 3 if out.ndim == 3 else 110)
        cv2.circle(out, (int(cx), int(cy)), int(6 * mm), (paper,) * 3 if out.ndim == 3
                   else paper, -1)  # the paper torn round the staple, the marker gone
        cv2.fillPoly(out, [pts.astype(np.int32)], (110,) * 3 if out.ndim == 3 else 110)
    return out, kind


def _on_other_paper(grey: np.ndarray, rng, paper: int) -> tuple[np.ndarray, str]:
    """A4 printed on Letter or the reverse: shrunk to fit (the printer's "fit to page"), or
    printed at 100 % and centred, so an edge strip of a few mm is lost."""
    h, w = grey.shape
    letter = h / w < (LETTER_ASPECT + A4_ASPECT) / 2
    # The other paper at the same resolution: Letter is 612 x 792 pt, A4 595 x 842.
    if letter:
        nw, nh = round(w * 595.28 / 612), round(h * 841.89 / 792)
    else:
        nw, nh = round(w * 612 / 595.28), round(h * 792 / 841.89)
    canvas = np.full((nh, nw), paper, np.uint8)
    if rng.random() < 0.5:
        f = min(nw / w, nh / h) * rng.uniform(0.97, 1.0)
        small = cv2.resize(grey, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        y0, x0 = (nh - small.shape[0]) // 2, (nw - small.shape[1]) // 2
        canvas[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
        how = "fit"
    else:
        y0, x0 = (nh - h) // 2, (nw - w) // 2
        ys, xs = max(0, -y0), max(0, -x0)
        part = grey[ys:ys + nh, xs:xs + nw]
        canvas[max(0, y0):max(0, y0) + part.shape[0], max(0, x0):max(0, x0) + part.shape[1]] = part
        how = "centred"
    name = "A4 on Letter" if not letter else "Letter on A4"
    return canvas, f"{name} ({how})"


def degrade_copier(img: np.ndarray, rng, faults: list | None = None,
                   rates: dict[str, float] | None = None) -> np.ndarray:
    """A copier's "scan to PDF": rotation (a quarter upside down; some 3-7 degrees), 95-100 %
    scale, a shift, slight blur, grey paper, noise; greyscale. Then, at `COPIER_FAULTS`
    rates: faint streaks, fit-to-page shrinking, the other paper size, 100-150 dpi, 1-bit
    dithering, a lost corner marker. `faults` collects what was applied."""
    faults = [] if faults is None else faults
    rates = COPIER_FAULTS if rates is None else rates
    hit = {k: rng.random() < p for k, p in rates.items()}
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    paper = int(rng.uniform(225, 250))
    if hit.get("paper_mismatch"):
        grey, how = _on_other_paper(grey, rng, 255)
        faults.append(how)
    h, w = grey.shape
    angle = rng.uniform(-2.5, 2.5)
    if hit.get("skew"):
        angle = rng.uniform(3, 7) * (1 if rng.random() < 0.5 else -1)
        faults.append(f"skew {angle:.1f}")
    angle += 180 if rng.random() < 0.25 else 0
    scale = rng.uniform(0.95, 1.0)
    if hit.get("fit_to_page"):
        scale = rng.uniform(0.90, 0.95)
        faults.append(f"scaled {scale:.2f}")
    # The scanner's glass is a little larger than the sheet (3 % here): a sheet skewed by
    # 5-7 degrees still loses its corners past it, as on a real copier.
    gw, gh = round(w * 1.03), round(h * 1.03)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[:, 2] += rng.uniform(-0.015, 0.015, 2) * (w, h) + ((gw - w) / 2, (gh - h) / 2)
    out = cv2.warpAffine(grey, m, (gw, gh), flags=cv2.INTER_LINEAR, borderValue=paper)
    h, w = gh, gw
    if hit.get("marker_hidden"):
        out, kind = hide_marker(out, rng, paper)
        faults.append(f"marker {kind}")
    # Paper is not pure white and the toner not pure black.
    out = cv2.convertScaleAbs(out, alpha=(paper - 20) / 255, beta=20)
    if hit.get("streak"):
        out = streak(out, rng)
        faults.append("streak")
    sigma = rng.uniform(0.3, 0.9)
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    out = _noise(out, rng.uniform(1.5, 4.0), rng)
    if hit.get("low_dpi"):
        f = rng.uniform(100, 150) / 200
        out = cv2.resize(out, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        faults.append(f"{200 * f:.0f} dpi")
    if hit.get("dithered"):
        out = np.asarray(Image.fromarray(out).convert("1"), np.uint8) * 255
        faults.append("1-bit dithered")
    return out


def shadow_edge(img: np.ndarray, rng) -> np.ndarray:
    """A hard shadow across a photo (a hand, a head, the phone): a straight edge at any angle,
    25-45 % darker beyond it, soft over 1-6 mm."""
    h, w = img.shape[:2]
    mm = min(h, w) / 210
    yy, xx = np.mgrid[0:h:4, 0:w:4].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    px, py = rng.uniform(0.25, 0.75) * w, rng.uniform(0.25, 0.75) * h
    dist = (xx - px) * np.cos(ang) + (yy - py) * np.sin(ang)
    soft = rng.uniform(1, 6) * mm
    depth = rng.uniform(0.25, 0.45)
    light = 1 - depth / (1 + np.exp(-dist / (soft / 2)))
    light = cv2.resize(light.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if img.ndim == 3:
        light = cv2.merge([light] * 3)
    return cv2.multiply(img, light, dtype=cv2.CV_8U)


def degrade_photo(img: np.ndarray, rng, faults: list | None = None,
                  rates: dict[str, float] | None = None) -> np.ndarray:
    """A phone photo: perspective, the page on a darker desk, uneven light, blur, noise,
    colour kept; sometimes sideways. At `PHOTO_FAULTS` rates: a hard shadow edge, a lost
    corner marker."""
    faults = [] if faults is None else faults
    rates = PHOTO_FAULTS if rates is None else rates
    hit = {k: rng.random() < p for k, p in rates.items()}
    if hit.get("marker_hidden"):
        img, kind = hide_marker(img, rng)
        faults.append(f"marker {kind}")
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
    if hit.get("shadow_edge"):
        out = shadow_edge(out, rng)
        faults.append("shadow edge")
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.6, 1.4))
    out = _noise(out, rng.uniform(2.0, 5.0), rng)
    if rng.random() < 0.3:
        out = cv2.rotate(out, cv2.ROTATE_90_CLOCKWISE)
    return out


def degrade(img: np.ndarray, condition: str, rng, faults: list | None = None) -> np.ndarray:
    if condition == "clean":
        return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if condition == "copier":
        return degrade_copier(img, rng, faults)
    if condition == "photo":
        return degrade_photo(img, rng, faults)
    raise ValueError(condition)


def filled_pages(pack: Pack, seed: int, condition: str = "clean") -> list[FilledPage]:
    """Every page of the pack filled in (answers drawn from `seed`) and degraded."""
    rng = np.random.default_rng(seed)
    out = []
    for serial, page, img in pack.pages:
        canvas = img.copy()
        marks: list = []
        lenient: set = set()
        faults: list = []
        truth = fill_page(canvas, pack.layout, page, pack.dpi, rng, marks, lenient)
        out.append(FilledPage(serial, page, degrade(canvas, condition, rng, faults), truth,
                              condition, marks, lenient, faults))
    return out


# --- Files ----------------------------------------------------------------------------------


def pages_pdf(images: list[np.ndarray], dpi: float = 200, quality: int = 80) -> bytes:
    """A copier-style PDF: one JPEG image per page at `dpi`; a page that holds only black
    and white (a 1-bit dithered scan) is stored losslessly, 1 bit a pixel, as copiers do."""
    pil = [Image.fromarray(i if i.ndim == 2 else cv2.cvtColor(i, cv2.COLOR_BGR2RGB))
           for i in images]
    binary = [i.ndim == 2 and not np.any((i > 0) & (i < 255)) for i in images]
    if not any(binary):
        buf = io.BytesIO()
        pil[0].save(buf, "PDF", save_all=True, append_images=pil[1:], resolution=dpi,
                    quality=quality)
        return buf.getvalue()
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for im, bw in zip(pil, binary, strict=True):
        buf = io.BytesIO()
        if bw:
            im.convert("1").save(buf, "PDF", resolution=dpi)
        else:
            im.save(buf, "PDF", resolution=dpi, quality=quality)
        with pdfium.PdfDocument(buf.getvalue()) as one:
            out.import_pages(one)
    buf = io.BytesIO()
    out.save(buf)
    out.close()
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


def score_page(truth: dict[str, str], result, label: str = "",
               lenient: set[str] | frozenset = frozenset()) -> Score:
    """Compare one page's scanner result with what was painted. Review of a `lenient`
    column (a mark too light to call clear) counts as required review."""
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
            if want == REVIEW or col in lenient:
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
