"""The teacher's cover sheet: what is in the pack, how to hand it out, how to scan it.

It carries the sheets' corner markers and a code of its own (forms.sheetcode's cover
code), so a cover scanned with the pile is recognised and skipped with a note.

Its words are for the teacher, so they belong to the app's translation catalogs rather
than to forms' phrasebook (the pupils' words on the sheets): each sentence here is an
English msgid in a `_(...)` call (babel.cfg extracts this file), and the caller passes the
function that translates it (`CoverText.translate`, the app's gettext in the sheets'
language); without one the cover is English. See docs/coordinator/languages-on-screen.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from forms.layout import MM, SurveyLayout, wrap
from print.fonts import clean, font_for

#: Where a teacher uploads the scanned pile: the app menu's name for that page
#: (survey_app/templates/admin/_nav.html; a test holds the two together).
SCAN_PAGE = "Scans & review"


def english(message: str, **values: object) -> str:
    """The cover's words as written: `message` with its %(name)s fields filled."""
    return message % values if values else message


def measure(text: str, font: str, size: float) -> float:
    return stringWidth(clean(text), font_for(text, font), size)


@dataclass(frozen=True)
class CoverText:
    """What the cover says about this pack (all plain text, supplied by the caller)."""

    collection_id: int
    school: str = ""
    group: str = ""
    phase: str = ""
    #: e.g. "Sheets 14-1 to 14-30"
    sheets_line: str = ""
    master: bool = False
    personalised: bool = False
    #: Where to upload the scan (printed as text), if known.
    scan_url: str = ""
    #: The web link pupils may use instead of paper, if any.
    web_url: str = ""
    extra: tuple[str, ...] = field(default_factory=tuple)
    #: With an installation id the cover carries its own code (markers and a QR).
    installation: str = ""
    sheet_key: str = ""
    #: The survey has knowledge checks (questions with a right answer).
    knowledge: bool = False
    #: Digit rows of the pupil number on blank sheets (3 where numbers go up to 999).
    pupil_digits: int = 2
    #: The upload page's name as the app's menu shows it, in the cover's language.
    scan_page: str = SCAN_PAGE
    #: Translates each sentence (an English msgid, %(name)s fields as keywords).
    translate: Callable[..., str] = field(default=english, compare=False)


def _paragraph(c: Canvas, text: str, x: float, y: float, width: float, size: float,
               font: str = "Helvetica", lead: float = 1.3) -> float:
    for line in wrap(text, font, size, width, measure):
        c.setFont(font_for(line, font), size)
        c.drawString(x, y, clean(line))
        y -= size * lead
    return y


def steps(cover: CoverText, pages: int, count: int,
          pupil_number: str = "none") -> list[tuple[str, str]]:
    """(heading, text) of each instruction, in the order a teacher needs them."""
    _ = cover.translate
    out = []
    if cover.master:
        out.append((_("Photocopy"), _("This is the master sheet: photocopy it, one copy per "
                                      "pupil. Every copy scanned counts as one pupil's "
                                      "answers.")))
    elif cover.personalised:
        # "Sheet 1 to pupil 1" misleads: a pack for numbers 5-6 starts at sheet 15-1.
        out.append((_("Hand out"), _("Each sheet has a pupil number printed on it: give "
                                     "each pupil the sheet with their number in your "
                                     "register. Do not photocopy these sheets: print more "
                                     "from the website if you need them.")))
    else:
        # The number of sheets is on the "Sheets" line above (no plural to translate here).
        out.append((_("Hand out"), _("Give one sheet to each pupil. Each sheet has its own "
                                     "code, so do not photocopy them: print more from the "
                                     "website if you need them.")))
    if pupil_number == "bubbles":
        how = (_("They colour the tens and the ones: for 7, colour 0 then 7.")
               if cover.pupil_digits == 2 else
               _("They colour the hundreds, the tens and the ones: for 7, colour 0, 0 "
                 "then 7."))
        out.append((_("Pupil numbers"), _(
            "Tell each pupil their number from your register. %(how)s The same number on "
            "the before and after sheets links a pupil's answers.", how=how)))
    if pages > 1:
        out.append((_("Two pages"), _("Each pupil answers both pages. Printed double-sided, "
                                      "the two pages are one piece of paper; printed "
                                      "single-sided, keep them together. Pages may be "
                                      "scanned in any order.")))
    right_or_wrong = (_("Some questions have a right answer: let pupils answer on their "
                        "own, and do not go through the answers until every sheet is in "
                        "(and the after sheets too).") if cover.knowledge
                      else _("There are no right or wrong answers."))
    out.append((_("Explain"), _("Read each question aloud for younger pupils. They colour "
                                "in one circle for each question with a dark pencil or pen. "
                                "To change an answer, rub it out fully. %(more)s",
                                more=right_or_wrong)))
    scan = _("Scan the whole pile as one PDF at 200-300 dpi, any order, either way up, in "
             "black and white or greyscale. This cover page may go in too: it is recognised "
             "and skipped. Unused spare sheets are skipped too.")
    upload = (_("Upload it on the website's %(page)s page (%(address)s).",
                page=cover.scan_page, address=cover.scan_url) if cover.scan_url else
              _("Upload it on the website's %(page)s page.", page=cover.scan_page))
    out.append((_("Scan"), f"{scan} {upload}"))
    out.append((_("Check"), _("The website reads the circles and asks you about any it is "
                              "not sure of. Keep the paper sheets until you have checked "
                              "them.")))
    return out


def _line(c: Canvas, text: str, x: float, y: float, font: str, size: float) -> None:
    """One line in `font`, or the fallback font where it lacks a letter (ŵ, ŷ)."""
    c.setFont(font_for(text, font), size)
    c.drawString(x, y, clean(text))


def draw_cover(c: Canvas, layout: SurveyLayout, cover: CoverText, count: int) -> None:
    """One page of instructions for the teacher."""
    w, h = layout.width_pt, layout.height_pt
    left, width = 22 * MM, w - 44 * MM
    y = h - 25 * MM
    if cover.installation:
        from forms.sheetcode import encode_cover_code
        from print.draw import draw_marker, draw_qr

        first = layout.pages[0]
        for m in first.markers:
            draw_marker(c, m, h)
        draw_qr(c, encode_cover_code(cover.installation, cover.collection_id,
                                     cover.sheet_key), first.qr, h)
        y = h - (first.qr.y + first.qr.h) - 8 * MM
    _ = cover.translate
    c.setFillGray(0)
    _line(c, _("Paper copies for the teacher: please read, then keep this page"), left, y,
          "Helvetica", 11)
    y -= 26
    y = _paragraph(c, layout.title, left, y, width, 22, "Helvetica-Bold", 1.15) - 6
    facts = [
        (_("School:"), cover.school), (_("Group:"), cover.group), (_("Phase:"), cover.phase),
        (_("Sheets:"), cover.sheets_line or f"{count}"),
    ]
    # The values start after the longest name ("Grŵp:", "Cyfnod:" are wider in Welsh).
    indent = max(22 * MM, max(measure(n, "Helvetica-Bold", 12) for n, _v in facts) + 3 * MM)
    for name, value in facts:
        if not value:
            continue
        _line(c, name, left, y, "Helvetica-Bold", 12)
        _line(c, value, left + indent, y, "Helvetica", 12)
        y -= 17
    y -= 10
    c.setLineWidth(1)
    c.line(left, y, left + width, y)
    y -= 24
    for i, (head, text) in enumerate(steps(cover, len(layout.pages), count,
                                               layout.pupil_number), start=1):
        _line(c, f"{i}. {head}", left, y, "Helvetica-Bold", 14)
        y = _paragraph(c, text, left + 8 * MM, y - 18, width - 8 * MM, 12) - 10
    if cover.web_url:
        y = _paragraph(c, _("Pupils with a tablet or phone can answer online instead: "
                            "%(address)s", address=cover.web_url), left, y - 4, width, 11) - 6
    for line in cover.extra:
        y = _paragraph(c, line, left, y, width, 11) - 4
    c.setFillGray(0.35)
    _line(c, _("Collection %(id)s · layout %(layout)s · %(paper)s", id=cover.collection_id,
               layout=layout.fingerprint, paper=layout.paper.upper()), left + 6 * MM,
          18 * MM, "Helvetica", 9)
    c.setFillGray(0)
    c.showPage()
