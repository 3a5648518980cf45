"""The printed sheet's geometry, computed once from a survey definition.

`print/` draws exactly this and `scanner/` reads exactly this, so neither re-derives a
position. The layout is pure data (standard library only): text widths come from a
`measure(text, font_name, size_pt)` function passed in (print/ passes reportlab's
`stringWidth`). Coordinates are PDF points, origin at the page's top-left, y downwards.

`layout_document` serialises a layout for a printed batch in the "survey-sheet-layout/1"
JSON format; its fingerprint changes whenever any drawn geometry changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms.definition import Question, Survey, retro_labels
from forms.scales import MULTI, PAPER_DIGITS, PAPER_OPTIONS, PAPER_WRITEIN, Scale
from forms.template import DIGIT_SUFFIXES, FORMAT, MarkGroup
from forms.template import DIGITS as DIGIT_GROUP
from forms.template import MULTI as MULTI_GROUP
from forms.template import SINGLE as SINGLE_GROUP
from forms.wording import DEFAULT_LANGUAGE, phrase

Measure = Callable[[str, str, float], float]

MM = 72.0 / 25.4
#: Page sizes in points (width, height).
PAPERS: dict[str, tuple[float, float]] = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
#: The reply slips of a letter-home pack (print/letters.py): the bottom two thirds of the
#: page, laid out as a page of their own (markers, QR) so a slip torn off is still read.
SLIPS: dict[str, tuple[float, float]] = {
    f"{name}-slip": (w, round(h * 2 / 3, 2)) for name, (w, h) in PAPERS.items()}
PUPIL_NUMBER_MODES = ("none", "bubbles", "printed")

#: Printers crop up to ~5 mm; nothing is drawn nearer the edge than this.
SAFE_EDGE_MM = 10.0
#: The markers' outer edge sits this far from the paper edge.
MARKER_INSET_MM = 12.0
#: ArUco 4x4 markers are 6 x 6 modules (border included): 10 mm gives 1.67 mm modules,
#: a dozen pixels at 200 dpi.
MARKER_MM = 10.0
#: White kept around a marker: more than the one module ArUco needs.
MARKER_QUIET_MM = 3.0
QR_BOX_MM = 24.0
#: Ids of the ArUco markers (cv2.aruco.DICT_4X4_50): top-left, top-right, bottom-right,
#: bottom-left, so a page scanned upside down is recognised and turned.
MARKER_IDS = (0, 1, 2, 3)

FONT = "Helvetica"
BOLD = "Helvetica-Bold"

#: Prefix of the export's pupil number columns when the pupil colours digits in.
PUPIL_NUMBER = "pupil_number"
DIGITS = tuple(str(d) for d in range(10))
#: Between the languages of a bilingual sheet's text (U+2029 PARAGRAPH SEPARATOR, which
#: nobody types in a survey): each language is wrapped onto lines of its own, in the same
#: font and size (neither language less prominent): side by side, the first language on
#: the left, for question texts, the title and intro (`_Builder.columns`); the first above
#: the second in narrow places (words under bubbles, the instruction).
PARA = "\u2029"
#: Between the languages of a bilingual text that stays on one line (row names, footers).
ONE_LINE = " / "
#: Between the two columns of a bilingual question's text (side by side, a light rule in
#: the middle), and the lines each column may take before its words get smaller.
BILINGUAL_GAP = 5 * MM
BILINGUAL_LINES = 5


def joined(texts: Sequence[str], sep: str = PARA) -> str:
    """One text in several languages; a text the same in both (a fallback) once."""
    return sep.join(dict.fromkeys(texts))


@dataclass(frozen=True)
class Style:
    """Sizes for one audience: big and friendly for pupils, compact for adults."""

    text_size: float
    title_size: float
    bubble_r: float
    digit_r: float
    #: Distance between option columns.
    pitch: float
    face_size: float
    label_size: float
    option_size: float
    row_pad: float
    writein_h: float


#: Pupil bubbles are 8.8 mm across (the issue asks at least 8 mm for faces).
PUPIL = Style(text_size=15.0, title_size=20.0, bubble_r=12.5, digit_r=8.5, pitch=17.0 * MM,
              face_size=10.5 * MM, label_size=8.5, option_size=14.0, row_pad=1.8 * MM,
              writein_h=28 * MM)
#: Used when it keeps a pupil survey on one page (a master for photocopying needs that).
PUPIL_TIGHT = Style(text_size=14.0, title_size=18.0, bubble_r=12.5, digit_r=8.0,
                    pitch=16.0 * MM, face_size=8.5 * MM, label_size=8.0, option_size=13.0,
                    row_pad=1.0 * MM, writein_h=22 * MM)
ADULT = Style(text_size=10.5, title_size=15.0, bubble_r=7.0, digit_r=7.0, pitch=16.0 * MM,
              face_size=0.0, label_size=7.5, option_size=10.0, row_pad=1.8 * MM,
              writein_h=24 * MM)


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


# --- text helpers ---------------------------------------------------------------------------


def wrap(text: str, font: str, size: float, width: float, measure: Measure) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters. Each
    language of a bilingual text (split at PARA) starts a line of its own."""
    if PARA in text:
        return [line for part in text.split(PARA)
                for line in wrap(part, font, size, width, measure)]
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if measure(trial, font, size) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        while measure(word, font, size) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def fit(text: str, font: str, size: float, width: float, max_lines: int, measure: Measure,
        min_size: float = 6.0) -> tuple[list[str], float]:
    """Wrap into at most `max_lines`, shrinking the font (then cutting with an ellipsis).
    A bilingual text gets `max_lines` for each language, all in one size."""
    parts, size = fit_parts(text, font, size, width, max_lines, measure, min_size)
    return [line for lines in parts for line in lines], size


def fit_parts(text: str, font: str, size: float, width: float, max_lines: int,
              measure: Measure, min_size: float = 6.0) -> tuple[list[list[str]], float]:
    """`fit`, keeping each language's lines apart (a bilingual text printed side by side):
    one size for every language, so neither is less prominent."""
    parts = text.split(PARA)
    while True:
        wrapped = [wrap(part, font, size, width, measure) for part in parts]
        if all(len(lines) <= max_lines for lines in wrapped):
            return wrapped, size
        if size - 0.5 < min_size:
            return [_cut(lines, max_lines, font, size, width, measure)
                    for lines in wrapped], size
        size -= 0.5


def _cut(lines: list[str], max_lines: int, font: str, size: float, width: float,
         measure: Measure) -> list[str]:
    """The first `max_lines` lines, the last ending in an ellipsis when text was cut."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and measure(last + "…", font, size) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept


def _r(v: float) -> float:
    return round(v, 2)


# --- building ---------------------------------------------------------------------------------


@dataclass
class _Page:
    page: int
    bubbles: list[Bubble] = field(default_factory=list)
    rows: list[Box] = field(default_factory=list)
    writeins: list[Box] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    faces: list[FaceMark] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


@dataclass(frozen=True)
class _Columns:
    """A row answered by one bubble per option in fixed columns (one group per column
    code; a retrospective item has two groups: before and now)."""

    codes: tuple[str, ...]
    values: tuple[str, ...]
    labels: tuple[str, ...]
    faces: bool
    #: A numbered row (0-10): numbers over the columns, the end words underneath.
    numbered: bool = False
    #: Each row shows the words under its bubbles (faces for children: a child looking at
    #: row 6 does not look back at the top of the page).
    row_words: bool = False
    #: The smallest face, points.
    face_min: float = 0.0
    #: Bubbles at the end with words and no face ("I don't know": not a point on the
    #: scale, so the faces are drawn for the other values only).
    plain: int = 0

    @property
    def signature(self) -> tuple:
        return (len(self.codes), self.values, self.labels, self.faces, self.row_words)

    @property
    def scale_points(self) -> int:
        return len(self.values) - self.plain


class _Builder:
    def __init__(self, versions: Sequence[Survey], paper: str, pupil_number: str,
                 measure: Measure, style: Style, pupil_digits: int = 2):
        #: The survey in each language printed, first language first (one, or two for a
        #: bilingual sheet); all have the same questions and codes.
        self.versions = tuple(versions)
        self.langs = tuple(v.language for v in self.versions)
        self.by_code = [{q.code: q for q in v.questions} for v in self.versions]
        survey = self.versions[0]
        self.survey, self.paper, self.mode, self.measure = survey, paper, pupil_number, measure
        self.pupil_digits = pupil_digits
        self.w, self.h = PAPERS.get(paper) or SLIPS[paper]
        self.style = style
        self.pupil = survey.audience == "pupil"
        self.left = MARKER_INSET_MM * MM
        self.right = self.w - MARKER_INSET_MM * MM
        self.bottom = self.h - (MARKER_INSET_MM + MARKER_MM + MARKER_QUIET_MM) * MM
        self.pages: list[_Page] = []
        self.questions: list[QuestionLayout] = []
        self.y = 0.0
        self.block: tuple | None = None
        self.number = 0

    # words in the sheet's language(s)

    def say(self, key: str, sep: str = PARA, **fields: object) -> str:
        """A fixed word from the phrasebook in each language of the sheet."""
        return joined([phrase(key, lang, **fields) for lang in self.langs], sep)

    def q_text(self, q: Question) -> str:
        return joined([by[q.code].text for by in self.by_code])

    def q_label(self, q: Question, code: str) -> str:
        return joined([by[q.code].label(code) for by in self.by_code])

    @property
    def title(self) -> str:
        return joined([v.title for v in self.versions])

    # pages and headers

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def text(self, x: float, y: float, text: str, font: str, size: float,
             align: str = "left") -> None:
        self.page.texts.append(Text(_r(x), _r(y), text, font, _r(size), align))

    def new_page(self) -> None:
        self.pages.append(_Page(len(self.pages) + 1))
        self.block = None
        self.y = self.header()

    def qr_box(self) -> Box:
        size = QR_BOX_MM * MM
        x = self.right - (MARKER_MM + MARKER_QUIET_MM) * MM - size
        return Box(_r(x), _r(MARKER_INSET_MM * MM), _r(size), _r(size))

    def header(self) -> float:
        """Title, school and group, sheet id and instructions; returns where content starts."""
        s = self.style
        qr = self.qr_box()
        x0 = self.left + (MARKER_MM + MARKER_QUIET_MM) * MM
        top = MARKER_INSET_MM * MM
        text_w = qr.x - 4 * MM - x0
        sheet_slot_h = 11.0
        self.page.slots.append(Slot("sheet_id", _r(qr.x), _r(qr.y + qr.h + 1.5),
                                    _r(qr.w), sheet_slot_h, 10.0, BOLD, "center"))
        first = self.page.page == 1
        title = self.title if first else joined(
            [phrase("continued", v.language, title=v.title) for v in self.versions])
        parts, size, pitch = self.columns(title, BOLD, s.title_size, text_w, 2, 11)
        rows = max(len(lines) for lines in parts)
        self.column_rules(x0, pitch, parts, top, rows * size * 1.15 - size * 0.1)
        for k, lines in enumerate(parts):
            for i, line in enumerate(lines):
                self.text(x0 + k * pitch, top + size * (0.85 + 1.15 * i), line, BOLD, size)
        y = top + size * (0.85 + 1.15 * rows)
        y += 1.5
        info_size = 12.0 if self.pupil else 10.0
        self.page.slots.append(Slot("school_group", _r(x0), _r(y - info_size * 0.85),
                                    _r(text_w), _r(info_size * 1.25), info_size))
        y += info_size * 1.3
        if first and self.mode == "printed":
            self.page.slots.append(Slot("pupil_number", _r(x0), _r(y - 2), _r(text_w),
                                        _r(s.title_size * 1.3), s.title_size, BOLD))
            y += s.title_size * 1.3
        y = max(y, qr.y + qr.h + sheet_slot_h + 4)
        if first:
            y = self.instruction(y)
        return y + 2 * MM

    def instruction(self, y: float) -> float:
        """One line with an example of a filled bubble, then the survey's intro."""
        s, m = self.style, self.measure
        width = self.right - self.left
        size = 13.0 if self.pupil else 10.0
        if self.pupil and any(q.scale_def.faces for q in self.survey.questions):
            key = "say_faces"
        elif self.pupil:  # a quiz of choices: no faces to point at
            key = "say_pupil"
        else:
            key = "say_adult"
        if self.pupil and any(q.retrospective for q in self.survey.questions):
            key = "say_retro"
        says = [phrase(key, lang) for lang in self.langs]
        if any(q.kind == MULTI for q in self.survey.questions):
            says = [say.replace(phrase("like_this", lang), phrase("say_more", lang)
                                + phrase("like_this", lang))
                    for say, lang in zip(says, self.langs, strict=True)]
        lines, size = fit(joined(says), BOLD, size, width - 12 * MM, 1, m)
        r = s.bubble_r * (0.8 if self.pupil else 1.0)
        # One line per language; the example bubble after the longest, between them.
        line_h = max(size * 1.3 * len(lines), 2 * r + 2)
        base = y + line_h / 2 - (len(lines) - 1) * size * 0.65 + size * 0.35
        for line in lines:
            self.text(self.left, base, line, BOLD, size)
            base += size * 1.3
        end = self.left + max(m(line, BOLD, size) for line in lines) + 2 * MM
        self.page.shapes.append(Shape("dot", _r(end), _r(y + line_h / 2 - r), _r(2 * r),
                                      _r(2 * r)))
        y += line_h + 1
        # The survey's intro is written for the web ("tap the face"): pupils' sheets carry
        # only the paper instruction above.
        if self.survey.intro and not self.pupil:
            isize = 12.0 if self.pupil else 9.5
            intro = joined([v.intro or "" for v in self.versions])
            parts, isize, pitch = self.columns(intro, FONT, isize, width, 3, 6.0)
            rows = max(len(lines) for lines in parts)
            self.column_rules(self.left, pitch, parts, y + 1, rows * isize * 1.25)
            for k, lines in enumerate(parts):
                for i, line in enumerate(lines):
                    self.text(self.left + k * pitch, y + isize * (1 + 1.25 * i), line, FONT,
                              isize)
            y += rows * isize * 1.25
        return y

    def ensure(self, height: float) -> None:
        if self.y + height > self.bottom:
            self.new_page()

    def rule(self, y: float) -> None:
        self.page.shapes.append(Shape("rule", _r(self.left), _r(y), _r(self.right - self.left),
                                      0, 0.5, 0.55))

    def add_group(self, name: str, column: str, kind: str, values: Sequence[str],
                  digit: int | None = None) -> None:
        self.questions.append(MarkGroup(name, column, kind, tuple(values), self.page.page,
                                        digit))

    # rows

    def number_label(self, q: Question) -> str:
        self.number += 1
        return f"{self.number}."

    def text_columns(self, text: str, width: float, size: float, side_by_side: bool = True
                     ) -> tuple[list[list[str]], float, float]:
        """A question's text wrapped for `width` after its number: (each column's lines,
        size, column pitch). A bilingual text (two languages, split at PARA) goes side by
        side, the first language in the left column (the Welsh Language Commissioner's
        guidance: Welsh placed to be read first), each wrapped in its half, one size."""
        num_w = self.measure("00.", BOLD, size) + 1.5 * MM
        if not side_by_side:  # stacked, the first language above: 4 lines each
            lines, size = fit(text, FONT, size, width - num_w, 4, self.measure,
                              min_size=size * 0.75)
            return [lines], size, 0.0
        return self.columns(text, FONT, size, width - num_w, 4, size * 0.75, BILINGUAL_LINES)

    def columns(self, text: str, font: str, size: float, width: float, max_lines: int,
                min_size: float, column_lines: int | None = None
                ) -> tuple[list[list[str]], float, float]:
        """`text` fitted into `width`: (each column's lines, size, column pitch). One
        language is one column; a bilingual text stands side by side, a column per
        language, the first on the left, each with up to `column_lines` lines."""
        m = self.measure
        if PARA not in text:
            lines, size = fit(text, font, size, width, max_lines, m, min_size=min_size)
            return [lines], size, 0.0
        n = len(text.split(PARA))
        col_w = (width - (n - 1) * BILINGUAL_GAP) / n
        parts, size = fit_parts(text, font, size, col_w, column_lines or max_lines, m,
                                min_size=min_size)
        return parts, size, col_w + BILINGUAL_GAP

    def column_rules(self, x: float, pitch: float, parts: Sequence[Sequence[str]],
                     y_top: float, height: float) -> None:
        """A light rule between the languages of a text printed side by side."""
        for k in range(1, len(parts)):
            self.page.shapes.append(Shape("rule", _r(x + k * pitch - BILINGUAL_GAP / 2),
                                          _r(y_top), 0, _r(height), 0.5, 0.6))

    def question_text(self, x: float, y_mid: float | None, y_top: float | None, width: float,
                      label: str, text: str, size: float, side_by_side: bool = True) -> float:
        """Question number and wrapped text (side by side when bilingual, unless the row's
        height is fixed and its text narrow: a number's digit rows); centred on y_mid or
        hanging from y_top. Returns the text block's height."""
        m = self.measure
        num_w = m("00.", BOLD, size) + 1.5 * MM
        parts, size, pitch = self.text_columns(text, width, size, side_by_side)
        lead = size * 1.2
        block = lead * max(len(lines) for lines in parts)
        if y_top is None:
            y_top = y_mid - block / 2
        self.text(x, y_top + size * 0.9, label, BOLD, size)
        self.column_rules(x + num_w, pitch, parts, y_top, block - size * 0.2)
        for k, lines in enumerate(parts):
            base = y_top + size * 0.9
            for line in lines:
                self.text(x + num_w + k * pitch, base, line, FONT, size)
                base += lead
        return block

    def text_height(self, text: str, width: float, size: float) -> float:
        parts, size, _ = self.text_columns(text, width, size)
        return size * 1.2 * max(len(lines) for lines in parts)

    def face_size(self, cols: _Columns) -> float:
        """Faces grow when there is room: three faces for the youngest get 12 mm."""
        s = self.style
        _, pitch, _ = self.columns_geometry(cols)
        size = min(s.face_size * 1.2, max(s.face_size, pitch - 8 * MM))
        return min(max(size, cols.face_min), pitch - 1 * MM)

    def row_word_lines(self, cols: _Columns) -> tuple[list[tuple[list[str], float]], float]:
        """Each option's words under its bubble in every row, and their height."""
        s, m = self.style, self.measure
        _, pitch, _ = self.columns_geometry(cols)
        size = s.label_size + 0.5
        lines = [fit(lb, BOLD, size, pitch - 1.0, 2, m, min_size=6.5) for lb in cols.labels]
        return lines, max(len(ls) * sz * 1.1 for ls, sz in lines) + 0.4 * MM

    def columns_geometry(self, cols: _Columns) -> tuple[float, float, float]:
        """(answer area width, pitch, gap between groups) for a columns row."""
        s = self.style
        n, groups = len(cols.values), len(cols.codes)
        gap = 8 * MM if groups > 1 else 0.0
        pitch = s.pitch if n <= 5 else max(2 * s.bubble_r + 3 * MM, 10 * MM)
        if n * groups <= 3:
            pitch *= 1.25
        max_w = (self.right - self.left) * 0.62
        if pitch * n * groups + gap > max_w:
            pitch = max(2 * s.bubble_r + 1.5 * MM, (max_w - gap) / (n * groups))
        return pitch * n * groups + gap, pitch, gap

    def column_centres(self, cols: _Columns) -> list[list[float]]:
        width, pitch, gap = self.columns_geometry(cols)
        x = self.right - width
        out = []
        for _ in cols.codes:
            out.append([x + pitch * (i + 0.5) for i in range(len(cols.values))])
            x += pitch * len(cols.values) + gap
        return out

    def columns_header(self, cols: _Columns, row_h: float) -> None:
        """Option labels over the columns (and "Before" / "Now" over retrospective groups),
        repeated at the top of each page."""
        s, m = self.style, self.measure
        _, pitch, _ = self.columns_geometry(cols)
        centres = self.column_centres(cols)
        size = s.label_size
        shorts, anchors = _short_labels(cols)
        label_lines = [fit(lb, BOLD, size, pitch - 1.5, 3, m, min_size=5.5) for lb in shorts]
        if cols.row_words:  # the words stand in every row instead
            label_lines = [([], size) for _ in shorts]
        n_lines = max(len(ls) for ls, _ in label_lines)
        heading = len(cols.codes) > 1
        head_size = 11.0 if self.pupil else 9.0
        height = (head_size * 1.4 if heading else 0) + n_lines * size * 1.15 + 3
        if anchors:
            height += size * 1.3
        heads = [fit(joined([retro_labels(lang)[suffix] for lang in self.langs]), BOLD,
                     head_size, pitch * len(cols.values), 1, m)[0]
                 for suffix in tuple(retro_labels())[: len(cols.codes)]] if heading else []
        n_heads = max((len(words) for words in heads), default=1)
        if heading:
            height += head_size * 1.4 * (n_heads - 1)
        self.ensure(height + row_h)
        y = self.y + 1 * MM
        if heading:
            for g, words in enumerate(heads):
                xs = centres[g]
                mid = (xs[0] + xs[-1]) / 2
                for k, word in enumerate(words):
                    self.text(mid, y + head_size * (1 + 1.4 * k), word, BOLD, head_size,
                              "center")
            y += head_size * 1.4 * n_heads
        for xs in centres:
            for x, (ls, sz) in zip(xs, label_lines, strict=True):
                yy = y + (n_lines - len(ls)) * size * 1.15 + sz
                for line in ls:
                    self.text(x, yy, line, BOLD, sz, "center")
                    yy += sz * 1.15
        y += n_lines * size * 1.15 + 1
        if anchors:
            first, last = anchors
            for xs in centres:
                if first:
                    self.text(xs[0] - pitch / 2, y + size, first, FONT, size)
                if last:
                    self.text(xs[-1] + pitch / 2, y + size, last, FONT, size, "right")
            y += size * 1.3
        self.y = y + 2
        self.block = cols.signature

    def columns_row(self, q: Question, cols: _Columns) -> None:
        s = self.style
        width, _, gap = self.columns_geometry(cols)
        face = self.face_size(cols)
        face_h = face + 1 * MM if cols.faces else 0.0
        words, words_h = self.row_word_lines(cols) if cols.row_words else ([], 0.0)
        answer_h = face_h + 2 * s.bubble_r + words_h
        text_w = self.right - self.left - width - 4 * MM
        row_h = max(answer_h, self.text_height(self.q_text(q), text_w, s.text_size)) + 2 * s.row_pad
        if self.block != cols.signature or self.y + row_h > self.bottom:
            if self.y + row_h > self.bottom:
                self.new_page()
            self.columns_header(cols, row_h)
        top = self.y
        self.question_text(self.left, top + row_h / 2, None, text_w, self.number_label(q),
                           self.q_text(q), s.text_size)
        cy = top + s.row_pad + face_h + s.bubble_r + (row_h - 2 * s.row_pad - answer_h) / 2
        for code, xs in zip(cols.codes, self.column_centres(cols), strict=True):
            for i, (x, value) in enumerate(zip(xs, cols.values, strict=True)):
                self.page.bubbles.append(Bubble(code, value, _r(x), _r(cy), s.bubble_r))
                if words:
                    lines, size = words[i]
                    yy = cy + s.bubble_r + 0.3 * MM + size * 0.9
                    for line in lines:
                        self.text(x, yy, line, BOLD, size, "center")
                        yy += size * 1.1
                if cols.faces and i < cols.scale_points:
                    self.page.faces.append(FaceMark(_r(x), _r(cy - s.bubble_r - 1 * MM
                                                              - face / 2),
                                                    _r(face), i, cols.scale_points, code,
                                                    value))
            self.page.rows.append(Box(_r(self.left), _r(top), _r(self.right - self.left),
                                      _r(row_h), code))
            self.add_group(code, code, SINGLE_GROUP, cols.values)
        if gap:
            xs = self.column_centres(cols)
            mid = (xs[0][-1] + xs[1][0]) / 2
            self.page.shapes.append(Shape("rule", _r(mid), _r(top + 2), 0, _r(row_h - 4),
                                          0.8, 0.35))
        self.y = top + row_h
        self.rule(self.y)

    def options_row(self, q: Question) -> None:
        """Choice, tick-all and yes/no: the text, then bubble + label items that wrap."""
        s, m = self.style, self.measure
        width = self.right - self.left
        size, r = s.option_size, s.bubble_r
        indent = m("00.", BOLD, s.text_size) + 1.5 * MM
        avail = width - indent
        item_gap = 7 * MM
        items = []
        for o in q.options:
            lines, sz = fit(self.q_label(q, o.code), FONT, size, avail - 2 * r - 2 * MM, 2,
                            m, min_size=7)
            w = 2 * r + 2 * MM + max(m(line, FONT, sz) for line in lines)
            items.append((o.code, lines, sz, w))
        most = max((len(lines) for _, lines, _, _ in items), default=1)
        line_h = max(2 * r, size * 1.2 * most) + 2 * MM
        placed, x, line = [], 0.0, 0
        for code, lines, sz, w in items:
            if x and x + w > avail:
                x, line = 0.0, line + 1
            placed.append((code, lines, sz, x, line))
            x += w + item_gap
        text_h = self.text_height(self.q_text(q), width, s.text_size)
        row_h = text_h + 1.5 * MM + (line + 1) * line_h + 2 * s.row_pad
        self.ensure(row_h)
        self.block = None
        top = self.y
        self.question_text(self.left, None, top + s.row_pad, width, self.number_label(q),
                           self.q_text(q), s.text_size)
        y0 = top + s.row_pad + text_h + 1.5 * MM
        for code, lines, sz, x, ln in placed:
            cx = self.left + indent + x + r
            cy = y0 + ln * line_h + line_h / 2
            self.page.bubbles.append(Bubble(q.code, code, _r(cx), _r(cy), r))
            base = cy - (len(lines) - 1) * sz * 0.6 + sz * 0.35
            words_top = base - sz * 0.75  # cap height above the first baseline
            for text in lines:
                self.text(cx + r + 2 * MM, base, text, FONT, sz)
                base += sz * 1.2
            words_w = max(m(text, FONT, sz) for text in lines)
            self.page.labels.append(Label(q.code, code, _r(cx + r + 2 * MM), _r(words_top),
                                          _r(words_w),
                                          _r(base - sz * 1.2 + sz * 0.25 - words_top)))
        self.page.rows.append(Box(_r(self.left), _r(top), _r(width), _r(row_h), q.code))
        self.add_group(q.code, q.code, MULTI_GROUP if q.kind == MULTI else SINGLE_GROUP,
                       q.option_codes)
        self.y = top + row_h
        self.rule(self.y)

    def digit_rows(self, column: str, title: str, hint: str | None,
                   label: str | None, places: int = 2) -> None:
        """Rows of bubbles 0-9, one per digit place, highest first (tens, ones for a
        two-digit number): mark groups of kind digits feeding one answer column."""
        codes = [f"{column}{DIGIT_SUFFIXES[p]}" for p in range(places - 1, -1, -1)]
        # The name beside each digit row, by place (the phrasebook's "row_<place>").
        names = [self.say(f"row_{p}", ONE_LINE) for p in range(places - 1, -1, -1)]
        s, m = self.style, self.measure
        r = s.digit_r
        pitch = max(2 * r + 3 * MM, 9 * MM)
        size = s.text_size
        dsize = 10.0 if self.pupil else 8.0
        row_h = dsize + 2 + 2 * r + 2 * s.row_pad
        self.ensure(places * row_h + 2)
        self.block = None
        top = self.y
        x_bubbles = self.right - pitch * 10 - 2 * MM
        # Two rows keep the width they always had ("Tens"), so printed sheets do not move.
        widest = "Tens" if places == 2 and self.langs == (DEFAULT_LANGUAGE,) else \
            max(names, key=lambda n: m(n, BOLD, 11.0))
        name_w = m(widest, BOLD, 11.0) + 2 * MM
        text_w = x_bubbles - self.left - name_w - 3 * MM
        middle = top + places * row_h / 2
        if label:
            # Beside ten digit bubbles the text is too narrow to halve, and these rows do
            # not grow: a bilingual question stacks here, the first language above.
            self.question_text(self.left, middle, None, text_w, label, title, size,
                               side_by_side=False)
        else:
            lines, sz = fit(title, BOLD, size, text_w, 2, m)
            hs = 9.0 if self.pupil else 8.0
            hints = fit(hint, FONT, hs, text_w, 2, m)[0] if hint else []
            y = middle - len(lines) * sz * 0.6 + sz * 0.35
            if len(self.langs) > 1:  # a taller block (two hints): centre all of it
                y = middle - (len(lines) * sz * 1.2 + len(hints) * hs * 1.2) / 2 + sz * 0.85
            for line in lines:
                self.text(self.left, y, line, BOLD, sz)
                y += sz * 1.2
            if hint:
                for hl in hints:
                    self.text(self.left, y - sz * 0.2 + hs * 0.3, hl, FONT, hs)
                    y += hs * 1.2
        for k, (code, name) in enumerate(zip(codes, names, strict=True)):
            rtop = top + k * row_h
            cy = rtop + s.row_pad + dsize + 2 + r
            self.text(x_bubbles - 3 * MM, cy + 4, name, BOLD, 11.0, "right")
            for d, value in enumerate(DIGITS):
                cx = x_bubbles + pitch * (d + 0.5)
                self.text(cx, rtop + s.row_pad + dsize, value, BOLD, dsize, "center")
                self.page.bubbles.append(Bubble(code, value, _r(cx), _r(cy), r))
            self.page.rows.append(Box(_r(self.left), _r(rtop), _r(self.right - self.left),
                                      _r(row_h), code))
            self.add_group(code, column, DIGIT_GROUP, DIGITS, places - 1 - k)
        self.y = top + places * row_h
        self.rule(self.y)

    def writein_row(self, q: Question) -> None:
        s = self.style
        width = self.right - self.left
        text_h = self.text_height(self.q_text(q), width, s.text_size)
        row_h = text_h + 2 * MM + s.writein_h + 2 * s.row_pad
        self.ensure(row_h)
        self.block = None
        top = self.y
        self.question_text(self.left, None, top + s.row_pad, width, self.number_label(q),
                           self.q_text(q), s.text_size)
        box = Box(_r(self.left), _r(top + s.row_pad + text_h + 2 * MM), _r(width),
                  _r(s.writein_h), q.code)
        self.page.writeins.append(box)
        self.page.shapes.append(Shape("frame", box.x, box.y, box.w, box.h, 0.8, 0.3))
        self.page.rows.append(Box(_r(self.left), _r(top), _r(width), _r(row_h), q.code))
        self.y = top + row_h

    # the whole survey

    def build(self) -> None:
        self.new_page()
        if self.mode == "bubbles":
            example = "number_example_2" if self.pupil_digits == 2 else "number_example_3"
            hint = joined([phrase("number_hint_pupil" if self.pupil else "number_hint_adult",
                                  lang, example=phrase(example, lang)) for lang in self.langs])
            title = self.say("child_number" if self.survey.audience == "parent"
                             else "my_number", ONE_LINE)
            self.digit_rows(PUPIL_NUMBER, title, hint, None, self.pupil_digits)
        for q in self.survey.questions:
            widget = q.scale_def.paper_widget
            if widget == PAPER_WRITEIN:
                self.writein_row(q)
            elif widget == PAPER_DIGITS:
                self.digit_rows(q.code, self.q_text(q), None, self.number_label(q),
                                q.number_digits)
            elif widget == PAPER_OPTIONS:
                self.options_row(q)
            else:
                scale = q.scale_def
                codes = q.answer_codes
                cols = _Columns(q.columns, codes, tuple(self.q_label(q, c) for c in codes),
                                scale.faces, scale.numbered_row,
                                row_words=scale.faces and self.pupil,
                                face_min=scale.paper_face_mm * MM,
                                plain=len(codes) - len(q.option_codes))
                self.columns_row(q, cols)
        total = len(self.pages)
        for page in self.pages:
            if total > 1:
                y = self.h - (MARKER_INSET_MM + MARKER_MM / 2) * MM + 3
                say = self.say("page_of_turn" if page.page < total else "page_of", ONE_LINE,
                               page=page.page, total=total)
                page.texts.append(Text(_r(self.w / 2), _r(y), say, BOLD, 10.0, "center"))

    def markers(self) -> tuple[Marker, ...]:
        size = MARKER_MM * MM
        near = MARKER_INSET_MM * MM
        far_x, far_y = self.w - near - size, self.h - near - size
        spots = ((near, near), (far_x, near), (far_x, far_y), (near, far_y))
        return tuple(Marker(i, _r(x), _r(y), _r(size))
                     for i, (x, y) in zip(MARKER_IDS, spots, strict=True))

    def result(self) -> SurveyLayout:
        markers, qr = self.markers(), self.qr_box()
        pages = tuple(
            PageLayout(p.page, self.w, self.h, markers, qr, tuple(p.bubbles), tuple(p.rows),
                       tuple(p.writeins), tuple(p.texts), tuple(p.faces), tuple(p.shapes),
                       tuple(p.slots), tuple(p.labels))
            for p in self.pages
        )
        questions = tuple(self.questions)
        blob = json.dumps({"paper": self.paper, "pupil_number": self.mode,
                           "questions": [_question_json(q) for q in questions],
                           "pages": [[_fingerprinted(p.template()), p.drawing()]
                                     for p in pages]},
                          sort_keys=True, ensure_ascii=False)
        fingerprint = hashlib.sha256(blob.encode()).hexdigest()[:16]
        return SurveyLayout(self.survey.code, self.title.replace(PARA, ONE_LINE),
                            self.survey.audience, self.paper, self.mode, pages, questions,
                            fingerprint, self.langs)


def _fingerprinted(template: dict[str, Any]) -> dict[str, Any]:
    """A page template as fingerprinted: the option labels' boxes are left out, since the
    words themselves are fingerprinted as texts (and layouts keep the fingerprints they had
    before the boxes were written)."""
    return {k: v for k, v in template.items() if k != "labels"}


def _short_labels(cols: _Columns) -> tuple[list[str], tuple[str, str] | None]:
    """Column labels; a numbered row (0 ... 10) shows its numbers over the columns and the
    words of its two ends once underneath."""
    if not cols.numbered:
        return list(cols.labels), None
    shorts = [v if lb.startswith(v) else lb for v, lb in zip(cols.values, cols.labels,
                                                              strict=True)]

    def end(value: str, label: str) -> str:  # each language's words, on one line
        return joined([Scale.end_words(value, part) for part in label.split(PARA)], ONE_LINE)

    ends = (end(cols.values[0], cols.labels[0]), end(cols.values[-1], cols.labels[-1]))
    return shorts, ends


def _question_json(q: MarkGroup) -> dict[str, Any]:
    return q.to_json()


def compute_layout(survey: Survey, *, paper: str = "a4", pupil_number: str = "none",
                   measure: Measure, pupil_digits: int = 2,
                   languages: Sequence[str] = ()) -> SurveyLayout:
    """Place every element of `survey` on `paper` pages; the one source of positions.
    `pupil_digits`: digit rows for the pupil number (3 where numbers go up to 999).
    `languages`: the language of the sheet (default: the survey's own), or two for a
    bilingual sheet (the first on the left of each question's text, the title and
    intro, and above the second in narrow places); a language the survey
    does not declare prints in its default language. The geometry the scanner reads
    (bubbles, rows, groups) is built the same way whatever the words."""
    if paper not in PAPERS and paper not in SLIPS:
        raise ValueError(f"Unknown paper size '{paper}' (use a4 or letter).")
    if pupil_number not in PUPIL_NUMBER_MODES:
        raise ValueError(f"Unknown pupil number mode '{pupil_number}'.")
    versions = [survey.in_language(lang) for lang in dict.fromkeys(languages)] or \
        [survey.in_language(survey.language)]
    versions = list({v.language: v for v in versions}.values())  # undeclared: default once
    styles = (PUPIL, PUPIL_TIGHT) if survey.audience == "pupil" else (ADULT,)
    first = None
    for style in styles:
        builder = _Builder(versions, paper, pupil_number, measure, style, pupil_digits)
        builder.build()
        first = first or builder
        if len(builder.pages) == 1:
            return builder.result()
    return first.result()


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
        "questions": [_question_json(q) for q in layout.questions],
        "page_templates": templates,
        "sheets": out_sheets,
    }


__all__ = [
    "FORMAT", "MARKER_IDS", "PAPERS", "PUPIL_NUMBER_MODES", "SLIPS", "Bubble", "Box", "FaceMark",
    "Label", "Marker", "PageLayout", "QuestionLayout", "Shape", "Slot", "SurveyLayout", "Text",
    "compute_layout", "fit", "fit_parts", "joined", "layout_document", "pdf_pages_per_sheet",
    "sheet_id", "wrap",
]
