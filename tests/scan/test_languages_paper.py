"""Welsh and bilingual sheets: printed as real PDFs from a bank pupil survey, filled,
scanned and read exactly like English ones (the layout carries the geometry, whatever
the words), with the words of the chosen language(s) on the page."""

from __future__ import annotations

import pytest

from forms.definition import load_survey
from print import layout_for
from tests.conftest import BANK
from tests.scan.test_roundtrip import scanner_for
from tests.support.generate import Score, class_pack, filled_pages, pages_pdf, score_page


def _words(layout) -> str:
    return " ".join(t.text for page in layout.pages for t in page.texts)


@pytest.mark.parametrize(("languages", "seed"), [(("cy",), 31), (("cy", "en"), 32)],
                         ids=["welsh", "bilingual"])
def test_welsh_and_bilingual_sheets_scan_like_english(languages, seed):
    survey = load_survey(BANK / "workshop_knowledge.yaml")  # faces, before/now, labels
    english = layout_for(survey, "a4", "bubbles")
    pack = class_pack(survey, 3, pupil_number="bubbles", languages=languages)
    layout = layout_for(survey, "a4", "bubbles", languages=languages)
    words = _words(layout)
    assert "Sut mae golau'n teithio" in words
    assert "Cyn y gweithdy" in words
    assert "Dim llawer" in words
    assert ("How light travels" in words) == (languages == ("cy", "en"))
    # The same bubbles and groups as the English sheet; only words and rows move.
    assert [g.name for g in layout.questions] == [g.name for g in english.questions]
    assert layout.fingerprint != english.fingerprint
    pages = filled_pages(pack, seed, "clean")
    result = scanner_for(pack.layout).scan_file(pages_pdf([p.image for p in pages]),
                                                "cy.pdf")
    total = Score()
    for painted, got in zip(pages, result.pages, strict=True):
        total.add(score_page(painted.truth, got, f"sheet {painted.serial}"))
    assert total.answers == 3 * 11, total.line()  # 10 before/now columns + pupil number
    assert total.unreadable_pages == 0, total.line()
    assert total.wrong == 0, total.details
    assert total.reviewed == 0, total.details


def test_a_two_page_bilingual_sheet_with_side_by_side_questions_scans():
    """The 7-11 attitudes survey bilingual: two pages, each question's Welsh and English
    side by side (taller rows than in English), every answer read on both pages."""
    survey = load_survey(BANK / "pupil_attitudes_7_11.yaml")
    layout = layout_for(survey, "a4", "bubbles", languages=("cy", "en"))
    assert len(layout.pages) == 2
    first = layout.pages[0]
    number = next(t for t in first.texts if t.text == "1.")
    beside = sorted((t for t in first.texts if t.y == number.y and t.x > number.x),
                    key=lambda t: t.x)
    assert [t.text.split()[0] for t in beside] == ["Dwi'n", "I"]  # Welsh left, English right
    pack = class_pack(survey, 2, pupil_number="bubbles", languages=("cy", "en"))
    pages = filled_pages(pack, 33, "clean")
    result = scanner_for(pack.layout).scan_file(pages_pdf([p.image for p in pages]),
                                                "cyen.pdf")
    total = Score()
    for painted, got in zip(pages, result.pages, strict=True):
        total.add(score_page(painted.truth, got, f"sheet {painted.serial}"))
    assert total.answers == 2 * (len(survey.questions) + 1), total.line()  # + pupil number
    assert total.unreadable_pages == 0, total.line()
    assert total.wrong == 0, total.details
    assert total.reviewed == 0, total.details
