"""Class packs: a cover, then every sheet of the pack, from one layout.

The static part of each page (markers, texts, faces, bubbles, the school and group) is
drawn once into a PDF Form XObject and reused by every sheet; only the QR code, the sheet
id and a personalised pupil number are drawn per sheet. That keeps a 30-sheet pack far
under a second and a 1,000-sheet pack small on disk.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from forms.definition import SurveyDefinition
from forms.layout import (
    ONE_LINE,
    SurveyLayout,
    compute_layout,
    joined,
    pdf_pages_per_sheet,
    sheet_id,
)
from forms.sheetcode import encode_sheet_code
from forms.wording import phrase
from print.cover import CoverText, draw_cover
from print.draw import draw_page_static, draw_qr, draw_slot
from print.fonts import check_survey, clean, fallback_font, font_for, needs_fallback


@dataclass(frozen=True)
class PackSheet:
    """One sheet to print: its serial (0 = the master for photocopying) and, in a
    personalised pack, the pupil number printed on it."""

    serial: int
    pupil_number: int | None = None


def measure(text: str, font: str, size: float) -> float:
    """Text width in points with reportlab's font metrics (what forms.layout needs), in
    the font that will draw it (`print.fonts`)."""
    return stringWidth(clean(text), font_for(text, font), size)


def layout_for(survey: SurveyDefinition, paper: str = "a4", pupil_number: str = "none",
               pupil_digits: int = 2, languages: Sequence[str] = ()) -> SurveyLayout:
    """The survey's layout measured with the fonts print/ draws with. Raises
    `UnprintableTextError` (naming the characters) for words no sheet font can draw.
    `pupil_digits`: digit rows for the pupil number (3 for numbers up to 999).
    `languages`: the sheet's language, or two for a bilingual sheet (forms.layout)."""
    check_survey(survey)
    whole = _fallback_texts(survey, languages)
    if not whole:
        return compute_layout(survey, paper=paper, pupil_number=pupil_number,
                              measure=measure, pupil_digits=pupil_digits, languages=languages)

    def one_font(text: str, font: str) -> str:
        """The fallback for every line of a text that needs it anywhere."""
        padded = f" {' '.join(text.split())} "
        if any(padded in t for t in whole):
            return fallback_font(font) or font_for(text, font)
        return font_for(text, font)

    layout = compute_layout(
        survey, paper=paper, pupil_number=pupil_number, pupil_digits=pupil_digits,
        languages=languages,
        measure=lambda text, font, size: stringWidth(clean(text), one_font(text, font), size))
    pages = tuple(replace(p, texts=tuple(replace(t, font=one_font(t.text, t.font))
                                         for t in p.texts)) for p in layout.pages)
    return replace(layout, pages=pages)


def _fallback_texts(survey: SurveyDefinition, languages: Sequence[str]) -> list[str]:
    """The survey's printed texts (space-padded) that need the fallback font somewhere."""
    out = []
    for lang in languages or (survey.language,):
        one = survey.in_language(lang)
        texts = [one.title, one.intro or "", *(q.text for q in one.questions),
                 *(o.label for q in one.questions for o in q.options)]
        out += [f" {' '.join(t.split())} " for t in texts if needs_fallback(t)]
    return out


def _say(layout: SurveyLayout, key: str, **fields: object) -> str:
    """print/'s own words on a sheet, in the layout's language(s), on one line."""
    return joined([phrase(key, lang, **fields) for lang in layout.languages], ONE_LINE)


def cover_pages(layout: SurveyLayout, cover: bool = True) -> int:
    """PDF pages before the first sheet: for a survey of several pages the cover gets a
    blank back, so double-sided printing keeps each pupil's pages on one piece of paper."""
    if not cover:
        return 0
    return 1 if len(layout.pages) == 1 else 2


def write_pack(stream: BinaryIO, layout: SurveyLayout, sheets: Sequence[PackSheet], *,
               installation: str, collection_id: int, school: str = "", group: str = "",
               cover: CoverText | None = None, sheet_key: str = "") -> None:
    """Write the pack's PDF to `stream` (cover first when `cover` is given). `sheet_key` is
    the collection's never-reused key, carried in every QR code."""
    c = Canvas(stream, pagesize=(layout.width_pt, layout.height_pt), pageCompression=1,
               invariant=1)
    c.setTitle(f"{layout.title}: paper copies")
    c.setAuthor("Partnership surveys")
    if cover is not None:
        draw_cover(c, layout, cover, len(sheets))
        for _ in range(cover_pages(layout) - 1):
            _blank_back(c, layout)
    place = " · ".join(p for p in (school, group) if p)
    fills = {"school_group": place} if place else {}
    forms = []
    for page in layout.pages:
        name = f"sheet_page_{page.page}"
        c.beginForm(name)
        draw_page_static(c, page, fills)
        c.endForm()
        forms.append(name)
    for sheet in sheets:
        sid = sheet_id(collection_id, sheet.serial)
        for page, form in zip(layout.pages, forms, strict=True):
            c.doForm(form)
            code = encode_sheet_code(installation, collection_id, sheet.serial, page.page,
                                     layout.fingerprint, sheet_key)
            draw_qr(c, code, page.qr, page.height_pt)
            slot = page.slot("sheet_id")
            if slot:
                draw_slot(c, slot, _say(layout, "sheet_slot", sheet=sid), page.height_pt)
            slot = page.slot("pupil_number")
            if slot and sheet.pupil_number is not None:
                draw_slot(c, slot, _say(layout, "pupil_slot", number=sheet.pupil_number),
                          page.height_pt)
            c.showPage()
        for _ in range(pdf_pages_per_sheet(layout) - len(layout.pages)):
            _blank_back(c, layout)
    c.save()


def render_pack(layout: SurveyLayout, sheets: Sequence[PackSheet], *, installation: str,
                collection_id: int, school: str = "", group: str = "",
                cover: CoverText | None = None, sheet_key: str = "") -> bytes:
    """The pack as PDF bytes; see `write_pack`."""
    buf = io.BytesIO()
    write_pack(buf, layout, sheets, installation=installation, collection_id=collection_id,
               school=school, group=group, cover=cover, sheet_key=sheet_key)
    return buf.getvalue()


def _blank_back(c: Canvas, layout: SurveyLayout) -> None:
    """A back left blank for double-sided printing (one faint line, no code to scan)."""
    c.setFont("Helvetica", 10)
    c.setFillGray(0.4)
    c.drawCentredString(layout.width_pt / 2, layout.height_pt / 2,
                        _say(layout, "blank_back"))
    c.showPage()
