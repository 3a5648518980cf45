"""The pure layout: geometry rules, the JSON document, fingerprints and their snapshot."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import cv2
import pytest

import forms.layout as layout_mod
from forms.definition import parse_survey
from forms.layout import MM, PAPERS, PUPIL_NUMBER_MODES, compute_layout, layout_document
from forms.template import LayoutFormatError, SheetTemplate
from print import layout_for, measure
from print.markers import ARUCO_4X4_BITS, marker_cells
from tests.sheets.sheet_helpers import BANK_CODES, bank, long_teacher_survey
from tests.support.synthetic import synthetic_layout

SNAPSHOTS = Path(__file__).with_name("snapshots.json")
EDGE = 10 * MM


def all_layouts():
    for code in BANK_CODES:
        for paper in PAPERS:
            for mode in PUPIL_NUMBER_MODES:
                yield code, paper, mode


def inside(x0: float, y0: float, x1: float, y1: float, w: float, h: float) -> bool:
    return x0 >= EDGE and y0 >= EDGE and x1 <= w - EDGE and y1 <= h - EDGE


@pytest.mark.parametrize(("code", "paper", "mode"), list(all_layouts()))
def test_nothing_near_the_edge_and_no_bubbles_overlap(code, paper, mode):
    lay = layout_for(bank(code), paper, mode)
    for page in lay.pages:
        w, h = page.width_pt, page.height_pt
        boxes = [(m.x, m.y, m.x + m.size, m.y + m.size) for m in page.markers]
        boxes.append((page.qr.x, page.qr.y, page.qr.x + page.qr.w, page.qr.y + page.qr.h))
        boxes += [(b.cx - b.r, b.cy - b.r, b.cx + b.r, b.cy + b.r) for b in page.bubbles]
        boxes += [(r.x, r.y, r.x + r.w, r.y + r.h) for r in page.rows + page.writeins]
        for t in page.texts:
            width = measure(t.text, t.font, t.size)
            x0 = {"left": t.x, "center": t.x - width / 2, "right": t.x - width}[t.align]
            boxes.append((x0, t.y - t.size, x0 + width, t.y + t.size * 0.25))
        for f in page.faces:
            boxes.append((f.cx - f.size / 2, f.cy - f.size / 2, f.cx + f.size / 2,
                          f.cy + f.size / 2))
        for box in boxes:
            assert inside(*box, w, h), (code, paper, mode, box)
        bubbles = page.bubbles
        for i, a in enumerate(bubbles):
            for b in bubbles[i + 1:]:
                gap = ((a.cx - b.cx) ** 2 + (a.cy - b.cy) ** 2) ** 0.5 - a.r - b.r
                assert gap > 2 * MM, (a, b)


def test_markers_and_qr_keep_clear_of_bubbles():
    lay = layout_for(bank("pupil_attitudes_7_11"), "letter", "bubbles")
    page = lay.pages[0]
    quiet = 3 * MM
    keep_out = [(m.x - quiet, m.y - quiet, m.x + m.size + quiet, m.y + m.size + quiet)
                for m in page.markers]
    keep_out.append((page.qr.x, page.qr.y, page.qr.x + page.qr.w, page.qr.y + page.qr.h))
    for b in page.bubbles:
        for x0, y0, x1, y1 in keep_out:
            assert not (x0 - b.r < b.cx < x1 + b.r and y0 - b.r < b.cy < y1 + b.r), b


@pytest.mark.parametrize("code", ["pupil_attitudes_5_7", "pupil_attitudes_7_11",
                                  "workshop_knowledge"])
@pytest.mark.parametrize("paper", list(PAPERS))
def test_pupil_sheets_have_big_faces_with_their_words_in_every_row(code, paper):
    """Issue 11: on a faces sheet the words of each answer stand in every row (a child on
    row 6 does not look back at the top), the youngest's faces (faces3) are at least 15 mm
    across, and the web intro ("tap the face") is not printed. On A4 the sheet without
    number bubbles (the default: numbers printed) stays on one page."""
    survey = bank(code)
    for mode in PUPIL_NUMBER_MODES:
        lay = layout_for(survey, paper, mode)
        if paper == "a4" and (mode != "bubbles" or code != "pupil_attitudes_5_7"):
            assert len(lay.pages) == 1, (code, paper, mode)
        for page in lay.pages:
            answer = [b for b in page.bubbles if not b.question.startswith("pupil_number")]
            assert min(b.r for b in answer) * 2 >= 8 * MM
            # one face above every answer bubble, its words right under it
            assert len(page.faces) == len(answer)
            for f, b in zip(page.faces, answer, strict=True):
                assert f.cx == b.cx
                assert f.cy < b.cy - b.r
                q = survey.question_for_column(b.question)
                if q.scale == "faces3":
                    assert f.size >= 15 * MM - 0.01
                words = [t for t in page.texts if abs(t.x - b.cx) < 0.01
                         and b.cy + b.r < t.y < b.cy + b.r + 8 * MM]
                assert " ".join(t.text for t in words) == q.label(b.value), (b, words)
            assert not any(survey.intro and survey.intro in t.text for t in page.texts)


def test_questions_match_bubbles_and_codes_are_export_columns():
    survey = bank("workshop_knowledge")
    lay = layout_for(survey, "a4", "bubbles")
    doc = layout_document(lay, [("5-1", None)])
    codes = [q["code"] for q in doc["questions"]]
    assert codes == ["pupil_number_tens", "pupil_number_units", *survey.columns]
    bubbles = doc["sheets"][0]["pages"][0]["bubbles"]
    for q in doc["questions"]:
        assert q["type"] == "single"
        assert [b["value"] for b in bubbles if b["question"] == q["code"]] == q["values"]
    assert {q["values"] == list("0123456789") for q in doc["questions"][:2]} == {True}


def test_mark_groups_name_their_answer_column_and_kind():
    """Issue 11: the layout names each mark group's column and kind, so no reader has to
    guess that `<code>_tens` is a digit of `<code>`."""
    survey = parse_survey("""
code: kinds
title: Every kind
audience: teacher
questions:
  - {code: years, text: "How many years have you taught?", scale: number}
  - {code: topics, text: "Which topics?", scale: multi,
     options: [{code: plants, label: Plants}, {code: space, label: Space}]}
  - {code: conf, text: Confidence, scale: confidence5, retrospective: true}
""")
    doc = json.loads(json.dumps(layout_document(layout_for(survey, "a4", "bubbles"))))
    sheet = SheetTemplate.from_json(doc)
    kinds = {g.name: (g.column, g.kind, g.digit) for g in sheet.groups}
    assert kinds == {
        "pupil_number_tens": ("pupil_number", "digits", 1),
        "pupil_number_units": ("pupil_number", "digits", 0),
        "years_tens": ("years", "digits", 1), "years_units": ("years", "digits", 0),
        "topics": ("topics", "multi", None),
        "conf_then": ("conf_then", "single", None), "conf_now": ("conf_now", "single", None)}
    assert sheet.columns_on(1) == ("pupil_number", "years", "topics", "conf_then", "conf_now")
    # Option rows give each option's words' box, after its bubble on the same line, so the
    # scanner can look for a mark between two options in the clear space after the words.
    (page,) = sheet.pages
    bubbles = {(b.group, b.value): b for b in page.bubbles}
    assert {(lb.group, lb.value) for lb in page.labels} == {("topics", "plants"),
                                                             ("topics", "space")}
    for lb in page.labels:
        b = bubbles[(lb.group, lb.value)]
        assert lb.x > b.cx + b.r
        assert lb.y < b.cy < lb.y + lb.h
    first = min(page.labels, key=lambda lb: lb.x)
    assert first.x + first.w < bubbles[("topics", "space")].cx - bubbles[("topics", "space")].r


def test_a_layout_stored_before_groups_were_named_is_still_read():
    """Sheets printed with layout/1 (no column or kind) must still scan."""
    old = synthetic_layout()
    assert old["format"] == "survey-sheet-layout/1"
    sheet = SheetTemplate.from_json(old)
    assert sheet.group("pupil_number_tens").column == "pupil_number"
    assert sheet.group("pupil_number_units").digit == 0
    assert (sheet.group("topics").kind, sheet.group("q1").kind) == ("multi", "single")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("page_templates"), "'page_templates' is missing"),
    (lambda d: d["questions"][0].update(kind="odd"), "is not one of"),
    (lambda d: d["page_templates"][0]["bubbles"][0].update(cx="left"), "expected int or float"),
    (lambda d: d.update(format="survey-sheet-layout/9"), "unknown format"),
])
def test_a_damaged_stored_layout_is_refused_with_the_reason(change, message):
    doc = json.loads(json.dumps(layout_document(layout_for(bank("partner_school")))))
    change(doc)
    with pytest.raises(LayoutFormatError, match=message):
        SheetTemplate.from_json(doc)


def test_multi_choice_and_writein_questions():
    lay = layout_for(bank("partner_school"), "a4", "none")
    doc = layout_document(lay, [("5-1", None)])
    types = {q["code"]: q["type"] for q in doc["questions"]}
    assert types == {"recommend": "single", "continue": "single", "raise_standards": "single",
                     "role": "single", "benefits": "multi"}
    benefits = next(q for q in doc["questions"] if q["code"] == "benefits")
    assert benefits["values"] == ["pupils", "staff", "resources", "links"]
    page = doc["page_templates"][0]
    assert [w["question"] for w in page["writeins"]] == ["comments"]
    assert {r["question"] for r in page["rows"]} == {*types, "comments"}
    recommend = [b for b in page["bubbles"] if b["question"] == "recommend"]
    assert [b["value"] for b in recommend] == [str(i) for i in range(11)]


def test_long_survey_continues_on_page_two_with_the_same_geometry_per_sheet():
    lay = layout_for(long_teacher_survey(), "a4", "none")
    assert len(lay.pages) == 2
    doc = layout_document(lay, [("9-1", None), ("9-2", None)], first_pdf_page=2,
                          installation="ABCD12")
    assert [p["pdf_page"] for s in doc["sheets"] for p in s["pages"]] == [2, 3, 4, 5]
    assert [p["page"] for p in doc["sheets"][1]["pages"]] == [1, 2]
    assert doc["sheets"][1]["pages"][1]["qr_text"].startswith("SV1/ABCD12/9/2/2/")
    for sheet in doc["sheets"]:
        for page, template in zip(sheet["pages"], doc["page_templates"], strict=True):
            assert {k: v for k, v in page.items() if k not in ("pdf_page", "qr_text")} \
                == template
    pages = {q["code"]: q["page"] for q in doc["questions"]}
    assert pages["q1"] == 1
    assert pages["q30"] == 2
    assert doc["page_templates"][1]["writeins"][0]["question"] == "notes"


def test_document_has_the_contract_keys():
    lay = layout_for(bank("teacher_confidence"), "letter", "none")
    doc = json.loads(json.dumps(layout_document(lay, [("3-1", None)], first_pdf_page=1)))
    assert doc["format"] == "survey-sheet-layout/2"
    assert doc["paper"] == "letter"
    assert doc["fingerprint"] == lay.fingerprint
    page = doc["sheets"][0]["pages"][0]
    assert page["pdf_page"] == 1
    assert (page["width_pt"], page["height_pt"]) == (612.0, 792.0)
    assert [m["id"] for m in page["markers"]] == [0, 1, 2, 3]
    tl, tr, br, bl = page["markers"]
    assert tl["x"] < tr["x"]
    assert tl["y"] < bl["y"]
    assert (br["x"], br["y"]) == (tr["x"], bl["y"])
    assert set(page["qr"]) == {"x", "y", "size"}
    for key in ("bubbles", "rows", "writeins"):
        assert page[key], key


def test_fingerprint_is_stable_and_follows_geometry(monkeypatch):
    survey = bank("pupil_attitudes_7_11")
    a = layout_for(survey, "a4", "none").fingerprint
    assert layout_for(survey, "a4", "none").fingerprint == a
    assert layout_for(survey, "letter", "none").fingerprint != a
    assert layout_for(survey, "a4", "bubbles").fingerprint != a
    reworded = parse_survey(survey.to_yaml().replace("I enjoy science.", "I love science."))
    assert layout_for(reworded, "a4", "none").fingerprint != a
    for style in ("PUPIL", "PUPIL_TIGHT"):
        monkeypatch.setattr(layout_mod, style,
                            dataclasses.replace(getattr(layout_mod, style), bubble_r=13.0))
    assert layout_for(survey, "a4", "none").fingerprint != a


def test_layout_takes_its_text_widths_from_the_measure_function():
    survey = bank("teacher_confidence")
    wide = compute_layout(survey, measure=lambda t, f, s: len(t) * s * 0.9)
    narrow = compute_layout(survey, measure=measure)
    assert wide.fingerprint != narrow.fingerprint


def test_bad_paper_or_mode_is_refused():
    with pytest.raises(ValueError, match="a4 or letter"):
        compute_layout(bank("teacher_confidence"), paper="a5", measure=measure)
    with pytest.raises(ValueError, match="pupil number"):
        compute_layout(bank("teacher_confidence"), pupil_number="x", measure=measure)


def test_embedded_aruco_patterns_are_opencv_s():
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for marker_id in ARUCO_4X4_BITS:
        img = cv2.aruco.generateImageMarker(dictionary, marker_id, 6)
        black = {(c, r) for r in range(6) for c in range(6) if img[r, c] == 0}
        assert set(marker_cells(marker_id)) == black


def current_fingerprints() -> dict:
    return {code: {paper: {mode: layout_for(bank(code), paper, mode).fingerprint
                           for mode in PUPIL_NUMBER_MODES} for paper in PAPERS}
            for code in BANK_CODES}


def test_bank_layout_fingerprints_match_the_snapshot():
    """An accidental geometry change fails here. If the change is meant, run
    UPDATE_SNAPSHOTS=1 pytest tests/sheets/test_layout.py and commit snapshots.json:
    sheets printed before keep their stored layout, so they still scan."""
    current = current_fingerprints()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOTS.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert json.loads(SNAPSHOTS.read_text()) == current
