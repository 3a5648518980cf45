"""The whole path: a real class pack (print/) -> painted marks -> degraded scan or photo file
-> scanner -> answers compared with what was painted. Seeds >= 1000 were never used to
tune the thresholds."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from forms.definition import parse_survey
from scanner import BLANK_PAGE, PageResult, Scanner, UnreadablePage, tuning
from scanner.debug import write_debug
from tests.support.generate import (
    REVIEW,
    Score,
    class_pack,
    degrade_copier,
    filled_pages,
    jpeg,
    pages_pdf,
    score_page,
)

INSTALLATION = "TESTINST"


def scanner_for(*layouts: dict, installation: str = INSTALLATION) -> Scanner:
    def lookup(prefix: str) -> dict | None:
        return next((d for d in layouts if d["fingerprint"].upper().startswith(prefix)), None)

    return Scanner(lookup, installation)


@pytest.fixture(scope="module")
def pupil_pack():
    return class_pack("pupil_attitudes_7_11", 4, pupil_number="bubbles")


@pytest.fixture(scope="module")
def teacher_pack():
    return class_pack("teacher_confidence", 3)


@pytest.fixture(scope="module")
def two_page_pack():
    qs = "\n".join(f"  - code: q{i}\n    text: Statement {i} about teaching science.\n"
                   "    scale: agree5" for i in range(32))
    survey = parse_survey(f"code: long_teacher\ntitle: Long survey\naudience: teacher\n"
                          f"questions:\n{qs}\n")
    pack = class_pack(survey, 3, first_serial=11)
    assert len(pack.layout["page_templates"]) == 2
    return pack


def score_file(pages, result) -> Score:
    total = Score()
    read = [p for p in result.pages]
    for painted, got in zip(pages, read, strict=True):
        total.add(score_page(painted.truth, got, f"sheet {painted.serial} p{painted.page}"))
    return total


def test_clean_scans_every_answer_right_and_only_needed_review(pupil_pack, teacher_pack):
    for pack, seed in ((pupil_pack, 1000), (teacher_pack, 1001)):
        pages = filled_pages(pack, seed, "clean")
        result = scanner_for(pack.layout).scan_file(pages_pdf([p.image for p in pages]),
                                                    "clean.pdf")
        score = score_file(pages, result)
        assert score.wrong == 0, score.details
        assert score.reviewed == 0, score.details
        assert score.unreadable_pages == 0
        needed = sum(v == REVIEW for p in pages for v in p.truth.values())
        assert score.reviewed_needed == needed


def test_copier_scans_never_silently_wrong(pupil_pack, teacher_pack):
    for pack, seed in ((pupil_pack, 1002), (teacher_pack, 1003)):
        pages = filled_pages(pack, seed, "copier")
        result = scanner_for(pack.layout).scan_file(pages_pdf([p.image for p in pages]),
                                                    "copier.pdf")
        score = score_file(pages, result)
        assert score.wrong == 0, score.details
        assert score.reviewed <= 0.03 * score.answers + 1, score.details
        assert all(isinstance(p, PageResult) for p in result.pages)


def test_phone_photos_never_silently_wrong(pupil_pack):
    pages = filled_pages(pupil_pack, 1004, "photo")
    scanner = scanner_for(pupil_pack.layout)
    total = Score()
    for k, p in enumerate(pages):
        result = scanner.scan_file(jpeg(p.image), f"IMG_{k}.jpg")
        total.add(score_file([p], result))
    assert total.wrong == 0, total.details
    assert total.reviewed <= 0.03 * total.answers + 1, total.details


def test_pages_join_by_serial_in_any_order_and_a_missing_page_is_reported(two_page_pack):
    pages = filled_pages(two_page_pack, 1005, "copier")
    # Sheet 11 loses its page 2; the pile arrives shuffled.
    kept = [p for p in pages if not (p.serial == 11 and p.page == 2)]
    random.Random(3).shuffle(kept)
    result = scanner_for(two_page_pack.layout).scan_file(pages_pdf([p.image for p in kept]),
                                                         "pile.pdf")
    sheets = {s.serial: s for s in result.sheets}
    assert sorted(sheets) == [11, 12, 13]
    assert [p.page for p in sheets[12].pages] == [1, 2]
    assert sheets[12].complete
    assert sheets[11].missing_pages == [2]
    page2 = {q["code"] for q in two_page_pack.layout["questions"] if q["page"] == 2}
    assert set(sheets[11].missing_questions) == page2
    assert sheets[11].sheet_id == "7-11"
    truth = {(p.serial, p.page): p.truth for p in kept}
    for sheet in sheets.values():
        for page in sheet.pages:
            s = score_page(truth[(sheet.serial, page.page)], page)
            assert s.wrong == 0, s.details


def test_blank_backs_and_strangers_are_reported_not_fatal(pupil_pack):
    pages = filled_pages(pupil_pack, 1006, "copier")[:2]
    # The back of a duplex scan: empty paper through the same copier (grey, noise, blur).
    white = np.full(pages[0].image.shape + (3,), 255, np.uint8)
    blank = degrade_copier(white, np.random.default_rng(5))
    letter = np.full_like(pages[0].image, 245)
    for k in range(30):
        cv2.putText(letter, "Dear parents, the school trip is on Friday." * 2, (120, 200 + 60 * k),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.2, 20, 2)
    images = [pages[0].image, blank, letter, pages[1].image]
    result = scanner_for(pupil_pack.layout).scan_file(pages_pdf(images), "pile.pdf")
    kinds = [type(p).__name__ for p in result.pages]
    assert kinds == ["PageResult", "UnreadablePage", "UnreadablePage", "PageResult"]
    back, stranger = result.pages[1], result.pages[2]
    assert back.blank
    assert back.reason == BLANK_PAGE
    assert not stranger.blank
    assert "corner squares" in stranger.reason
    assert stranger.thumbnail.startswith(b"\x89PNG")
    assert len(result.sheets) == 2


def test_sheets_of_another_installation_or_unknown_layout_are_refused(pupil_pack):
    page = filled_pages(pupil_pack, 1007, "clean")[0]
    other = scanner_for(pupil_pack.layout, installation="ELSEWHERE").read_page(page.image)
    assert isinstance(other, UnreadablePage)
    assert "another installation" in other.reason
    assert other.sheet_code.startswith("SV1/TESTINST/")
    unknown = Scanner(lambda prefix: None, INSTALLATION).read_page(page.image)
    assert isinstance(unknown, UnreadablePage)
    assert "does not know" in unknown.reason


def test_writeins_review_crops_images_and_debug_overlays(teacher_pack, tmp_path):
    pages = filled_pages(teacher_pack, 1008, "copier")
    result = scanner_for(teacher_pack.layout).scan_file(pages_pdf([p.image for p in pages]),
                                                        "teachers.pdf")
    page = result.pages[0]
    assert isinstance(page, PageResult)
    assert [w.question for w in page.writeins] == [
        w["question"] for w in teacher_pack.layout["page_templates"][0]["writeins"]]
    assert page.writeins[0].png.startswith(b"\x89PNG")
    h, w = page.image.shape
    dpi = tuning.NORMALISED_DPI
    assert (w, h) == (round(595.28 * dpi / 72), round(841.89 * dpi / 72))
    assert page.image_jpeg().startswith(b"\xff\xd8")
    items = [r for p in result.pages for r in p.review]
    assert items, "the generator's mix always has some two-mark questions"
    for item in items:
        x, y, cw, ch = item.crop
        assert 0 <= x < w
        assert 0 <= y < h
        assert min(cw, ch) > 0
    written = write_debug(result, tmp_path)
    assert len(written) == len(pages)
    overlay = cv2.imread(str(written[0]))
    assert overlay.shape[:2] == (h, w)


def test_a_damaged_page_does_not_stop_the_batch(pupil_pack):
    pages = filled_pages(pupil_pack, 1009, "copier")[:3]
    pdf = bytearray(pages_pdf([p.image for p in pages]))
    # Overwrite the second page's JPEG data from a third of the way in (length unchanged).
    starts = [i for i in range(len(pdf) - 2) if pdf[i:i + 3] == b"\xff\xd8\xff"]
    end = pdf.index(b"\xff\xd9", starts[1])
    cut = starts[1] + (end - starts[1]) // 3
    pdf[cut:end] = bytes(end - cut)
    result = scanner_for(pupil_pack.layout).scan_file(bytes(pdf), "damaged.pdf")
    assert len(result.pages) == 3
    assert isinstance(result.pages[0], PageResult)
    assert isinstance(result.pages[2], PageResult)
    damaged = result.pages[1]
    if isinstance(damaged, PageResult):  # what survived must still not be guessed
        score = score_page(pages[1].truth, damaged)
        assert score.wrong == 0, score.details
    else:
        assert damaged.reason


def test_a_covered_part_of_the_page_goes_to_review_not_blank(pupil_pack):
    page = filled_pages(pupil_pack, 1011, "clean")[0]
    img = page.image.copy()
    # A sticky note (plain paper) over the last question's bubbles.
    template = pupil_pack.layout["page_templates"][0]
    last = [b for b in template["bubbles"] if b["question"] == "family_talk"]
    s = pupil_pack.dpi / 72
    y0 = round((min(b["cy"] for b in last) - 20) * s)
    y1 = round((max(b["cy"] for b in last) + 20) * s)
    img[y0:y1, round(250 * s):round(560 * s)] = 246
    result = scanner_for(pupil_pack.layout).read_page(img)
    assert isinstance(result, PageResult)
    assert "family_talk" not in result.answer_map
    (item,) = [r for r in result.review if r.question == "family_talk"]
    assert "cannot be seen" in item.reason


def test_a_blurred_photo_is_read_as_the_first_page_of_a_batch():
    """The first page of a layout has no known QR place: its code is searched for. These two
    photos (seed 1301) blur the code so that OpenCV's first detector misses it."""
    pack = class_pack("pupil_attitudes_5_7", 4, installation="BENCH001", collection_id=11)
    pages = filled_pages(pack, 1301, "photo")
    for p in (pages[1], pages[3]):
        result = scanner_for(pack.layout, installation="BENCH001").scan_file(jpeg(p.image),
                                                                             "IMG_1.jpg")
        assert isinstance(result.pages[0], PageResult), result.pages[0]
        assert score_file([p], result).wrong == 0
