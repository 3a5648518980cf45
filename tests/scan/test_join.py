"""Joining pages into sheets: by collection and serial, any order; master copies apart."""

from __future__ import annotations

from scanner import PageResult, UnreadablePage, join_sheets

LAYOUT = {
    "fingerprint": "ABCDEF0123456789",
    "questions": [
        {"code": "pupil_number_tens", "type": "single", "values": list("0123456789"), "page": 1},
        {"code": "pupil_number_units", "type": "single", "values": list("0123456789"), "page": 1},
        {"code": "q1", "type": "single", "values": ["1", "2"], "page": 1},
        {"code": "q2", "type": "single", "values": ["1", "2"], "page": 2},
        {"code": "q3", "type": "multi", "values": ["a", "b"], "page": 3},
    ],
    "page_templates": [
        {"page": n, "width_pt": 595.0, "height_pt": 842.0, "markers": [],
         "qr": {"x": 0, "y": 0, "size": 10}, "bubbles": [], "rows": [],
         "writeins": [{"question": "notes", "x": 0, "y": 0, "w": 10, "h": 10}] if n == 3 else []}
        for n in (1, 2, 3)],
}


def page(serial: int, number: int, file_page: int) -> PageResult:
    return PageResult("pile.pdf", file_page, f"7-{serial}", 7, serial, number,
                      LAYOUT["fingerprint"])


def lookup(prefix: str) -> dict | None:
    return LAYOUT if LAYOUT["fingerprint"].startswith(prefix) else None


def test_pages_join_in_any_order_and_missing_pages_name_their_questions():
    pages = [page(2, 3, 0), page(1, 2, 1), UnreadablePage("pile.pdf", 2, "blank page"),
             page(2, 1, 3), page(1, 1, 4), page(2, 2, 5), page(1, 1, 6)]
    sheets = {s.serial: s for s in join_sheets(pages, lookup)}
    assert [p.page for p in sheets[2].pages] == [1, 2, 3]
    assert sheets[2].complete
    assert sheets[1].missing_pages == [3]
    assert sheets[1].missing_questions == ["q3", "notes"]
    # Page 1 of serial 1 came twice: the second copy is kept aside for the app to compare.
    assert [d.file_page for d in sheets[1].duplicates] == [6]


def test_a_missing_first_page_lists_the_pupil_number_once():
    (sheet,) = join_sheets([page(4, 2, 0), page(4, 3, 1)], lookup)
    assert sheet.missing_pages == [1]
    assert sheet.missing_questions == ["pupil_number", "q1"]


def test_master_sheet_copies_are_each_their_own_sheet():
    sheets = join_sheets([page(0, 1, 0), page(0, 1, 1), page(0, 1, 2)], lookup)
    assert len(sheets) == 3
    assert all(s.sheet_id == "7-0" for s in sheets)
    assert all(not s.duplicates for s in sheets)
