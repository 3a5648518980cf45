"""Generate filled-in, scanned-looking sheets with known answers.

    pack = class_pack("pupil_attitudes_7_11", copies=10, pupil_number="bubbles")
    pages = filled_pages(pack, seed=1000, condition="copier")   # images + the truth
    pdf = pages_pdf([p.image for p in pages], dpi=200)          # a copier-style PDF

The mix of mark styles is fixed (`STYLE_MIX`) so accuracy figures are comparable between
runs; thresholds were tuned on seeds below 1000, and accuracy is reported on seeds >= 1000.
The truth for each answer column is a value, "" (blank) or `REVIEW` (a person must look:
two marks, a crossed-out fill beside a new mark).

Renders with print/ (the real class pack) on purpose: this is the test rig, kept under tests/
so the shipped scanner package never carries it or print/. The code lives in `marks` (one
mark as a child makes it), `children` (a whole page filled in), `faults` (copier and phone
faults) and `pages` (packs, files, scoring); this module gathers the names callers use.
"""

from tests.support.children import FACES_MIX, REVIEW, STYLE_MIX, fill_page, mark_between
from tests.support.faults import (
    CONDITIONS,
    COPIER_FAULTS,
    PHOTO_FAULTS,
    degrade,
    degrade_copier,
    degrade_photo,
    hide_marker,
    shadow_edge,
    streak,
)
from tests.support.marks import CRAYONS, colour_face, paint_mark
from tests.support.pages import (
    FilledPage,
    Pack,
    Score,
    class_pack,
    filled_pages,
    jpeg,
    pages_pdf,
    score_page,
)

__all__ = [
    "CONDITIONS", "COPIER_FAULTS", "CRAYONS", "FACES_MIX", "PHOTO_FAULTS", "REVIEW", "STYLE_MIX",
    "FilledPage", "Pack", "Score", "class_pack", "colour_face", "degrade", "degrade_copier",
    "degrade_photo", "fill_page", "filled_pages", "hide_marker", "jpeg", "mark_between",
    "pages_pdf",
    "paint_mark", "score_page", "shadow_edge", "streak",
]
