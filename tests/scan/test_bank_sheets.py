"""Every bank survey's real sheet, printed and scanned clean, is read with no needless review.

The goal on clean scans is no needless review at all: a clean page that sends a question to
a person for nothing costs a teacher time on every sheet of the class. light_check's last
question ("We see a book because light goes…") went to review on almost every clean sheet:
its three options fall evenly spaced, so the scanner took the row for a rating scale and
read the options' words between the bubbles as a mark between two answers.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from scanner import PageResult, Scanner
from tests.support.generate import Pack, Score, class_pack, filled_pages, score_page

INSTALLATION = "TESTINST"
BANK = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "forms" / "bank")
              .glob("*.yaml"))
#: Test seeds (below 100: the benchmark's and tuning's seeds are their own).
SEEDS = (41, 42)


@functools.cache
def _pack(survey: str) -> Pack:
    return class_pack(survey, 2, installation=INSTALLATION)


def _scanner(pack: Pack) -> Scanner:
    layout = pack.layout
    return Scanner(lambda p: layout if layout["fingerprint"].upper().startswith(p) else None,
                   INSTALLATION)


def test_the_bank_is_all_here():
    assert "light_check" in BANK
    assert len(BANK) >= 9


@pytest.mark.parametrize("survey", BANK)
def test_an_unmarked_bank_sheet_reads_blank_with_no_review(survey):
    pack = _pack(survey)
    scanner = _scanner(pack)
    first = pack.pages[0][0]
    for _, page, image in (p for p in pack.pages if p[0] == first):
        result = scanner.read_page(image)
        assert isinstance(result, PageResult), f"page {page}: {result.reason}"
        assert [(r.question, r.reason) for r in result.review] == [], f"page {page}"
        assert [(b.question, b.value) for b in result.bubbles if b.decision != "empty"] == []


@pytest.mark.parametrize("survey", BANK)
def test_a_bank_sheet_filled_and_scanned_clean_needs_no_needless_review(survey):
    pack = _pack(survey)
    scanner = _scanner(pack)
    total = Score()
    for seed in SEEDS:
        for filled in filled_pages(pack, seed, "clean"):
            total.add(score_page(filled.truth, scanner.read_page(filled.image),
                                 f"seed {seed} sheet {filled.serial} page {filled.page}",
                                 filled.lenient))
    assert total.answers > 0
    assert (total.reviewed, total.wrong, total.unreadable_pages) == (0, 0, 0), total.details
