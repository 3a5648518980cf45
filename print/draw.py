"""Drawing a layout's parts on a reportlab canvas. Layout coordinates are top-left
origin, y down; reportlab's are bottom-left, y up, so every y goes through `flip`."""

from __future__ import annotations

from functools import lru_cache

import qrcode
import qrcode.exceptions
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import FILL_NON_ZERO, Canvas

from forms.faces import BOX, face
from forms.layout import Box, FaceMark, Marker, PageLayout, Shape, Slot, Text
from print.fonts import clean, font_for
from print.markers import marker_cells

#: Bubble outline: dark enough for any copier, thin enough that a child's mark dominates.
BUBBLE_LINE_PT = 1.1
#: Modules of white kept around the QR code inside its box (the standard asks 4).
QR_QUIET_MODULES = 4


def draw_text(c: Canvas, t: Text, height: float) -> None:
    c.setFont(font_for(t.text, t.font), t.size)
    y, text = height - t.y, clean(t.text)
    if t.align == "center":
        c.drawCentredString(t.x, y, text)
    elif t.align == "right":
        c.drawRightString(t.x, y, text)
    else:
        c.drawString(t.x, y, text)


def draw_marker(c: Canvas, m: Marker, height: float) -> None:
    """An ArUco marker as one path of black cells (vector: sharp at any scanner dpi)."""
    cell = m.size / 6
    path = c.beginPath()
    for col, row in marker_cells(m.id):
        # Overlapping cells (non-zero fill) leave no anti-aliased seams between them.
        path.rect(m.x + col * cell, height - (m.y + (row + 1) * cell) - 0.1, cell + 0.1,
                  cell + 0.1)
    c.setFillGray(0)
    c.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)


def draw_face(c: Canvas, f: FaceMark, height: float) -> None:
    """forms.faces geometry (a 100-unit box, y down) scaled into the layout's square."""
    shape = face(f.level, f.levels)
    k = f.size / BOX
    x0, y0 = f.cx - f.size / 2, f.cy - f.size / 2

    def pt(x: float, y: float) -> tuple[float, float]:
        return x0 + x * k, height - (y0 + y * k)

    line = 5 * k
    c.setLineWidth(line)
    c.setStrokeGray(0)
    c.setFillGray(0)
    cx, cy = pt(BOX / 2, BOX / 2)
    c.circle(cx, cy, shape.head_r * k, stroke=1, fill=0)
    for ex, ey in shape.eyes:
        x, y = pt(ex, ey)
        c.circle(x, y, shape.eye_r * k, stroke=0, fill=1)
    (sx, sy), (qx, qy), (ex, ey) = shape.mouth
    # The quadratic curve of the SVG as the cubic PDF needs: controls 2/3 towards Q.
    p0, p3 = pt(sx, sy), pt(ex, ey)
    q = pt(qx, qy)
    p1 = (p0[0] + 2 / 3 * (q[0] - p0[0]), p0[1] + 2 / 3 * (q[1] - p0[1]))
    p2 = (p3[0] + 2 / 3 * (q[0] - p3[0]), p3[1] + 2 / 3 * (q[1] - p3[1]))
    path = c.beginPath()
    path.moveTo(*p0)
    path.curveTo(*p1, *p2, *p3)
    c.setLineCap(1)
    c.drawPath(path, stroke=1, fill=0)
    c.setLineCap(0)


def draw_shape(c: Canvas, s: Shape, height: float) -> None:
    c.setLineWidth(s.width)
    c.setStrokeGray(s.grey)
    if s.kind == "rule":
        c.line(s.x, height - s.y, s.x + s.w, height - (s.y + s.h))
    elif s.kind == "frame":
        c.rect(s.x, height - s.y - s.h, s.w, s.h, stroke=1, fill=0)
    elif s.kind == "dot":
        c.setFillGray(0)
        c.circle(s.x + s.w / 2, height - (s.y + s.h / 2), s.w / 2, stroke=0, fill=1)
    c.setStrokeGray(0)


def draw_page_static(c: Canvas, page: PageLayout, fills: dict[str, str]) -> None:
    """Everything that is the same on every sheet of a pack (drawn once into a Form)."""
    h = page.height_pt
    for m in page.markers:
        draw_marker(c, m, h)
    for s in page.shapes:
        draw_shape(c, s, h)
    c.setLineWidth(BUBBLE_LINE_PT)
    c.setStrokeGray(0)
    path = c.beginPath()
    for b in page.bubbles:
        path.circle(b.cx, h - b.cy, b.r)
    c.drawPath(path, stroke=1, fill=0)
    for f in page.faces:
        draw_face(c, f, h)
    c.setFillGray(0)
    for t in page.texts:
        draw_text(c, t, h)
    for slot in page.slots:
        if slot.name in fills:
            draw_slot(c, slot, fills[slot.name], h)


def draw_slot(c: Canvas, slot: Slot, text: str, height: float) -> None:
    """Per-sheet text in its slot, shrunk to fit the slot's width."""
    size = slot.size
    while size > 6 and stringWidth(clean(text), font_for(text, slot.font), size) > slot.w:
        size -= 0.5
    x = {"left": slot.x, "center": slot.x + slot.w / 2, "right": slot.x + slot.w}[slot.align]
    baseline = slot.y + slot.h / 2 + size * 0.35
    draw_text(c, Text(x, baseline, text, slot.font, size, slot.align), height)


#: A fixed mask pattern: choosing the "best" of 8 per code costs qrcode ~5 ms (most of a
#: pack's time) and any mask is valid. Mask 1 because OpenCV's QRCodeDetector (what the
#: scanner tries first) reads it best: on 600 random sheet codes, clean images, it missed
#: 1 with mask 1, 8 with the "best" mask and 14 with mask 0 (QRCodeDetectorAruco: none).
QR_MASK = 1


@lru_cache(maxsize=64)
def _qr_version(length: int) -> int:
    """The smallest QR version holding a sheet code of this length (same for a pack)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    qr.add_data("A" * length)
    qr.make(fit=True)
    return qr.version


def qr_matrix(text: str) -> list[list[bool]]:
    """The code's modules (error correction M: ~15% damage)."""
    version = _qr_version(len(text))
    try:
        qr = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0,
                           mask_pattern=QR_MASK)
        qr.add_data(text)
        qr.make(fit=False)
    except qrcode.exceptions.DataOverflowError:  # digits pack tighter than letters
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
        qr.add_data(text)
        qr.make(fit=True)
    return qr.get_matrix()


def draw_qr(c: Canvas, text: str, box: Box, height: float) -> None:
    """The QR code as vector rectangles (one per horizontal run of dark modules), drawn in
    module units and scaled so that it and its quiet zone fill the layout's box."""
    matrix = qr_matrix(text)
    n = len(matrix)
    module = box.w / (n + 2 * QR_QUIET_MODULES)
    c.saveState()
    # Module units, origin at the code's top-left corner, y down (as the matrix is).
    c.transform(module, 0, 0, -module, box.x + QR_QUIET_MODULES * module,
                height - box.y - QR_QUIET_MODULES * module)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(start, r, col - start, 1)
            else:
                col += 1
    c.setFillGray(0)
    c.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
    c.restoreState()
