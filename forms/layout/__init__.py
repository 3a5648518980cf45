"""The printed sheet's geometry, computed once from a survey definition.

`print/` draws exactly this and `scanner/` reads exactly this, so neither re-derives a
position. The layout is pure data (standard library only): text widths come from a
`measure(text, font_name, size_pt)` function passed in (print/ passes reportlab's
`stringWidth`). Coordinates are PDF points, origin at the page's top-left, y downwards.

`layout_document` serialises a layout for a printed batch in the "survey-sheet-layout/1"
JSON format; its fingerprint changes whenever any drawn geometry changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from forms.definition import SurveyDefinition

# Every public name the single module had, so callers keep `from forms.layout import ...`.
from forms.layout.base import (  # noqa: F401
    ADULT,
    BILINGUAL_GAP,
    BILINGUAL_LINES,
    BOLD,
    DIGITS,
    FONT,
    MARKER_IDS,
    MARKER_INSET_MM,
    MARKER_MM,
    MARKER_QUIET_MM,
    MM,
    ONE_LINE,
    PAPERS,
    PARA,
    PUPIL,
    PUPIL_NUMBER,
    PUPIL_NUMBER_MODES,
    PUPIL_TIGHT,
    QR_BOX_MM,
    SAFE_EDGE_MM,
    SLIPS,
    Measure,
    Style,
    joined,
)
from forms.layout.builder import LayoutBuilder
from forms.layout.model import (  # noqa: F401
    Box,
    Bubble,
    FaceMark,
    Label,
    Marker,
    PageLayout,
    QuestionLayout,
    Shape,
    Slot,
    SurveyLayout,
    Text,
    layout_document,
    pdf_pages_per_sheet,
    sheet_id,
)
from forms.layout.text import fit, fit_parts, wrap  # noqa: F401


def compute_layout(survey: SurveyDefinition, *, paper: str = "a4", pupil_number: str = "none",
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
        builder = LayoutBuilder(versions, paper, pupil_number, measure, style, pupil_digits)
        builder.build()
        first = first or builder
        if len(builder.pages) == 1:
            return builder.result()
    return first.result()



__all__ = [
    "FORMAT", "MARKER_IDS", "PAPERS", "PUPIL_NUMBER_MODES", "SLIPS", "Bubble", "Box", "FaceMark",
    "Label", "Marker", "PageLayout", "QuestionLayout", "Shape", "Slot", "SurveyLayout", "Text",
    "compute_layout", "fit", "fit_parts", "joined", "layout_document", "pdf_pages_per_sheet",
    "sheet_id", "wrap",
]
