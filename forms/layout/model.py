"""The layout's parts (pages, bubbles, boxes, texts) and its JSON: the data `print/`
draws and `scanner/` reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from forms.layout.base import (
    FONT,
)
from forms.template import FORMAT, MarkGroup
from forms.wording import DEFAULT_LANGUAGE

# --- the layout's parts -------------------------------------------------------------------


@dataclass(frozen=True)
class Bubble:
    question: str
    value: str
    cx: float
    cy: float
    r: float


@dataclass(frozen=True)
class Box:
    """A rectangle; for a row or write-in box `question` names its answer column."""

    x: float
    y: float
    w: float
    h: float
    question: str = ""


@dataclass(frozen=True)
class Label:
    """The box an option's words fill beside its bubble (points, top-left origin)."""

    question: str
    value: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Marker:
    id: int
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class Text:
    """One line of text; `y` is the baseline."""

    x: float
    y: float
    text: str
    font: str
    size: float
    align: str = "left"  # left | center | right


@dataclass(frozen=True)
class FaceMark:
    """A face drawing (forms.faces) in a square box of side `size` centred on cx, cy."""

    cx: float
    cy: float
    size: float
    level: int
    levels: int
    #: The mark group and value of the bubble under this face (the face is read too).
    question: str = ""
    value: str = ""


@dataclass(frozen=True)
class Shape:
    """Static ink: "rule" (a line from x,y to x+w,y+h), "frame" (a box outline), "dot"
    (a filled circle of diameter w, the "like this" example)."""

    kind: str
    x: float
    y: float
    w: float
    h: float
    width: float = 0.6
    grey: float = 0.0


@dataclass(frozen=True)
class Slot:
    """Where print/ writes per-sheet or per-pack text (sheet id, school and group,
    a personalised pupil number), fitted into the box at up to `size` points."""

    name: str
    x: float
    y: float
    w: float
    h: float
    size: float
    font: str = FONT
    align: str = "left"


@dataclass(frozen=True)
class PageLayout:
    page: int
    width_pt: float
    height_pt: float
    markers: tuple[Marker, ...]
    qr: Box
    bubbles: tuple[Bubble, ...]
    rows: tuple[Box, ...]
    writeins: tuple[Box, ...]
    texts: tuple[Text, ...]
    faces: tuple[FaceMark, ...]
    shapes: tuple[Shape, ...]
    slots: tuple[Slot, ...]
    #: Where each option's words are printed beside its bubble (option rows: yes/no, choice,
    #: tick all), so the scanner can look for a mark in the clear space between two options.
    labels: tuple[Label, ...] = ()

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)

    def template(self) -> dict[str, Any]:
        """This page as a "page_templates" entry of the layout JSON."""
        return {
            "page": self.page,
            "width_pt": self.width_pt,
            "height_pt": self.height_pt,
            "markers": [{"id": m.id, "x": m.x, "y": m.y, "size": m.size} for m in self.markers],
            "qr": {"x": self.qr.x, "y": self.qr.y, "size": self.qr.w},
            "bubbles": [{"question": b.question, "value": b.value, "cx": b.cx, "cy": b.cy,
                         "r": b.r} for b in self.bubbles],
            "rows": [_box(r) for r in self.rows],
            "writeins": [_box(w) for w in self.writeins],
            "faces": [{"question": f.question, "value": f.value, "cx": f.cx, "cy": f.cy,
                       "size": f.size} for f in self.faces],
            "labels": [{"question": lb.question, "value": lb.value, "x": lb.x, "y": lb.y,
                        "w": lb.w, "h": lb.h} for lb in self.labels],
        }

    def drawing(self) -> dict[str, Any]:
        """What else is printed (texts, faces, rules, slots): part of the fingerprint."""
        return {
            "texts": [[t.x, t.y, t.text, t.font, t.size, t.align] for t in self.texts],
            "faces": [[f.cx, f.cy, f.size, f.level, f.levels] for f in self.faces],
            "shapes": [[s.kind, s.x, s.y, s.w, s.h, s.width, s.grey] for s in self.shapes],
            "slots": [[s.name, s.x, s.y, s.w, s.h, s.size, s.font, s.align] for s in self.slots],
        }


def _box(b: Box) -> dict[str, Any]:
    return {"question": b.question, "x": b.x, "y": b.y, "w": b.w, "h": b.h}


#: A row of bubbles read together (forms.template.MarkGroup): the answer column it feeds,
#: and its kind (single, multi, digits).
QuestionLayout = MarkGroup


@dataclass(frozen=True)
class SurveyLayout:
    survey_code: str
    title: str
    audience: str
    paper: str
    pupil_number: str
    pages: tuple[PageLayout, ...]
    questions: tuple[QuestionLayout, ...]
    fingerprint: str
    #: The languages printed, in reading order (one, or two on a bilingual sheet): print/ says
    #: its own few words (sheet slots) in them.
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)

    @property
    def width_pt(self) -> float:
        return self.pages[0].width_pt

    @property
    def height_pt(self) -> float:
        return self.pages[0].height_pt


def as_fingerprinted(template: dict[str, Any]) -> dict[str, Any]:
    """A page template as fingerprinted: the option labels' boxes are left out, since the
    words themselves are fingerprinted as texts (and layouts keep the fingerprints they had
    before the boxes were written). For `builder.py`'s fingerprint."""
    return {k: v for k, v in template.items() if k != "labels"}


def question_json(q: MarkGroup) -> dict[str, Any]:
    """A mark group as the layout JSON writes it (for `builder.py`'s document)."""
    return q.to_json()


def sheet_id(collection_id: int, serial: int) -> str:
    return f"{collection_id}-{serial}"


def pdf_pages_per_sheet(layout: SurveyLayout) -> int:
    """PDF pages each sheet takes: a survey of 3 pages gets a blank 4th, so that printed
    double-sided every pupil's pages start on a fresh piece of paper."""
    n = len(layout.pages)
    return n if n == 1 else n + n % 2


def layout_document(layout: SurveyLayout, sheets: Sequence[tuple[str, int | None]] = (), *,
                    first_pdf_page: int = 0, installation: str | None = None,
                    sheet_key: str = "") -> dict[str, Any]:
    """The layout JSON ("survey-sheet-layout/2", read back by forms.template) for a printed
    batch: geometry once per page number ("page_templates"), the mark groups
    ("questions"), and each sheet's pages with their PDF page index. With `installation`,
    each page also carries the text of its QR code ("qr_text"), with `sheet_key` in it."""
    from forms.sheetcode import encode_sheet_code

    templates = [p.template() for p in layout.pages]
    n = pdf_pages_per_sheet(layout)
    out_sheets = []
    for index, (sid, number) in enumerate(sheets):
        pages = []
        for t in templates:
            page = {"pdf_page": first_pdf_page + index * n + t["page"] - 1, **t}
            if installation:
                coll, serial = (int(part) for part in sid.split("-"))
                page["qr_text"] = encode_sheet_code(installation, coll, serial, t["page"],
                                                    layout.fingerprint, sheet_key)
            pages.append(page)
        out_sheets.append({"sheet_id": sid, "pupil_number": number, "pages": pages})
    return {
        "format": FORMAT,
        "fingerprint": layout.fingerprint,
        "paper": layout.paper,
        "survey": layout.survey_code,
        "pupil_number": layout.pupil_number,
        "sheet_key": sheet_key,
        "questions": [question_json(q) for q in layout.questions],
        "page_templates": templates,
        "sheets": out_sheets,
    }
