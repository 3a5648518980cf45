"""Sizes, fonts, styles and paper of the printed sheet (constants shared by the model
and the builder)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
#: the left, for question texts, the title and intro (`LayoutBuilder.columns`); the first above
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


#: Pupil bubbles are 8.8 mm across (at least 8 mm, so a 6-year-old can
#: fill one; faces 15 mm: docs/teacher/print.md).
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
