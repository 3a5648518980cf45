"""Rendered PDFs checked in pixels against the layout JSON: every bubble is a ring of ink
at its radius with paper inside, the QR decodes to the sheet's code, the four ArUco
markers are where the layout says, and nothing is printed within 10 mm of the edge."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from forms.layout import layout_document, pdf_pages_per_sheet, sheet_id
from forms.sheetcode import decode_sheet_code, encode_sheet_code
from print import CoverText, PackSheet, cover_pages, layout_for, render_pack
from tests.sheets.sheet_helpers import (
    bank,
    check_bubble,
    decode_qr,
    edge_ink,
    find_markers,
    long_teacher_survey,
    render_pages,
)

INSTALLATION = "K7Q2XH"
COLLECTION = 14


def make_pack(survey, paper, mode, sheets):
    lay = layout_for(survey, paper, mode)
    pdf = render_pack(lay, sheets, installation=INSTALLATION, collection_id=COLLECTION,
                      school="Oakfield Primary", group="Year 5 Oak",
                      cover=CoverText(COLLECTION, "Oakfield Primary", "Year 5 Oak", "before"))
    doc = layout_document(lay, [(sheet_id(COLLECTION, s.serial), s.pupil_number)
                                for s in sheets],
                          first_pdf_page=cover_pages(lay), installation=INSTALLATION)
    return lay, pdf, doc


def pdf_text(pdf: bytes, index: int) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[index]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        page.close()
        return text
    finally:
        doc.close()


def check_pack(pdf: bytes, doc: dict, lay) -> None:
    images = render_pages(pdf)
    n_sheet_pages = sum(len(s["pages"]) for s in doc["sheets"])
    stride = pdf_pages_per_sheet(lay)
    assert len(images) == cover_pages(lay) + n_sheet_pages // len(lay.pages) * stride
    for img in images:
        assert edge_ink(img) == 0
    for sheet in doc["sheets"]:
        for page in sheet["pages"]:
            img = images[page["pdf_page"]]
            for b in page["bubbles"]:
                result = check_bubble(img, b["cx"], b["cy"], b["r"])
                assert result.ring_dark >= 0.9, (sheet["sheet_id"], b, result)
                assert result.inside > 235, (sheet["sheet_id"], b, result)
            text = decode_qr(img, page["qr"])
            assert text == page["qr_text"]
            code = decode_sheet_code(text)
            assert code.sheet_id == sheet["sheet_id"]
            assert code.page == page["page"]
            assert code.matches_layout(doc["fingerprint"])
            found = find_markers(img)
            assert set(found) == {0, 1, 2, 3}
            for m in page["markers"]:
                cx, cy = found[m["id"]]
                assert abs(cx - (m["x"] + m["size"] / 2)) < 2
                assert abs(cy - (m["y"] + m["size"] / 2)) < 2
            assert f"Sheet {sheet['sheet_id']}" in pdf_text(pdf, page["pdf_page"])


@pytest.mark.parametrize(("code", "paper", "mode"), [
    ("pupil_attitudes_7_11", "a4", "bubbles"),
    ("pupil_attitudes_5_7", "a4", "printed"),
    ("workshop_knowledge", "letter", "bubbles"),
    ("teacher_confidence", "letter", "none"),
    ("partner_school", "a4", "none"),
])
def test_one_page_packs(code, paper, mode):
    lay, pdf, doc = make_pack(bank(code), paper, mode, [PackSheet(s) for s in (1, 2, 3)])
    assert len(lay.pages) == 1
    check_pack(pdf, doc, lay)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_two_page_survey_has_a_qr_per_page_and_a_two_page_cover(paper):
    lay, pdf, doc = make_pack(long_teacher_survey(), paper, "none",
                              [PackSheet(7), PackSheet(8)])
    n = len(lay.pages)
    assert n == (2 if paper == "a4" else 3)
    assert cover_pages(lay) == 2  # double-sided printing keeps each pupil's pages together
    stride = 4 if n == 3 else 2  # a 3-page sheet gets a blank 4th page
    assert [p["pdf_page"] for p in doc["sheets"][1]["pages"]] == list(
        range(2 + stride, 2 + stride + n))
    check_pack(pdf, doc, lay)
    assert f"Page 1 of {n}: please turn over" in pdf_text(pdf, 2)
    assert len(render_pages(pdf, dpi=20)) == 2 + 2 * stride


def test_master_sheet_is_serial_zero():
    lay, pdf, doc = make_pack(bank("pupil_attitudes_5_7"), "a4", "bubbles", [PackSheet(0)])
    assert doc["sheets"][0]["sheet_id"] == f"{COLLECTION}-0"
    check_pack(pdf, doc, lay)


def test_personalised_pack_prints_each_pupil_number_and_has_no_digit_bubbles():
    sheets = [PackSheet(10 + k, k) for k in (1, 2, 3)]
    lay, pdf, doc = make_pack(bank("pupil_attitudes_7_11"), "a4", "printed", sheets)
    assert not [q for q in doc["questions"] if q["code"].startswith("pupil_number")]
    check_pack(pdf, doc, lay)
    for k, sheet in enumerate(doc["sheets"], start=1):
        assert sheet["pupil_number"] == k
        assert f"Pupil number {k}" in pdf_text(pdf, sheet["pages"][0]["pdf_page"])


def test_qr_codes_decode_for_many_serials_at_scanner_resolution():
    """The fixed QR mask must not make some codes unreadable: 40 serials at 150 dpi."""
    lay = layout_for(bank("teacher_confidence"), "a4", "none")
    sheets = [PackSheet(s) for s in range(1, 1000, 25)]
    pdf = render_pack(lay, sheets, installation="ZZ99ZZ", collection_id=123456)
    for s, img in zip(sheets, render_pages(pdf), strict=True):
        expected = encode_sheet_code("ZZ99ZZ", 123456, s.serial, 1, lay.fingerprint)
        assert decode_qr(img, lay.pages[0].template()["qr"]) == expected
