"""The builder: places every row of a survey on pages, one method group per row kind
(mixins in the sibling modules)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from forms.definition import Question, SurveyDefinition
from forms.layout.answers import AnswerRows
from forms.layout.base import (
    BOLD,
    MARKER_IDS,
    MARKER_INSET_MM,
    MARKER_MM,
    MARKER_QUIET_MM,
    MM,
    ONE_LINE,
    PAPERS,
    PARA,
    PUPIL_NUMBER,
    QR_BOX_MM,
    SLIPS,
    Measure,
    Style,
    joined,
)
from forms.layout.columns import ColumnRows
from forms.layout.header import HeaderRows
from forms.layout.model import (
    Box,
    Marker,
    PageLayout,
    QuestionLayout,
    Shape,
    SurveyLayout,
    Text,
    as_fingerprinted,
    question_json,
)
from forms.layout.parts import ColumnsRow, PageParts
from forms.layout.text import r2
from forms.layout.textcols import TextColumns
from forms.scales import PAPER_DIGITS, PAPER_OPTIONS, PAPER_WRITEIN
from forms.template import MarkGroup
from forms.wording import phrase


class LayoutBuilder(HeaderRows, TextColumns, ColumnRows, AnswerRows):
    """Places one survey's elements page by page in one style; `compute_layout` (in
    `forms/layout/__init__.py`) tries the styles in turn. Each row kind is a mixin."""

    def __init__(self, versions: Sequence[SurveyDefinition], paper: str, pupil_number: str,
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
        self.pages: list[PageParts] = []
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
    def page(self) -> PageParts:
        return self.pages[-1]

    def text(self, x: float, y: float, text: str, font: str, size: float,
             align: str = "left") -> None:
        self.page.texts.append(Text(r2(x), r2(y), text, font, r2(size), align))

    def new_page(self) -> None:
        self.pages.append(PageParts(len(self.pages) + 1))
        self.block = None
        self.y = self.header()

    def qr_box(self) -> Box:
        size = QR_BOX_MM * MM
        x = self.right - (MARKER_MM + MARKER_QUIET_MM) * MM - size
        return Box(r2(x), r2(MARKER_INSET_MM * MM), r2(size), r2(size))


    def ensure(self, height: float) -> None:
        if self.y + height > self.bottom:
            self.new_page()

    def rule(self, y: float) -> None:
        self.page.shapes.append(Shape("rule", r2(self.left), r2(y), r2(self.right - self.left),
                                      0, 0.5, 0.55))

    def add_group(self, name: str, column: str, kind: str, values: Sequence[str],
                  digit: int | None = None) -> None:
        self.questions.append(MarkGroup(name, column, kind, tuple(values), self.page.page,
                                        digit))

    # rows

    def number_label(self, q: Question) -> str:
        self.number += 1
        return f"{self.number}."


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
                cols = ColumnsRow(q.columns, codes, tuple(self.q_label(q, c) for c in codes),
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
                page.texts.append(Text(r2(self.w / 2), r2(y), say, BOLD, 10.0, "center"))

    def markers(self) -> tuple[Marker, ...]:
        size = MARKER_MM * MM
        near = MARKER_INSET_MM * MM
        far_x, far_y = self.w - near - size, self.h - near - size
        spots = ((near, near), (far_x, near), (far_x, far_y), (near, far_y))
        return tuple(Marker(i, r2(x), r2(y), r2(size))
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
                           "questions": [question_json(q) for q in questions],
                           "pages": [[as_fingerprinted(p.template()), p.drawing()]
                                     for p in pages]},
                          sort_keys=True, ensure_ascii=False)
        fingerprint = hashlib.sha256(blob.encode()).hexdigest()[:16]
        return SurveyLayout(self.survey.code, self.title.replace(PARA, ONE_LINE),
                            self.survey.audience, self.paper, self.mode, pages, questions,
                            fingerprint, self.langs)
