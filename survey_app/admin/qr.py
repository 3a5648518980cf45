"""QR codes for a collection's public link: PNG and SVG for screens and documents, and a
one-page A4 poster PDF for the classroom board.

Medium error correction survives a smudged print or a glare spot on an interactive
whiteboard while keeping the code coarse enough for a cheap phone camera at a distance.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import qrcode

#: The quiet zone the QR standard asks for, in modules.
QUIET_ZONE_MODULES = 4
#: PNG pixels per module: 10 px gives a ~370 px image for a typical link, sharp when scaled.
PNG_BOX_PX = 10


def _qr(text: str) -> qrcode.QRCode:
    import qrcode  # with Pillow: imported when a code is drawn, not at every start-up
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE_MODULES,
                       box_size=PNG_BOX_PX)
    qr.add_data(text)
    qr.make(fit=True)
    return qr


def link_qr_matrix(text: str) -> list[list[bool]]:
    """The QR modules including the quiet zone (True = dark)."""
    return _qr(text).get_matrix()


def qr_png(text: str) -> bytes:
    """A black-on-white PNG of the QR code."""
    img = _qr(text).make_image(fill_color="black", back_color="white")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def qr_svg(text: str) -> bytes:
    """A standalone SVG (one path, so it scales without seams between modules)."""
    from qrcode.image.svg import SvgPathFillImage

    img = _qr(text).make_image(image_factory=SvgPathFillImage)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Poster:
    """What the classroom poster says."""

    url: str
    survey_title: str
    school: str
    group: str
    instruction: str = "Scan the code with the tablet camera, then answer the questions."
    #: The /join address and the collection's code as shown ("K7F-Q2M"), if any.
    join_url: str = ""
    join_code: str = ""


def _fonts() -> tuple[str, str]:
    """Bitstream Vera (shipped with reportlab) covers accented school and pupil-group names
    that the built-in Helvetica cannot draw."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from print.fonts import fallback_font

    if fallback_font("Helvetica") and fallback_font("Helvetica-Bold"):
        # DejaVu Sans, as on the sheets: Welsh, Polish and more than Vera's Latin-1.
        return fallback_font("Helvetica"), fallback_font("Helvetica-Bold")
    fonts = Path(reportlab.__file__).parent / "fonts"
    try:
        for name, file in (("Vera", "Vera.ttf"), ("VeraBd", "VeraBd.ttf")):
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(fonts / file)))
        return "Vera", "VeraBd"
    except Exception:  # pragma: no cover - a reportlab without its bundled fonts
        return "Helvetica", "Helvetica-Bold"


def _fit(text: str, font: str, size: float, max_width: float) -> float:
    """The largest size up to `size` at which `text` fits `max_width`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = stringWidth(text, font, size)
    return size if width <= max_width else max(8.0, size * max_width / width)


def poster_pdf(poster: Poster) -> bytes:
    """One A4 page: title, school and group, a big QR code, the link in text, one line of
    instruction for the class."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = _fonts()
    page_w, page_h = A4
    margin = 18 * mm
    usable = page_w - 2 * margin
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{poster.survey_title} - {poster.school}, {poster.group}")

    y = page_h - margin - 14 * mm
    size = _fit(poster.survey_title, bold, 30, usable)
    c.setFont(bold, size)
    c.drawCentredString(page_w / 2, y, poster.survey_title)
    where = f"{poster.school} \u2013 {poster.group}"
    # A long Welsh school name plus its group gets two readable lines, not one tiny one.
    lines = [where] if _fit(where, regular, 20, usable) >= 14 else [poster.school, poster.group]
    for line in lines:
        y -= 11 * mm
        c.setFont(regular, _fit(line, regular, 20, usable))
        c.drawCentredString(page_w / 2, y, line)

    matrix = link_qr_matrix(poster.url)
    side = min(usable, (150 if len(lines) > 1 else 160) * mm)
    module = side / len(matrix)
    left = (page_w - side) / 2
    top = y - 8 * mm
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        run_start = None
        for col, dark in enumerate([*row, False]):
            if dark and run_start is None:
                run_start = col
            elif not dark and run_start is not None:
                # One rectangle per run of dark modules: fewer seams, smaller file.
                c.rect(left + run_start * module, top - (r + 1) * module,
                       (col - run_start) * module, module, stroke=0, fill=1)
                run_start = None
    y = top - side - 12 * mm
    size = _fit(poster.instruction, bold, 18, usable)
    c.setFont(bold, size)
    c.drawCentredString(page_w / 2, y, poster.instruction)
    if poster.join_code:
        y -= 11 * mm
        say = f"No camera? Go to {poster.join_url} and type the code"
        c.setFont(bold, _fit(say, bold, 16, usable))
        c.drawCentredString(page_w / 2, y, say)
        y -= 14 * mm
        c.setFont("Courier-Bold", 36)
        c.drawCentredString(page_w / 2, y, poster.join_code)
        y -= 10 * mm
        c.setFont(regular, 9)
        c.drawCentredString(page_w / 2, y, "or type this link:")
        y -= 5 * mm
        size = _fit(poster.url, "Courier-Bold", 11, usable)
    else:
        y -= 11 * mm
        c.setFont(regular, 11)
        c.drawCentredString(page_w / 2, y, "No camera? Type this link into the browser:")
        y -= 8 * mm
        size = _fit(poster.url, "Courier-Bold", 16, usable)
    c.setFont("Courier-Bold", size)
    c.drawCentredString(page_w / 2, y, poster.url)
    c.showPage()
    c.save()
    return buf.getvalue()
