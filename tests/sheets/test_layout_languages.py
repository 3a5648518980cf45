"""Sheet words in the survey's language: Welsh fixed words from the phrasebook, bilingual
texts as two blocks (first language above), and one font for every line of a text that
needs the fallback font somewhere (a wrapped Welsh question with one "ŷ")."""

from __future__ import annotations

from forms.definition import load_survey, parse_survey
from forms.layout import PARA, fit
from print import layout_for, measure
from tests.conftest import BANK

LONG_WELSH = """
code: hyn
title: Fi a gwyddoniaeth
audience: pupil
languages: [cy, en]
questions:
  - code: swydd
    text:
      cy: Hoffet ti gael swydd gwyddoniaeth mewn labordy mawr yn y ddinas pan fyddi di'n hŷn?
      en: Would you like a science job in a big laboratory in the city when you grow up?
    scale: faces3
"""


def _lines(layout) -> list:
    return [t for page in layout.pages for t in page.texts]


def test_every_line_of_a_text_with_a_welsh_letter_shares_one_font():
    survey = parse_survey(LONG_WELSH)
    texts = _lines(layout_for(survey))
    question = [t for t in texts if t.text.split()[0] in ("Hoffet", "ddinas", "dinas")
                or t.text.endswith("hŷn?")]
    assert len(question) >= 2  # wrapped
    assert {t.font for t in question} == {"DejaVuSans"}
    others = [t for t in texts if t not in question and t.text in ("Na", "Ie")]
    assert others
    assert {t.font for t in others} == {"Helvetica-Bold"}  # untouched


def test_welsh_sheet_words_and_bilingual_blocks():
    survey = load_survey(BANK / "pupil_attitudes_7_11.yaml")
    cy = " ".join(t.text for t in _lines(layout_for(survey, languages=("cy",))))
    assert "Lliwia'r cylch o dan un wyneb ar gyfer pob cwestiwn, fel hyn:" in cy
    assert "Colour in" not in cy
    both = [t.text for t in _lines(layout_for(survey, "a4", "bubbles", languages=("cy", "en")))]
    assert both.index("Dwi'n mwynhau gwyddoniaeth.") + 1 == both.index("I enjoy science.")
    assert "Fy rhif / My number" in both
    assert "Degau / Tens" in both


def test_fit_gives_each_language_its_own_lines():
    lines, size = fit(f"Un dau tri{PARA}One two three", "Helvetica", 12, 500, 1, measure)
    assert (lines, size) == (["Un dau tri", "One two three"], 12)
    lines, _ = fit(f"{'gair ' * 40}{PARA}short", "Helvetica", 12, 100, 2, measure, 11)
    assert lines[1].endswith("…")
    assert lines[-1] == "short"
