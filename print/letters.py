"""Letter-home packs: one page per pupil, a letter to the parents at the top and a reply
slip to tear off and send back at the bottom.

The slip is a sheet of its own (a `forms.layout` computed on a slip-sized page: markers,
QR code, bubbles), drawn on the page's bottom two thirds. The scanner reads it with the
stored slip layout whether the slip was torn off or the whole page came back, so parents'
answers land in the database like any sheet. The letter part carries no markers and no
sheet code: nothing on it is read.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from forms.layout import BOLD, FONT, MM, PAPERS, Box, SurveyLayout, fit, sheet_id, wrap
from forms.sheetcode import encode_sheet_code
from print.draw import draw_page_static, draw_qr, draw_slot
from print.fonts import clean, font_for
from print.sheets import PackSheet, measure

#: What the letter says when the teacher does not write their own (plain, short, no jargon).
DEFAULT_LETTER = (
    "Dear parent or carer,\n"
    "Your child's class has been taking part in a science project with other local schools. "
    "We would like to know what you think of it. Please answer the few questions below, tear "
    "off the slip and send it back to school with your child. It takes about two minutes.\n"
    "Your answers are used only to see how well the project works. No names are stored."
)
#: The letter's text is fitted into its part of the page: longer text is refused by the app.
MAX_LETTER_CHARS = 900
MARGIN_MM = 14.0
WEB_QR_MM = 26.0
PUPIL_NUMBER_WHY = ("(also on the slip: it links your answers to your child's class "
                    "without any names)")
TEAR_TEXT = "Tear or cut along this line, and send the part below back to school."


@dataclass(frozen=True)
class LetterText:
    """The words on the letter part (plain text; the caller supplies them)."""

    #: Paragraphs separated by new lines.
    body: str = DEFAULT_LETTER
    title: str = "Your child's science project"
    school: str = ""
    group: str = ""
    #: The web link answered by phone instead of paper (drawn as a QR code), and the text
    #: printed under the letter for typing it in.
    web_url: str = ""
    web_text: str = ""


def letter_height(layout: SurveyLayout) -> float:
    """Points above the slip: the page's height less the slip's."""
    return PAPERS[_page_paper(layout)][1] - layout.height_pt


def _page_paper(layout: SurveyLayout) -> str:
    paper = layout.paper.removesuffix("-slip")
    if paper == layout.paper or paper not in PAPERS:
        raise ValueError(f"Layout paper '{layout.paper}' is not a reply slip: compute it "
                         "with paper='a4-slip' or 'letter-slip'.")
    return paper


def _text(c: Canvas, x: float, y: float, text: str, font: str, size: float,
          height: float) -> None:
    c.setFont(font_for(text, font), size)
    c.drawString(x, height - y, clean(text))


@dataclass(frozen=True)
class _Rows:
    """Baselines (points from the page top) of the letter's lower lines, bottom up."""

    tear: float
    web: float
    pupil: float
    body_end: float


def _rows(top_h: float, letter: LetterText, personalised: bool) -> _Rows:
    tear = top_h - 3 * MM
    web = tear - 30  # the first of two lines
    pupil = (web if letter.web_text else tear) - 16
    body_end = (pupil if personalised else web if letter.web_text else tear) - 14
    return _Rows(tear, web, pupil, body_end)


def _draw_letter_static(c: Canvas, layout: SurveyLayout, letter: LetterText,
                        personalised: bool) -> None:
    """Everything in the letter part that is the same for every pupil."""
    w, h = PAPERS[_page_paper(layout)]
    rows = _rows(letter_height(layout), letter, personalised)
    left, right = MARGIN_MM * MM, w - MARGIN_MM * MM
    qr_size = WEB_QR_MM * MM
    text_w = right - left - (qr_size + 5 * MM if letter.web_url else 0)
    c.setFillGray(0.3)
    y = MARGIN_MM * MM
    place = " · ".join(p for p in (letter.school, letter.group) if p)
    if place:
        _text(c, left, y, fit(place, FONT, 9.5, text_w, 1, measure)[0][0], FONT, 9.5, h)
        y += 13
    c.setFillGray(0)
    lines, size = fit(letter.title, BOLD, 14.0, text_w, 1, measure, min_size=10)
    y += size
    _text(c, left, y, lines[0], BOLD, size, h)
    y += 4
    body_lines, body_size = _fit_body(letter.body, text_w, rows.body_end - y)
    for line in body_lines:
        y += body_size * 1.3
        if line:
            _text(c, left, y, line, FONT, body_size, h)
    if letter.web_url:
        box = Box(right - qr_size, MARGIN_MM * MM, qr_size, qr_size)
        draw_qr(c, letter.web_url, box, h)
        c.setFont(FONT, 8)
        c.drawCentredString(box.x + box.w / 2, h - (box.y + box.h + 9), "Answer online")
    if letter.web_text:
        web_y = rows.web
        for line in fit(f"To answer online instead: {letter.web_text}", FONT, 8.0,
                        right - left, 2, measure)[0]:
            _text(c, left, web_y, line, FONT, 8.0, h)
            web_y += 10
    # The tear line sits a little above the slip, so a ragged tear keeps the slip's markers.
    c.setDash(4, 3)
    c.setLineWidth(0.8)
    c.setStrokeGray(0.35)
    c.line(left, h - rows.tear, right, h - rows.tear)
    c.setDash()
    c.setFillGray(0.35)
    c.setFont(FONT, 8)
    c.drawCentredString(w / 2, h - rows.tear + 3, TEAR_TEXT)
    c.setFillGray(0)


def _fit_body(body: str, width: float, room: float) -> tuple[list[str], float]:
    """The body's lines (an empty string between paragraphs) at the largest size from
    10.5 pt down to 8 pt that fits in `room` points."""
    size = 10.5
    while True:
        lines: list[str] = []
        for para in (p.strip() for p in body.splitlines()):
            if para:
                if lines:
                    lines.append("")
                lines.extend(wrap(para, FONT, size, width, measure))
        if len(lines) * size * 1.3 <= room or size <= 8.0:
            keep = max(1, int(room // (size * 1.3)))
            return lines[:keep], size
        size -= 0.5


def write_letters(stream: BinaryIO, layout: SurveyLayout, sheets: Sequence[PackSheet], *,
                  installation: str, collection_id: int, letter: LetterText,
                  sheet_key: str = "") -> None:
    """One page per sheet: the letter, then the reply slip of `layout` (a one-page slip
    layout) with this sheet's code, id and (personalised) pupil number."""
    if len(layout.pages) != 1:
        raise ValueError("A reply slip must fit on one slip: shorten the survey.")
    w, h = PAPERS[_page_paper(layout)]
    page = layout.pages[0]
    personalised = any(s.pupil_number is not None for s in sheets)
    c = Canvas(stream, pagesize=(w, h), pageCompression=1, invariant=1)
    c.setTitle(f"{layout.title}: letters home")
    c.setAuthor("Partnership surveys")
    place = " · ".join(p for p in (letter.school, letter.group) if p)
    c.beginForm("letter_static")
    _draw_letter_static(c, layout, letter, personalised)
    # The slip in its own coordinates: drawn with its own height, it lands at the bottom.
    draw_page_static(c, page, {"school_group": place} if place else {})
    c.endForm()
    rows = _rows(letter_height(layout), letter, personalised)
    for sheet in sheets:
        c.doForm("letter_static")
        code = encode_sheet_code(installation, collection_id, sheet.serial, page.page,
                                 layout.fingerprint, sheet_key)
        draw_qr(c, code, page.qr, page.height_pt)
        slot = page.slot("sheet_id")
        if slot:
            draw_slot(c, slot, f"Sheet {sheet_id(collection_id, sheet.serial)}",
                      page.height_pt)
        if sheet.pupil_number is not None:
            slot = page.slot("pupil_number")
            if slot:
                draw_slot(c, slot, f"Pupil number {sheet.pupil_number}", page.height_pt)
            said = f"Pupil number {sheet.pupil_number}"
            _text(c, MARGIN_MM * MM, rows.pupil, said, BOLD, 11.0, h)
            _text(c, MARGIN_MM * MM + measure(said, BOLD, 11.0) + 2 * MM, rows.pupil,
                  PUPIL_NUMBER_WHY, FONT, 8.5, h)
        c.showPage()
    c.save()


def render_letters(layout: SurveyLayout, sheets: Sequence[PackSheet], *, installation: str,
                   collection_id: int, letter: LetterText, sheet_key: str = "") -> bytes:
    """The letter pack as PDF bytes; see `write_letters`."""
    buf = io.BytesIO()
    write_letters(buf, layout, sheets, installation=installation,
                  collection_id=collection_id, letter=letter, sheet_key=sheet_key)
    return buf.getvalue()
