"""Sheet words in the survey's language: Welsh fixed words from the phrasebook, bilingual
question texts and titles side by side (first language on the left, stacked where narrow),
nothing printed over anything else, and one font for every line of a text that needs the
fallback font somewhere (a wrapped Welsh question with one "ŷ")."""

from __future__ import annotations

import pytest

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
    assert "I enjoy science." in both
    assert "Fy rhif / My number" in both
    assert "Degau / Tens" in both


def test_fit_gives_each_language_its_own_lines():
    lines, size = fit(f"Un dau tri{PARA}One two three", "Helvetica", 12, 500, 1, measure)
    assert (lines, size) == (["Un dau tri", "One two three"], 12)
    lines, _ = fit(f"{'gair ' * 40}{PARA}short", "Helvetica", 12, 100, 2, measure, 11)
    assert lines[1].endswith("…")
    assert lines[-1] == "short"


def _column(texts, first: str, last: str) -> list:
    """The lines of one language's column, from its first line to its last."""
    start = next(k for k, t in enumerate(texts) if t.text == first)
    end = next(k for k, t in enumerate(texts) if k >= start and t.text == last)
    return texts[start:end + 1]


def test_bilingual_question_texts_stand_side_by_side_welsh_on_the_left():
    survey = load_survey(BANK / "pupil_attitudes_7_11.yaml")
    layout = layout_for(survey, "a4", "bubbles", languages=("cy", "en"))
    page = layout.pages[0]
    texts = list(page.texts)
    number = next(t for t in texts if t.text == "4.")
    welsh = _column(texts, "Dwi'n gallu", "bobl eraill.")
    english = _column(texts, "I can explain my", "others.")
    assert len(welsh) >= 2
    assert len(english) >= 2
    assert {t.x for t in welsh} == {welsh[0].x}
    assert {t.x for t in english} == {english[0].x}
    assert number.x < welsh[0].x < english[0].x
    # Side by side: the two columns start on the number's line and share a y range.
    assert welsh[0].y == english[0].y == number.y
    assert welsh[0].y < english[-1].y
    assert english[0].y < welsh[-1].y
    # One size (neither language less prominent), and nothing runs into the next column
    # or into the bubbles.
    assert {t.size for t in welsh} == {t.size for t in english}
    assert max(t.x + measure(t.text, t.font, t.size) for t in welsh) < english[0].x
    row = next(r for r in page.rows if r.question == "explain")
    bubbles = [b for b in page.bubbles if b.question == "explain"]
    assert max(t.x + measure(t.text, t.font, t.size) for t in english) < \
        min(b.cx - b.r for b in bubbles)
    assert all(row.y < t.y < row.y + row.h for t in welsh + english)
    # A light rule between the two languages.
    assert any(s.kind == "rule" and s.w == 0 and welsh[0].x < s.x < english[0].x
               for s in page.shapes)


def test_a_one_language_sheet_has_one_column():
    survey = load_survey(BANK / "pupil_attitudes_7_11.yaml")
    page = layout_for(survey, languages=("cy",)).pages[0]
    number = next(t for t in page.texts if t.text == "1.")
    beside = [t for t in page.texts if t.y == number.y and t is not number]
    assert [t.text for t in beside] == ["Dwi'n mwynhau gwyddoniaeth."]


def test_bilingual_title_stands_side_by_side():
    survey = load_survey(BANK / "pupil_attitudes_5_7.yaml")
    pages = layout_for(survey, languages=("cy", "en")).pages
    assert len(pages) == 2  # "(parhad)" / "(continued)" on the second
    for page in pages:
        cy = next(t for t in page.texts if t.text.startswith("Fi a gwyddoniaeth"))
        en = next(t for t in page.texts if t.text.startswith("Me and science"))
        assert cy.y == en.y
        assert cy.x + measure(cy.text, cy.font, cy.size) < en.x
        assert cy.size == en.size


NUMBER = """
code: anifeiliaid
title: {en: Pets, cy: Anifeiliaid}
audience: pupil
languages: [cy, en]
questions:
  - code: pets
    text: {en: "How many pets do you have?", cy: "Faint o anifeiliaid anwes sydd gen ti?"}
    scale: number
"""


def test_a_bilingual_number_question_stacks_inside_its_digit_rows():
    """Digit rows do not grow and their text is narrow: the question stacks there (Welsh
    above English) and stays inside its rows instead of spilling into the next one."""
    page = layout_for(parse_survey(NUMBER), languages=("cy", "en")).pages[0]
    rows = [r for r in page.rows if r.question.startswith("pets")]
    number = next(t for t in page.texts if t.text == "1.")
    lines = [t for t in page.texts if t.font != "Helvetica-Bold" and t.x > number.x
             and t.x < min(b.cx for b in page.bubbles if b.question.startswith("pets"))]
    words = " ".join(t.text for t in lines)
    assert words.index("Faint") < words.index("How many")
    assert len({t.x for t in lines}) == 1  # one column
    assert all(rows[0].y < t.y - t.size * 0.75 and t.y < rows[-1].y + rows[-1].h
               for t in lines)


def _box(t) -> tuple[float, float, float, float]:
    width = measure(t.text, t.font, t.size)
    x0 = {"left": t.x, "center": t.x - width / 2, "right": t.x - width}[t.align]
    return x0, t.y - t.size * 0.75, x0 + width, t.y + t.size * 0.2


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("code", ["pupil_attitudes_5_7", "pupil_attitudes_7_11",
                                  "workshop_knowledge", "light_check"])
@pytest.mark.parametrize("mode", ["none", "bubbles", "printed"])
def test_bilingual_bank_sheets_have_no_text_over_text_bubbles_or_faces(code, mode):
    layout = layout_for(load_survey(BANK / f"{code}.yaml"), "a4", mode,
                        languages=("cy", "en"))
    for page in layout.pages:
        texts = [_box(t) for t in page.texts]
        ink = [(b.cx - b.r, b.cy - b.r, b.cx + b.r, b.cy + b.r) for b in page.bubbles]
        ink += [(f.cx - f.size / 2, f.cy - f.size / 2, f.cx + f.size / 2, f.cy + f.size / 2)
                for f in page.faces]
        for i, a in enumerate(texts):
            assert not any(_overlap(a, b) for b in ink), (code, page.page, page.texts[i])
            for j, b in enumerate(texts[i + 1:], i + 1):
                assert not _overlap(a, b), (code, page.page, page.texts[i], page.texts[j])
