""""I don't know" on paper: one more bubble with its words and no face, printed, filled,
scanned and read back as the missing code, which the same checker as the web accepts."""

from __future__ import annotations

from forms.answers import from_marks, normalise
from forms.definition import parse_survey
from forms.scales import DONT_KNOW
from print import layout_for
from tests.scan.test_roundtrip import scanner_for
from tests.support.generate import REVIEW, Score, class_pack, filled_pages, pages_pdf, score_page

SURVEY = """
code: dk_paper
title: Science and me
audience: pupil
questions:
""" + "".join(f"  - {{code: q{i}, text: Statement {i} about science., scale: "
              f"{'faces3' if i % 2 else 'faces5'}, dont_know: true}}\n" for i in range(8)) + """
  - {code: plain, text: I like science., scale: faces5}
"""


def test_layout_has_a_plain_dont_know_bubble():
    survey = parse_survey(SURVEY)
    layout = layout_for(survey)
    page = layout.pages[0]
    values = [b.value for b in page.bubbles if b.question == "q1"]
    assert values == ["1", "2", "3", DONT_KNOW]
    faces = [f for f in page.faces if f.question == "q1"]
    assert [f.value for f in faces] == ["1", "2", "3"]  # no face for "I don't know"
    assert {f.levels for f in faces} == {3}  # the faces are drawn as a three-face scale
    everywhere = [b for p in layout.pages for b in p.bubbles]
    assert [b.value for b in everywhere if b.question == "plain"] == ["1", "2", "3", "4", "5"]
    assert any("know" in t.text for t in page.texts)  # its words under the bubble


def test_dont_know_printed_filled_and_scanned():
    survey = parse_survey(SURVEY)
    pack = class_pack(survey, 6)
    pages = filled_pages(pack, 1234, "clean")
    result = scanner_for(pack.layout).scan_file(pages_pdf([p.image for p in pages]), "dk.pdf")
    total = Score()
    for painted, got in zip(pages, result.pages, strict=True):
        total.add(score_page(painted.truth, got, f"sheet {painted.serial}"))
    assert total.wrong == 0, total.details
    assert total.reviewed == 0, total.details
    chose = [(p, c) for p in pages for c, v in p.truth.items() if v == DONT_KNOW]
    assert len(chose) >= 3  # the seed paints "I don't know" on several sheets
    for painted, got in zip(pages, result.pages, strict=True):
        posted = from_marks(survey, got.marks)
        checked = normalise(survey, posted.values)
        assert checked.ok, checked.errors
        for column, value in painted.truth.items():
            if value not in (REVIEW, "") and column in checked.values:
                assert checked.values[column] == value
