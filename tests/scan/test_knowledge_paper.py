"""Knowledge checks and large numbers on paper, through the whole app (issue 14, items 4 and
6): print a real class pack, colour answers in, scan it with the real scanner, and compare
the export with the same answers sent on the web: the same score, the same numbers."""

from __future__ import annotations

import csv

import numpy as np
import pypdfium2 as pdfium
import pytest

from survey_app.admin.operations import create_collection
from survey_app.extensions import db
from survey_app.paper.operations import print_class_pack
from survey_app.scans.operations import run_batch
from tests.scan.test_import import DPI, _paint, _upload
from tests.support.generate import pages_pdf
from tests.web.test_knowledge_web import QUIZ_YAML, _send


def _digits(column: str, number: str) -> dict[str, list[str]]:
    """The bubbles to colour for `number` in a column's digit rows, highest place first."""
    suffixes = ["_hundred_thousands", "_ten_thousands", "_thousands", "_hundreds", "_tens",
                "_units"][-len(number):]
    return {column + s: [d] for s, d in zip(suffixes, number, strict=True)}


#: Per sheet: the bubbles coloured, then what the web sends for the same answers.
SHEETS = [
    ({"glow": ["sun"], "opaque": ["wall", "book"], "fun": ["3"],
      **_digits("steps", "120345"), **_digits("pupil_number", "250")},
     {"glow": "sun", "opaque": ["wall", "book"], "fun": "3", "steps": "120345",
      "pupil_number": "250"}),
    ({"glow": ["moon"], "opaque": ["wall"], **_digits("steps", "000007"),
      **_digits("pupil_number", "007")},
     {"glow": "moon", "opaque": ["wall"], "steps": "7", "pupil_number": "7"}),
    ({"glow": ["sun"], "opaque": ["glass", "wall", "book"], **_digits("pupil_number", "999")},
     {"glow": "sun", "opaque": ["glass", "wall", "book"], "pupil_number": "999"}),
]


def _pages(pdf: bytes, document: dict) -> list[np.ndarray]:
    out = []
    with pdfium.PdfDocument(pdf) as d:
        for sheet, (marks, _web) in zip(document["sheets"], SHEETS, strict=True):
            for page in sheet["pages"]:
                rgb = d[page["pdf_page"]].render(scale=DPI / 72).to_numpy()[:, :, :3]
                img = np.ascontiguousarray(rgb[:, :, ::-1])
                _paint(img, document, page["page"], marks)
                out.append(img)
    return out


def _pdf_text(pdf: bytes) -> str:
    with pdfium.PdfDocument(pdf) as d:
        return "\n".join(page.get_textpage().get_text_range() for page in d)


def _rows(runner, tmp_path, collection_id: int) -> list[dict]:
    out = tmp_path / f"c{collection_id}.csv"
    result = runner.invoke(args=["export", "--collection", str(collection_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def quiz_collections(app, partnership):
    from forms.definition import parse_survey
    from survey_app.admin.operations import load_survey_version

    app.config["PUPIL_NUMBER_MAX"] = 999
    load_survey_version(partnership, parse_survey(QUIZ_YAML, "light_quiz.yaml"))
    made = [create_collection(partnership, survey_code="light_quiz", school_name="Oak Primary",
                              group_name=name, phase="before", ask_pupil_number=True)
            for name in ("Year 5 paper", "Year 5 web")]
    db.session.commit()
    return made


def test_printed_filled_scanned_scores_as_the_web_does(app, client, runner, partnership,
                                                       quiz_collections, tmp_path):
    paper, web = quiz_collections
    pack = print_class_pack(paper, len(SHEETS))
    db.session.commit()
    # Three pupil-number rows (the setting says 999) and six for a number up to 999,999.
    digit_rows = {}
    for g in pack.document["questions"]:
        if g["kind"] == "digits":
            digit_rows[g["column"]] = digit_rows.get(g["column"], 0) + 1
    assert digit_rows == {"pupil_number": 3, "steps": 6}
    text = _pdf_text(pack.pdf)
    assert "The Sun" in text
    assert "correct" not in text.lower()  # the right answer is never printed
    # the teacher's cover says not to go through the answers, and how to colour 3 digits
    cover = " ".join(_pdf_text(pack.pdf).split())
    assert "Some questions have a right answer" in cover
    assert "no right or wrong answers" not in cover
    assert "colour the hundreds, the tens and the ones" in cover

    outcome = _upload(pages_pdf(_pages(pack.pdf, pack.document), dpi=DPI), "quiz.pdf",
                      partnership)
    assert run_batch(outcome.batch).status == "done"
    for _marks, answers in SHEETS:
        assert _send(client, web, answers) == 303

    on_paper, on_web = _rows(runner, tmp_path, paper.id), _rows(runner, tmp_path, web.id)
    assert [r["needs_review"] for r in on_paper] == ["", "", ""]
    keys = ("pupil_number", "glow", "opaque", "steps", "score", "score_max")
    assert [[r[k] for k in keys] for r in on_paper] == [[r[k] for k in keys] for r in on_web]
    assert [r["score"] for r in on_paper] == ["2", "0", "1"]
    assert [r["steps"] for r in on_paper] == ["120345", "7", ""]
    assert [r["pupil_number"] for r in on_paper] == ["250", "7", "999"]


def test_numbered_packs_print_three_digit_pupil_numbers(app, partnership, quiz_collections):
    paper, _web = quiz_collections
    pack = print_class_pack(paper, numbers="120-122")
    db.session.commit()
    text = _pdf_text(pack.pdf)
    for n in (120, 121, 122):
        assert f"Pupil number {n}" in text
    assert not any(g["column"] == "pupil_number" for g in pack.document["questions"])
